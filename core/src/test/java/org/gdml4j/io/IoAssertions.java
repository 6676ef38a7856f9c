package org.gdml4j.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SequencedMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Shared test helpers: array equality down to the bytes, and hand-made archives with arbitrary headers. */
final class IoAssertions {
    private IoAssertions() {
    }

    /** Same dtype, shape, order and bytes (or the same object value). */
    static void assertSameArray(NpyArray expected, NpyArray actual, String what) {
        assertEquals(expected.dtype(), actual.dtype(), what + ": dtype");
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        if (expected.ndim() > 1) {
            assertEquals(expected.fortranOrder(), actual.fortranOrder(), what + ": fortran_order");
        }
        if (expected.isObject()) {
            assertObjectEquals(expected.objectValue(), actual.objectValue(), what);
        } else {
            assertEquals(-1, expected.data().mismatch(actual.data()), what + ": bytes differ");
        }
    }

    /** Like equals, but NaN equals NaN (sGDML's placeholder errors are NaN). */
    static void assertObjectEquals(Object expected, Object actual, String what) {
        if (expected instanceof Map<?, ?> e && actual instanceof Map<?, ?> a) {
            assertEquals(e.keySet().stream().toList(), a.keySet().stream().toList(), what + ": keys");
            e.forEach((k, v) -> assertEquals(Double.doubleToLongBits((Double) v), Double.doubleToLongBits((Double) a.get(k)),
                    what + ": value of " + k));
        } else {
            assertEquals(expected, actual, what);
        }
    }

    static void assertSameEntries(SequencedMap<String, NpyArray> expected, SequencedMap<String, NpyArray> actual, String what) {
        assertEquals(expected.keySet().stream().toList(), actual.keySet().stream().toList(), what + ": keys and order");
        expected.forEach((k, v) -> assertSameArray(v, actual.get(k), what + " key " + k));
    }

    static void assertMessage(SgdmlFormatException e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "message lacks '" + part + "': " + e.getMessage());
        }
    }

    /** A .npy byte string with any header text numpy could write (e.g. an unsupported dtype) and raw data. */
    static byte[] rawNpy(String descr, String shape, byte[] data) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int total = (10 + dict.length() + 1 + 63) / 64 * 64;
        dict = dict + " ".repeat(total - 10 - dict.length() - 1) + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        out.write(dict.length() & 0xFF);
        out.write(dict.length() >>> 8);
        out.writeBytes(dict.getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(data);
        return out.toByteArray();
    }

    /** A zip with raw entries (name without .npy to bytes), written directly, with no validation. */
    static Path rawNpz(Path file, Map<String, byte[]> entries) throws IOException {
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            for (var e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey() + ".npy"));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return file;
    }

    /** A .npy of a 0-d object array whose payload is the given pickle. */
    static byte[] objectNpy(byte[] pickle) {
        byte[] header = rawNpy("|O", "()", new byte[0]);
        byte[] all = Arrays.copyOf(header, header.length + pickle.length);
        System.arraycopy(pickle, 0, all, header.length, pickle.length);
        return all;
    }

}
