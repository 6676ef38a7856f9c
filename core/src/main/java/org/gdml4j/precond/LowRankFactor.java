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
 * reaches ε‖L‖²/λ. Instead K̂ is brought to its eigen-form K̂ = W diag(s²) Wᵀ with orthonormal W (n x k):
 * a Householder QR of the tall factor (L = QR, or of the Nyström columns K_nS = QR), a small SVD of R (or
 * of R C⁻ᵀ with C = chol(K_SS)), and W = Q U. Then
 * <pre>
 *   P⁻¹ v = λ⁻¹ (v − W diag(s²/(s² + λ)) Wᵀ v)
 * </pre>
 * It copes with rank deficiency (duplicated columns get s = 0). W overwrites the caller's n x k buffer: no
 * second copy of the factor exists. One apply reads W twice (4nk flops, memory-bound). That form alone is
 * backward stable only while v has a sizeable part outside range(W): the rounding error of v − W(Wᵀv), of
 * size ε‖v‖, is amplified by 1/λ, giving a backward error of about (‖v‖/‖v_⊥‖)·ε‖P‖‖x‖ with v_⊥ = v − WWᵀv.
 * So when ‖v_⊥‖² < 1e-4·‖v‖² (v almost entirely inside range(W); the backward error would exceed 100·ε‖P‖‖x‖),
 * the complement is re-projected once more (two more passes) and x = W diag(1/(s² + λ)) Wᵀv + λ⁻¹(I − WWᵀ)v
 * is assembled from the accurate parts. CG residuals rarely come that close to range(W), so the apply
 * normally costs two passes.
 */
public final class LowRankFactor implements Preconditioner {
    /** Re-project when the part of v outside range(W) holds less than this fraction of ‖v‖² (see the class comment). */
    static final double REPROJECT_BELOW = Double.parseDouble(System.getProperty("gdml4j.reproject", "1e-2"));

    private final Backend be;
    private final Workspace ws;
    private final Matrix w;
    private final double[] s2;
    private final Vector weights;
    private final Vector inverse;
    private final Vector t;
    private final Vector t2;
    private final double lambda;
    private final String label;
    private long applies;
    private long reprojections;

    private LowRankFactor(Backend be, Workspace ws, Matrix w, double[] s2, double lambda, String label) {
        this.be = be;
        this.ws = ws;
        this.w = w;
        this.s2 = s2;
        this.lambda = lambda;
        this.label = label;
        int k = s2.length;
        this.weights = ws.vector(k, "Woodbury weights");
        this.inverse = ws.vector(k, "Woodbury inverse weights");
        this.t = ws.vector(k, "Woodbury scratch");
        this.t2 = ws.vector(k, "Woodbury scratch");
        for (int i = 0; i < k; i++) {
            weights.set(i, s2[i] / (s2[i] + lambda));
            inverse.set(i, lambda / (s2[i] + lambda)); // λ/(s² + λ): the range(W) part of λP⁻¹
        }
    }

    /**
     * From Nyström columns: K̂ = K_nS K_SS⁻¹ K_Sn with {@code cols} = K_nS (n x k, FP64, overwritten by W) and
     * {@code chol} the lower Cholesky factor of K_SS (k x k, possibly jittered). {@code ws} owns the result.
     */
    public static LowRankFactor fromNystrom(Backend be, Workspace ws, Matrix cols, Matrix chol, double lambda, String label) {
        return build(be, ws, cols, chol, lambda, label);
    }

    /** From a factor: K̂ = L Lᵀ with {@code l} (n x k, FP64) overwritten by W. */
    public static LowRankFactor fromFactor(Backend be, Workspace ws, Matrix l, double lambda, String label) {
        return build(be, ws, l, null, lambda, label);
    }

    /** From eigenpairs of K: W = {@code vectors} (n x k, orthonormal, kept as is), s² = {@code values} (clamped at 0). */
    public static LowRankFactor fromEigen(Backend be, Workspace ws, Matrix vectors, double[] values, double lambda, String label) {
        double[] s2 = new double[values.length];
        for (int i = 0; i < s2.length; i++) {
            s2[i] = Math.max(0, values[i]);
        }
        return new LowRankFactor(be, ws, vectors, s2, lambda, label);
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
        try (Workspace tmp = Workspace.shared()) {
            Vector tau = tmp.vector(k, "QR scalars");
            be.geqrf(a, tau);
            Matrix r = tmp.matrix(k, k, "R factor");
            for (int j = 0; j < k; j++) {
                for (int i = 0; i <= j; i++) {
                    r.set(i, j, a.get(i, j));
                }
            }
            be.orgqr(a, tau); // a now holds Q
            if (chol != null) {
                // K̂ = Q R K_SS⁻¹ Rᵀ Qᵀ = Q (R C⁻ᵀ)(R C⁻ᵀ)ᵀ Qᵀ
                be.trsm(Side.RIGHT, Uplo.LOWER, Trans.YES, Diag.NON_UNIT, 1.0, chol, r);
            }
            Vector s = tmp.vector(k, "singular values");
            Matrix u = tmp.matrix(k, k, "left singular vectors");
            Matrix vt = tmp.matrix(k, k, "right singular vectors");
            int info = be.gesdd(r, s, u, vt);
            if (info != 0) {
                throw new IllegalStateException("the SVD of the " + k + " x " + k + " core did not converge (info " + info + ")");
            }
            multiplyInPlace(be, tmp, a, u);
            double[] s2 = new double[k];
            for (int i = 0; i < k; i++) {
                s2[i] = s.get(i) * s.get(i);
            }
            return new LowRankFactor(be, ws, a, s2, lambda, label);
        }
    }

    /** A ← A U (n x k times k x k) by row panels through a small scratch, so no second n x k buffer is needed. */
    private static void multiplyInPlace(Backend be, Workspace tmp, Matrix a, Matrix u) {
        long n = a.rows();
        long k = a.cols();
        long panel = Math.max(64, Math.min(n, (64L << 20) / Math.max(1, k * 8))); // ~64 MB of scratch
        Matrix scratch = tmp.matrix(panel, k, "panel scratch");
        for (long r0 = 0; r0 < n; r0 += panel) {
            long rows = Math.min(panel, n - r0);
            Matrix src = a.block(r0, 0, rows, k);
            Matrix dst = scratch.block(0, 0, rows, k);
            be.gemm(Trans.NO, Trans.NO, 1.0, src, u, 0.0, dst);
            for (long j = 0; j < k; j++) {
                be.copy(dst.column(j), src.column(j));
            }
        }
    }

    @Override
    public void apply(Vector r, Vector z) {
        if (w.cols() == 0) {
            be.copy(r, z);
            be.scal(1.0 / lambda, z);
            return;
        }
        applies++;
        be.gemv(Trans.YES, 1.0, w, r, 0.0, t);
        double nr = be.nrm2(r);
        double nt = be.nrm2(t);
        be.copy(r, z);
        if (nr * nr - nt * nt >= REPROJECT_BELOW * nr * nr) {
            // λP⁻¹v = v − W diag(s²/(s² + λ)) Wᵀv
            be.multiply(t, weights, t);
            be.gemv(Trans.NO, -1.0, w, t, 1.0, z);
        } else {
            reprojections++;
            // u = v − W c, c2 = Wᵀu (re-projection), λx = u − W c2 + W diag(λ/(s² + λ)) (c + c2)
            be.gemv(Trans.NO, -1.0, w, t, 1.0, z);
            be.gemv(Trans.YES, 1.0, w, z, 0.0, t2);
            be.axpy(1.0, t2, t);
            be.multiply(t, inverse, t);
            be.axpy(-1.0, t2, t);
            be.gemv(Trans.NO, 1.0, w, t, 1.0, z);
        }
        be.scal(1.0 / lambda, z);
    }

    /**
     * Ridge leverage scores of K̂: τ = diag(K̂ (K̂ + λI)⁻¹) = Σ_j W_ij² s_j²/(s_j² + λ) (sgdml-reference.md §6).
     */
    public double[] leverageScores() {
        long n = w.rows();
        double[] tau = new double[Math.toIntExact(n)];
        for (long j = 0; j < w.cols(); j++) {
            double wj = weights.get(j);
            Vector col = w.column(j);
            for (int i = 0; i < tau.length; i++) {
                double v = col.get(i);
                tau[i] += wj * v * v;
            }
        }
        return tau;
    }

    /** Eigenvalues s² of K̂ (descending). */
    public double[] eigenvalues() {
        return s2.clone();
    }

    /** The orthonormal basis W (n x k), a view of the factor's memory. */
    public Matrix basis() {
        return w;
    }

    @Override
    public String describe() {
        return label + ", k = " + w.cols() + " (fp64" + (reprojections > 0 ? ", " + reprojections + " of " + applies
                + " applies re-projected" : "") + ")";
    }

    @Override
    public long rank() {
        return w.cols();
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
