package org.gdml4j.io;

import java.util.Locale;

/**
 * Plausibility checks shared by datasets and tasks. They catch the mistakes that would otherwise surface hours
 * later as a failed Cholesky factorization or a useless model: non-finite labels, atoms on top of each other
 * (usually a unit or indexing error), atomic numbers that are not elements, broken permutations.
 */
final class SgdmlChecks {
    /** Closer than this, two atoms are a broken geometry, not chemistry (the shortest bond, H2, is 0.74 Å). */
    static final double MIN_DISTANCE_ANGSTROM = 0.3;
    private static final double BOHR_IN_ANGSTROM = 0.529177210903;
    private static final int HEAVIEST_ELEMENT = 118;

    private SgdmlChecks() {
    }

    /** Fails on the first NaN or infinity in a C-order array, naming its position. */
    static void finite(NpzContent c, String key, NpyArray a) {
        long n = a.size();
        for (long i = 0; i < n; i++) {
            double v = a.getDouble(a.storageIndex(i));
            if (!Double.isFinite(v)) {
                throw c.error(key, (Double.isNaN(v) ? "NaN" : "infinite value") + " at index " + position(a, i));
            }
        }
    }

    private static String position(NpyArray a, long cIndex) {
        long[] shape = a.shape();
        long[] multi = new long[shape.length];
        for (int axis = shape.length - 1; axis >= 0; axis--) {
            multi[axis] = cIndex % shape[axis];
            cIndex /= shape[axis];
        }
        String text = NpyHeader.shapeString(multi);
        return shape.length == 3 ? text + " (frame " + multi[0] + ", atom " + multi[1] + ")" : text;
    }

    static void atomicNumbers(NpzContent c, String key, int[] z) {
        if (z.length == 0) {
            throw c.error(key, "no atoms");
        }
        for (int i = 0; i < z.length; i++) {
            if (z[i] < 1 || z[i] > HEAVIEST_ELEMENT) {
                throw c.error(key, "atom " + i + " has atomic number " + z[i] + ", which is not an element (1..118)");
            }
        }
    }

    /**
     * Fails if two atoms of any frame of {@code r} (C-order f8, frames × atoms × 3) are closer than 0.3 Å.
     *
     * @param rUnit the file's {@code r_unit}, if any; Bohr coordinates get the threshold converted
     */
    static void minimumDistance(NpzContent c, String key, NpyArray r, String rUnit) {
        boolean bohr = rUnit != null && rUnit.toLowerCase(Locale.ROOT).matches("bohr|au|a\\.u\\.");
        double min = bohr ? MIN_DISTANCE_ANGSTROM / BOHR_IN_ANGSTROM : MIN_DISTANCE_ANGSTROM;
        double min2 = min * min;
        String unit = bohr ? "bohr" : "Å";
        long frames = r.dim(0);
        int atoms = Math.toIntExact(r.dim(1));
        double[] xyz = new double[atoms * 3];
        for (long f = 0; f < frames; f++) {
            long base = f * atoms * 3;
            for (int k = 0; k < xyz.length; k++) {
                xyz[k] = r.getDouble(base + k);
            }
            for (int a = 1; a < atoms; a++) {
                for (int b = 0; b < a; b++) {
                    double dx = xyz[3 * a] - xyz[3 * b];
                    double dy = xyz[3 * a + 1] - xyz[3 * b + 1];
                    double dz = xyz[3 * a + 2] - xyz[3 * b + 2];
                    double d2 = dx * dx + dy * dy + dz * dz;
                    if (d2 < min2) {
                        throw c.error(key, String.format(Locale.ROOT,
                                "atoms %d and %d of frame %d are %.3g %s apart (the minimum is %.3g %s); duplicated atoms or wrong units?",
                                b, a, f, Math.sqrt(d2), unit, min, unit));
                    }
                }
            }
        }
    }

    /** Checks that {@code perms} is a (P, N) integer array whose rows are permutations of 0..N-1. */
    static int[][] permutations(NpzContent c, String key, int atoms) {
        NpyArray p = c.require(key);
        c.requireInteger(key, p);
        c.checkShape(key, p, "(permutations, atoms)", -1, atoms);
        int count = Math.toIntExact(p.dim(0));
        if (count == 0) {
            throw c.error(key, "no permutations (it must hold at least the identity)");
        }
        int[] flat = p.toIntArray();
        int[][] rows = new int[count][];
        for (int i = 0; i < count; i++) {
            rows[i] = java.util.Arrays.copyOfRange(flat, i * atoms, (i + 1) * atoms);
            boolean[] seen = new boolean[atoms];
            for (int v : rows[i]) {
                if (v < 0 || v >= atoms || seen[v]) {
                    throw c.error(key, "row " + i + " is not a permutation of 0.." + (atoms - 1));
                }
                seen[v] = true;
            }
        }
        return rows;
    }

    /** Periodic systems and energy constraints are valid sGDML but not implemented here yet; say so plainly. */
    static void unsupportedFeatures(NpzContent c) {
        if (c.has("lattice")) {
            throw c.error("lattice", "periodic systems (a 'lattice' key) are not supported yet");
        }
        if (c.optFlag("use_E_cstr", false)) {
            throw c.error("use_E_cstr", "energy constraints (use_E_cstr = True) are not supported yet;"
                    + " create the task without --E_cstr");
        }
        if (c.has("alphas_E")) {
            throw c.error("alphas_E", "models trained with energy constraints are not supported yet");
        }
    }

    /** Energies as (frames,) or (frames, 1), the two layouts real files use; raveled to a Java array. */
    static double[] energies(NpzContent c, String key, long frames) {
        NpyArray e = c.require(key);
        long[] shape = e.shape();
        boolean ok = (shape.length == 1 && shape[0] == frames) || (shape.length == 2 && shape[0] == frames && shape[1] == 1);
        if (!ok) {
            throw c.error(key, "shape " + NpyHeader.shapeString(shape) + " does not match the expected (frames,) or"
                    + " (frames, 1) with frames = " + frames);
        }
        NpyArray d = c.doubles(key, "(frames, ...)", shape.length == 1 ? new long[] {frames} : new long[] {frames, 1});
        finite(c, key, d);
        return d.toDoubleArray();
    }
}
