package org.gdml4j.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Precision;

/**
 * Explicit entries of the force-force kernel, block K_ij (3N x 3N) restricted to some columns of molecule j:
 * <pre>
 *   K_ij = Σ_p a_p · J_iᵀ J_j^(p) − b_p · (J_iᵀ d_p)(J_j^(p)ᵀ d_p)ᵀ,   d_p = x_i − P_p x_j
 * </pre>
 * (docs/sgdml-formulas.md §3.2, the PSD sign; J^(p) = J with rows gathered by q_p). The first term is sparse:
 * column (α, t) of J_j^(p) is non-zero only on the N−1 pairs that contain atom α, so one column costs O(P·D)
 * per row molecule and a whole 3N block O(P·D·N). Used for columns of K (preconditioners), its diagonal
 * and the dense assembly of the closed form; the product with a vector uses {@link KernelSums} instead.
 *
 * <p>An instance holds per-thread scratch: use one per worker thread.
 */
final class KernelBlocks {
    /** Up to this many columns per block, r is summed per column (N − 1 terms each) instead of in full (6·D terms). */
    private static final int FEW_COLUMNS = 24;

    private final Descriptors desc;
    private final Symmetries sym;
    private final Matern52 matern;
    private final int d;
    private final int n3;
    /** pairsOf[α]: the pairs containing atom α; signOf[α][i] = +1 if α is the pair's second (smaller) atom. */
    private final int[][] pairsOf;
    private final int[][] signOf;
    private final int[] pa;
    private final int[] pb;

    // scratch
    private final double[] xi;
    private final double[] ci;
    private final double[] xj;
    private final double[] cj;
    private final double[] dv;
    private final double[] y;
    private final double[] u;
    private final double[] r;

    KernelBlocks(Descriptors desc, Symmetries sym, Matern52 matern) {
        this.desc = desc;
        this.sym = sym;
        this.matern = matern;
        this.d = desc.dim();
        int atoms = desc.atoms();
        this.n3 = 3 * atoms;
        PairIndex pairs = desc.pairs();
        pa = pairs.firstArray();
        pb = pairs.secondArray();
        pairsOf = new int[atoms][atoms - 1];
        signOf = new int[atoms][atoms - 1];
        int[] fill = new int[atoms];
        for (int k = 0; k < d; k++) {
            pairsOf[pb[k]][fill[pb[k]]] = k;
            signOf[pb[k]][fill[pb[k]]++] = 1;
            pairsOf[pa[k]][fill[pa[k]]] = k;
            signOf[pa[k]][fill[pa[k]]++] = -1;
        }
        xi = new double[d];
        ci = new double[3 * d];
        xj = new double[d];
        cj = new double[3 * d];
        dv = new double[d];
        y = new double[d];
        u = new double[n3];
        r = new double[n3];
    }

    /** Loads molecule j (the column side) into scratch; call before {@link #block}. */
    void loadColumnMolecule(int j) {
        MemorySegment.copy(desc.x().column(j).segment(), ValueLayout.JAVA_DOUBLE_UNALIGNED, 0, xj, 0, d);
        MemorySegment.copy(desc.jacobian().column(j).segment(), ValueLayout.JAVA_DOUBLE_UNALIGNED, 0, cj, 0, 3 * d);
    }

    /**
     * acc[c][row] ← K_ij[row, cols[c]] for the loaded column molecule j and row molecule i (acc is
     * cols.length x 3N, overwritten). cols are local column indices 3α + t.
     */
    void block(int i, int[] cols, double[][] acc) {
        MemorySegment.copy(desc.x().column(i).segment(), ValueLayout.JAVA_DOUBLE_UNALIGNED, 0, xi, 0, d);
        MemorySegment.copy(desc.jacobian().column(i).segment(), ValueLayout.JAVA_DOUBLE_UNALIGNED, 0, ci, 0, 3 * d);
        for (double[] row : acc) {
            java.util.Arrays.fill(row, 0.0);
        }
        for (int p = 0; p < sym.count(); p++) {
            int[] q = sym.descriptorMap(p);
            int[] qinv = sym.inverseDescriptorMap(p);
            double rho2 = 0;
            for (int k = 0; k < d; k++) {
                double v = xi[k] - xj[q[k]];
                dv[k] = v;
                rho2 += v * v;
            }
            double a = matern.a(rho2);
            double b = matern.b(rho2);
            transposeTimes(ci, dv, u); // u = J_iᵀ d
            // r = J_j^(p)ᵀ d = J_jᵀ (P_p⁻¹ d): in full for many columns; for a few (pivoted Cholesky asks for one)
            // only its entry per column, summed below over the N − 1 pairs of that column's atom
            boolean fullR = cols.length > FEW_COLUMNS;
            if (fullR) {
                for (int m = 0; m < d; m++) {
                    y[m] = dv[qinv[m]];
                }
                transposeTimes(cj, y, r);
            }
            for (int c = 0; c < cols.length; c++) {
                double[] out = acc[c];
                int alpha = cols[c] / 3;
                int t = cols[c] % 3;
                // a · J_iᵀ g with g_k = J_j[q_p[k], (α, t)]: non-zero where pair q_p[k] contains α
                int[] mine = pairsOf[alpha];
                int[] sign = signOf[alpha];
                double rc = 0;
                for (int l = 0; l < mine.length; l++) {
                    int mIdx = mine[l];
                    int k = qinv[mIdx];
                    double jc = sign[l] * cj[t * d + mIdx];
                    rc += jc * dv[k];
                    double g = a * jc;
                    int rb = 3 * pb[k];
                    int ra = 3 * pa[k];
                    for (int s = 0; s < 3; s++) {
                        double v = g * ci[s * d + k];
                        out[rb + s] += v;
                        out[ra + s] -= v;
                    }
                }
                double br = b * (fullR ? r[cols[c]] : rc);
                for (int row = 0; row < n3; row++) {
                    out[row] -= br * u[row];
                }
            }
        }
    }

    /** diag(K_ii) into out (3N values). */
    void diagonalBlock(int i, double[] out) {
        loadColumnMolecule(i);
        java.util.Arrays.fill(out, 0.0);
        for (int p = 0; p < sym.count(); p++) {
            int[] q = sym.descriptorMap(p);
            int[] qinv = sym.inverseDescriptorMap(p);
            double rho2 = 0;
            for (int k = 0; k < d; k++) {
                double v = xj[k] - xj[q[k]];
                dv[k] = v;
                rho2 += v * v;
            }
            double a = matern.a(rho2);
            double b = matern.b(rho2);
            transposeTimes(cj, dv, u);
            for (int m = 0; m < d; m++) {
                y[m] = dv[qinv[m]];
            }
            transposeTimes(cj, y, r);
            // diag(J_iᵀ J_i^(p))[(e,t)] = Σ_k J_i[k,(e,t)] J_i[q_p k,(e,t)]
            for (int k = 0; k < d; k++) {
                int m = q[k];
                for (int t = 0; t < 3; t++) {
                    double prod = cj[t * d + k] * cj[t * d + m];
                    // J_i[k,(e,t)] = +c (e = pb[k]) or −c (e = pa[k]); same for row m
                    if (pb[k] == pb[m]) {
                        out[3 * pb[k] + t] += a * prod;
                    }
                    if (pb[k] == pa[m]) {
                        out[3 * pb[k] + t] -= a * prod;
                    }
                    if (pa[k] == pb[m]) {
                        out[3 * pa[k] + t] -= a * prod;
                    }
                    if (pa[k] == pa[m]) {
                        out[3 * pa[k] + t] += a * prod;
                    }
                }
            }
            for (int row = 0; row < n3; row++) {
                out[row] -= b * u[row] * r[row];
            }
        }
    }

    /** out ← Jᵀ w for a compressed Jacobian held in planes c[t·D + k] (3N values, overwritten). */
    private void transposeTimes(double[] c, double[] w, double[] out) {
        java.util.Arrays.fill(out, 0.0);
        for (int k = 0; k < d; k++) {
            double wk = w[k];
            int ob = 3 * pb[k];
            int oa = 3 * pa[k];
            for (int t = 0; t < 3; t++) {
                double g = wk * c[t * d + k];
                out[ob + t] += g;
                out[oa + t] -= g;
            }
        }
    }

    /** Writes acc (cols.length x 3N) into rows [3N·i, 3N·i + 3N) of the given output columns. */
    static void store(double[][] acc, Matrix out, long[] outCols, long rowOffset) {
        boolean single = out.precision() == Precision.FP32;
        for (int c = 0; c < acc.length; c++) {
            MemorySegment col = out.column(outCols[c]).segment();
            double[] v = acc[c];
            if (single) {
                for (int r = 0; r < v.length; r++) {
                    col.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, rowOffset + r, (float) v[r]);
                }
            } else {
                MemorySegment.copy(v, 0, col, ValueLayout.JAVA_DOUBLE_UNALIGNED, rowOffset * 8, v.length);
            }
        }
    }
}
