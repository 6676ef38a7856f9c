package org.gdml4j.io;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Lazy access to an .npz archive (a zip of {@code <key>.npy} entries, stored or deflated, zip64 included):
 * opening reads only the zip directory, and each key is decoded when asked for. Every full read checks the
 * entry's size against its .npy header before allocating, and its CRC-32 once the entry is read.
 */
public final class NpzReader implements AutoCloseable {
    /** What to tell a user who passed some other file where an sGDML archive was expected. */
    static final String CONVERT_HINT = "expected an sGDML .npz file (a zip of numpy arrays); to convert extxyz, ASE,"
            + " FHI-aims or i-PI data use sGDML's scripts (sgdml_dataset_from_extxyz.py, sgdml_dataset_via_ase.py, ...)";

    /** The one line a checksum mismatch gets; the same verdict numpy gives ("Bad CRC-32"). */
    private static final String BAD_CRC = "bad CRC-32 (the archive is corrupt)";
    /** How much of an entry is still read, after its contents were refused, to see if corruption explains it. */
    private static final long MAX_DRAIN_ON_ERROR = 1L << 30;

    private final Path file;
    private final ZipFile zip;
    private final SequencedMap<String, ZipEntry> entries = new LinkedHashMap<>();

    private NpzReader(Path file, ZipFile zip) {
        this.file = file;
        this.zip = zip;
        // the order of the zip entries is the order the arrays were saved in, and round trips keep it
        zip.stream().filter(e -> !e.isDirectory()).forEach(e -> entries.putIfAbsent(keyOf(e.getName()), e));
    }

    private static String keyOf(String entryName) {
        return entryName.endsWith(".npy") ? entryName.substring(0, entryName.length() - 4) : entryName;
    }

    /** Opens {@code file}, failing with a user-facing message if it is missing, unreadable or not a zip archive. */
    public static NpzReader open(Path file) {
        if (Files.isDirectory(file)) {
            throw new SgdmlFormatException(file + ": is a folder; " + CONVERT_HINT);
        }
        try {
            return new NpzReader(file, new ZipFile(file.toFile(), StandardCharsets.UTF_8));
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new SgdmlFormatException(file + ": " + (Files.exists(file) ? "cannot read (" + e.getMessage() + ")" : "file not found"), e);
        } catch (AccessDeniedException e) {
            throw new SgdmlFormatException(file + ": cannot read (permission denied)", e);
        } catch (IOException e) {
            throw new SgdmlFormatException(file + ": " + whatItIs(file) + "; " + CONVERT_HINT, e);
        }
    }

    /** A guess, from the first bytes, of why the zip directory could not be read. */
    private static String whatItIs(Path file) {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(8);
        } catch (IOException e) {
            return "cannot read (" + e.getMessage() + ")";
        }
        if (head.length == 0) {
            return "the file is empty";
        }
        if (head.length >= 4 && head[0] == 'P' && head[1] == 'K') {
            return "truncated or corrupt zip file";
        }
        if (head.length >= 6 && (head[0] & 0xFF) == 0x93 && head[1] == 'N' && head[2] == 'U') {
            return "a single .npy array, not an .npz archive";
        }
        boolean text = true;
        for (byte b : head) {
            text &= b == '\n' || b == '\r' || b == '\t' || (b >= 0x20 && b < 0x7F);
        }
        return text ? "not a zip file (it looks like a text file)" : "not a zip file (truncated or a different format)";
    }

    public Path file() {
        return file;
    }

    /** The keys in archive order ({@code .npy} suffix removed, as numpy's {@code NpzFile.files}). */
    public List<String> keys() {
        return Collections.unmodifiableList(new ArrayList<>(entries.keySet()));
    }

    public boolean contains(String key) {
        return entries.containsKey(key);
    }

    /** Reads only the header of {@code key}: dtype, order and shape, without touching the data (nor its CRC). */
    public NpyHeader header(String key) {
        return withEntry(key, false, (in, size) -> NpyHeader.read(in, SgdmlFormatException.where(file, key)));
    }

    /** Reads {@code key} into memory allocated from {@code arena}, checking its size and CRC-32 on the way. */
    public NpyArray read(String key, Arena arena) {
        return withEntry(key, true, (in, size) -> NpyReader.read(in, size, arena, SgdmlFormatException.where(file, key)));
    }

    /** Reads every key, in archive order. */
    public SequencedMap<String, NpyArray> readAll(Arena arena) {
        SequencedMap<String, NpyArray> all = new LinkedHashMap<>();
        for (String key : entries.keySet()) {
            all.put(key, read(key, arena));
        }
        return all;
    }

    private interface EntryReader<T> {
        /** @param size the entry's uncompressed size from the zip directory, or -1 when the archive does not say */
        T read(InputStream in, long size) throws IOException;
    }

    /**
     * Runs {@code reader} on the entry of {@code key}. With {@code whole}, the reader must consume the entire entry
     * and the bytes must match the CRC-32 of the zip directory: {@link ZipFile} streams check neither (a stored
     * entry with flipped bytes would be read silently), while numpy refuses such a file.
     */
    private <T> T withEntry(String key, boolean whole, EntryReader<T> reader) {
        ZipEntry entry = entries.get(key);
        String where = SgdmlFormatException.where(file, key);
        if (entry == null) {
            throw SgdmlFormatException.at(where, "no such key (keys: " + String.join(", ", entries.keySet()) + ")");
        }
        CRC32 crc = new CRC32();
        try (InputStream in = new BufferedInputStream(new CheckedInputStream(zip.getInputStream(entry), crc), 1 << 16)) {
            T value;
            try {
                value = reader.read(in, entry.getSize());
            } catch (SgdmlFormatException e) {
                // flipped bytes in a header read as nonsense (a huge shape, an unknown dtype); the checksum names the
                // real cause, when the rest of the entry is small enough to run through it
                if (whole && drainedWithin(in, MAX_DRAIN_ON_ERROR) && badCrc(entry, crc)) {
                    throw SgdmlFormatException.at(where, BAD_CRC);
                }
                throw e;
            }
            if (whole && in.read() >= 0) {
                throw SgdmlFormatException.at(where, "the entry holds more data than its .npy header declares");
            }
            if (whole && badCrc(entry, crc)) {
                throw SgdmlFormatException.at(where, BAD_CRC);
            }
            return value;
        } catch (IOException | IllegalStateException e) {
            // ZipException, EOFException from the inflater, a ZipFile closed under us: all a damaged archive to the user
            throw SgdmlFormatException.at(where, "truncated or corrupt zip entry (" + e.getMessage() + ")");
        }
    }

    private static boolean badCrc(ZipEntry entry, CRC32 crc) {
        return entry.getCrc() != -1 && crc.getValue() != entry.getCrc();
    }

    /** Reads the rest of {@code in} through its checksum, giving up after {@code limit} bytes; true if it ended. */
    private static boolean drainedWithin(InputStream in, long limit) throws IOException {
        byte[] buf = new byte[1 << 16];
        for (long left = limit; left >= 0; ) {
            int n = in.read(buf);
            if (n < 0) {
                return true;
            }
            left -= n;
        }
        return false;
    }

    /** Key → header of every entry, for summaries ({@code gdml4j show}) without reading any data. */
    public Map<String, NpyHeader> headers() {
        Map<String, NpyHeader> all = new LinkedHashMap<>();
        entries.keySet().forEach(k -> all.put(k, header(k)));
        return all;
    }

    @Override
    public void close() {
        try {
            zip.close();
        } catch (IOException e) {
            throw new SgdmlFormatException(file + ": cannot close: " + e.getMessage(), e);
        }
    }
}
