package org.gdml4j.train;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import org.gdml4j.error.InvalidInputException;
import org.gdml4j.io.NpyArrays;

/**
 * Checks made when a task is created, for inputs that would otherwise pass {@code create} and only fail at
 * {@code solve} (hours later on a cluster, or with a message about Cholesky factorisations that does not point
 * at the cause): too few atoms, a frame used twice, coordinates too large for the inverse-distance descriptors,
 * and a σ at which the kernel cannot tell training geometries apart.
 */
final class CreateChecks {
    /**
     * The largest interatomic distance accepted, in the file's length unit. The descriptor Jacobian divides by r³,
     * which overflows a double from r ≈ 5.6e102 on (and r² from 1.3e154, where the distance itself becomes
     * infinite); no molecule comes near this, so a larger value means broken coordinates.
     */
    static final double MAX_DISTANCE = 1e100;
    /**
     * The kernel between two geometries at descriptor distance d is about exp(−√5·d/σ) times a polynomial; beyond
     * √5·d/σ = 700 it is below 1e-304, i.e. zero at double precision, and the two geometries are unrelated.
     */
    static final double MAX_EXPONENT = 700;
    /**
     * The force kernel of two geometries differs from that of a geometry with itself by terms of order 5·(d/σ)²;
     * below the double's resolution 2⁻⁵² all blocks of the kernel matrix are equal and it carries no information.
     */
    static final double MIN_RELATIVE_VARIATION = 0x1p-52;
    /** Pairs × descriptor length the σ check may spend (about 0.2 s); larger training sets are checked on a prefix. */
    private static final long PAIR_WORK = 200_000_000L;

    private CreateChecks() {
    }

    /** One atom has no interatomic distance: the descriptor is empty and there is nothing to learn. */
    static void atoms(String label, int atoms) {
        if (atoms < 2) {
            throw new InvalidInputException(label + ": the molecule has " + atoms + " atom; a force field needs at least 2"
                    + " (it learns from interatomic distances, and one atom has none)");
        }
    }

    /** Explicit training frames: each at most once (a repeated frame makes the kernel matrix singular). */
    static void distinctFrames(long[] train) {
        Map<Long, Integer> seen = new HashMap<>();
        for (int i = 0; i < train.length; i++) {
            Integer prev = seen.putIfAbsent(train[i], i);
            if (prev != null) {
                throw new InvalidInputException("training frame " + train[i] + " is listed twice (entries " + prev + " and " + i
                        + " of --idxs-train); each frame may be used once, a repeated one makes the kernel system singular");
            }
        }
    }

    /**
     * The training geometries {@code r} (C-order frames × atoms × 3): distinct (two frames with the same coordinates
     * make the kernel system singular) and with every interatomic distance below {@link #MAX_DISTANCE}.
     */
    static void geometries(double[] r, long[] frames, int atoms, String rUnit) {
        int row = 3 * atoms;
        String unit = rUnit == null ? "" : " " + rUnit;
        for (int f = 0; f < frames.length; f++) {
            int base = f * row;
            for (int a = 1; a < atoms; a++) {
                for (int b = 0; b < a; b++) {
                    double dx = r[base + 3 * a] - r[base + 3 * b];
                    double dy = r[base + 3 * a + 1] - r[base + 3 * b + 1];
                    double dz = r[base + 3 * a + 2] - r[base + 3 * b + 2];
                    double d = Math.sqrt(dx * dx + dy * dy + dz * dz);
                    if (!(d <= MAX_DISTANCE)) {
                        throw new InvalidInputException(String.format(Locale.ROOT, "atoms %d and %d of frame %d are %s%s apart:"
                                + " too far for inverse-distance descriptors in double precision (the limit is %.0e%s); are the"
                                + " coordinates in the wrong unit or corrupted?", b, a, frames[f],
                                Double.isInfinite(d) ? "more than 1e154" : String.format(Locale.ROOT, "%.3g", d), unit, MAX_DISTANCE, unit));
                    }
                }
            }
        }
        int[] first = DuplicateGeometries.firstOccurrence(NpyArrays.ofDoubles(r, frames.length, atoms, 3));
        for (int f = 0; f < frames.length; f++) {
            if (first[f] != f) {
                throw new InvalidInputException("training frames " + frames[first[f]] + " and " + frames[f] + " have identical"
                        + " geometries; the kernel system would be singular (train on one of them only)");
            }
        }
    }

    /**
     * σ must leave the kernel able to relate the training geometries: neither so small that even the closest two
     * are unrelated (every off-diagonal kernel value is 0) nor so large that all look the same (every kernel block
     * equal at double precision). Descriptor distances d are measured between the inverse-distance descriptors of
     * the training geometries; the allowed range is √5·d_min/700 ≤ σ ≤ d_max·√(5·2⁵²).
     */
    static void sigma(double sigma, double[] r, int frames, int atoms, String rUnit) {
        if (frames < 2) {
            return; // one geometry: no pair, nothing σ could relate
        }
        int d = atoms * (atoms - 1) / 2;
        int count = (int) Math.min(frames, Math.max(2, Math.sqrt(2.0 * PAIR_WORK / d)));
        double[] x = descriptors(r, count, atoms);
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        for (int i = 1; i < count; i++) {
            for (int j = 0; j < i; j++) {
                double s = 0;
                for (int k = 0; k < d; k++) {
                    double v = x[i * d + k] - x[j * d + k];
                    s += v * v;
                }
                if (s > 0) { // zero: the same distances (a rigidly moved copy), which says nothing about σ
                    min = Math.min(min, s);
                    max = Math.max(max, s);
                }
            }
        }
        if (max == 0) {
            return;
        }
        min = Math.sqrt(min);
        max = Math.sqrt(max);
        double lowest = Math.sqrt(5) * min / MAX_EXPONENT;
        double highest = max * Math.sqrt(5 / MIN_RELATIVE_VARIATION);
        if (sigma >= lowest && sigma <= highest) {
            return;
        }
        String unit = rUnit == null ? "" : " (1/" + rUnit + ")";
        String why = sigma < lowest
                ? "so small that the kernel between any two training geometries is 0 (the model could not interpolate between them)"
                : "so large that the kernel cannot tell the training geometries apart";
        throw new InvalidInputException(String.format(Locale.ROOT, "--sigma %s is %s: the inverse-distance descriptors of the"
                + " training geometries are %.3g to %.3g apart%s, which allows sigma from %.2g to %.2g. Typical values are 10 to"
                + " 100; '--sigma auto' (train) searches a grid", number(sigma), why, min, max, unit, lowest, highest));
    }

    /** σ close to how it was typed: 20, 0.5, 1e-300, 1e+12 (three significant digits, no trailing zeros). */
    static String number(double v) {
        String s = String.format(Locale.ROOT, "%.3g", v);
        int e = s.indexOf('e');
        String mantissa = e < 0 ? s : s.substring(0, e);
        if (mantissa.contains(".")) {
            mantissa = mantissa.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return e < 0 ? mantissa : mantissa + s.substring(e);
    }

    /** Inverse-distance descriptors (1/r over atom pairs) of the first {@code count} geometries, count × D. */
    private static double[] descriptors(double[] r, int count, int atoms) {
        int d = atoms * (atoms - 1) / 2;
        double[] x = new double[count * d];
        for (int f = 0; f < count; f++) {
            int base = f * 3 * atoms;
            int k = 0;
            for (int a = 1; a < atoms; a++) {
                for (int b = 0; b < a; b++) {
                    double dx = r[base + 3 * a] - r[base + 3 * b];
                    double dy = r[base + 3 * a + 1] - r[base + 3 * b + 1];
                    double dz = r[base + 3 * a + 2] - r[base + 3 * b + 2];
                    x[f * d + k++] = 1 / Math.sqrt(dx * dx + dy * dy + dz * dz);
                }
            }
        }
        return x;
    }
}
