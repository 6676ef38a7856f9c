package org.gdml4j.io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SequencedMap;

/**
 * An sGDML dataset ({@code type = 'd'}): geometries {@code R}, forces {@code F}, optional energies {@code E} and
 * atomic numbers {@code z}, validated on load.
 *
 * <p>Coordinates and forces are exposed as C-order {@code <f8} arrays of shape (frames, atoms, 3), kept in the
 * arena the caller passed to {@link #load}; all other keys are kept as read and written back unchanged.
 */
public final class Dataset {
    private final NpzContent content;
    private final int[] z;
    private final NpyArray positions;
    private final NpyArray forces;
    private final double[] energies;

    private Dataset(NpzContent c) {
        this.content = c;
        c.checkType('d');
        SgdmlChecks.unsupportedFeatures(c);
        NpyArray zArray = c.require("z");
        c.requireInteger("z", zArray);
        c.checkShape("z", zArray, "(atoms,)", -1);
        z = zArray.toIntArray();
        SgdmlChecks.atomicNumbers(c, "z", z);
        positions = c.doubles("R", "(frames, atoms, 3)", -1, z.length, 3);
        long frames = positions.dim(0);
        if (frames == 0) {
            throw c.error("R", "the dataset has no frames");
        }
        forces = c.doubles("F", "(frames, atoms, 3)", frames, z.length, 3);
        energies = c.has("E") ? SgdmlChecks.energies(c, "E", frames) : null;
        SgdmlChecks.finite(c, "R", positions);
        SgdmlChecks.finite(c, "F", forces);
        SgdmlChecks.minimumDistance(c, "R", positions, c.optString("r_unit"));
        if (c.has("perms")) {
            SgdmlChecks.permutations(c, "perms", z.length);
        }
    }

    /** Reads and validates {@code file}; arrays are allocated from {@code arena}. */
    public static Dataset load(Path file, Arena arena) {
        return new Dataset(NpzContent.load(file, arena));
    }

    /**
     * Validates arrays assembled in memory (keys as in an sGDML dataset file); {@code label} names it in messages.
     * Conversions (e.g. float32 to float64) are allocated from {@code allocator}.
     */
    public static Dataset of(String label, SequencedMap<String, NpyArray> entries, SegmentAllocator allocator) {
        return new Dataset(NpzContent.of(label, entries, allocator));
    }

    /** The file name (or in-memory label) used in messages. */
    public String label() {
        return content.label();
    }

    public String name() {
        return content.optString("name");
    }

    public String theory() {
        return content.optString("theory");
    }

    /** Length unit of R, e.g. {@code "Ang"}, or {@code null} if the file does not say. */
    public String rUnit() {
        return content.optString("r_unit");
    }

    public String eUnit() {
        return content.optString("e_unit");
    }

    /** The stored {@code md5} fingerprint ({@code <U} or {@code |S} in real files), or {@code null}. */
    public String md5() {
        return content.optString("md5");
    }

    public int frames() {
        return Math.toIntExact(positions.dim(0));
    }

    public int atoms() {
        return z.length;
    }

    public int[] z() {
        return z.clone();
    }

    /** {@code R}: (frames, atoms, 3), C-order {@code <f8}. */
    public NpyArray positions() {
        return positions;
    }

    /** {@code F}: (frames, atoms, 3), C-order {@code <f8}; forces, i.e. minus the energy gradient. */
    public NpyArray forces() {
        return forces;
    }

    public boolean hasEnergies() {
        return energies != null;
    }

    /** {@code E} raveled to (frames,), or {@code null} if the dataset has none. */
    public double[] energies() {
        return energies == null ? null : energies.clone();
    }

    /** Every key as stored, in file order. */
    public SequencedMap<String, NpyArray> entries() {
        return content.entries();
    }

    /**
     * sGDML's dataset fingerprint: the md5 of the concatenated 16-byte md5 digests of the raw C-order bytes of
     * {@code z}, {@code R}, {@code E} (if present) and {@code F}, as stored (so the dtype of {@code z} matters),
     * hex-encoded. Verified against the stored {@code md5} of the shipped rMD17 files.
     */
    public String computeMd5() {
        MessageDigest outer = md5Digest();
        for (String key : new String[] {"z", "R", "E", "F"}) {
            if (content.has(key)) {
                outer.update(rawDigest(content.get(key).toCOrder(content.allocator())));
            }
        }
        return HexFormat.of().formatHex(outer.digest());
    }

    private static byte[] rawDigest(NpyArray a) {
        MessageDigest md = md5Digest();
        MemorySegment data = a.data();
        long chunk = 1 << 26;
        for (long off = 0; off < data.byteSize(); off += chunk) {
            // asByteBuffer is limited to 2 GB, so large arrays are hashed in slices
            md.update(data.asSlice(off, Math.min(chunk, data.byteSize() - off)).asByteBuffer());
        }
        return md.digest();
    }

    private static MessageDigest md5Digest() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides MD5", e);
        }
    }

    /** Writes all entries back unchanged, atomically; see {@link AtomicFile#checkWritable} for {@code inputs}. */
    public void write(Path target, Path... inputs) {
        NpzWriter.write(target, content.entries(), inputs);
    }
}
