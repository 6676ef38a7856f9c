package org.gdml4j.precond;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.Backend.Diag;
import org.gdml4j.linalg.Backend.Trans;
import org.gdml4j.linalg.Backend.Uplo;
import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Precision;
import org.gdml4j.linalg.Vector;
import org.gdml4j.linalg.Workspace;
import org.gdml4j.solve.Preconditioner;

/**
 * A low-rank preconditioner whose tall factor is stored in FP32 ({@code --precond-precision fp32}): half the
 * memory and half the traffic of every apply, the dominant cost at large k. Vectors and sums stay FP64.
 *
 * <p>The FP64 factor's orthonormal form cannot be rounded to single precision at λ = 1e-10: rounding W
 * perturbs P⁻¹ by ~1e-7/λ, far more than its smallest eigenvalues. So here the FP32 matrix F is the factor
 * itself (Nyström columns K_nS, or a Cholesky factor L) and P = F M⁻¹ Fᵀ + λI is exactly SPD for the rounded F
 * (M = K_SS taken from F's own rows, or I). Woodbury with the small FP64 matrix G = λM + FᵀF = CCᵀ:
 * <pre>  P⁻¹ v = λ⁻¹ (v − F G⁻¹ Fᵀ v)  </pre>
 * Its backward error is weaker than the FP64 form's (≈ ε‖F‖²/λ), which is why the solver checks that PCG
 * still reaches its tolerance and otherwise falls back to FP64.
 */
public final class SinglePrecisionFactor implements Preconditioner {
    /** Jitter steps for G relative to its mean diagonal. */
    private static final double[] JITTER = {1e-14, 1e-12, 1e-10, 1e-8};

    private final Backend be;
    private final Workspace ws;
    private final Matrix f;
    private final Matrix chol;
    private final Vector t;
    private final double lambda;
    private final String label;

    private SinglePrecisionFactor(Backend be, Workspace ws, Matrix f, Matrix chol, double lambda, String label) {
        this.be = be;
        this.ws = ws;
        this.f = f;
        this.chol = chol;
        this.lambda = lambda;
        this.label = label;
        this.t = ws.vector(f.cols(), "Woodbury scratch");
    }

    /**
     * @param f FP32 factor (n x k), kept
     * @param m the k x k middle matrix (K_SS for Nyström, lower triangle read), or null for the identity
     */
    public static SinglePrecisionFactor build(Backend be, Workspace ws, Matrix f, Matrix m, double lambda, String label) {
        if (f.precision() != Precision.FP32) {
            throw new IllegalArgumentException("expected an FP32 factor, got " + f);
        }
        long k = f.cols();
        Matrix g = ws.matrix(k, k, "Woodbury core");
        forEachPanel(be, f, (panel, r0) -> be.syrk(Uplo.LOWER, Trans.YES, 1.0, panel, r0 == 0 ? 0.0 : 1.0, g)); // G += FᵀF in FP64
        double mean = 0;
        for (long i = 0; i < k; i++) {
            for (long j = 0; j <= i; j++) {
                double mij = m == null ? (i == j ? 1 : 0) : m.get(i, j);
                g.set(i, j, g.get(i, j) + lambda * mij);
            }
            mean += g.get(i, i) / k;
        }
        Matrix saved = ws.matrix(k, k, "Woodbury core copy");
        for (long j = 0; j < k; j++) {
            be.copy(g.column(j), saved.column(j));
        }
        for (int step = 0; be.potrf(Uplo.LOWER, g) != 0; step++) {
            if (step == JITTER.length) {
                throw new IllegalStateException("the FP32 preconditioner's core matrix is not positive definite");
            }
            for (long j = 0; j < k; j++) {
                be.copy(saved.column(j), g.column(j));
                g.set(j, j, g.get(j, j) + JITTER[step] * mean);
            }
        }
        return new SinglePrecisionFactor(be, ws, f, g, lambda, label);
    }

    @Override
    public void apply(Vector r, Vector z) {
        be.gemv(Trans.YES, 1.0, f, r, 0.0, t);
        be.trsv(Uplo.LOWER, Trans.NO, Diag.NON_UNIT, chol, t);
        be.trsv(Uplo.LOWER, Trans.YES, Diag.NON_UNIT, chol, t);
        be.copy(r, z);
        be.gemv(Trans.NO, -1.0, f, t, 1.0, z);
        be.scal(1.0 / lambda, z);
    }

    /** Ridge leverage scores of K̂: τ = diag(K̂(K̂ + λI)⁻¹) = diag(F G⁻¹ Fᵀ) = row norms² of F C⁻ᵀ. */
    public double[] leverageScores() {
        long n = f.rows();
        long k = f.cols();
        double[] tau = new double[Math.toIntExact(n)];
        forEachPanel(be, f, (dst, r0) -> {
            be.trsm(Backend.Side.RIGHT, Uplo.LOWER, Trans.YES, Diag.NON_UNIT, 1.0, chol, dst);
            for (long j = 0; j < k; j++) {
                MemorySegment c = dst.column(j).segment();
                for (int i = 0; i < dst.rows(); i++) {
                    double v = c.getAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, i);
                    tau[(int) (r0 + i)] += v * v;
                }
            }
        });
        return tau;
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
        return label + ", k = " + f.cols() + " (fp32)";
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
