package org.gdml4j.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.SequencedMap;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import org.gdml4j.cli.Main;
import org.gdml4j.io.NpyReader;
import org.gdml4j.io.SgdmlFormatException;
import org.gdml4j.testsupport.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Damaged archives on disk: bytes flipped inside an entry's data (which only the CRC-32 can reveal) and .npy headers
 * that declare far more data than the entry holds (which must be refused before anything is allocated). Each must end
 * as one error line naming the file and key, with exit code 2. The JVM runs with its default heap: allocating what
 * a lying header declares would fail these tests with an OutOfMemoryError.
 */
class ArchiveIntegrityTest {
    private static final int LOCAL_HEADER = 0x04034b50;
    private static final int DATA_DESCRIPTOR = 0x08074b50;

    @TempDir
    Path dir;

    private final Path ethanol = TestData.dataset("rmd17_ethanol");

    /** Runs the CLI, expecting a refusal with exit 2 and one error line, which is returned. */
    private static String refused(String... args) {
        Cli.Result r = Cli.run(args);
        System.out.println("[refused] " + String.join(" ", args[0], Path.of(args[1]).getFileName().toString()) + " -> "
                + r.errorLine());
        assertEquals(Main.EXIT_USAGE, r.exit(), r.out() + r.err());
        return r.errorLine();
    }

    private static void assertMentions(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), "'" + part + "' missing from: " + message);
        }
    }

    @Test
    void theRewrittenCopiesAreSoundBeforeTheyAreDamaged() throws IOException {
        // the corruption below, not the rewriting by java.util.zip, is what the refusals are about
        for (int method : new int[] {ZipEntry.STORED, ZipEntry.DEFLATED}) {
            Path copy = zipOf(dir.resolve("copy-" + method + ".npz"), entriesOf(ethanol), method);
            Cli.Result r = Cli.run("show", copy.toString());
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().contains("sGDML dataset"), r.out());
        }
    }

    @Test
    void flippedBytesInAStoredEntryAreABadCrc() throws IOException {
        Path file = zipOf(dir.resolve("stored-flipped.npz"), entriesOf(ethanol), ZipEntry.STORED);
        byte[] zip = Files.readAllBytes(file);
        int data = dataOffset(file, zip, "R.npy");
        int firstValue = data + npyHeaderLength(zip, data);
        // the lowest byte of three coordinates: values one ulp off, which no plausibility check could ever notice
        for (int k = 1000; k < 1003; k++) {
            zip[firstValue + 8 * k] ^= 0x01;
        }
        Files.write(file, zip);

        assertMentions(refused("show", file.toString()), "stored-flipped.npz: key 'R'", "bad CRC-32", "corrupt");
        Path task = dir.resolve("task.npz");
        assertMentions(refused("create", file.toString(), "-n", "40", "--n-valid", "20", "-o", task.toString()),
                "stored-flipped.npz: key 'R'", "bad CRC-32");
        assertFalse(Files.exists(task), "no task may be written from a corrupt dataset");
    }

    @Test
    void flippedBitInADeflatedEntryIsABadCrc() throws IOException {
        Path file = zipOf(dir.resolve("deflated-flipped.npz"), entriesOf(ethanol), ZipEntry.DEFLATED);
        byte[] zip = Files.readAllBytes(file);
        ZipEntry r = entry(file, "R.npy");
        flipSilently(zip, dataOffset(file, zip, "R.npy"), Math.toIntExact(r.getCompressedSize()), r.getSize(), r.getCrc());
        Files.write(file, zip);

        assertMentions(refused("show", file.toString()), "deflated-flipped.npz: key 'R'", "bad CRC-32");
    }

    @Test
    void solveRefusesATaskWithACorruptEntry() throws IOException {
        Path task = zipOf(dir.resolve("task.npz"), entriesOf(TestData.fixture("ethanol-sym-m30", "task.npz")), ZipEntry.STORED);
        byte[] zip = Files.readAllBytes(task);
        int data = dataOffset(task, zip, "R_train.npy");
        zip[data + npyHeaderLength(zip, data) + 8 * 17] ^= 0x01;
        Files.write(task, zip);

        Path model = dir.resolve("model.npz");
        assertMentions(refused("solve", task.toString(), "-o", model.toString()), "task.npz: key 'R_train'", "bad CRC-32");
        assertFalse(Files.exists(model), "no model may be written from a corrupt task");
    }

    @Test
    void aShapeOfTerabytesIsRefusedBeforeAllocating() throws IOException {
        Path file = datasetWithLyingR("terabytes.npz", "(100000000000, 9, 3)", ZipEntry.STORED);
        String e = refused("show", file.toString());
        assertMentions(e, "terabytes.npz: key 'R'", "shape (100000000000, 9, 3)", "21.6 TB", "found 135 KB");
        Path task = dir.resolve("task.npz");
        assertMentions(refused("create", file.toString(), "-n", "40", "-o", task.toString()), "21.6 TB", "found 135 KB");
        assertFalse(Files.exists(task));
    }

    @Test
    void aShapeOfTwoGigabytesIsRefusedBeforeAllocating() throws IOException {
        Path file = datasetWithLyingR("gigabytes.npz", "(10000000, 9, 3)", ZipEntry.DEFLATED);
        assertMentions(refused("show", file.toString()), "gigabytes.npz: key 'R'", "shape (10000000, 9, 3)", "2.16 GB",
                "found 135 KB");
    }

    @Test
    void aStandaloneNpyFileIsCheckedAgainstItsFileSize() throws IOException {
        Path file = Files.write(dir.resolve("R.npy"), npy("<f8", "(100000000000, 9, 3)", new byte[135_000]));
        try (Arena arena = Arena.ofConfined()) {
            SgdmlFormatException e = assertThrows(SgdmlFormatException.class, () -> NpyReader.read(file, arena));
            assertMentions(e.getMessage(), "R.npy", "shape (100000000000, 9, 3)", "21.6 TB", "found 135 KB");
        }
    }

    @Test
    void aStreamOfUnknownLengthOnlyGetsMemoryAsItsBytesArrive() throws IOException {
        Path file = Files.write(dir.resolve("R.npy"), npy("<f8", "(100000000000, 9, 3)", new byte[135_000]));
        try (Arena arena = Arena.ofConfined(); var in = Files.newInputStream(file)) {
            SgdmlFormatException e = assertThrows(SgdmlFormatException.class, () -> NpyReader.read(in, arena, "stream"));
            assertMentions(e.getMessage(), "stream", "truncated array data", "found 135000");
        }
    }

    /**
     * The ethanol dataset's type and z, then an R whose header declares {@code shape} over the first 135,000 bytes of
     * the real coordinates: a 135 KB archive that claims an R of gigabytes or terabytes.
     */
    private Path datasetWithLyingR(String name, String shape, int method) throws IOException {
        SequencedMap<String, byte[]> real = entriesOf(ethanol);
        byte[] r = real.get("R.npy");
        int header = npyHeaderLength(r, 0);
        SequencedMap<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("type.npy", real.get("type.npy"));
        entries.put("z.npy", real.get("z.npy"));
        entries.put("R.npy", npy("<f8", shape, Arrays.copyOfRange(r, header, header + 135_000)));
        return zipOf(dir.resolve(name), entries, method);
    }

    /** A version 1.0 .npy with the given header fields, padded as numpy does, followed by {@code data}. */
    private static byte[] npy(String descr, String shape, byte[] data) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int total = (10 + dict.length() + 1 + 63) / 64 * 64;
        dict = dict + " ".repeat(total - 10 - dict.length() - 1) + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) dict.length(), (byte) (dict.length() >>> 8)});
        out.writeBytes(dict.getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(data);
        return out.toByteArray();
    }

    /** Bytes of the version 1.0 .npy header that starts at {@code at}: magic, version, u16 length, dict. */
    private static int npyHeaderLength(byte[] bytes, int at) {
        assertEquals(1, bytes[at + 6], "a version 1.0 .npy header expected");
        return 10 + ((bytes[at + 8] & 0xFF) | (bytes[at + 9] & 0xFF) << 8);
    }

    /** Every entry of an archive, uncompressed, in archive order. */
    private static SequencedMap<String, byte[]> entriesOf(Path archive) throws IOException {
        SequencedMap<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(archive.toFile())) {
            for (ZipEntry e : zip.stream().toList()) {
                entries.put(e.getName(), zip.getInputStream(e).readAllBytes());
            }
        }
        return entries;
    }

    /** Writes the entries with java.util.zip, all STORED (size and CRC-32 up front) or all DEFLATED. */
    private static Path zipOf(Path file, SequencedMap<String, byte[]> entries, int method) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            for (var e : entries.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey());
                entry.setMethod(method);
                if (method == ZipEntry.STORED) {
                    CRC32 crc = new CRC32();
                    crc.update(e.getValue());
                    entry.setSize(e.getValue().length);
                    entry.setCompressedSize(e.getValue().length);
                    entry.setCrc(crc.getValue());
                }
                zip.putNextEntry(entry);
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return file;
    }

    /** The central directory's record of entry {@code name}: sizes and CRC-32. */
    private static ZipEntry entry(Path archive, String name) throws IOException {
        try (ZipFile zip = new ZipFile(archive.toFile())) {
            return zip.getEntry(name);
        }
    }

    /**
     * Where the (compressed) data of entry {@code name} starts, found by walking the local file headers: signature,
     * flags at 6, name and extra-field lengths at 26 and 28, then the name, the extra field and the data, followed by
     * a data descriptor when flag bit 3 is set (as java.util.zip does for deflated entries).
     */
    private static int dataOffset(Path archive, byte[] zip, String name) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        int pos = 0;
        while (true) {
            assertEquals(LOCAL_HEADER, b.getInt(pos), "a local file header at offset " + pos);
            int flags = b.getShort(pos + 6) & 0xFFFF;
            int nameLength = b.getShort(pos + 26) & 0xFFFF;
            int extraLength = b.getShort(pos + 28) & 0xFFFF;
            String entryName = new String(zip, pos + 30, nameLength, StandardCharsets.UTF_8);
            int data = pos + 30 + nameLength + extraLength;
            if (entryName.equals(name)) {
                return data;
            }
            pos = data + Math.toIntExact(entry(archive, entryName).getCompressedSize());
            if ((flags & 8) != 0) {
                pos += b.getInt(pos) == DATA_DESCRIPTOR ? 16 : 12;
            }
        }
    }

    /**
     * Flips one bit in the deflated data at {@code start} such that it still inflates, without error, to the full
     * {@code size} bytes, only different ones: a corruption that the inflater cannot see and only the CRC-32 reveals.
     * Searched from the middle of the data (such bits are common: a literal's Huffman code turned into another of the
     * same length).
     */
    private static void flipSilently(byte[] zip, int start, int compressed, long size, long crc) {
        for (int at = start + compressed / 2; at < start + compressed; at++) {
            for (int bit = 0; bit < 8; bit++) {
                zip[at] ^= (byte) (1 << bit);
                if (inflatesCleanly(zip, start, compressed, size, crc)) {
                    return;
                }
                zip[at] ^= (byte) (1 << bit);
            }
        }
        fail("no silently corrupting bit found");
    }

    /** Whether the deflated bytes inflate without error to {@code size} bytes whose CRC-32 is not {@code crc}. */
    private static boolean inflatesCleanly(byte[] zip, int start, int compressed, long size, long crc) {
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(zip, start, compressed);
            byte[] out = new byte[1 << 20];
            CRC32 actual = new CRC32();
            long total = 0;
            while (!inflater.finished()) {
                int n = inflater.inflate(out);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    return false;
                }
                actual.update(out, 0, n);
                total += n;
            }
            return total == size && actual.getValue() != crc;
        } catch (DataFormatException e) {
            return false;
        } finally {
            inflater.end();
        }
    }
}
