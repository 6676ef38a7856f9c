package org.gdml4j.precond;

import org.gdml4j.error.NumericalFailureException;
import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.Backend.Diag;
import org.gdml4j.linalg.Backend.Side;
import org.gdml4j.linalg.Backend.Trans;
import org.gdml4j.linalg.Backend.Uplo;
import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Precision;
import org.gdml4j.linalg.Vector;
import org.gdml4j.linalg.Workspace;
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
 * <p>The apply ({@link LowRankPreconditioner#apply}, the FP64 form's) works here in the coordinates of Q̃: with
 * c₁ = W₁ᵀv and s = Q̃ᵀv − Xc₁ (X = Q̃ᵀW₁) the coordinates are y = [c₁; s], and the rest's eigen-coordinates
 * c₂ = Vᵀs are never formed: every product with V appears as N = VVᵀ or J = V diag(λ/(s² + λ)) Vᵀ (two k x k
 * triangles in one array), since W̃c = Q̃t + W₁(c₁ − Xᵀt) needs only t = Vc₂. So the coefficients are [d; t] with
 * <pre>
 *   damped:  t = (N − J) s,        d = w∘c₁ − Xᵀt        (w = s²/(s² + λ) on the dominant directions)
 *   one:     t = N s,              d = c₁ − Xᵀt
 *   inverse: t = J s' − N s₂,      d = ι∘c₁' − c₁₂ − Xᵀt   (y' = [c₁'; s'] the coordinates of v + v_⊥, y2 = [c₁₂; s₂] of v_⊥)
 * </pre>
 * The inverse step is the FP64 form's ι∘(c + c') − c' in Q̃-coordinates; it is kept as two small terms (not
 * N s − M(s + s') with M = N − J, equal in exact arithmetic) because the re-projection exists to avoid exactly that
 * cancellation of two terms of size ‖v‖ (it broke the symmetry of P̃⁻¹ at the 1e-7 level). Q̃ is stored by rows
 * (Q̃ᵀ, k x n) so that the re-projection's v − W̃c and W̃ᵀ(v − W̃c) share one sweep over it
 * ({@link Backend.MixedPrecision#projectOut}): an apply reads the FP32 factor twice, three times when it re-projects
 * (four before); the k x k triangles two or three times (the FP64 form reads its k x k rotation twice or four times).
 * V itself (k x k₂, FP64) is kept as well, for W̃'s rows ({@link #basisRows}): the leverage scores and the square root
 * that lets a pivoted Cholesky grow from this factor need W̃ and cannot be had from N and J (8k·k₂ bytes, ≈ 2k/n of
 * the FP32 basis; N and J stay because an apply through V would read 2k² instead of k² FP64 values).
 */
public final class SinglePrecisionFactor extends LowRankPreconditioner {
    /** Directions with s² ≥ FP64_ABOVE·λ/u² stay in FP64 (u = 2⁻²⁴); see the class comment for the measurement. */
    static final double FP64_ABOVE = 1e-5;
    /**
     * Re-project when ‖v_⊥‖² < REPROJECT_BELOW·‖v‖² (v_⊥ = v − W̃W̃ᵀv). The plain form's backward error is about
     * (‖v‖/‖v_⊥‖)·ε‖P‖‖x‖; the FP64 factor bounds it by ≈ 50ε with 1e-2 ({@link LowRankFactor#REPROJECT_BELOW}). This
     * factor already differs from the FP64 P by ≈ 1e-12‖P‖‖x‖ through its rounded basis (LowRankFactorTest), so a
     * re-projection only pays where the plain form would lose more than that: (ε/1e-12)² ≈ 5e-8. Measured on aspirin
     * M = 500 (leverage, k = 3,674, two runs back to back): 1e-3 re-projected 435 of 808 applies, 807 iterations,
     * apply 63.6 s, 175.3 s in all; 5e-8 none, 818 iterations, apply 52.1 s, 164.9 s in all.
     */
    static final double REPROJECT_BELOW = 5e-8;
    private static final double U32 = 0x1p-24;

    private final Backend.MixedPrecision mixed;
    private final Matrix qt;
    private final Matrix w1;
    private final Matrix x;
    private final Matrix nMat;
    private final Matrix jMat;
    private final Matrix v;
    private final int k;
    private final int k1;

    /** {@code core} is k x (k + 1): N in the lower triangle of its first k columns, J in the upper of its last k. */
    private SinglePrecisionFactor(Backend be, Workspace ws, Matrix qt, Matrix w1, Matrix x, Matrix core, Matrix v, double[] s2,
            double lambda, String label) {
        super(be, ws, s2, lambda, label, Math.toIntExact(w1.cols() + qt.rows()));
        this.mixed = be.mixedPrecision().orElseThrow(() -> new IllegalStateException("an FP32 factor on " + be.name()
                + ", which has no FP32 x FP64 products"));
        this.qt = qt;
        this.w1 = w1;
        this.x = x;
        this.k = Math.toIntExact(qt.rows());
        this.k1 = Math.toIntExact(w1.cols());
        this.nMat = core.columns(0, k);
        this.jMat = core.columns(1, k);
        this.v = v;
    }

    /**
     * {@link #round} where the backend offers FP32 x FP64 products ({@link Backend#mixedPrecision()}); elsewhere the
     * documented fallback: {@code exact} stays in use (FP64: the same iterations, twice the factor memory), and
     * {@code progress} says so.
     */
    static LowRankPreconditioner roundOrKeep(Backend be, LowRankFactor exact, double lambda, Progress progress) {
        if (be.mixedPrecision().isEmpty()) {
            progress.note("the " + be.name() + " backend has no FP32 x FP64 products: the preconditioner stays in FP64");
            return exact;
        }
        return round(be, exact, lambda);
    }

    /**
     * Rounds {@code exact}'s basis to FP32 (all but its dominant directions) and closes {@code exact} (while this
     * runs, both are held: 1.5x the FP64 factor; {@link #bytesNeeded}).
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
            Matrix v = ws.matrix(k, Math.max(1, k2), "V = U2 L⁻ᵀ").columns(0, k2);
            if (u == null) {
                be.fill(v.block(k1, 0, k2, k2).diagonal(), 1.0);
            } else {
                be.copy(u.columns(k1, k2), v);
            }
            String label = exact.label();
            exact.close();
            try (Workspace tmp = be.workspace()) {
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
                    coreMatrices(be, tmp, g, x, v, s2, k1, lambda, core);
                }
            }
            return new SinglePrecisionFactor(be, ws, qt, w1, x, core, v, s2, lambda, label);
        } catch (RuntimeException e) {
            ws.close();
            exact.close();
            throw e;
        }
    }

    /**
     * From the Gram matrix G = Q̃ᵀQ̃ (lower triangle) and X = Q̃ᵀW₁: V = U₂L⁻ᵀ with LLᵀ = U₂ᵀ(G − XXᵀ)U₂ (in place of
     * U₂ in {@code v}), then N = VVᵀ into the lower triangle of core's first k columns and J = V diag(λ/(s² + λ)) Vᵀ
     * into the upper triangle of its last k columns (the two triangles do not overlap).
     */
    private static void coreMatrices(Backend be, Workspace tmp, Matrix g, Matrix x, Matrix v, double[] s2, int k1,
            double lambda, Matrix core) {
        int k = Math.toIntExact(g.rows());
        int k2 = Math.toIntExact(v.cols());
        if (k1 > 0) {
            be.syrk(Uplo.LOWER, Trans.NO, -1.0, x, 1.0, g); // G − X Xᵀ: the Gram of (I − W₁W₁ᵀ)Q̃
        }
        be.symmetrize(Uplo.LOWER, g);
        Matrix gu = tmp.matrix(k, k2, "G U2");
        be.gemm(Trans.NO, Trans.NO, 1.0, g, v, 0.0, gu);
        Matrix l = tmp.matrix(k2, k2, "Gram of the rounded rest");
        be.gemm(Trans.YES, Trans.NO, 1.0, v, gu, 0.0, l);
        int info = be.potrf(Uplo.LOWER, l);
        if (info != 0) {
            throw new NumericalFailureException("the FP32 preconditioner basis lost its rank (Cholesky of its Gram matrix, info " + info
                    + "); --precond-precision fp64 avoids the rounding");
        }
        be.trsm(Side.RIGHT, Uplo.LOWER, Trans.YES, Diag.NON_UNIT, 1.0, l, v); // V = U₂ L⁻ᵀ
        be.syrk(Uplo.LOWER, Trans.NO, 1.0, v, 0.0, core.columns(0, k));
        inverseCore(be, v, s2, k1, lambda, gu, core.columns(1, k));
    }

    /** J = V diag(λ/(s² + λ)) Vᵀ into the upper triangle of {@code j} (k x k, core's last k columns), through {@code scratch} (k x k₂). */
    private static void inverseCore(Backend be, Matrix v, double[] s2, int k1, double lambda, Matrix scratch, Matrix j) {
        for (int c = 0; c < v.cols(); c++) {
            be.copy(v.column(c), scratch.column(c));
            be.scal(Math.sqrt(lambda / (s2[k1 + c] + lambda)), scratch.column(c));
        }
        be.syrk(Uplo.UPPER, Trans.NO, 1.0, scratch, 0.0, j);
    }

    /** A new λ changes J (N = VVᵀ does not); the FP64 directions chosen for the built λ stay (a larger λ needs fewer). */
    @Override
    void lambdaChanged() {
        if (v.cols() == 0) {
            return;
        }
        try (Workspace tmp = be.workspace()) {
            inverseCore(be, v, eigenvalues(), k1, lambda, tmp.matrix(k, v.cols(), "V scaled"), jMat);
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

    /**
     * Dominant directions assumed when planning (the spectrum is not known yet): 47 of 3,674 at aspirin M = 500, so
     * k/32, but at least 64 (all of a small k).
     */
    static long plannedDominant(long k) {
        return Math.min(k, Math.max(64, k / 32));
    }

    /**
     * The peak of {@link #round} for an n x k factor with k1 dominant directions while {@code exactBytes} are held
     * by the FP64 form it rounds: the FP32 factor and the FP64 form together, then (the FP64 form closed) the Gram
     * matrix with an FP64 panel of Q̃ᵀ or the core's build matrices; the apply's vectors come last.
     */
    static long bytesNeeded(long n, long k, long k1, long exactBytes) {
        long k2 = k - k1;
        long kept = 8 * n * Math.max(1, k1) + 4 * n * k + 8 * k * Math.max(1, k1) + 8 * k * (k + 1) + 8 * k * Math.max(1, k2);
        long gram = 8 * k * k + Math.max(8 * k * panelColumns(n, k), 8 * k * k2 + 8 * k2 * k2);
        return kept + Math.max(exactBytes, Math.max(gram, applyBytes(k, k1 + k)));
    }

    // ---- the basis operations (the class comment's table); y = [c₁; s], t = [d; t] ----

    @Override
    int coordinates() {
        return k1 + k;
    }

    @Override
    double reprojectBelow() {
        return REPROJECT_BELOW;
    }

    /**
     * y = [W₁ᵀv; Q̃ᵀv − XW₁ᵀv]. ‖y‖² = ‖c₁‖² + ‖s‖² stands for ‖W̃ᵀv‖² = ‖c₁‖² + sᵀNs: they differ by O(u) relative
     * (N is a projector up to the rounding of Q̃, and s has only O(u‖v‖) along the dominant directions), which is all
     * the threshold test needs.
     */
    @Override
    void project(Vector vec, Vector y) {
        Vector c1 = y.slice(0, k1);
        Vector s = y.slice(k1, k);
        if (k1 > 0) {
            be.gemv(Trans.YES, 1.0, w1, vec, 0.0, c1);
        }
        mixed.gemv(Trans.NO, 1.0, qt, vec, 0.0, s);
        if (k1 > 0) {
            be.gemv(Trans.NO, -1.0, x, c1, 1.0, s);
        }
    }

    @Override
    void weigh(Weights which, Vector y, Vector y2, Vector t) {
        Vector c1 = y.slice(0, k1);
        Vector s = y.slice(k1, k);
        Vector d = t.slice(0, k1);
        Vector tk = t.slice(k1, k);
        switch (which) {
            case DAMPED -> {
                be.symv(Uplo.LOWER, 1.0, nMat, s, 0.0, tk);
                be.symv(Uplo.UPPER, -1.0, jMat, s, 1.0, tk);
                if (k1 > 0) {
                    be.multiply(c1, weights.slice(0, k1), d);
                }
            }
            case ONE -> {
                be.symv(Uplo.LOWER, 1.0, nMat, s, 0.0, tk);
                if (k1 > 0) {
                    be.copy(c1, d);
                }
            }
            case INVERSE -> {
                be.symv(Uplo.UPPER, 1.0, jMat, s, 0.0, tk);
                be.symv(Uplo.LOWER, -1.0, nMat, y2.slice(k1, k), 1.0, tk);
                if (k1 > 0) {
                    be.multiply(c1, inverse.slice(0, k1), d);
                    be.axpy(-1.0, y2.slice(0, k1), d);
                }
            }
        }
        if (k1 > 0) {
            be.gemv(Trans.YES, -1.0, x, tk, 1.0, d);
        }
    }

    @Override
    void combine(double alpha, Vector t, Vector z) {
        mixed.gemv(Trans.YES, alpha, qt, t.slice(k1, k), 1.0, z);
        if (k1 > 0) {
            be.gemv(Trans.NO, alpha, w1, t.slice(0, k1), 1.0, z);
        }
    }

    /** z ← z − W₁d, then z ← z − Q̃ᵀᵀt and s₂ ← Q̃ᵀz in one sweep over Q̃, then the W₁ part of the new coordinates. */
    @Override
    void projectOut(Vector t, Vector z, Vector y2) {
        if (k1 > 0) {
            be.gemv(Trans.NO, -1.0, w1, t.slice(0, k1), 1.0, z);
        }
        Vector s2 = y2.slice(k1, k);
        mixed.projectOut(qt, t.slice(k1, k), z, s2);
        if (k1 > 0) {
            Vector c1 = y2.slice(0, k1);
            be.gemv(Trans.YES, 1.0, w1, z, 0.0, c1);
            be.gemv(Trans.NO, -1.0, x, c1, 1.0, s2);
        }
    }

    /** Rows of W̃ = [W₁, (Q̃ − W₁Xᵀ)V]: the rows of Q̃ in FP64 (a transposed copy of Q̃ᵀ's columns) in {@code scratch}. */
    @Override
    void basisRows(long r0, Matrix out, Matrix scratch) {
        long rows = out.rows();
        Matrix g = scratch.block(0, 0, rows, k);
        be.transpose(qt.columns(r0, rows), g);
        if (k1 > 0) {
            Matrix w1p = w1.block(r0, 0, rows, k1);
            be.copy(w1p, out.columns(0, k1));
            be.gemm(Trans.NO, Trans.YES, -1.0, w1p, x, 1.0, g);
        }
        if (k > k1) {
            be.gemm(Trans.NO, Trans.NO, 1.0, g, v, 0.0, out.columns(k1, k - k1));
        }
    }

    @Override
    long rowScratchColumns() {
        return k;
    }

    @Override
    long size() {
        return qt.cols();
    }

    @Override
    String storage() {
        return "fp32, " + k1 + " dominant directions in fp64";
    }

    /** What the apply reads: Q̃ᵀ (k x n, FP32), W₁, X = Q̃ᵀW₁, N and J (triangles of one array), V. */
    record Parts(Matrix qt, Matrix w1, Matrix x, Matrix n, Matrix j, Matrix v) {
    }

    /** Views of this factor's memory, for tests that check it against another implementation. */
    Parts parts() {
        return new Parts(qt, w1, x, nMat, jMat, v);
    }

    /** Columns of Q̃ᵀ per FP64 panel of {@link #forEachPanel}: about 64 MB. */
    private static long panelColumns(long n, long k) {
        return Math.max(64, Math.min(n, (64L << 20) / Math.max(1, k * 8)));
    }

    /** Column panels of the FP32 factor (stored by rows) converted to FP64, handed to {@code body}. */
    private static void forEachPanel(Backend be, Matrix qt, java.util.function.ObjLongConsumer<Matrix> body) {
        long k = qt.rows();
        long n = qt.cols();
        try (Workspace tmp = be.workspace()) {
            long panel = panelColumns(n, k);
            Matrix p64 = tmp.matrix(k, panel, "panel in FP64");
            for (long c0 = 0; c0 < n; c0 += panel) {
                long cols = Math.min(panel, n - c0);
                Matrix dst = p64.columns(0, cols);
                be.copy(qt.columns(c0, cols), dst);
                body.accept(dst, c0);
            }
        }
    }
}
