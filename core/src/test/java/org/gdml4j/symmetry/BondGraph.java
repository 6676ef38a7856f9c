package org.gdml4j.symmetry;

import java.util.Map;

/**
 * A molecule's covalent bonds, as an independent check on found symmetries: atoms a, b are bonded when their
 * distance, averaged over the given geometries, is below 1.2 x (r_a + r_b). Averaging distances (not positions)
 * keeps rotating groups intact. Radii: Cordero et al., Dalton Trans. 2008, 2832 (C as sp3).
 */
final class BondGraph {
    private static final Map<Integer, Double> COVALENT_RADIUS = Map.of(1, 0.31, 5, 0.84, 6, 0.76, 7, 0.71, 8, 0.66, 9, 0.57,
            15, 1.07, 16, 1.05, 17, 1.02);
    private static final double TOLERANCE = 1.2;

    private final boolean[][] bonded;

    private BondGraph(boolean[][] bonded) {
        this.bonded = bonded;
    }

    /** @param positions C-order (frames, atoms, 3) in Å */
    static BondGraph of(double[] positions, int frames, int[] z) {
        int n = z.length;
        double[][] mean = new double[n][n];
        for (int f = 0; f < frames; f++) {
            int base = f * n * 3;
            for (int a = 0; a < n; a++) {
                for (int b = a + 1; b < n; b++) {
                    double s = 0;
                    for (int c = 0; c < 3; c++) {
                        double d = positions[base + 3 * a + c] - positions[base + 3 * b + c];
                        s += d * d;
                    }
                    mean[a][b] += Math.sqrt(s) / frames;
                }
            }
        }
        boolean[][] bonded = new boolean[n][n];
        for (int a = 0; a < n; a++) {
            for (int b = a + 1; b < n; b++) {
                bonded[a][b] = bonded[b][a] = mean[a][b] < TOLERANCE * (radius(z[a]) + radius(z[b]));
            }
        }
        return new BondGraph(bonded);
    }

    private static double radius(int z) {
        Double r = COVALENT_RADIUS.get(z);
        if (r == null) {
            throw new IllegalArgumentException("no covalent radius for Z=" + z + " in the test's table");
        }
        return r;
    }

    int bonds() {
        int count = 0;
        for (int a = 0; a < bonded.length; a++) {
            for (int b = a + 1; b < bonded.length; b++) {
                count += bonded[a][b] ? 1 : 0;
            }
        }
        return count;
    }

    /** Whether π maps bonds onto bonds and non-bonds onto non-bonds. */
    boolean isAutomorphism(int[] pi) {
        for (int a = 0; a < bonded.length; a++) {
            for (int b = 0; b < bonded.length; b++) {
                if (bonded[a][b] != bonded[pi[a]][pi[b]]) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether every atom has at least one bond (a sanity check on units and radii). */
    boolean connectedAtoms() {
        for (boolean[] row : bonded) {
            boolean any = false;
            for (boolean x : row) {
                any |= x;
            }
            if (!any) {
                return false;
            }
        }
        return true;
    }
}
