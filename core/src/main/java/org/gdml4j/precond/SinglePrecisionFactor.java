package org.gdml4j.precond;

import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.Backend.Diag;
import org.gdml4j.linalg.Backend.Side;
import org.gdml4j.linalg.Backend.Trans;
import org.gdml4j.linalg.Backend.Uplo;
import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Precision;
import org.gdml4j.linalg.Vector;
import org.gdml4j.linalg.Workspace;
import org.gdml4j.solve.Preconditioner;

/**
 * A low-rank preconditioner whose tall factor is stored in FP32 ({@code --precond-precision fp32}): about half the
 * memory and half the traffic of every apply, the dominant cost at large k. Vectors and sums stay FP64.
 *
 * <p>It starts from the stable FP64 form of {@link LowRankFactor}, K̂ = W diag(s²) Wᵀ with W = QU orthonormal, and
 * keeps the same apply (re-projection included) on a basis that is orthonormal to FP64 accuracy although most of
 * it is stored in FP32:
 * <pre>  W̃ = [W₁, W₂],  W₁ = Q U₁ (FP64),  W₂ = (I − W₁W₁ᵀ) Q̃ V,  Q̃ = fl32(Q),  V = U₂ L⁻ᵀ  </pre>
 * where W₁ holds the few dominant directions (s² ≥ {@link #FP64_ABOVE}·λ/u², u = 2⁻²⁴ the FP32 unit roundoff),
 * and L = chol(U₂ᵀ(Q̃ᵀQ̃ − Q̃ᵀW₁W₁ᵀQ̃)U₂) re-orthonormalises the rest exactly (the Gram matrix is summed in FP64 from
 * the exact FP32 values). P̃ = W̃ diag(s²) W̃ᵀ + λI is then exactly SPD and applied as accurately as the FP64 form.
 *
 * <p>Why the split: rounding turns each direction w_j by θ ≈ 3e-8. That leaves the preconditioned spectrum almost
 * unchanged, but at λ = 1e-10 the residual norm PCG stops on weights range(W) by s_j and the complement by √λ, so a
 * turn θ of a direction with s_j² ≫ λ/θ² leaks complement components into the measured residual, and PCG needs
 * about twice the iterations (aspirin M = 100, uniform k = 756: FP64 2,555, everything rounded 5,230, the top
 * 2 / 10 / 20 / 30 directions kept in FP64 5,005 / 3,421 / 2,565 / 2,566; the threshold keeps 36 there). The
 * dominant directions must also be projected out of the rounded ones: keeping them in FP64 without that projection
 * did not help (1,899 vs 1,880 iterations on aspirin M = 250).
 */
public final class SinglePrecisionFactor implements Preconditioner {
    /** Directions with s² ≥ FP64_ABOVE·λ/u² stay in FP64 (u = 2⁻²⁴); see the class comment for the measurement. */
    static final double FP64_ABOVE = 1e-5;
    private static final double U32 = 0x1p-24;

    private final Backend be;
    private final Workspace ws;
    private final Matrix w1;
    private final Matrix f;
    private final Matrix v;
    private final Matrix y;
    private final double[] s2;
    private final double lambda;
    private final String label;
    private final Vector weights;
    private final Vector inverse;
    private final Vector c;
    private final Vector c2;
    private final Vector tk;
    private final Vector e1;
    private final Vector tn;
    private final LowRankFactor.StableBasis ops = new Split();
    private long applies;
    private long reprojections;

    private SinglePrecisionFactor(Backend be, Workspace ws, Matrix w1, Matrix f, Matrix v, Matrix y, double[] s2,
            double lambda, String label) {
        this.be = be;
        this.ws = ws;
        this.w1 = w1;
        this.f = f;
        this.v = v;
        this.y = y;
        this.s2 = s2;
        this.lambda = lambda;
        this.label = label;
        int k = s2.length;
        this.weights = ws.vector(k, "Woodbury weights");
        this.inverse = ws.vector(k, "Woodbury inverse weights");
        for (int i = 0; i < k; i++) {
            weights.set(i, s2[i] / (s2[i] + lambda));
            inverse.set(i, lambda / (s2[i] + lambda));
        }
        this.c = ws.vector(k, "Woodbury scratch");
        this.c2 = ws.vector(k, "Woodbury scratch");
        this.tk = ws.vector(k, "Woodbury scratch");
        this.e1 = ws.vector(Math.max(1, w1.cols()), "Woodbury scratch");
        this.tn = ws.vector(f.rows(), "Woodbury scratch (n)");
    }

    /**
     * Rounds {@code exact}'s basis to FP32 (all but its dominant directions) and closes {@code exact} (while this
     * runs, both are held: 1.5x the FP64 factor).
     */
    public static SinglePrecisionFactor round(Backend be, LowRankFactor exact, double lambda) {
        Matrix q = exact.basis();
        long n = q.rows();
        int k = Math.toIntExact(q.cols());
        double[] s2 = exact.eigenvalues();
        int k1 = dominantCount(s2, lambda);
        int k2 = k - k1;
        Workspace ws = Workspace.shared();
        try {
            Matrix u = exact.coreVectors();
            Matrix w1 = ws.uninitializedMatrix(n, Math.max(1, k1), Precision.FP64, "dominant directions (fp64)").columns(0, k1);
            if (k1 > 0) {
                if (u == null) {
                    for (int j = 0; j < k1; j++) {
                        be.copy(q.column(j), w1.column(j));
                    }
                } else {
                    be.gemm(Trans.NO, Trans.NO, 1.0, q, u.columns(0, k1), 0.0, w1);
                }
            }
            Matrix f = ws.uninitializedMatrix(n, k, Precision.FP32, "preconditioner factor (" + exact.label() + ", fp32)");
            for (long j = 0; j < k; j++) {
                be.copy(q.column(j), f.column(j));
            }
            Matrix vm = ws.matrix(k, Math.max(1, k2), "rotation V").columns(0, k2);
            Matrix ym = ws.matrix(Math.max(1, k1), Math.max(1, k2), "W1ᵀ Q̃ V").block(0, 0, k1, k2);
            try (Workspace tmp = Workspace.shared()) {
                Matrix u2 = tmp.matrix(k, Math.max(1, k2), "U2").columns(0, k2);
                for (int j = 0; j < k2; j++) {
                    if (u == null) {
                        u2.set(k1 + j, j, 1.0);
                    } else {
                        be.copy(u.column(k1 + j), u2.column(j));
                    }
                }
                exact.close();
                // G = Q̃ᵀQ̃ and X = Q̃ᵀW₁ in FP64 over row panels of the exact FP32 values
                Matrix g = tmp.matrix(k, k, "Gram matrix of the rounded basis");
                Matrix x = tmp.matrix(k, Math.max(1, k1), "Q̃ᵀW1").columns(0, k1);
                forEachPanel(be, f, (panel, r0) -> {
                    double beta = r0 == 0 ? 0.0 : 1.0;
                    be.syrk(Uplo.LOWER, Trans.YES, 1.0, panel, beta, g);
                    if (k1 > 0) {
                        be.gemm(Trans.YES, Trans.NO, 1.0, panel, w1.block(r0, 0, panel.rows(), k1), beta, x);
                    }
                });
                if (k2 > 0) {
                    if (k1 > 0) {
                        be.syrk(Uplo.LOWER, Trans.NO, -1.0, x, 1.0, g); // G − X Xᵀ: the Gram of (I − W₁W₁ᵀ)Q̃
                    }
                    symmetrize(g);
                    Matrix gu = tmp.matrix(k, k2, "G U2");
                    be.gemm(Trans.NO, Trans.NO, 1.0, g, u2, 0.0, gu);
                    Matrix l = tmp.matrix(k2, k2, "Gram of the rounded rest");
                    be.gemm(Trans.YES, Trans.NO, 1.0, u2, gu, 0.0, l);
                    int info = be.potrf(Uplo.LOWER, l);
                    if (info != 0) {
                        throw new IllegalStateException("the rounded basis lost its rank (Cholesky of its Gram matrix, info " + info + ")");
                    }
                    for (int j = 0; j < k2; j++) {
                        be.copy(u2.column(j), vm.column(j));
                    }
                    be.trsm(Side.RIGHT, Uplo.LOWER, Trans.YES, Diag.NON_UNIT, 1.0, l, vm); // V = U₂ L⁻ᵀ
                    if (k1 > 0) {
                        be.gemm(Trans.YES, Trans.NO, 1.0, x, vm, 0.0, ym); // Y = W₁ᵀQ̃V, for the leverage scores
                    }
                }
            }
            return new SinglePrecisionFactor(be, ws, w1, f, vm, ym, s2, lambda, exact.label());
        } catch (RuntimeException e) {
            ws.close();
            exact.close();
            throw e;
        }
    }

    /** How many of the descending eigenvalues s² stay in FP64: those ≥ FP64_ABOVE·λ/u². */
    static int dominantCount(double[] s2, double lambda) {
        int k1 = 0;
        while (k1 < s2.length && s2[k1] >= FP64_ABOVE * lambda / (U32 * U32)) {
            k1++;
        }
        return k1;
    }

    @Override
    public void apply(Vector r, Vector out) {
        applies++;
        if (LowRankFactor.stableApply(be, ops, r, out, c, c2, weights, inverse, lambda)) {
            reprojections++;
        }
    }

    /** The split basis W̃ = [W₁, (I − W₁W₁ᵀ)Q̃V] in its own (eigen-)coordinates. */
    private final class Split implements LowRankFactor.StableBasis {
        @Override
        public void project(Vector x, Vector out) {
            int k1 = Math.toIntExact(w1.cols());
            Vector o1 = out.slice(0, k1);
            Vector o2 = out.slice(k1, out.length() - k1);
            be.copy(x, tn);
            if (k1 > 0) {
                be.gemv(Trans.YES, 1.0, w1, x, 0.0, o1);
                be.gemv(Trans.NO, -1.0, w1, o1, 1.0, tn);
            }
            if (o2.length() > 0) {
                be.gemv(Trans.YES, 1.0, f, tn, 0.0, tk);
                be.gemv(Trans.YES, 1.0, v, tk, 0.0, o2);
            }
        }

        @Override
        public void expand(Vector coords, double alpha, Vector z) {
            int k1 = Math.toIntExact(w1.cols());
            Vector c1 = coords.slice(0, k1);
            Vector cr = coords.slice(k1, coords.length() - k1);
            if (cr.length() > 0) {
                be.gemv(Trans.NO, 1.0, v, cr, 0.0, tk);
                be.gemv(Trans.NO, 1.0, f, tk, 0.0, tn);
            } else {
                be.fill(tn, 0.0);
            }
            if (k1 > 0) {
                // W c = Q̃Vc₂ + W₁(c₁ − W₁ᵀQ̃Vc₂)
                Vector d = e1.slice(0, k1);
                be.gemv(Trans.YES, -1.0, w1, tn, 0.0, d);
                be.axpy(1.0, c1, d);
                be.gemv(Trans.NO, 1.0, w1, d, 1.0, tn);
            }
            be.axpy(alpha, tn, z);
        }

        @Override
        public void weighted(Vector x, Vector w) {
            be.multiply(x, w, x);
        }
    }

    /** Ridge leverage scores of K̂: τ = diag(K̂(K̂ + λI)⁻¹) = Σ_j W̃_ij² s_j²/(s_j² + λ), by row panels of W̃. */
    public double[] leverageScores() {
        long n = f.rows();
        int k1 = Math.toIntExact(w1.cols());
        int k2 = Math.toIntExact(v.cols());
        double[] tau = new double[Math.toIntExact(n)];
        try (Workspace tmp = Workspace.shared()) {
            long panelRows = Math.max(64, Math.min(n, (64L << 20) / Math.max(1, (long) f.cols() * 8)));
            Matrix prod = tmp.matrix(panelRows, Math.max(1, k2), "W2 panel");
            forEachPanel(be, f, (panel, r0) -> {
                long rows = panel.rows();
                if (k1 > 0) {
                    LowRankFactor.addRowSquares(w1.block(r0, 0, rows, k1), weights.slice(0, k1), tau, r0);
                }
                if (k2 > 0) {
                    Matrix dst = prod.block(0, 0, rows, k2);
                    be.gemm(Trans.NO, Trans.NO, 1.0, panel, v, 0.0, dst);
                    if (k1 > 0) {
                        be.gemm(Trans.NO, Trans.NO, -1.0, w1.block(r0, 0, rows, k1), y, 1.0, dst);
                    }
                    LowRankFactor.addRowSquares(dst, weights.slice(k1, k2), tau, r0);
                }
            });
        }
        return tau;
    }

    /** Copies the lower triangle of a square matrix onto its upper one. */
    private static void symmetrize(Matrix a) {
        for (long j = 0; j < a.cols(); j++) {
            for (long i = j + 1; i < a.rows(); i++) {
                a.set(j, i, a.get(i, j));
            }
        }
    }

    /** Row panels of the FP32 factor converted to FP64 (about 64 MB at a time), handed to {@code body}. */
    private static void forEachPanel(Backend be, Matrix f, java.util.function.ObjLongConsumer<Matrix> body) {
        long n = f.rows();
        long k = f.cols();
        try (Workspace tmp = Workspace.shared()) {
            long panel = Math.max(64, Math.min(n, (64L << 20) / Math.max(1, k * 8)));
            Matrix p64 = tmp.matrix(panel, k, "panel in FP64");
            for (long r0 = 0; r0 < n; r0 += panel) {
                long rows = Math.min(panel, n - r0);
                Matrix dst = p64.block(0, 0, rows, k);
                for (long j = 0; j < k; j++) {
                    be.copy(f.block(r0, j, rows, 1).column(0), dst.column(j));
                }
                body.accept(dst, r0);
            }
        }
    }

    @Override
    public String describe() {
        return label + ", k = " + f.cols() + " (fp32, " + w1.cols() + " dominant directions in fp64"
                + (reprojections > 0 ? ", " + reprojections + " of " + applies + " applies re-projected" : "") + ")";
    }

    @Override
    public long rank() {
        return f.cols();
    }

    @Override
    public long bytes() {
        return ws.bytes();
    }

    @Override
    public void close() {
        ws.close();
    }
}
