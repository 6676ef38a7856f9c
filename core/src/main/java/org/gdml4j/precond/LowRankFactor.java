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
 * its own threshold ({@link SinglePrecisionFactor#REPROJECT_BELOW}); this one costs only FP64 factors ≈ 15 % of apply time.
 *
 * <p>The apply itself, the leverage scores and the square root are {@link LowRankPreconditioner}'s, shared with the
 * FP32 storage; this class provides the build and the basis operations on Q and U.
 */
public final class LowRankFactor extends LowRankPreconditioner {
    /** Re-project when the part of v outside range(Q) holds less than this fraction of ‖v‖² (see the class comment). */
    static final double REPROJECT_BELOW = 1e-2;

    private final Matrix q;
    private final Matrix u; // null: W = Q (eigenvectors given directly)
    private final Vector rotated;

    private LowRankFactor(Backend be, Workspace ws, Matrix q, Matrix u, double[] s2, double lambda, String label) {
        super(be, ws, s2, lambda, label, s2.length);
        this.q = q;
        this.u = u;
        this.rotated = ws.vector(Math.max(1, s2.length), "Woodbury scratch").slice(0, s2.length);
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

    /** Bytes this factor holds besides its n x k basis: the core U and the apply's vectors. */
    static long bytesBeyondBasis(long k) {
        return 8 * k * k + applyBytes(k, k) + 8 * Math.max(1, k);
    }

    /**
     * The peak {@link #fromFactor}/{@link #fromNystrom} allocate besides the n x k basis they are given: U, then the
     * build's scratch (the QR's, {@link #qrScratchBytes}, or R with the k x k eigenproblem, for which LAPACK's dsyevd
     * wants 2k² + 6k + 1 doubles and 5k + 3 ints), freed before the apply's vectors come.
     */
    static long buildBytesBeyondBasis(long n, long k) {
        long eigen = 8 * k + 8 * (2 * k * k + 6 * k + 1) + 4 * (5 * k + 3);
        long scratch = 8 * k + Math.max(qrScratchBytes(n, k), 8 * k * k + Math.max(qrScratchBytes(n, k), eigen));
        return 8 * k * k + Math.max(scratch, applyBytes(k, k) + 8 * Math.max(1, k));
    }

    /**
     * The QR's scratch on the CPU backend: from 256 columns BlockedQr's reflector buffers (an n x 128 block with a
     * nested n x 32 one for its panels, and 128 x k products), else LAPACK's work array (k·nb doubles, nb ≤ 64).
     */
    static long qrScratchBytes(long n, long k) {
        if (k >= 256) {
            return 8 * (160 * n + 2 * 128 * k + 2 * 32 * 128 + 4 * 128 * 128);
        }
        return 8 * 64 * k;
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
                throw new NumericalFailureException("the eigendecomposition of the " + k + " x " + k + " preconditioner core did not converge (info "
                        + info + ")");
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

    @Override
    int coordinates() {
        return Math.toIntExact(q.cols());
    }

    @Override
    double reprojectBelow() {
        return REPROJECT_BELOW;
    }

    /** c = Qᵀv: ‖c‖ = ‖Wᵀv‖ since U is orthogonal. */
    @Override
    void project(Vector v, Vector c) {
        be.gemv(Trans.YES, 1.0, q, v, 0.0, c);
    }

    /** In Q-coordinates: U diag(ω) Uᵀ c; the projection is c itself (UUᵀ = I), the inverse step U diag(ι) Uᵀ c − c2. */
    @Override
    void weigh(Weights which, Vector c, Vector c2, Vector t) {
        switch (which) {
            case DAMPED -> rotate(c, weights, t);
            case ONE -> be.copy(c, t);
            case INVERSE -> {
                rotate(c, inverse, t);
                be.axpy(-1.0, c2, t);
            }
        }
    }

    /** t ← U diag(w) Uᵀ c (diag(w) c when W = Q). */
    private void rotate(Vector c, Vector w, Vector t) {
        if (u == null) {
            be.multiply(c, w, t);
            return;
        }
        be.gemv(Trans.YES, 1.0, u, c, 0.0, rotated);
        be.multiply(rotated, w, rotated);
        be.gemv(Trans.NO, 1.0, u, rotated, 0.0, t);
    }

    @Override
    void combine(double alpha, Vector t, Vector z) {
        be.gemv(Trans.NO, alpha, q, t, 1.0, z);
    }

    /** Two passes over Q (the backends' fused re-projection is for FP32 bases). */
    @Override
    void projectOut(Vector t, Vector z, Vector c2) {
        be.gemv(Trans.NO, -1.0, q, t, 1.0, z);
        be.gemv(Trans.YES, 1.0, q, z, 0.0, c2);
    }

    @Override
    void basisRows(long r0, Matrix out, Matrix scratch) {
        Matrix rows = q.block(r0, 0, out.rows(), q.cols());
        if (u == null) {
            be.copy(rows, out);
        } else {
            be.gemm(Trans.NO, Trans.NO, 1.0, rows, u, 0.0, out);
        }
    }

    @Override
    long rowScratchColumns() {
        return 0;
    }

    @Override
    long size() {
        return q.rows();
    }

    @Override
    String storage() {
        return "fp64";
    }

    /** The orthonormal basis Q (n x k, FP64): a view into this factor's memory, valid until {@link #close()}. */
    Matrix basis() {
        return q;
    }

    /** The core's eigenvectors U (k x k; null when W = Q): a view into this factor's memory. */
    Matrix coreVectors() {
        return u;
    }
}
