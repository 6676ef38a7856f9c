package org.gdml4j.precond;

import org.gdml4j.error.NumericalFailureException;
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

    /** Bytes the dense eigendecomposition needs for size n: K, its eigenvalues and dsyevd's 2n² + 6n + 1 doubles and 5n + 3 ints. */
    public static long bytesNeeded(long n) {
        return 8 * n + 8 * Math.multiplyExact(n, n) + 8 * (2 * Math.multiplyExact(n, n) + 6 * n + 1) + 4 * (5 * n + 3);
    }

    /** Bytes a {@link Decomposition} keeps (the eigenvectors in K's place and the eigenvalues). */
    static long keptBytes(long n) {
        return 8 * n + 8 * Math.multiplyExact(n, n);
    }

    /** The peak of the eigen preconditioner: the decomposition, then beside it the k eigenvectors copied out. */
    public static long eigenBytesNeeded(long n, long k) {
        return Math.max(bytesNeeded(n), keptBytes(n) + 8 * n * k + LowRankPreconditioner.applyBytes(k, k) + 8 * Math.max(1, k));
    }

    /** The peak of rank-k-leverage: the decomposition, then beside it the scores and the Nyström build. */
    public static long rankKLeverageBytesNeeded(long n, long k, Precision precision) {
        return Math.max(bytesNeeded(n), keptBytes(n) + Math.max(8 * n, Nystrom.bytesNeeded(n, k, precision)));
    }

    /** All eigenpairs of K (ascending), computed once and reused for several k; owns the n x n eigenvectors. */
    public static final class Decomposition implements AutoCloseable {
        private final Workspace ws;
        private final Vector values;
        private final Matrix vectors;

        private Decomposition(Workspace ws, Vector values, Matrix vectors) {
            this.ws = ws;
            this.values = values;
            this.vectors = vectors;
        }

        @Override
        public void close() {
            ws.close();
        }
    }

    /** Assembles K densely and decomposes it (syevd). */
    public static Decomposition decompose(Backend be, ColumnSource src, Progress progress) {
        long n = src.size();
        be.memory().require(bytesNeeded(n), "the dense eigendecomposition of K (n = " + n + "; only for small problems)");
        Workspace ws = be.workspace();
        try {
            Vector values = ws.vector(n, "eigenvalues");
            Matrix k = ws.uninitializedMatrix(n, n, Precision.FP64, "dense K for its eigendecomposition");
            progress.start("assembling K (dense)", 1000, "‰");
            src.assemble(k, f -> progress.update(Math.round(1000 * f)));
            progress.finish();
            progress.start("eigendecomposition", 1, "step");
            int info = be.syevd(Uplo.LOWER, k, values);
            progress.finish();
            if (info != 0) {
                throw new NumericalFailureException("the eigendecomposition of K did not converge (info " + info + ")");
            }
            return new Decomposition(ws, values, k);
        } catch (RuntimeException e) {
            ws.close();
            throw e;
        }
    }

    /** The exact top-k eigenvectors: K̂ = U_k Λ_k U_kᵀ, the best rank-k approximation. */
    public static LowRankFactor truncatedEigen(Backend be, Decomposition d, int k, double lambda) {
        long n = d.vectors.rows();
        Workspace ws = be.workspace();
        try {
            Matrix w = ws.matrix(n, k, "preconditioner factor (eigen)");
            double[] ascending = new double[k];
            be.download(d.values.slice(n - k, k), ascending);
            double[] top = new double[k];
            for (int j = 0; j < k; j++) {
                be.copy(d.vectors.column(n - 1 - j), w.column(j)); // descending
                top[j] = ascending[k - 1 - j];
            }
            return LowRankFactor.fromEigen(be, ws, w, top, lambda, "eigen");
        } catch (RuntimeException e) {
            ws.close();
            throw e;
        }
    }

    /** Rank-k leverage scores τ_i = ‖[U_k]_{i,:}‖² (eq. B1); the n scores come to the host once (for the sampling). */
    public static double[] rankKLeverageScores(Backend be, Decomposition d, int k) {
        long n = d.vectors.rows();
        double[] tau = new double[Math.toIntExact(n)];
        try (Workspace tmp = be.workspace()) {
            Vector scores = tmp.vector(n, "rank-k leverage scores");
            be.rowSquares(d.vectors.columns(n - k, k), null, 0.0, scores);
            be.download(scores, tau);
        }
        return tau;
    }
}
