package org.gdml4j.symmetry;

import java.util.Arrays;

/**
 * The linear assignment problem: a minimum-cost perfect matching of n rows to n columns.
 *
 * <p>Written here rather than taken from a graph library (jgrapht's Kuhn–Munkres works on graph objects):
 * the permutation search solves tens of thousands of small dense problems (n = atoms of one element), so a
 * flat-array solver without per-call graph construction is both simpler and much faster.
 *
 * <p>Method: the Hungarian algorithm in its shortest-augmenting-path form with row and column potentials
 * (Kuhn 1955, Munkres 1957; the O(n³) variant as in Jonker &amp; Volgenant 1987). Rows are added one at a
 * time; each is connected to a free column by a Dijkstra-like search over reduced costs
 * c[i][j] − u[i] − v[j] ≥ 0, after which the potentials are updated so that all reduced costs stay
 * non-negative and those on the matching are zero. That invariant is what makes the final matching optimal.
 */
public final class Assignment {
    private Assignment() {
    }

    /**
     * Solves min Σ_r cost[r·n + col[r]] over permutations col.
     *
     * @param cost row-major n x n costs, finite
     * @return col, with col[r] the column assigned to row r
     */
    public static int[] solve(double[] cost, int n) {
        if (n < 0 || cost.length != (long) n * n) {
            throw new IllegalArgumentException("cost has " + cost.length + " entries, expected " + n + " x " + n);
        }
        for (double c : cost) {
            if (!Double.isFinite(c)) {
                throw new IllegalArgumentException("assignment costs must be finite, got " + c);
            }
        }
        // 1-based rows and columns; column 0 is a virtual column holding the row being inserted.
        double[] u = new double[n + 1];
        double[] v = new double[n + 1];
        int[] rowOfCol = new int[n + 1];
        int[] prevCol = new int[n + 1];
        double[] minReduced = new double[n + 1];
        boolean[] visited = new boolean[n + 1];
        for (int row = 1; row <= n; row++) {
            rowOfCol[0] = row;
            int col0 = 0;
            Arrays.fill(minReduced, Double.POSITIVE_INFINITY);
            Arrays.fill(visited, false);
            do {
                visited[col0] = true;
                int r0 = rowOfCol[col0];
                double delta = Double.POSITIVE_INFINITY;
                int col1 = -1;
                int base = (r0 - 1) * n;
                for (int j = 1; j <= n; j++) {
                    if (!visited[j]) {
                        double reduced = cost[base + j - 1] - u[r0] - v[j];
                        if (reduced < minReduced[j]) {
                            minReduced[j] = reduced;
                            prevCol[j] = col0;
                        }
                        if (minReduced[j] < delta) {
                            delta = minReduced[j];
                            col1 = j;
                        }
                    }
                }
                for (int j = 0; j <= n; j++) {
                    if (visited[j]) {
                        u[rowOfCol[j]] += delta;
                        v[j] -= delta;
                    } else {
                        minReduced[j] -= delta;
                    }
                }
                col0 = col1;
            } while (rowOfCol[col0] != 0);
            // Augment: shift the matching back along the path of columns that led to the free column.
            do {
                int col1 = prevCol[col0];
                rowOfCol[col0] = rowOfCol[col1];
                col0 = col1;
            } while (col0 != 0);
        }
        int[] colOfRow = new int[n];
        for (int j = 1; j <= n; j++) {
            colOfRow[rowOfCol[j] - 1] = j - 1;
        }
        return colOfRow;
    }
}
