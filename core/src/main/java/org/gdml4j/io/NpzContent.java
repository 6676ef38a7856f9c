package org.gdml4j.io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SequencedMap;

/**
 * All arrays of one sGDML file (or of one in-memory dataset, task or model) with typed, checked getters whose
 * errors name the file and the key. Shared by {@link Dataset}, {@link Task} and {@link Model}, which keep it as
 * their raw entry map so that keys they do not know are written back unchanged.
 */
final class NpzContent {
    /** Allocator for in-memory objects, whose arrays are small conversions of Java arrays anyway. */
    static final SegmentAllocator HEAP = (bytes, align) ->
            MemorySegment.ofArray(new long[Math.toIntExact((bytes + 7) / 8)]).asSlice(0, bytes);

    private static final Map<Character, String> TYPE_NAMES = Map.of('d', "dataset", 't', "task", 'm', "model");

    private final String label;
    private final SequencedMap<String, NpyArray> entries;
    private final SegmentAllocator allocator;

    private NpzContent(String label, SequencedMap<String, NpyArray> entries, SegmentAllocator allocator) {
        this.label = label;
        this.allocator = allocator;
        SequencedMap<String, NpyArray> tagged = new LinkedHashMap<>();
        // arrays built in memory get their key as origin, so that their accessors' errors are as clear as a file's
        entries.forEach((k, v) -> tagged.put(k, v.origin().equals("array") ? v.withOrigin(where(k)) : v));
        this.entries = Collections.unmodifiableSequencedMap(tagged);
    }

    static NpzContent load(Path file, Arena arena) {
        try (NpzReader reader = NpzReader.open(file)) {
            return new NpzContent(file.toString(), reader.readAll(arena), arena);
        }
    }

    static NpzContent of(String label, SequencedMap<String, NpyArray> entries, SegmentAllocator allocator) {
        return new NpzContent(label, entries, allocator);
    }

    String label() {
        return label;
    }

    SequencedMap<String, NpyArray> entries() {
        return entries;
    }

    SegmentAllocator allocator() {
        return allocator;
    }

    boolean has(String key) {
        return entries.containsKey(key);
    }

    String where(String key) {
        return SgdmlFormatException.where(label, key);
    }

    SgdmlFormatException error(String key, String problem) {
        return SgdmlFormatException.at(where(key), problem);
    }

    SgdmlFormatException error(String problem) {
        return SgdmlFormatException.at(label, problem);
    }

    /** The array under {@code key}, or {@code null}. */
    NpyArray get(String key) {
        return entries.get(key);
    }

    NpyArray require(String key) {
        NpyArray a = entries.get(key);
        if (a == null) {
            throw error("missing required key '" + key + "'");
        }
        return a;
    }

    /** Checks the sGDML {@code type} key ({@code 'd'}, {@code 't'} or {@code 'm'}, as str or bytes). */
    void checkType(char expected) {
        String wanted = "an sGDML " + TYPE_NAMES.get(expected) + " (type '" + expected + "')";
        NpyArray type = entries.get("type");
        if (type == null) {
            throw error("missing key 'type'; expected " + wanted);
        }
        String found = type.string();
        if (!found.equals(String.valueOf(expected))) {
            String what = found.length() == 1 && TYPE_NAMES.containsKey(found.charAt(0))
                    ? "an sGDML " + TYPE_NAMES.get(found.charAt(0)) + " (type '" + found + "')" : "type '" + found + "'";
            throw error("expected " + wanted + ", but this file is " + what);
        }
    }

    /** A 0-d string ({@code <U} or {@code |S}), or {@code null} if the key is absent. */
    String optString(String key) {
        NpyArray a = entries.get(key);
        return a == null ? null : a.string();
    }

    double number(String key) {
        return require(key).scalarDouble();
    }

    double optNumber(String key, double fallback) {
        return has(key) ? number(key) : fallback;
    }

    boolean optFlag(String key, boolean fallback) {
        return has(key) ? require(key).scalarBoolean() : fallback;
    }

    /** A 1-d integer array, or {@code null} if absent. */
    long[] optLongs(String key) {
        NpyArray a = entries.get(key);
        if (a == null) {
            return null;
        }
        requireInteger(key, a);
        if (a.ndim() != 1) {
            throw error(key, "expected a 1-d array, found " + a.describe());
        }
        return a.toLongArray();
    }

    void requireInteger(String key, NpyArray a) {
        if (!a.dtype().isInteger()) {
            throw error(key, "expected integers, found " + a.describe());
        }
    }

    /**
     * The array under {@code key} as C-order {@code <f8}, checked against {@code dims} ({@code -1} = any), with
     * {@code names} describing the expected shape in the message, e.g. {@code "(frames, atoms, 3)"}.
     */
    NpyArray doubles(String key, String names, long... dims) {
        return numeric(key, names, dims).asDoubles(allocator);
    }

    /** Like {@link #doubles} but returns the array as stored (no conversion, no copy). */
    NpyArray numeric(String key, String names, long... dims) {
        NpyArray a = require(key);
        if (a.dtype().kind() != DType.Kind.FLOAT && !a.dtype().isInteger()) {
            throw error(key, "expected numbers, found " + a.describe());
        }
        checkShape(key, a, names, dims);
        return a;
    }

    void checkShape(String key, NpyArray a, String names, long... dims) {
        long[] shape = a.shape();
        boolean ok = shape.length == dims.length;
        for (int i = 0; ok && i < dims.length; i++) {
            ok = dims[i] < 0 || dims[i] == shape[i];
        }
        if (!ok) {
            StringBuilder want = new StringBuilder(names);
            if (dims.length > 0) {
                want.append(" = (");
                for (int i = 0; i < dims.length; i++) {
                    want.append(i > 0 ? ", " : "").append(dims[i] < 0 ? "*" : Long.toString(dims[i]));
                }
                want.append(dims.length == 1 ? ",)" : ")");
            }
            throw error(key, "shape " + NpyHeader.shapeString(shape) + " does not match the expected " + want);
        }
    }
}
