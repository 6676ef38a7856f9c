package org.gdml4j.kernel;

/**
 * Index tables of the sparse term a_p · J_iᵀ J_j^(p) of a kernel column (α, t), built once per kernel: column
 * (α, t) of J_j^(p) is non-zero only on the N − 1 pairs that contain atom α, and in the row molecule's frame those
 * pairs all share one atom (the image of α under the symmetry), so that atom's three entries receive N − 1 terms per
 * column and every other atom's entries exactly one.
 */
final class ColumnPairs {
    /** Per (α, l), index α(N−1) + l: the l-th pair of atom α in the column molecule. */
    final int[] pairJ;
    /** Per (α, l): J_j's sign there, +1 if α is the pair's smaller atom, −1 if its larger one. */
    final double[] signJ;
    /** Per (p, α, l), index (p·N + α)(N−1) + l: that pair seen from the row molecule, k = q_p⁻¹[pairJ]. */
    final int[] pairI;
    /** Per (p, α, l): 3 · the atom of pair k that is not the shared one. */
    final int[] otherRow;
    /** Per (p, α, l): +1 if the shared atom is pair k's smaller atom (J_i = +c there), −1 if its larger one. */
    final double[] commonSign;
    /** Per (p, α), index p·N + α: 3 · the shared atom. */
    final int[] commonRow;

    ColumnPairs(PairIndex pairs, Symmetries sym) {
        int atoms = pairs.atoms();
        int d = pairs.size();
        int perms = sym.count();
        int[] pa = pairs.firstArray();
        int[] pb = pairs.secondArray();
        int per = atoms - 1;
        pairJ = new int[atoms * per];
        signJ = new double[atoms * per];
        int[] fill = new int[atoms];
        for (int k = 0; k < d; k++) {
            pairJ[pb[k] * per + fill[pb[k]]] = k;
            signJ[pb[k] * per + fill[pb[k]]++] = 1;
            pairJ[pa[k] * per + fill[pa[k]]] = k;
            signJ[pa[k] * per + fill[pa[k]]++] = -1;
        }
        pairI = new int[perms * atoms * per];
        otherRow = new int[pairI.length];
        commonSign = new double[pairI.length];
        commonRow = new int[perms * atoms];
        for (int p = 0; p < perms; p++) {
            int[] qinv = sym.inverseDescriptorMap(p);
            for (int alpha = 0; alpha < atoms; alpha++) {
                int base = (p * atoms + alpha) * per;
                int k0 = qinv[pairJ[alpha * per]];
                int k1 = per == 1 ? k0 : qinv[pairJ[alpha * per + 1]];
                // the atom the first two pairs share; with two atoms there is one pair and either atom will do
                int common = pb[k0] == pb[k1] || pb[k0] == pa[k1] ? pb[k0] : pa[k0];
                commonRow[p * atoms + alpha] = 3 * common;
                for (int l = 0; l < per; l++) {
                    int k = qinv[pairJ[alpha * per + l]];
                    if (pb[k] != common && pa[k] != common) {
                        throw new IllegalStateException("symmetry " + p + " does not map the pairs of atom " + alpha + " to one atom's");
                    }
                    pairI[base + l] = k;
                    commonSign[base + l] = pb[k] == common ? 1 : -1;
                    otherRow[base + l] = 3 * (pb[k] == common ? pa[k] : pb[k]);
                }
            }
        }
    }
}
