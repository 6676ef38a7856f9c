package org.gdml4j.symmetry;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Minimum spanning forest of the complete graph on m sampled geometries (Kruskal's algorithm).
 *
 * <p>Why a tree (sGDML's {@code sync_perm_mat}): the pairwise matches are individually noisy and mutually
 * inconsistent; keeping only the cheapest edges that connect every geometry once keeps the most reliable
 * matches and no redundant cycles of them. Conventions follow the reference's use of scipy's
 * {@code minimum_spanning_tree} on a dense matrix: an edge of weight exactly 0 is no edge (two identical
 * geometries), and equal weights are taken in row-major (i, j) order (scipy's stable sort).
 */
final class SpanningTree {
    private SpanningTree() {
    }

    /** Index of the pair i &lt; j among the m(m−1)/2 pairs in row-major order. */
    static long pairIndex(int i, int j, int m) {
        return (long) i * (2L * m - i - 1) / 2 + (j - i - 1);
    }

    /**
     * @param weights pair-indexed (see {@link #pairIndex}) non-negative edge weights
     * @return the forest's edges as {i, j} with i &lt; j, in the order Kruskal accepted them
     */
    static List<int[]> kruskal(int m, double[] weights) {
        int pairs = Math.toIntExact((long) m * (m - 1) / 2);
        if (weights.length != pairs) {
            throw new IllegalArgumentException("expected " + pairs + " pair weights for " + m + " nodes, got " + weights.length);
        }
        int[] ii = new int[pairs];
        int[] jj = new int[pairs];
        Integer[] order = new Integer[pairs];
        int k = 0;
        for (int i = 0; i < m; i++) {
            for (int j = i + 1; j < m; j++) {
                ii[k] = i;
                jj[k] = j;
                order[k] = k;
                k++;
            }
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer e) -> weights[e]).thenComparingInt(e -> e));
        int[] parent = new int[m];
        int[] rank = new int[m];
        for (int i = 0; i < m; i++) {
            parent[i] = i;
        }
        List<int[]> edges = new ArrayList<>();
        for (int e : order) {
            if (weights[e] == 0 || !Double.isFinite(weights[e])) {
                continue;
            }
            int ri = root(parent, ii[e]);
            int rj = root(parent, jj[e]);
            if (ri == rj) {
                continue;
            }
            if (rank[ri] < rank[rj]) {
                parent[ri] = rj;
            } else if (rank[ri] > rank[rj]) {
                parent[rj] = ri;
            } else {
                parent[rj] = ri;
                rank[ri]++;
            }
            edges.add(new int[] {ii[e], jj[e]});
            if (edges.size() == m - 1) {
                break;
            }
        }
        return edges;
    }

    private static int root(int[] parent, int x) {
        while (parent[x] != x) {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        return x;
    }
}
