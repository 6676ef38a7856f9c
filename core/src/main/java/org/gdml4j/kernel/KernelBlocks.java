package org.gdml4j.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Simd;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

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
 * <p>Every step runs on a group of L row molecules at once, one per SIMD lane ({@link LaneGroups}), in a worker's
 * {@link BlockScratch}: the state shared by a group's columns (d_p, a_p, b_p, J_iᵀ d_p for every p) is computed once
 * by {@link #rowGroup}, then {@link #column} builds one column (3N x L) and {@link BlockScratch#store} writes its
 * lanes straight into the caller's off-heap matrix (FP64, or FP32 rounded from the FP64 values). Stateless itself: one
 * instance serves all workers, each with its own scratch.
 */
final class KernelBlocks {
    /** Up to this many columns per block, r is summed per column (N − 1 terms each) instead of in full (3·D terms). */
    static final int FEW_COLUMNS = 24;
    /**
     * Up to this many columns per block, the rank-one terms of a column are applied as one J_iᵀ (Σ_p b_p r_p d_p) (P·D
     * multiply-adds and one J_iᵀ per column) instead of from J_iᵀ d_p kept for every p (P J_iᵀ per row group, then
     * 3N per p and column): the pivoted Cholesky asks for one column at a time, and there J_iᵀ once instead of P
     * times is most of the work.
     */
    static final int SUMMED_COLUMNS = 4;

    private static final VectorSpecies<Double> S = Simd.DOUBLE;
    private static final ValueLayout.OfDouble D8 = ValueLayout.JAVA_DOUBLE_UNALIGNED;

    private final Descriptors desc;
    private final Matern52 matern;
    private final LaneGroups groups;
    private final int d;
    private final int atoms;
    private final int n3;
    private final int perms;
    private final int lanes;
    /** Doubles of one vector of lanes (L). */
    private final int vec;
    private final int[] pa;
    private final int[] pb;
    private final int[][] q;
    private final int[][] qinv;
    private final int[] identity;
    /** The tables of {@link ColumnPairs}, held here so the hot loops read them without an indirection. */
    private final int[] pairJ;
    private final double[] signJ;
    private final int[] pairI;
    private final int[] otherRow;
    private final double[] commonSign;
    private final int[] commonRow;

    KernelBlocks(Descriptors desc, Symmetries sym, Matern52 matern) {
        this.desc = desc;
        this.matern = matern;
        this.groups = new LaneGroups(desc);
        this.d = desc.dim();
        this.atoms = desc.atoms();
        this.n3 = 3 * atoms;
        this.perms = sym.count();
        this.lanes = groups.lanes();
        this.vec = lanes;
        PairIndex pairs = desc.pairs();
        pa = pairs.firstArray();
        pb = pairs.secondArray();
        q = new int[perms][];
        qinv = new int[perms][];
        for (int p = 0; p < perms; p++) {
            q[p] = sym.descriptorMap(p);
            qinv[p] = sym.inverseDescriptorMap(p);
        }
        identity = new int[d];
        java.util.Arrays.setAll(identity, k -> k);
        ColumnPairs cp = new ColumnPairs(pairs, sym);
        pairJ = cp.pairJ;
        signJ = cp.signJ;
        pairI = cp.pairI;
        otherRow = cp.otherRow;
        commonSign = cp.commonSign;
        commonRow = cp.commonRow;
    }

    LaneGroups groups() {
        return groups;
    }

    BlockScratch scratch() {
        return new BlockScratch(perms, d, n3, lanes, desc.scratchLength());
    }

    /** Loads column molecule j into the scratch: P_p x_j for every p and J_j's planes. */
    void loadColumnMolecule(BlockScratch s, int j) {
        double[] w = s.w;
        MemorySegment.copy(seg(desc.jacobian()), D8, j * desc.jacobian().ld() * 8, w, s.cj, 3 * d);
        // x_j goes to the d_p region first (free until rowGroup), then to one row per p in P_p's order
        MemorySegment.copy(seg(desc.x()), D8, j * desc.x().ld() * 8, w, s.dv, d);
        for (int p = 0; p < perms; p++) {
            int[] qp = q[p];
            int row = s.xjp + p * d;
            for (int k = 0; k < d; k++) {
                w[row + k] = w[s.dv + qp[k]];
            }
        }
    }

    /**
     * For row group g and the loaded column molecule, every p: d_p, a_p, b_p, with {@code perP} u_p = J_iᵀ d_p and
     * with {@code fullR} (which needs perP) r_p = J_j^(p)ᵀ d_p. ‖d_p‖² is summed in four interleaved partial sums
     * (a single running sum would be one long chain of dependent adds); the order is fixed, the same in every lane.
     * With {@code self} each lane's column molecule is its own row molecule (j = i: the diagonal blocks of a whole
     * group at once) and no column molecule is loaded.
     */
    void rowGroup(BlockScratch s, int g, boolean perP, boolean fullR, boolean self) {
        double[] w = s.w;
        double[] gd = groups.group(g);
        for (int p = 0; p < perms; p++) {
            int dvp = s.dv + p * d * vec;
            int xjp = s.xjp + p * d;
            DoubleVector r0 = DoubleVector.zero(S);
            DoubleVector r1 = r0;
            DoubleVector r2 = r0;
            DoubleVector r3 = r0;
            int k = 0;
            int[] qp = self ? q[p] : null;
            for (; k + 4 <= d; k += 4) {
                DoubleVector v0 = diff(gd, w, xjp, qp, dvp, k);
                DoubleVector v1 = diff(gd, w, xjp, qp, dvp, k + 1);
                DoubleVector v2 = diff(gd, w, xjp, qp, dvp, k + 2);
                DoubleVector v3 = diff(gd, w, xjp, qp, dvp, k + 3);
                r0 = v0.fma(v0, r0);
                r1 = v1.fma(v1, r1);
                r2 = v2.fma(v2, r2);
                r3 = v3.fma(v3, r3);
            }
            for (; k < d; k++) {
                DoubleVector v = diff(gd, w, xjp, qp, dvp, k);
                r0 = v.fma(v, r0);
            }
            matern.coefficients(r0.add(r1).add(r2.add(r3)), w, s.a + p * vec, s.b + p * vec);
            if (perP) {
                transposeTimes(w, dvp, identity, gd, s.u + p * n3 * vec, false);
            }
            if (fullR && self) {
                transposeTimes(w, dvp, qinv[p], gd, s.r + p * n3 * vec, false);
            } else if (fullR) {
                transposeTimesColumnMolecule(w, dvp, qinv[p], s.cj, s.r + p * n3 * vec);
            }
        }
    }

    /** d_k = x_k(lanes) − (P_p x_j)_k, stored and returned; with {@code qp} (self) x_j is each lane's own x_i. */
    private DoubleVector diff(double[] gd, double[] w, int xjp, int[] qp, int dvp, int k) {
        DoubleVector x = DoubleVector.fromArray(S, gd, k * vec);
        DoubleVector v = qp == null ? x.sub(w[xjp + k]) : x.sub(DoubleVector.fromArray(S, gd, qp[k] * vec));
        v.intoArray(w, dvp + k * vec);
        return v;
    }

    /**
     * out ← Jᵀ y (or out + Jᵀ y with {@code accumulate}) for the group's Jacobians, y_k = the vector at
     * {@code y + map[k]·L}. Atom by atom: the pairs (a, b), b &lt; a, are the contiguous run a(a−1)/2 + b; atom a's
     * own terms are summed in registers (no store-to-load chain through memory), and every entry receives its terms
     * in pair order, as a scalar loop over k adds them.
     */
    void transposeTimes(double[] w, int y, int[] map, double[] gd, int out, boolean accumulate) {
        DoubleVector zero = DoubleVector.zero(S);
        if (!accumulate) {
            for (int t = 0; t < 3; t++) {
                zero.intoArray(w, out + t * vec);
            }
        }
        int jac = groups.jacobianOffset();
        int plane = d * vec;
        for (int a = 1; a < atoms; a++) {
            int k0 = a * (a - 1) / 2;
            int oa = out + 3 * a * vec;
            DoubleVector sx = accumulate ? DoubleVector.fromArray(S, w, oa) : zero;
            DoubleVector sy = accumulate ? DoubleVector.fromArray(S, w, oa + vec) : zero;
            DoubleVector sz = accumulate ? DoubleVector.fromArray(S, w, oa + 2 * vec) : zero;
            for (int b = 0; b < a; b++) {
                int k = k0 + b;
                DoubleVector yk = DoubleVector.fromArray(S, w, y + map[k] * vec);
                int c = jac + k * vec;
                DoubleVector gx = yk.mul(DoubleVector.fromArray(S, gd, c));
                DoubleVector gy = yk.mul(DoubleVector.fromArray(S, gd, c + plane));
                DoubleVector gz = yk.mul(DoubleVector.fromArray(S, gd, c + 2 * plane));
                int ob = out + 3 * b * vec;
                addAt(w, ob, gx);
                addAt(w, ob + vec, gy);
                addAt(w, ob + 2 * vec, gz);
                sx = sx.sub(gx);
                sy = sy.sub(gy);
                sz = sz.sub(gz);
            }
            sx.intoArray(w, oa);
            sy.intoArray(w, oa + vec);
            sz.intoArray(w, oa + 2 * vec);
        }
    }

    /** As {@link #transposeTimes} with the column molecule's Jacobian (one value for all lanes, at {@code cj}). */
    private void transposeTimesColumnMolecule(double[] w, int y, int[] map, int cj, int out) {
        DoubleVector zero = DoubleVector.zero(S);
        for (int t = 0; t < 3; t++) {
            zero.intoArray(w, out + t * vec);
        }
        for (int a = 1; a < atoms; a++) {
            int k0 = a * (a - 1) / 2;
            DoubleVector sx = zero;
            DoubleVector sy = zero;
            DoubleVector sz = zero;
            for (int b = 0; b < a; b++) {
                int k = k0 + b;
                DoubleVector yk = DoubleVector.fromArray(S, w, y + map[k] * vec);
                DoubleVector gx = yk.mul(w[cj + k]);
                DoubleVector gy = yk.mul(w[cj + d + k]);
                DoubleVector gz = yk.mul(w[cj + 2 * d + k]);
                int ob = out + 3 * b * vec;
                addAt(w, ob, gx);
                addAt(w, ob + vec, gy);
                addAt(w, ob + 2 * vec, gz);
                sx = sx.sub(gx);
                sy = sy.sub(gy);
                sz = sz.sub(gz);
            }
            int oa = out + 3 * a * vec;
            sx.intoArray(w, oa);
            sy.intoArray(w, oa + vec);
            sz.intoArray(w, oa + 2 * vec);
        }
    }

    static void addAt(double[] w, int at, DoubleVector v) {
        DoubleVector.fromArray(S, w, at).add(v).intoArray(w, at);
    }

    /** at ← at + x·y. */
    static void fmaAt(double[] w, int at, DoubleVector x, DoubleVector y) {
        x.fma(y, DoubleVector.fromArray(S, w, at)).intoArray(w, at);
    }

    /**
     * The scratch's column ← K_ij[:, col] for the lanes of row group g (after {@link #rowGroup} with the same
     * {@code perP}, {@code fullR} and {@code self}); col is a local column index 3α + t of the column molecule.
     */
    void column(BlockScratch s, int g, int col, boolean perP, boolean fullR, boolean self) {
        double[] w = s.w;
        double[] gd = groups.group(g);
        int jac = groups.jacobianOffset();
        int plane = d * vec;
        int alpha = col / 3;
        int t = col % 3;
        int per = atoms - 1;
        int acc = s.acc;
        java.util.Arrays.fill(w, acc, acc + n3 * vec, 0.0);
        int cjt = s.cj + t * d;
        for (int p = 0; p < perms; p++) {
            DoubleVector a = DoubleVector.fromArray(S, w, s.a + p * vec);
            int dvp = s.dv + p * d * vec;
            int base = (p * atoms + alpha) * per;
            int cb = acc + commonRow[p * atoms + alpha] * vec;
            DoubleVector c0 = DoubleVector.fromArray(S, w, cb);
            DoubleVector c1 = DoubleVector.fromArray(S, w, cb + vec);
            DoubleVector c2 = DoubleVector.fromArray(S, w, cb + 2 * vec);
            DoubleVector rc = DoubleVector.zero(S);
            // a · J_iᵀ g with g_k = J_j[q_p[k], (α, t)]: non-zero where pair q_p[k] contains α
            for (int l = 0; l < per; l++) {
                int m = pairJ[alpha * per + l];
                // J_j[m, (α, t)]: one value for all lanes, or each lane's own (self)
                DoubleVector jc = self ? DoubleVector.fromArray(S, gd, jac + (t * d + m) * vec).mul(signJ[alpha * per + l])
                        : DoubleVector.broadcast(S, signJ[alpha * per + l] * w[cjt + m]);
                int k = pairI[base + l];
                if (!fullR) {
                    rc = DoubleVector.fromArray(S, w, dvp + k * vec).fma(jc, rc);
                }
                DoubleVector gs = a.mul(jc.mul(commonSign[base + l]));
                DoubleVector ngs = gs.neg();
                int c = jac + k * vec;
                DoubleVector cx = DoubleVector.fromArray(S, gd, c);
                DoubleVector cy = DoubleVector.fromArray(S, gd, c + plane);
                DoubleVector cz = DoubleVector.fromArray(S, gd, c + 2 * plane);
                c0 = cx.fma(gs, c0);
                c1 = cy.fma(gs, c1);
                c2 = cz.fma(gs, c2);
                int ob = acc + otherRow[base + l] * vec;
                fmaAt(w, ob, cx, ngs);
                fmaAt(w, ob + vec, cy, ngs);
                fmaAt(w, ob + 2 * vec, cz, ngs);
            }
            c0.intoArray(w, cb);
            c1.intoArray(w, cb + vec);
            c2.intoArray(w, cb + 2 * vec);
            DoubleVector r = fullR ? DoubleVector.fromArray(S, w, s.r + (p * n3 + col) * vec) : rc;
            DoubleVector nbr = DoubleVector.fromArray(S, w, s.b + p * vec).mul(r).neg();
            if (!perP) {
                nbr.intoArray(w, s.beta + p * vec);
                continue;
            }
            int up = s.u + p * n3 * vec;
            for (int row = 0; row < n3; row++) {
                fmaAt(w, acc + row * vec, DoubleVector.fromArray(S, w, up + row * vec), nbr);
            }
        }
        if (!perP) {
            // − Σ_p b_p r_p J_iᵀ d_p = J_iᵀ z with z = Σ_p (−b_p r_p) d_p, summed over p in order for every k
            for (int k = 0; k < d; k++) {
                DoubleVector zk = DoubleVector.zero(S);
                for (int p = 0; p < perms; p++) {
                    zk = DoubleVector.fromArray(S, w, s.dv + (p * d + k) * vec).fma(DoubleVector.fromArray(S, w, s.beta + p * vec), zk);
                }
                zk.intoArray(w, s.z + k * vec);
            }
            transposeTimes(w, s.z, identity, gd, acc, true);
        }
    }

    /**
     * The scratch's column ← diag(K_ii) for the lanes of group g: the same terms as {@link #column} restricted to
     * the diagonal, O(P·D) per molecule. Uses the p = 0 regions of the scratch; needs no column molecule.
     */
    void diagonal(BlockScratch s, int g) {
        double[] w = s.w;
        double[] gd = groups.group(g);
        int jac = groups.jacobianOffset();
        int plane = d * vec;
        int acc = s.acc;
        java.util.Arrays.fill(w, acc, acc + n3 * vec, 0.0);
        for (int p = 0; p < perms; p++) {
            int[] qp = q[p];
            DoubleVector r0 = DoubleVector.zero(S);
            DoubleVector r1 = r0;
            for (int k = 0; k < d; k++) {
                DoubleVector v = DoubleVector.fromArray(S, gd, k * vec).sub(DoubleVector.fromArray(S, gd, qp[k] * vec));
                v.intoArray(w, s.dv + k * vec);
                if ((k & 1) == 0) {
                    r0 = v.fma(v, r0);
                } else {
                    r1 = v.fma(v, r1);
                }
            }
            matern.coefficients(r0.add(r1), w, s.a, s.b);
            DoubleVector a = DoubleVector.fromArray(S, w, s.a);
            DoubleVector nb = DoubleVector.fromArray(S, w, s.b).neg();
            transposeTimes(w, s.dv, identity, gd, s.u, false);
            transposeTimes(w, s.dv, qinv[p], gd, s.r, false);
            // diag(J_iᵀ J_i^(p))[(e,t)] = Σ_k J_i[k,(e,t)] J_i[q_p k,(e,t)]; J_i[k,(e,t)] = +c (e = pb[k]) or −c (e = pa[k])
            for (int k = 0; k < d; k++) {
                int m = qp[k];
                boolean bb = pb[k] == pb[m];
                boolean ba = pb[k] == pa[m];
                boolean ab = pa[k] == pb[m];
                boolean aa = pa[k] == pa[m];
                if (!(bb || ba || ab || aa)) {
                    continue;
                }
                for (int t = 0; t < 3; t++) {
                    int ct = jac + t * plane;
                    DoubleVector ap = a.mul(DoubleVector.fromArray(S, gd, ct + k * vec).mul(DoubleVector.fromArray(S, gd, ct + m * vec)));
                    int rb = acc + (3 * pb[k] + t) * vec;
                    int ra = acc + (3 * pa[k] + t) * vec;
                    if (bb) {
                        addAt(w, rb, ap);
                    }
                    if (ba) {
                        addAt(w, rb, ap.neg());
                    }
                    if (ab) {
                        addAt(w, ra, ap.neg());
                    }
                    if (aa) {
                        addAt(w, ra, ap);
                    }
                }
            }
            for (int row = 0; row < n3; row++) {
                DoubleVector bu = nb.mul(DoubleVector.fromArray(S, w, s.u + row * vec));
                fmaAt(w, acc + row * vec, bu, DoubleVector.fromArray(S, w, s.r + row * vec));
            }
        }
    }

    private static MemorySegment seg(Matrix m) {
        return m.segment();
    }
}
