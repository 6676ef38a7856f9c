package org.gdml4j.io;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.ZipFile;

import org.gdml4j.testsupport.TestData;
import org.junit.jupiter.api.Test;

import static org.gdml4j.io.IoAssertions.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NpyHeaderTest {

    /** Our headers are the bytes numpy wrote into the fixtures (64-byte alignment and growth padding included). */
    @Test
    void headersMatchNumpyByteForByte() throws IOException {
        try (ZipFile zip = new ZipFile(TestData.fixture("ethanol-sym-m30", "model.npz").toFile())) {
            for (var entry : zip.stream().toList()) {
                byte[] raw = zip.getInputStream(entry).readAllBytes();
                NpyHeader h = NpyHeader.read(new ByteArrayInputStream(raw), entry.getName());
                byte[] ours = h.encode();
                assertArrayEquals(Arrays.copyOf(raw, ours.length), ours, entry.getName() + ": " + h);
                assertEquals(0, ours.length % 64);
            }
        }
    }

    @Test
    void parsesTheForms() {
        assertEquals(new NpyHeader(DType.F8, false, new long[] {5, 4, 3}),
                parse(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (5, 4, 3), }"));
        assertEquals(new NpyHeader(DType.I8, true, new long[] {7}), parse(2, "{'shape': (7L,), 'fortran_order': True, 'descr': '<i8'}"));
        assertEquals(new NpyHeader(DType.unicode(3), false, new long[0]),
                parse(3, "{\"descr\": \"<U3\", \"fortran_order\": False, \"shape\": ()}"));
        assertEquals(DType.I1, parse(1, "{'descr': '|i1', 'fortran_order': False, 'shape': (1,), }").dtype());
        assertEquals(DType.U8, parse(1, "{'descr': '<u8', 'fortran_order': False, 'shape': (1,), }").dtype());
    }

    @Test
    void rejectsWhatItCannotRepresent() {
        assertMessage(fails("{'descr': '<c16', 'fortran_order': False, 'shape': (2,), }"), "where", "unsupported dtype '<c16'");
        assertMessage(fails("{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }"), "big-endian dtype '>f8'", "astype('<f8')");
        assertMessage(fails("{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }"), "unsupported dtype '<f2'");
        // 4 bytes per character overflow an int: refused as unsupported, not an ArithmeticException (an internal error)
        assertMessage(fails("{'descr': '<U1000000000', 'fortran_order': False, 'shape': (2,), }"), "unsupported dtype '<U1000000000'");
        assertMessage(fails("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (2,), }"), "structured");
        assertMessage(fails("{'descr': '<f8', 'fortran_order': False, }"), "expected keys");
        assertMessage(fails("{'descr': '<f8', 'fortran_order': False, 'shape': (-2,), }"), "malformed");
        assertMessage(fails("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999, 99999999999), }"), "overflows");
        assertMessage(assertThrows(SgdmlFormatException.class, () -> NpyHeader.read(
                new ByteArrayInputStream("hello world".getBytes(StandardCharsets.US_ASCII)), "where")), "where", "magic");
        byte[] v9 = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 9, 0, 0, 0};
        assertMessage(assertThrows(SgdmlFormatException.class, () -> NpyHeader.read(new ByteArrayInputStream(v9), "w")),
                "version 9.0");
    }

    @Test
    void bigHeadersUseVersionTwo() throws IOException {
        long[] shape = new long[30000];
        Arrays.fill(shape, 1);
        NpyHeader h = new NpyHeader(DType.F8, false, shape);
        byte[] bytes = h.encode();
        assertEquals(2, bytes[6], "a header over 64 KiB needs the u32 length of version 2.0");
        assertEquals(0, bytes.length % 64);
        assertEquals(h, NpyHeader.read(new ByteArrayInputStream(bytes), "big"));
        assertTrue(new NpyHeader(DType.F8, false, new long[] {3}).encode()[6] == 1);
    }

    private static SgdmlFormatException fails(String dict) {
        return assertThrows(SgdmlFormatException.class, () -> parse(1, dict));
    }

    private static NpyHeader parse(int version, String dict) {
        byte[] text = dict.getBytes(version == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        int prefix = version == 1 ? 10 : 12;
        byte[] all = new byte[prefix + text.length];
        System.arraycopy(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) version, 0}, 0, all, 0, 8);
        all[8] = (byte) text.length;
        all[9] = (byte) (text.length >>> 8);
        System.arraycopy(text, 0, all, prefix, text.length);
        try {
            return NpyHeader.read(new ByteArrayInputStream(all), "where");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
