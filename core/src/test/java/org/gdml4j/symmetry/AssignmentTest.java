package org.gdml4j.symmetry;

import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The assignment solver against exhaustive search over all permutations. */
class AssignmentTest {

    @Test
    void optimalOnRandomMatricesAgainstBruteForce() {
        Random rnd = new Random(7);
        for (int trial = 0; trial < 600; trial++) {
            int n = 1 + trial % 7;
            boolean ties = trial % 3 == 0;
            double[] c = new double[n * n];
            for (int i = 0; i < c.length; i++) {
                c[i] = ties ? rnd.nextInt(4) : rnd.nextGaussian() * 10;
            }
            int[] col = Assignment.solve(c, n);
            assertPermutation(col);
            assertEquals(bruteForce(c, n), total(c, n, col), 1e-9, "trial " + trial);
        }
    }

    @Test
    void obviousCases() {
        assertArrayEquals(new int[] {}, Assignment.solve(new double[0], 0));
        assertArrayEquals(new int[] {0}, Assignment.solve(new double[] {5}, 1));
        assertArrayEquals(new int[] {1, 0}, Assignment.solve(new double[] {1, 0, 0, 1}, 2));
        assertArrayEquals(new int[] {2, 0, 1}, Assignment.solve(new double[] {9, 9, 0, 0, 9, 9, 9, 0, 9}, 3));
    }

    @Test
    void rejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> Assignment.solve(new double[3], 2));
        assertThrows(IllegalArgumentException.class, () -> Assignment.solve(new double[] {0, Double.NaN, 1, 1}, 2));
    }

    private static void assertPermutation(int[] p) {
        boolean[] seen = new boolean[p.length];
        for (int x : p) {
            assertEquals(false, seen[x]);
            seen[x] = true;
        }
    }

    private static double total(double[] c, int n, int[] col) {
        double s = 0;
        for (int r = 0; r < n; r++) {
            s += c[r * n + col[r]];
        }
        return s;
    }

    private static double bruteForce(double[] c, int n) {
        return best(c, n, 0, new boolean[n], 0);
    }

    private static double best(double[] c, int n, int row, boolean[] used, double sofar) {
        if (row == n) {
            return sofar;
        }
        double b = Double.POSITIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            if (!used[j]) {
                used[j] = true;
                b = Math.min(b, best(c, n, row + 1, used, sofar + c[row * n + j]));
                used[j] = false;
            }
        }
        return b;
    }
}
