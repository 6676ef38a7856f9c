package org.gdml4j.precond;

import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.Backend.Uplo;
import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.MemoryBudget;
import org.gdml4j.linalg.Precision;
import org.gdml4j.linalg.Vector;
import org.gdml4j.linalg.Workspace;
import org.gdml4j.solve.Progress;

/**
 * The reference preconditioners that need the whole spectrum of K (dense, small n only): the paper's optimal
 * "SVD" lower bound (the exact top-k eigenvectors) and sampling by rank-k leverage scores (Appendix B 2, eq. B1).
 * Memory is checked up front: K plus LAPACK's syevd workspace is about 3·n²·8 bytes.
 */
public final class DenseSpectrum {
    private DenseSpectrum() {
    }

    /** Bytes the dense eigendecomposition needs for size n. */
    public static long bytesNeeded(long n) {
        return 3 * Math.multiplyExact(n, n) * 8 + 16 * n;
    }

    /** All eigenpairs of K, ascending, vectors in the columns of the returned matrix (owned by {@code ws}). */
    static Matrix eigen(Backend be, ColumnSource src, Workspace ws, Vector values, Progress progress) {
        long n = src.size();
        MemoryBudget.require(bytesNeeded(n), "the dense eigendecomposition of K (n = " + n + "; only for small problems)");
        Matrix k = ws.uninitializedMatrix(n, n, Precision.FP64, "dense K for its eigendecomposition");
        progress.start("assembling K (dense)", 1000, "‰");
        src.assemble(k, f -> progress.update(Math.round(1000 * f)));
        progress.finish();
        progress.start("eigendecomposition", 1, "step");
        int info = be.syevd(Uplo.LOWER, k, values);
        progress.finish();
        if (info != 0) {
            throw new IllegalStateException("the eigendecomposition of K did not converge (info " + info + ")");
        }
        return k;
    }

    /** The exact top-k eigenvectors: K̂ = U_k Λ_k U_kᵀ, the best rank-k approximation. */
    public static LowRankFactor truncatedEigen(Backend be, ColumnSource src, int k, double lambda, Progress progress) {
        long n = src.size();
        Workspace ws = Workspace.shared();
        try {
            Matrix w = ws.matrix(n, k, "preconditioner factor (eigen)");
            double[] top = new double[k];
            try (Workspace tmp = Workspace.shared()) {
                Vector values = tmp.vector(n, "eigenvalues");
                Matrix vectors = eigen(be, src, tmp, values, progress);
                for (int j = 0; j < k; j++) {
                    long src0 = n - 1 - j; // descending
                    be.copy(vectors.column(src0), w.column(j));
                    top[j] = values.get(src0);
                }
            }
            return LowRankFactor.fromEigen(be, ws, w, top, lambda, "eigen");
        } catch (RuntimeException e) {
            ws.close();
            throw e;
        }
    }

    /** Rank-k leverage scores τ_i = ‖[U_k]_{i,:}‖² (eq. B1). */
    public static double[] rankKLeverageScores(Backend be, ColumnSource src, int k, Progress progress) {
        long n = src.size();
        try (Workspace tmp = Workspace.shared()) {
            Vector values = tmp.vector(n, "eigenvalues");
            Matrix vectors = eigen(be, src, tmp, values, progress);
            double[] tau = new double[Math.toIntExact(n)];
            for (long j = n - k; j < n; j++) {
                Vector u = vectors.column(j);
                for (int i = 0; i < tau.length; i++) {
                    double v = u.get(i);
                    tau[i] += v * v;
                }
            }
            return tau;
        }
    }
}
