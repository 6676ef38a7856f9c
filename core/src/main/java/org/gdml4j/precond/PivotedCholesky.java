package org.gdml4j.precond;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.Backend.Trans;
import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Precision;
import org.gdml4j.linalg.Vector;
import org.gdml4j.linalg.Workspace;
import org.gdml4j.solve.Progress;

/**
 * Greedy pivoted (incomplete) Cholesky, exactly Algorithm 1 of the paper (Appendix A 2): pivot = the largest
 * residual diagonal, one kernel column per step written straight into column m of L, the Schur correction
 * L[:, m] −= L[:, 0:m] L[π_m, 0:m]ᵀ in place (a gemv over the first m columns: memory-bound, ≈ 4nk² bytes over
 * the build in FP64), then the residual diagonal update. Only the kernel diagonal and the pivot columns are ever
 * needed. The result K̂ = L Lᵀ goes to the stable Woodbury form of {@link LowRankFactor}.
 */
public final class PivotedCholesky {
    private static final ValueLayout.OfDouble D8 = ValueLayout.JAVA_DOUBLE_UNALIGNED;

    private PivotedCholesky() {
    }

    /** Result: the factor and the pivots in the order chosen. */
    public record Built(org.gdml4j.solve.Preconditioner factor, long[] pivots) {
    }

    public static Built build(Backend be, ColumnSource src, int k, double lambda, Progress progress) {
        return build(be, src, k, lambda, progress, Precision.FP64);
    }

    /**
     * The greedy steps always run in FP64; with {@code precision} FP32 the finished stable form is rounded
     * ({@link SinglePrecisionFactor}). Storing L itself in FP32 during the steps (as this class once did) feeds the
     * rounded columns back into every later Schur correction: K̂ then misses K's dominant directions by ≈ 1e-7
     * relative, which cost 1.5 to 3x the FP64 iterations on the fixtures (ethanol-sym-m30: 293 vs 93).
     */
    public static Built build(Backend be, ColumnSource src, int k, double lambda, Progress progress, Precision precision) {
        long n = src.size();
        if (k < 1 || k > n) {
            throw new org.gdml4j.error.InvalidInputException("k must be in [1, " + n + "], got " + k);
        }
        Workspace ws = Workspace.shared();
        try {
            Matrix l = ws.matrix(n, k, "preconditioner factor (cholesky)");
            long[] pivots = new long[k];
            int rank = factorColumns(be, src, l, pivots, progress);
            return finish(be, ws, l, rank, pivots, lambda, progress, precision);
        } catch (RuntimeException e) {
            ws.close();
            throw e;
        }
    }

    /**
     * Grows {@code current} (the FP64 factor of the greedy steps that chose {@code pivots}) to {@code k} columns by
     * continuing the same greedy steps instead of starting over: any F with F Fᵀ = K̂ gives the same Schur
     * corrections as the old columns, so F = Q U diag(s) (one n x k₀ x k₀ product from the stable form) stands in
     * for them and only the new columns are computed. Pivots and the factor equal a fresh build's up to rounding.
     * {@code current} stays open (the caller closes it).
     */
    public static Built extend(Backend be, ColumnSource src, LowRankFactor current, long[] pivots, int k, double lambda,
            Progress progress) {
        long n = src.size();
        int k0 = Math.toIntExact(current.rank());
        if (pivots.length != k0 || k <= k0 || k > n) {
            throw new IllegalArgumentException("extend: " + pivots.length + " pivots for rank " + k0 + ", to k = " + k + " (n = " + n + ")");
        }
        Workspace ws = Workspace.shared();
        try {
            Matrix l = ws.matrix(n, k, Precision.FP64, "preconditioner factor (cholesky)");
            try (Workspace tmp = Workspace.shared()) {
                Matrix b = tmp.matrix(k0, k0, "U diag(s)");
                current.coreFactor(b);
                be.gemm(Trans.NO, Trans.NO, 1.0, current.basis(), b, 0.0, l.columns(0, k0));
            }
            long[] all = java.util.Arrays.copyOf(pivots, k);
            int rank = factorColumns(be, src, l, all, k0, progress);
            return finish(be, ws, l, rank, all, lambda, progress, Precision.FP64);
        } catch (RuntimeException e) {
            ws.close();
            throw e;
        }
    }

    /** The stable Woodbury form of the first {@code rank} columns of {@code l} (FP64, owned by {@code ws}), in {@code precision}. */
    private static Built finish(Backend be, Workspace ws, Matrix l, int rank, long[] pivots, double lambda, Progress progress,
            Precision precision) {
        long[] piv = java.util.Arrays.copyOf(pivots, rank);
        progress.start("factorising the preconditioner", 1, "step");
        LowRankFactor exact = LowRankFactor.fromFactor(be, ws, l.columns(0, rank), lambda, "cholesky");
        org.gdml4j.solve.Preconditioner f = precision == Precision.FP32 ? SinglePrecisionFactor.round(be, exact, lambda) : exact;
        progress.finish();
        return new Built(f, piv);
    }

    /**
     * The greedy steps alone: fills the columns of {@code l} (n x k, FP64) and {@code pivots} (length k) and
     * returns the rank reached (less than k when the residual diagonal runs out). Each step streams the m columns
     * before it once (the Schur gemv), 4·n·k² bytes in FP64 over all steps: perf/bench cholesky times this against
     * the memory bandwidth of the same run.
     */
    public static int factorColumns(Backend be, ColumnSource src, Matrix l, long[] pivots, Progress progress) {
        return factorColumns(be, src, l, pivots, 0, progress);
    }

    /** As above, continuing after the first {@code start} columns and pivots, already in place. */
    static int factorColumns(Backend be, ColumnSource src, Matrix l, long[] pivots, int start, Progress progress) {
        long n = src.size();
        int k = Math.toIntExact(l.cols());
        if (l.precision() != Precision.FP64) {
            throw new IllegalArgumentException("the greedy steps need an FP64 factor, got " + l);
        }
        int rank = 0;
        try (Workspace tmp = Workspace.shared()) {
            Vector d = tmp.vector(n, "residual diagonal");
            src.diagonal(d);
            double trace0 = be.sum(d);
            boolean[] taken = new boolean[Math.toIntExact(n)];
            for (int j = 0; j < start; j++) {
                subtractSquares(d.segment(), l.column(j).segment(), n);
            }
            for (int j = 0; j < start; j++) { // after all columns: their squares leave rounding noise on the pivots
                taken[Math.toIntExact(pivots[j])] = true;
                d.set(pivots[j], 0.0);
            }
            progress.start("pivoted Cholesky", k, "columns");
            rank = start;
            progress.update(rank);
            for (int m = start; m < k; m++) {
                int pivot = argmax(d.segment(), taken);
                double dp = pivot < 0 ? 0 : d.get(pivot);
                if (!(dp > 1e-15 * trace0 / n)) {
                    progress.note("pivoted Cholesky stopped at rank " + m + ": the residual diagonal is exhausted");
                    break;
                }
                taken[pivot] = true;
                pivots[m] = pivot;
                Vector col = l.column(m);
                src.columns(new long[] {pivot}, l.columns(m, 1));
                if (m > 0) {
                    // Schur correction with the pivot's row of the previous columns (a strided view, no copy)
                    Vector pivotRow = l.row(pivot).slice(0, m);
                    be.gemv(Trans.NO, -1.0, l.columns(0, m), pivotRow, 1.0, col);
                }
                double lp = Math.sqrt(dp);
                be.scal(1.0 / lp, col);
                for (int j = 0; j < m; j++) {
                    col.set(pivots[j], 0.0); // exactly zero in exact arithmetic
                }
                col.set(pivot, lp);
                subtractSquares(d.segment(), col.segment(), n);
                d.set(pivot, 0.0);
                rank = m + 1;
                progress.update(rank);
            }
            progress.finish();
        }
        return rank;
    }

    private static int argmax(MemorySegment d, boolean[] taken) {
        int best = -1;
        double bv = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < taken.length; i++) {
            double v = d.getAtIndex(D8, i);
            if (!taken[i] && v > bv) {
                bv = v;
                best = i;
            }
        }
        return best;
    }

    private static void subtractSquares(MemorySegment d, MemorySegment c, long n) {
        for (long i = 0; i < n; i++) {
            double v = c.getAtIndex(D8, i);
            d.setAtIndex(D8, i, d.getAtIndex(D8, i) - v * v);
        }
    }
}
