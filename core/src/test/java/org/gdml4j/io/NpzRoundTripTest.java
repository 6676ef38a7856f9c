package org.gdml4j.io;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.gdml4j.io.IoAssertions.assertSameEntries;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every supported dtype and layout survives write → read unchanged, in both zip methods. */
class NpzRoundTripTest {
    @TempDir
    Path dir;

    /** One array of each kind this package supports, including 0-d, Fortran-order and object arrays. */
    static SequencedMap<String, NpyArray> everyKind() {
        SequencedMap<String, NpyArray> m = new LinkedHashMap<>();
        m.put("f8", NpyArrays.ofDoubles(new double[] {1.5, -2.25, Double.NaN, Double.NEGATIVE_INFINITY, 0.0, -0.0}, 2, 3));
        m.put("f4", NpyArrays.ofFloats(new float[] {1.5f, -3e38f, 7f}));
        m.put("i8", NpyArrays.ofLongs(new long[] {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE}, 2, 2));
        m.put("i4", NpyArrays.ofInts(new int[] {Integer.MIN_VALUE, 5, Integer.MAX_VALUE}));
        m.put("i2", NpyArrays.ofShorts(new short[] {Short.MIN_VALUE, 3, Short.MAX_VALUE}));
        m.put("u1", NpyArrays.ofUnsignedBytes(new byte[] {0, 1, (byte) 255}));
        m.put("b1", NpyArrays.ofBooleans(new boolean[] {true, false, true}));
        m.put("unicode", NpyArrays.ofString("Ångström ✓ 𝜎"));
        m.put("bytes", NpyArrays.ofAscii("983bbefb7243e10698ba85913d62dd65"));
        m.put("scalar_f8", NpyArrays.scalar(-83347.72786300191));
        m.put("scalar_i8", NpyArrays.scalar(10L));
        m.put("scalar_b1", NpyArrays.scalar(true));
        m.put("empty", NpyArrays.ofDoubles(new double[0], 0, 3));
        // (2, 3) in Fortran order: the bytes hold the columns, 1 4 | 2 5 | 3 6
        m.put("fortran", NpyArray.of(DType.F8, true, MemorySegment.ofArray(new double[] {1, 4, 2, 5, 3, 6}), 2, 3));
        m.put("none", NpyArray.ofObject(null));
        Map<String, Double> errors = new LinkedHashMap<>();
        errors.put("mae", Double.NaN);
        errors.put("rmse", 0.125);
        m.put("dict", NpyArray.ofObject(errors));
        m.put("empty_dict", NpyArray.ofObject(Map.of()));
        return m;
    }

    @ParameterizedTest
    @EnumSource(NpzWriter.Compression.class)
    void everyKindRoundTrips(NpzWriter.Compression compression) throws IOException {
        Path file = dir.resolve("all.npz");
        NpzWriter.write(file, everyKind(), compression);
        try (Arena arena = Arena.ofConfined(); NpzReader npz = NpzReader.open(file)) {
            assertSameEntries(everyKind(), npz.readAll(arena), compression.name());
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            int method = compression == NpzWriter.Compression.STORED ? ZipEntry.STORED : ZipEntry.DEFLATED;
            zip.stream().forEach(e -> assertEquals(method, e.getMethod(), e.getName()));
            assertEquals(everyKind().keySet().stream().map(k -> k + ".npy").toList(), zip.stream().map(ZipEntry::getName).toList());
        }
    }

    @Test
    void valuesComeBackThroughTheAccessors() {
        Path file = dir.resolve("v.npz");
        NpzWriter.write(file, everyKind());
        try (Arena arena = Arena.ofConfined(); NpzReader npz = NpzReader.open(file)) {
            assertEquals(Double.NEGATIVE_INFINITY, npz.read("f8", arena).toDoubleArray()[3]);
            assertEquals(-3e38f, (float) npz.read("f4", arena).toDoubleArray()[1]);
            assertArrayEquals(new long[] {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE}, npz.read("i8", arena).toLongArray());
            assertArrayEquals(new int[] {Integer.MIN_VALUE, 5, Integer.MAX_VALUE}, npz.read("i4", arena).toIntArray());
            assertArrayEquals(new int[] {-32768, 3, 32767}, npz.read("i2", arena).toIntArray());
            assertArrayEquals(new int[] {0, 1, 255}, npz.read("u1", arena).toIntArray());
            assertArrayEquals(new long[] {1, 0, 1}, npz.read("b1", arena).toLongArray());
            assertEquals("Ångström ✓ 𝜎", npz.read("unicode", arena).string());
            assertEquals(DType.unicode(12), npz.read("unicode", arena).dtype());
            assertEquals("983bbefb7243e10698ba85913d62dd65", npz.read("bytes", arena).string());
            assertEquals(10, npz.read("scalar_i8", arena).scalarLong());
            assertTrue(npz.read("scalar_b1", arena).scalarBoolean());
            NpyArray f = npz.read("fortran", arena);
            assertTrue(f.fortranOrder());
            assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, f.toDoubleArray(), "C order from Fortran storage");
            NpyArray c = f.toCOrder(arena);
            assertFalse(c.fortranOrder());
            assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, c.data().toArray(java.lang.foreign.ValueLayout.JAVA_DOUBLE));
            assertArrayEquals(new long[] {3, 2}, f.transpose().shape());
            assertArrayEquals(new double[] {1, 4, 2, 5, 3, 6}, f.transpose().toDoubleArray());
            assertNull(npz.read("none", arena).objectValue());
            assertEquals(0.125, ((Map<?, ?>) npz.read("dict", arena).objectValue()).get("rmse"));
            assertEquals(List.of(), List.copyOf(((Map<?, ?>) npz.read("empty_dict", arena).objectValue()).keySet()));
        }
    }

    @Test
    void keysAreListedAndReadLazily() {
        Path file = dir.resolve("lazy.npz");
        NpzWriter.write(file, everyKind());
        try (NpzReader npz = NpzReader.open(file)) {
            assertEquals(List.copyOf(everyKind().keySet()), npz.keys());
            assertTrue(npz.contains("fortran") && !npz.contains("nope"));
            assertEquals(new NpyHeader(DType.F8, true, new long[] {2, 3}), npz.header("fortran"));
            assertEquals(npz.keys(), List.copyOf(npz.headers().keySet()));
            IoAssertions.assertMessage(org.junit.jupiter.api.Assertions.assertThrows(SgdmlFormatException.class,
                    () -> npz.read("nope", Arena.ofAuto())), "lazy.npz", "'nope'", "no such key");
        }
    }

    @Test
    void singleNpyFilesRoundTripToo() throws IOException {
        Path file = dir.resolve("a.npy");
        NpyArray a = NpyArrays.ofDoubles(new double[] {1, 2, 3, 4, 5, 6}, 3, 2);
        NpyWriter.write(file, a);
        try (Arena arena = Arena.ofConfined()) {
            IoAssertions.assertSameArray(a, NpyReader.read(file, arena), "npy");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        NpyWriter.write(out, NpyArray.ofObject(null));
        assertNull(NpyReader.read(new ByteArrayInputStream(out.toByteArray()), Arena.ofAuto(), "mem").objectValue());
    }

    @Test
    void sameArraysGiveTheSameBytes() throws IOException {
        Path a = dir.resolve("a.npz");
        Path b = dir.resolve("b.npz");
        NpzWriter.write(a, everyKind());
        NpzWriter.write(b, everyKind());
        assertEquals(-1, java.nio.file.Files.mismatch(a, b), "fixed zip timestamps keep outputs reproducible");
    }

    /**
     * More than 65535 entries need zip64 end records: the cheap way to exercise zip64 on write and read (entries
     * over 4 GB take the same code path in ZipOutputStream, but too much disk for a unit test).
     */
    @Test
    void zip64ArchivesWithManyEntries() throws IOException {
        SequencedMap<String, NpyArray> many = new LinkedHashMap<>();
        for (int i = 0; i < 70_000; i++) {
            many.put("k" + i, NpyArrays.scalar((long) i));
        }
        Path file = dir.resolve("many.npz");
        NpzWriter.write(file, many, NpzWriter.Compression.STORED);
        byte[] all = java.nio.file.Files.readAllBytes(file);
        byte[] zip64End = {0x50, 0x4b, 0x06, 0x06};
        boolean found = false;
        for (int i = all.length - 200; i < all.length - 4 && !found; i++) {
            found = java.util.Arrays.equals(all, i, i + 4, zip64End, 0, 4);
        }
        assertTrue(found, "zip64 end-of-central-directory record");
        try (Arena arena = Arena.ofConfined(); NpzReader npz = NpzReader.open(file)) {
            assertEquals(70_000, npz.keys().size());
            assertEquals("k69999", npz.keys().getLast());
            assertEquals(69_999, npz.read("k69999", arena).scalarLong());
        }
    }
}
