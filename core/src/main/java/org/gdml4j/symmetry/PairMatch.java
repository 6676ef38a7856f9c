package org.gdml4j.symmetry;

/**
 * Matches the atoms of one sampled geometry to those of another (sGDML's {@code _bipartite_match_wkr}).
 *
 * <p>Atoms are assigned to maximise the summed fingerprint similarity ({@link GeometrySpectrum#similarity}),
 * each element separately: the reference adds a penalty of max|cost| to cross-element pairs instead, which
 * gives the same matching whenever its optimum keeps elements (the cost then splits into independent
 * per-element problems), and here a cross-element match is impossible by construction.
 *
 * <p>The match is then judged on the distance matrices: with Dπ[a][b] = D_i[π(a)][π(b)] (the reference's
 * {@code adj_i[perm][:, perm]}), score = ‖Dπ − D_j‖_F against before = ‖D_i − D_j‖_F. The pair's cost (the
 * edge weight of the later spanning tree) is min(score, before); π is kept as a candidate symmetry only if it
 * brings the two geometries strictly closer, by more than numpy's {@code isclose} tolerance
 * (|before − score| > 1e-8 + 1e-5 |score|), since otherwise it is the identity in disguise or noise.
 */
final class PairMatch {
    private final double cost;
    private final int[] perm;

    private PairMatch(double cost, int[] perm) {
        this.cost = cost;
        this.perm = perm;
    }

    /** Edge weight: how far apart the two geometries remain after the best relabelling found. */
    double cost() {
        return cost;
    }

    /** The candidate permutation, or null if the matching did not beat the identity. */
    int[] perm() {
        return perm;
    }

    /** @param elements atom indices grouped by atomic number (each group ascending) */
    static PairMatch of(GeometrySpectrum gi, GeometrySpectrum gj, int[][] elements) {
        int n = gi.atoms();
        int[] perm = new int[n];
        for (int[] atoms : elements) {
            int k = atoms.length;
            if (k == 1) {
                perm[atoms[0]] = atoms[0];
                continue;
            }
            double[] cost = new double[k * k];
            for (int r = 0; r < k; r++) {
                for (int c = 0; c < k; c++) {
                    cost[r * k + c] = -gi.similarity(atoms[r], gj, atoms[c]);
                }
            }
            int[] col = Assignment.solve(cost, k);
            for (int r = 0; r < k; r++) {
                perm[atoms[r]] = atoms[col[r]];
            }
        }
        double before = 0;
        double after = 0;
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                double dj = gj.distance(a, b);
                double d0 = gi.distance(a, b) - dj;
                double d1 = gi.distance(perm[a], perm[b]) - dj;
                before += d0 * d0;
                after += d1 * d1;
            }
        }
        double scoreBefore = Math.sqrt(before);
        double score = Math.sqrt(after);
        if (score >= scoreBefore) {
            return new PairMatch(scoreBefore, null);
        }
        boolean close = Math.abs(scoreBefore - score) <= 1e-8 + 1e-5 * Math.abs(score);
        return new PairMatch(score, close ? null : perm);
    }
}
