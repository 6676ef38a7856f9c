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
 * P = K̂ + λI for a rank-k approximation K̂ ≈ K, applied through the Woodbury identity (paper eq. 4) in a
 * numerically stable form. Forming λI + LᵀL squares the conditioning of L: at λ = 1e-10 its backward error
 * reaches ε‖L‖²/λ. Instead K̂ is brought to its eigen-form K̂ = Q U diag(s²) Uᵀ Qᵀ with Q (n x k) orthonormal
 * from a Householder QR of the tall factor (L = QR, or of the Nyström columns K_nS = QR) and U, s² from the
 * k x k eigenproblem of B Bᵀ with B = R (or R C⁻ᵀ, C = chol(K_SS)). Then, with W = QU,
 * <pre>
 *   P⁻¹ v = λ⁻¹ (v − W diag(s²/(s² + λ)) Wᵀ v)
 * </pre>
 * W is never formed (that would cost 2nk² more): an apply goes through Q (n x k, in the caller's buffer: no second
 * copy of the factor) and the small U. It copes with rank deficiency (duplicated columns get s = 0). An apply reads
 * Q twice (4nk flops, memory-bound). That form alone is backward stable only while v has a sizeable part outside
 * range(Q): the rounding error of v − QQᵀv, of size ε‖v‖, is amplified by 1/λ, giving a backward error of about
 * (‖v‖/‖v_⊥‖)·ε‖P‖‖x‖ with v_⊥ = v − QQᵀv. So when ‖v_⊥‖² is below {@link #REPROJECT_BELOW}·‖v‖² the complement is
 * re-projected once more (two more passes) and x = W diag(1/(s² + λ)) Wᵀv + λ⁻¹(I − QQᵀ)v is assembled from the
 * accurate parts. The plain form's constant grows like √k (the rounding of the k-term sums of Qc), so the threshold
 * (‖v_⊥‖ below 0.1·‖v‖) keeps that backward error below ≈ 100·ε‖P‖‖x‖ at the test's k = 40 on every BLAS kernel tried
 * (LowRankFactorTest). With 1e-3 (‖v_⊥‖ below ≈ 0.03‖v‖) a vector with 5 % outside range(Q) had a backward error of
 * 121 ε‖P‖‖x‖ with OpenBLAS's SkylakeX kernels (AVX-512 Zen 5), within 100 with its Haswell kernels. PCG itself is
 * indifferent to the threshold: on aspirin M = 250 (leverage, k = 2315, perf/bench solve 250 "--solver pcg
 * --no-grow") thresholds 1e-2 / 1e-3 / 1e-4 / never re-projected 565 / 436 / 268 / 0 of ~820 applies, for 821 /
 * 819 / 821 / 824 iterations and the same MAE, with 46 / 40 / 33 / 31 s of apply time. The default FP32 factor has
 * its own threshold ({@link SplitBasisApply#REPROJECT_BELOW}); this one costs only FP64 factors ≈ 15 % of apply time.
 */
public final class LowRankFactor implements Preconditioner {
    /** Re-project when the part of v outside range(Q) holds less than this fraction of ‖v‖² (see the class comment). */
    static final double REPROJECT_BELOW = 1e-2;

    private final Backend be;
    private final Workspace ws;
    private final Matrix q;
    private final Matrix u; // null: W = Q (eigenvectors given directly)
    private final double[] s2;
    private final Vector weights;
    private final Vector inverse;
    private final Vector c;
    private final Vector c2;
    private final Vector t;
    private final double lambda;
    private final String label;
    private long applies;
    private long reprojections;

    private LowRankFactor(Backend be, Workspace ws, Matrix q, Matrix u, double[] s2, double lambda, String label) {
        this.be = be;
        this.ws = ws;
        this.q = q;
        this.u = u;
        this.s2 = s2;
        this.lambda = lambda;
        this.label = label;
        int k = s2.length;
        this.weights = ws.vector(k, "Woodbury weights");
        this.inverse = ws.vector(k, "Woodbury inverse weights");
        this.c = ws.vector(k, "Woodbury scratch");
        this.c2 = ws.vector(k, "Woodbury scratch");
        this.t = ws.vector(k, "Woodbury scratch");
        double[] w = new double[k];
        double[] inv = new double[k];
        for (int i = 0; i < k; i++) {
            w[i] = s2[i] / (s2[i] + lambda);
            inv[i] = lambda / (s2[i] + lambda); // λ/(s² + λ): the range(W) part of λP⁻¹
        }
        be.upload(w, weights);
        be.upload(inv, inverse);
    }

    /**
     * From Nyström columns: K̂ = K_nS K_SS⁻¹ K_Sn with {@code cols} = K_nS (n x k, FP64, overwritten by Q) and
     * {@code chol} the lower Cholesky factor of K_SS (k x k, possibly jittered). {@code ws} owns the result.
     */
    public static LowRankFactor fromNystrom(Backend be, Workspace ws, Matrix cols, Matrix chol, double lambda, String label) {
        return build(be, ws, cols, chol, lambda, label);
    }

    /** From a factor: K̂ = L Lᵀ with {@code l} (n x k, FP64) overwritten by Q. */
    public static LowRankFactor fromFactor(Backend be, Workspace ws, Matrix l, double lambda, String label) {
        return build(be, ws, l, null, lambda, label);
    }

    /** From eigenpairs of K: W = {@code vectors} (n x k, orthonormal, kept as is), s² = {@code values} (clamped at 0). */
    public static LowRankFactor fromEigen(Backend be, Workspace ws, Matrix vectors, double[] values, double lambda, String label) {
        double[] s2 = new double[values.length];
        for (int i = 0; i < s2.length; i++) {
            s2[i] = Math.max(0, values[i]);
        }
        return new LowRankFactor(be, ws, vectors, null, s2, lambda, label);
    }

    private static LowRankFactor build(Backend be, Workspace ws, Matrix a, Matrix chol, double lambda, String label) {
        if (!(lambda > 0)) {
            throw new IllegalArgumentException("the Woodbury form needs lambda > 0, got " + lambda);
        }
        if (a.precision() != Precision.FP64) {
            throw new IllegalArgumentException("the stable factor is built in FP64, got " + a);
        }
        long n = a.rows();
        int k = Math.toIntExact(a.cols());
        if (k > n) {
            throw new IllegalArgumentException("k = " + k + " columns exceed n = " + n);
        }
        Matrix u = ws.matrix(k, k, "core eigenvectors");
        double[] s2 = new double[k];
        try (Workspace tmp = be.workspace()) {
            Vector tau = tmp.vector(k, "QR scalars");
            be.geqrf(a, tau);
            Matrix r = tmp.matrix(k, k, "R factor");
            be.triangle(Uplo.UPPER, a.block(0, 0, k, k), r);
            be.orgqr(a, tau); // a now holds Q
            if (chol != null) {
                // K̂ = Q R K_SS⁻¹ Rᵀ Qᵀ = Q (R C⁻ᵀ)(R C⁻ᵀ)ᵀ Qᵀ
                be.trsm(Side.RIGHT, Uplo.LOWER, Trans.YES, Diag.NON_UNIT, 1.0, chol, r);
            }
            // B Bᵀ = U diag(s²) Uᵀ: a symmetric k x k eigenproblem (5k³ flops; an SVD of B costs about 20k³). Its
            // absolute error in s², ε‖B‖², perturbs the weights s²/(s² + λ) by at most ε‖B‖²/λ ≈ 1e-4 here: far inside
            // the backward-error budget of the apply.
            be.syrk(Uplo.LOWER, Trans.NO, 1.0, r, 0.0, u);
            Vector values = tmp.vector(k, "core eigenvalues");
            int info = be.syevd(Uplo.LOWER, u, values);
            if (info != 0) {
                throw new IllegalStateException("the eigendecomposition of the " + k + " x " + k + " core did not converge (info " + info + ")");
            }
            // descending order, like the eigen preconditioner's
            Vector swap = tmp.vector(k, "column swap");
            for (int j = 0; j < k / 2; j++) {
                Vector x = u.column(j);
                Vector y = u.column(k - 1 - j);
                be.copy(x, swap);
                be.copy(y, x);
                be.copy(swap, y);
            }
            double[] ascending = new double[k];
            be.download(values, ascending);
            for (int j = 0; j < k; j++) {
                s2[j] = Math.max(0, ascending[k - 1 - j]);
            }
        }
        return new LowRankFactor(be, ws, a, u, s2, lambda, label);
    }

    /**
     * z ← P⁻¹r (the class comment's form), re-projecting when r lies almost inside range(Q). {@link SplitBasisApply}
     * is the same computation on the FP32 factor's basis.
     */
    @Override
    public void apply(Vector r, Vector z) {
        applies++;
        be.gemv(Trans.YES, 1.0, q, r, 0.0, c);
        double nr = be.nrm2(r);
        double nc = be.nrm2(c);
        be.copy(r, z);
        if (nr * nr - nc * nc >= REPROJECT_BELOW * nr * nr) {
            // λP⁻¹v = v − W diag(s²/(s² + λ)) Wᵀv
            weighted(c, weights);
            be.gemv(Trans.NO, -1.0, q, c, 1.0, z);
        } else {
            // v_⊥ = v − Qc, c2 = Qᵀv_⊥ (re-projection); in Q-coordinates λx = v_⊥ − Q c2 + Q U diag(λ/(s² + λ)) Uᵀ(c + c2)
            reprojections++;
            be.gemv(Trans.NO, -1.0, q, c, 1.0, z);
            be.gemv(Trans.YES, 1.0, q, z, 0.0, c2);
            be.axpy(1.0, c2, c);
            weighted(c, inverse);
            be.axpy(-1.0, c2, c);
            be.gemv(Trans.NO, 1.0, q, c, 1.0, z);
        }
        be.scal(1.0 / lambda, z);
    }

    /** x ← U diag(w) Uᵀ x: the weights act in the core's eigen-coordinates (diag(w) x when W = Q). */
    private void weighted(Vector x, Vector w) {
        if (u == null) {
            be.multiply(x, w, x);
            return;
        }
        be.gemv(Trans.YES, 1.0, u, x, 0.0, t);
        be.multiply(t, w, t);
        be.gemv(Trans.NO, 1.0, u, t, 0.0, x);
    }

    /**
     * Ridge leverage scores of K̂: τ = diag(K̂ (K̂ + λI)⁻¹) = Σ_j W_ij² s_j²/(s_j² + λ) with W = QU
     * (docs/sgdml-formulas.md §8), by row panels of W; the n scores come to the host once (for the sampling).
     */
    public double[] leverageScores() {
        long n = q.rows();
        long k = q.cols();
        double[] tau = new double[Math.toIntExact(n)];
        try (Workspace tmp = be.workspace()) {
            Vector scores = tmp.vector(n, "leverage scores");
            if (u == null) {
                be.rowSquares(q, weights, 0.0, scores);
            } else {
                long panel = Math.max(64, Math.min(n, (32L << 20) / Math.max(1, k * 8)));
                Matrix wp = tmp.matrix(panel, k, "basis panel");
                for (long r0 = 0; r0 < n; r0 += panel) {
                    long rows = Math.min(panel, n - r0);
                    Matrix w = wp.block(0, 0, rows, k);
                    be.gemm(Trans.NO, Trans.NO, 1.0, q.block(r0, 0, rows, k), u, 0.0, w);
                    be.rowSquares(w, weights, 0.0, scores.slice(r0, rows));
                }
            }
            be.download(scores, tau);
        }
        return tau;
    }

    /** The orthonormal basis Q (n x k, FP64): a view into this factor's memory, valid until {@link #close()}. */
    Matrix basis() {
        return q;
    }

    String label() {
        return label;
    }

    /** The core's eigenvectors U (k x k; null when W = Q): a view into this factor's memory. */
    Matrix coreVectors() {
        return u;
    }

    /** b ← U diag(s) (k x k; diag(s) when U = I): a square factor of the core, K̂ = Q b bᵀ Qᵀ. */
    void coreFactor(Matrix b) {
        int k = s2.length;
        double[] s = new double[k];
        for (int j = 0; j < k; j++) {
            s[j] = Math.sqrt(s2[j]);
        }
        if (u == null) {
            be.fill(b.asVector(), 0.0);
            be.upload(s, b.diagonal());
            return;
        }
        be.copy(u, b);
        for (int j = 0; j < k; j++) {
            be.scal(s[j], b.column(j));
        }
    }

    /** Eigenvalues s² of K̂ (descending). */
    public double[] eigenvalues() {
        return s2.clone();
    }

    @Override
    public String describe() {
        return label + ", k = " + q.cols() + " (fp64" + (reprojections > 0 ? ", " + reprojections + " of " + applies
                + " applies re-projected" : "") + ")";
    }

    @Override
    public long rank() {
        return q.cols();
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
