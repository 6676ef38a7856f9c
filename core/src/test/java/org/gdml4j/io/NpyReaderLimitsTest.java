package org.gdml4j.io;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.gdml4j.io.IoAssertions.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** What a .npy header may make the reader allocate, and the CRC-32 check of npz entries. */
class NpyReaderLimitsTest {
    @TempDir
    Path dir;

    private static byte[] doubles(int n) {
        byte[] data = new byte[8 * n];
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            b.putDouble(i * 0.5);
        }
        return data;
    }

    @Test
    void aStreamOfUnknownLengthIsReadInStepsAndComesOutWhole() throws IOException {
        byte[] npy = IoAssertions.rawNpy("<f8", "(5000,)", doubles(5000));
        NpyArray a = NpyReader.read(new ByteArrayInputStream(npy), NpyReader.UNKNOWN_SIZE, Arena.ofAuto(), "mem", 1024);
        double[] expected = new double[5000];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = i * 0.5;
        }
        assertArrayEquals(expected, a.toDoubleArray());
    }

    @Test
    void aShortStreamOfUnknownLengthIsTruncatedAfterAtMostOneStep() {
        byte[] npy = IoAssertions.rawNpy("<f8", "(100000000000, 9, 3)", doubles(5000));
        assertMessage(assertThrows(SgdmlFormatException.class, () -> NpyReader.read(new ByteArrayInputStream(npy),
                NpyReader.UNKNOWN_SIZE, Arena.ofAuto(), "mem", 1024)), "mem", "truncated array data",
                "needs 21600000000000 bytes, found 40000");
    }

    @Test
    void aKnownSizeMustMatchTheHeaderExactly() {
        byte[] npy = IoAssertions.rawNpy("<f8", "(5,)", doubles(6));
        assertMessage(assertThrows(SgdmlFormatException.class, () -> NpyReader.read(new ByteArrayInputStream(npy),
                npy.length, Arena.ofAuto(), "mem")), "mem", "array data size mismatch", "(5,) of <f8 = 40 bytes, found 48 bytes");
    }

    @Test
    void sizesReadAsPeopleWriteThem() {
        assertEquals("800 bytes", NpyReader.bytesText(800));
        assertEquals("135 KB", NpyReader.bytesText(135_000));
        assertEquals("1.00 MB", NpyReader.bytesText(999_999));
        assertEquals("2.16 GB", NpyReader.bytesText(2_160_000_000L));
        assertEquals("21.6 TB", NpyReader.bytesText(21_600_000_000_000L));
        assertEquals("9.22 EB", NpyReader.bytesText(Long.MAX_VALUE));
    }

    /** A stored npz of one R entry holding {@code npy}, with the lowest bit of the entry's byte {@code flipAt} flipped. */
    private Path storedNpz(String name, byte[] npy, int flipAt) throws IOException {
        Path file = dir.resolve(name);
        try (var out = new ZipOutputStream(Files.newOutputStream(file))) {
            ZipEntry e = new ZipEntry("R.npy");
            CRC32 crc = new CRC32();
            crc.update(npy);
            e.setMethod(ZipEntry.STORED);
            e.setSize(npy.length);
            e.setCompressedSize(npy.length);
            e.setCrc(crc.getValue());
            out.putNextEntry(e);
            out.write(npy);
            out.closeEntry();
        }
        byte[] all = Files.readAllBytes(file);
        // a stored entry's data follows its 30-byte local header and the name "R.npy" (java.util.zip adds no extra field)
        all[30 + 5 + flipAt] ^= 0x01;
        return Files.write(file, all);
    }

    @Test
    void flippedDataIsABadCrcButTheHeaderAloneStillReads() throws IOException {
        byte[] npy = IoAssertions.rawNpy("<f8", "(50,)", doubles(50));
        Path file = storedNpz("data.npz", npy, npy.length - 3);
        try (NpzReader npz = NpzReader.open(file)) {
            assertEquals("<f8 (50,)", npz.header("R").toString());
            assertMessage(assertThrows(SgdmlFormatException.class, () -> npz.read("R", Arena.ofAuto())),
                    "data.npz: key 'R'", "bad CRC-32 (the archive is corrupt)");
        }
    }

    @Test
    void aFlippedShapeDigitIsBlamedOnTheCrcNotOnTheShape() throws IOException {
        byte[] npy = IoAssertions.rawNpy("<f8", "(50,)", doubles(50));
        int digit = new String(npy, StandardCharsets.ISO_8859_1).indexOf("(50,)") + 1;
        Path file = storedNpz("shape.npz", npy, digit); // '5' ^ 1 = '4': a header that now declares 40 doubles
        try (NpzReader npz = NpzReader.open(file)) {
            assertMessage(assertThrows(SgdmlFormatException.class, () -> npz.read("R", Arena.ofAuto())),
                    "shape.npz: key 'R'", "bad CRC-32");
        }
    }
}
