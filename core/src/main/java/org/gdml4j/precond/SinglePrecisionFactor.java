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
import org.gdml4j.solve.Progress;

/**
 * A low-rank preconditioner whose tall factor is stored in FP32 ({@code --precond-precision fp32}): about half the
 * memory and half the traffic of every apply, the dominant cost at large k. Vectors and sums stay FP64.
 *
 * <p>It starts from the stable FP64 form of {@link LowRankFactor}, K̂ = W diag(s²) Wᵀ with W = QU orthonormal, and
 * applies the same stable Woodbury form (re-projection included) on a basis that is orthonormal to FP64 accuracy
 * although most of it is stored in FP32:
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
 *
 * <p>The apply works in the coordinates of Q̃ (s = Q̃ᵀ(I − W₁W₁ᵀ)v), so V only enters through two k x k symmetric
 * matrices held in one array: N = VVᵀ and J = V diag(λ/(s² + λ)) Vᵀ ({@link SplitBasisApply}). Q̃ is stored by rows
 * (Q̃ᵀ, k x n) so that the re-projection's v − W̃c and W̃ᵀ(v − W̃c) share one sweep over it
 * ({@link Backend.MixedPrecision#projectOut}): an apply reads the FP32 factor twice, three times when it re-projects (four before).
 */
public final class SinglePrecisionFactor implements Preconditioner {
    /** Directions with s² ≥ FP64_ABOVE·λ/u² stay in FP64 (u = 2⁻²⁴); see the class comment for the measurement. */
    static final double FP64_ABOVE = 1e-5;
    private static final double U32 = 0x1p-24;

    private final Backend be;
    private final Workspace ws;
    private final Matrix qt;
    private final Matrix w1;
    private final Matrix x;
    private final Matrix core;
    private final String label;
    private final SplitBasisApply steps;

    private SinglePrecisionFactor(Backend be, Workspace ws, Matrix qt, Matrix w1, Matrix x, Matrix core, double[] s2,
            double lambda, String label) {
        this.be = be;
        this.ws = ws;
        this.qt = qt;
        this.w1 = w1;
        this.x = x;
        this.core = core;
        this.label = label;
        this.steps = new SplitBasisApply(be, ws, qt, w1, x, core, s2, lambda);
    }

    /**
     * {@link #round} where the backend offers FP32 x FP64 products ({@link Backend#mixedPrecision()}); elsewhere the
     * documented fallback: {@code exact} stays in use (FP64: the same iterations, twice the factor memory), and
     * {@code progress} says so.
     */
    static Preconditioner roundOrKeep(Backend be, LowRankFactor exact, double lambda, Progress progress) {
        if (be.mixedPrecision().isEmpty()) {
            progress.note("the " + be.name() + " backend has no FP32 x FP64 products: the preconditioner stays in FP64");
            return exact;
        }
        return round(be, exact, lambda);
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
        Workspace ws = be.workspace();
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
            Matrix qt = ws.uninitializedMatrix(k, n, Precision.FP32, "preconditioner factor (" + exact.label() + ", fp32, by rows)");
            be.transpose(q, qt);
            Matrix x = ws.matrix(k, Math.max(1, k1), "Q̃ᵀW1").columns(0, k1);
            Matrix core = ws.matrix(k, k + 1, "core matrices N and J");
            try (Workspace tmp = be.workspace()) {
                Matrix u2 = tmp.matrix(k, Math.max(1, k2), "U2").columns(0, k2);
                if (u == null) {
                    be.fill(u2.block(k1, 0, k2, k2).diagonal(), 1.0);
                } else {
                    be.copy(u.columns(k1, k2), u2);
                }
                exact.close();
                // G = Q̃ᵀQ̃ and X = Q̃ᵀW₁ in FP64 over column panels of the exact FP32 values
                Matrix g = tmp.matrix(k, k, "Gram matrix of the rounded basis");
                forEachPanel(be, qt, (panel, c0) -> {
                    double beta = c0 == 0 ? 0.0 : 1.0;
                    be.syrk(Uplo.LOWER, Trans.NO, 1.0, panel, beta, g);
                    if (k1 > 0) {
                        be.gemm(Trans.NO, Trans.NO, 1.0, panel, w1.block(c0, 0, panel.cols(), k1), beta, x);
                    }
                });
                if (k2 > 0) {
                    coreMatrices(be, tmp, g, x, u2, s2, k1, lambda, core);
                }
            }
            return new SinglePrecisionFactor(be, ws, qt, w1, x, core, s2, lambda, exact.label());
        } catch (RuntimeException e) {
            ws.close();
            exact.close();
            throw e;
        }
    }

    /**
     * From the Gram matrix G = Q̃ᵀQ̃ (lower triangle) and X = Q̃ᵀW₁: V = U₂L⁻ᵀ with LLᵀ = U₂ᵀ(G − XXᵀ)U₂, then
     * N = VVᵀ into the lower triangle of core's first k columns and J = V diag(λ/(s² + λ)) Vᵀ into the upper
     * triangle of its last k columns (the two triangles do not overlap).
     */
    private static void coreMatrices(Backend be, Workspace tmp, Matrix g, Matrix x, Matrix u2, double[] s2, int k1,
            double lambda, Matrix core) {
        int k = Math.toIntExact(g.rows());
        int k2 = Math.toIntExact(u2.cols());
        if (k1 > 0) {
            be.syrk(Uplo.LOWER, Trans.NO, -1.0, x, 1.0, g); // G − X Xᵀ: the Gram of (I − W₁W₁ᵀ)Q̃
        }
        be.symmetrize(Uplo.LOWER, g);
        Matrix gu = tmp.matrix(k, k2, "G U2");
        be.gemm(Trans.NO, Trans.NO, 1.0, g, u2, 0.0, gu);
        Matrix l = tmp.matrix(k2, k2, "Gram of the rounded rest");
        be.gemm(Trans.YES, Trans.NO, 1.0, u2, gu, 0.0, l);
        int info = be.potrf(Uplo.LOWER, l);
        if (info != 0) {
            throw new IllegalStateException("the rounded basis lost its rank (Cholesky of its Gram matrix, info " + info + ")");
        }
        Matrix v = u2;
        be.trsm(Side.RIGHT, Uplo.LOWER, Trans.YES, Diag.NON_UNIT, 1.0, l, v); // V = U₂ L⁻ᵀ, in place of U₂
        be.syrk(Uplo.LOWER, Trans.NO, 1.0, v, 0.0, core.columns(0, k));
        for (int j = 0; j < k2; j++) {
            be.copy(v.column(j), gu.column(j));
            be.scal(Math.sqrt(lambda / (s2[k1 + j] + lambda)), gu.column(j));
        }
        be.syrk(Uplo.UPPER, Trans.NO, 1.0, gu, 0.0, core.columns(1, k));
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
        steps.apply(r, out);
    }

    /**
     * Ridge leverage scores of K̂: τ = diag(K̂(K̂ + λI)⁻¹) = Σ_j W̃_ij² s_j²/(s_j² + λ) by panels of rows: the W₁ part
     * directly, the rest as g_iᵀ M g_i with M = V diag(s²/(s² + λ)) Vᵀ = N − J and g_i the i-th row of
     * (I − W₁W₁ᵀ)Q̃ = Q̃ − W₁Xᵀ.
     */
    public double[] leverageScores() {
        long n = qt.cols();
        int k = Math.toIntExact(qt.rows());
        int k1 = Math.toIntExact(w1.cols());
        double[] tau = new double[Math.toIntExact(n)];
        try (Workspace tmp = be.workspace()) {
            Matrix m = tmp.matrix(k, k, "M = N − J, both triangles");
            Matrix j = tmp.matrix(k, k, "J, both triangles");
            Matrix nMat = core.columns(0, k); // N in its lower triangle
            Matrix jMat = core.columns(1, k); // J in its upper triangle
            be.triangle(Uplo.LOWER, nMat, m);
            be.symmetrize(Uplo.LOWER, m);
            be.triangle(Uplo.UPPER, jMat, j);
            be.symmetrize(Uplo.UPPER, j);
            be.axpy(-1.0, j.asVector(), m.asVector());
            Vector scores = tmp.vector(n, "leverage scores");
            Matrix prod = tmp.matrix(k, panelColumns(qt), "M g panel");
            forEachPanel(be, qt, (panel, c0) -> {
                long cols = panel.cols();
                Vector out = scores.slice(c0, cols);
                if (k1 > 0) {
                    Matrix w1p = w1.block(c0, 0, cols, k1);
                    be.rowSquares(w1p, steps.weights1(), 0.0, out);
                    be.gemm(Trans.NO, Trans.YES, -1.0, x, w1p, 1.0, panel);
                }
                Matrix mg = prod.columns(0, cols);
                be.gemm(Trans.NO, Trans.NO, 1.0, m, panel, 0.0, mg);
                be.columnDots(panel, mg, k1 > 0 ? 1.0 : 0.0, out);
            });
            be.download(scores, tau);
        }
        return tau;
    }

    /** Columns of Q̃ᵀ per FP64 panel of {@link #forEachPanel}: about 64 MB. */
    private static long panelColumns(Matrix qt) {
        return Math.max(64, Math.min(qt.cols(), (64L << 20) / Math.max(1, qt.rows() * 8)));
    }

    /** Column panels of the FP32 factor (stored by rows) converted to FP64, handed to {@code body}. */
    private static void forEachPanel(Backend be, Matrix qt, java.util.function.ObjLongConsumer<Matrix> body) {
        long k = qt.rows();
        long n = qt.cols();
        try (Workspace tmp = be.workspace()) {
            long panel = panelColumns(qt);
            Matrix p64 = tmp.matrix(k, panel, "panel in FP64");
            for (long c0 = 0; c0 < n; c0 += panel) {
                long cols = Math.min(panel, n - c0);
                Matrix dst = p64.columns(0, cols);
                be.copy(qt.columns(c0, cols), dst);
                body.accept(dst, c0);
            }
        }
    }

    @Override
    public String describe() {
        return label + ", k = " + qt.rows() + " (fp32, " + w1.cols() + " dominant directions in fp64"
                + (steps.reprojections() > 0 ? ", " + steps.reprojections() + " of " + steps.applies() + " applies re-projected" : "") + ")";
    }

    @Override
    public long rank() {
        return qt.rows();
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
