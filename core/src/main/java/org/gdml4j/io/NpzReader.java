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
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Lazy access to an .npz archive (a zip of {@code <key>.npy} entries, stored or deflated, zip64 included):
 * opening reads only the zip directory, and each key is decoded when asked for.
 */
public final class NpzReader implements AutoCloseable {
    /** What to tell a user who passed some other file where an sGDML archive was expected. */
    static final String CONVERT_HINT = "expected an sGDML .npz file (a zip of numpy arrays); to convert extxyz, ASE,"
            + " FHI-aims or i-PI data use sGDML's scripts (sgdml_dataset_from_extxyz.py, sgdml_dataset_via_ase.py, ...)";

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

    /** Reads only the header of {@code key}: dtype, order and shape, without touching the data. */
    public NpyHeader header(String key) {
        return withEntry(key, in -> NpyHeader.read(in, SgdmlFormatException.where(file, key)));
    }

    /** Reads {@code key} into memory allocated from {@code arena}. */
    public NpyArray read(String key, Arena arena) {
        return withEntry(key, in -> NpyReader.read(in, arena, SgdmlFormatException.where(file, key)));
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
        T read(InputStream in) throws IOException;
    }

    private <T> T withEntry(String key, EntryReader<T> reader) {
        ZipEntry entry = entries.get(key);
        String where = SgdmlFormatException.where(file, key);
        if (entry == null) {
            throw SgdmlFormatException.at(where, "no such key (keys: " + String.join(", ", entries.keySet()) + ")");
        }
        try (InputStream in = new BufferedInputStream(zip.getInputStream(entry), 1 << 16)) {
            return reader.read(in);
        } catch (IOException | IllegalStateException e) {
            // ZipException, EOFException from the inflater, a ZipFile closed under us: all a damaged archive to the user
            throw SgdmlFormatException.at(where, "truncated or corrupt zip entry (" + e.getMessage() + ")");
        }
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
