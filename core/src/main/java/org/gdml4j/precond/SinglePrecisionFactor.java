package org.gdml4j.precond;

import org.gdml4j.linalg.Backend;
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
 * <p>It starts from the stable FP64 form of {@link LowRankFactor}, K̂ = Q U diag(s²) Uᵀ Qᵀ, and rounds Q to FP32:
 * Q̃ = fl32(Q). Q̃ is no longer orthonormal (Q̃ᵀQ̃ = I + O(1e-7)), and the orthonormal formula λ⁻¹(I − Q̃ D Q̃ᵀ)
 * would then be indefinite by ~1e-7/λ at λ = 1e-10. So P is redefined for the rounded basis, exactly SPD:
 * P̃ = X Xᵀ + λI with X = Q̃ B, B = U diag(s), and inverted by Woodbury with the exact Gram matrix G = Q̃ᵀQ̃
 * (accumulated in FP64 from the exact FP32 values):
 * <pre>  P̃⁻¹ v = λ⁻¹ (v − Q̃ H Q̃ᵀ v),   H = B (λI + BᵀGB)⁻¹ Bᵀ = Z Zᵀ  </pre>
 * with Z = B V diag(1/√(λ + μ)) from the k x k eigenproblem BᵀGB = V diag(μ) Vᵀ. H ≈ U diag(s²/(s² + λ)) Uᵀ has
 * norm ≤ 1, and every product with Q̃ is an FP64 sum over exact FP32 entries, so the apply is as accurate as the
 * FP64 form without re-projection. What FP32 cannot avoid: P̃ couples range(Q) and its complement through the
 * rounding E = Q̃ − Q (‖E‖ ≈ 6e-8), which moves the preconditioned eigenvalues of the complement by about
 * s²‖E‖²/λ: of order one for the largest s² at λ = 1e-10. PCG therefore needs more iterations than with the FP64
 * factor (1.0 to 3x on the fixtures, PcgFixtureTest); each costs half the factor traffic.
 */
public final class SinglePrecisionFactor implements Preconditioner {
    private final Backend be;
    private final Workspace ws;
    private final Matrix f;
    private final Matrix z;
    private final Matrix h;
    private final Vector t;
    private final Vector c;
    private final double lambda;
    private final String label;

    private SinglePrecisionFactor(Backend be, Workspace ws, Matrix f, Matrix z, Matrix h, double lambda, String label) {
        this.be = be;
        this.ws = ws;
        this.f = f;
        this.z = z;
        this.h = h;
        this.lambda = lambda;
        this.label = label;
        this.t = ws.vector(f.cols(), "Woodbury scratch");
        this.c = ws.vector(f.cols(), "Woodbury scratch");
    }

    /**
     * Rounds {@code exact}'s basis to FP32 and closes {@code exact} (its FP64 memory is given back: while this
     * runs, both copies are held, 1.5x the FP64 factor).
     */
    public static SinglePrecisionFactor round(Backend be, LowRankFactor exact, double lambda) {
        Matrix q = exact.basis();
        long n = q.rows();
        int k = Math.toIntExact(q.cols());
        Workspace ws = Workspace.shared();
        try {
            Matrix f = ws.uninitializedMatrix(n, k, Precision.FP32, "preconditioner factor (" + exact.label() + ", fp32)");
            for (long j = 0; j < k; j++) {
                be.copy(q.column(j), f.column(j));
            }
            Matrix zm = ws.matrix(k, k, "Woodbury core factor");
            Matrix hm = ws.matrix(k, k, "Woodbury core");
            try (Workspace tmp = Workspace.shared()) {
                // B = U diag(s) (U = I for eigenvectors given directly)
                Matrix b = tmp.matrix(k, k, "B = U diag(s)");
                exact.coreFactor(b);
                exact.close();
                // G = Q̃ᵀQ̃ in FP64 over row panels, then T = Bᵀ G B
                Matrix g = tmp.matrix(k, k, "Gram matrix of the rounded basis");
                forEachPanel(be, f, (panel, r0) -> be.syrk(Uplo.LOWER, Trans.YES, 1.0, panel, r0 == 0 ? 0.0 : 1.0, g));
                symmetrize(g);
                Matrix gb = tmp.matrix(k, k, "G B");
                be.gemm(Trans.NO, Trans.NO, 1.0, g, b, 0.0, gb);
                Matrix tm = g; // reuse: T = Bᵀ (G B)
                be.gemm(Trans.YES, Trans.NO, 1.0, b, gb, 0.0, tm);
                Vector mu = tmp.vector(k, "core eigenvalues");
                int info = be.syevd(Uplo.LOWER, tm, mu);
                if (info != 0) {
                    throw new IllegalStateException("the FP32 preconditioner's core eigenproblem failed (syevd info " + info + ")");
                }
                // Z = B V diag(1/√(λ + μ)), H = Z Zᵀ
                be.gemm(Trans.NO, Trans.NO, 1.0, b, tm, 0.0, zm);
                for (int j = 0; j < k; j++) {
                    be.scal(1.0 / Math.sqrt(lambda + Math.max(0, mu.get(j))), zm.column(j));
                }
                be.syrk(Uplo.LOWER, Trans.NO, 1.0, zm, 0.0, hm);
            }
            return new SinglePrecisionFactor(be, ws, f, zm, hm, lambda, exact.label());
        } catch (RuntimeException e) {
            ws.close();
            exact.close();
            throw e;
        }
    }

    @Override
    public void apply(Vector r, Vector out) {
        be.gemv(Trans.YES, 1.0, f, r, 0.0, t);
        be.symv(Uplo.LOWER, 1.0, h, t, 0.0, c);
        be.copy(r, out);
        be.gemv(Trans.NO, -1.0, f, c, 1.0, out);
        be.scal(1.0 / lambda, out);
    }

    /** Ridge leverage scores of K̂: τ = diag(K̂(K̂ + λI)⁻¹) ≈ diag(Q̃ H Q̃ᵀ) = row norms² of Q̃ Z. */
    public double[] leverageScores() {
        long n = f.rows();
        long k = f.cols();
        double[] tau = new double[Math.toIntExact(n)];
        try (Workspace tmp = Workspace.shared()) {
            long panelRows = Math.max(64, Math.min(n, (64L << 20) / Math.max(1, k * 8)));
            Matrix prod = tmp.matrix(panelRows, k, "Q̃ Z panel");
            forEachPanel(be, f, (panel, r0) -> {
                Matrix dst = prod.block(0, 0, panel.rows(), k);
                be.gemm(Trans.NO, Trans.NO, 1.0, panel, z, 0.0, dst);
                LowRankFactor.addRowSquares(dst, null, tau, r0);
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
