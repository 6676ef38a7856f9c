package org.gdml4j.precond;

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
    private PivotedCholesky() {
    }

    /** Result: the factor and the pivots in the order chosen. */
    public record Built(LowRankPreconditioner factor, long[] pivots) {
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
        Workspace ws = be.workspace();
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
     * Grows {@code current} (the factor of the greedy steps that chose {@code pivots}, in either storage) to {@code k}
     * columns by continuing the same greedy steps instead of starting over: any F with F Fᵀ = K̂ gives the same Schur
     * corrections as the old columns, so F = W diag(s) ({@link LowRankPreconditioner#squareRootInto}) stands in for
     * them and only the new columns are computed. {@code current} is closed as soon as F is taken, so the peak holds
     * one factor, not two. From an FP64 factor, pivots and K̂ equal a fresh build's up to rounding; from an FP32 one,
     * F carries its rounding (a turn of ≈ 3e-8 of the non-dominant directions), which the new pivots see, and the grown
     * factor is rounded to {@code precision} again.
     */
    public static Built extend(Backend be, ColumnSource src, LowRankPreconditioner current, long[] pivots, int k, double lambda,
            Progress progress, Precision precision) {
        long n = src.size();
        int k0 = Math.toIntExact(current.rank());
        if (pivots.length != k0 || k <= k0 || k > n) {
            throw new IllegalArgumentException("extend: " + pivots.length + " pivots for rank " + k0 + ", to k = " + k + " (n = " + n + ")");
        }
        Workspace ws = be.workspace();
        try {
            Matrix l = ws.matrix(n, k, Precision.FP64, "preconditioner factor (cholesky)");
            current.squareRootInto(l.columns(0, k0));
            current.close();
            long[] all = java.util.Arrays.copyOf(pivots, k);
            int rank = factorColumns(be, src, l, all, k0, progress);
            return finish(be, ws, l, rank, all, lambda, progress, precision);
        } catch (RuntimeException e) {
            ws.close();
            throw e;
        }
    }

    /**
     * The peak of {@link #build} (and of {@link #extend} to k, once the old factor is closed): the n x k factor L with
     * the residual diagonal, then the stable form's build in place of L, then the FP32 rounding if asked.
     */
    public static long bytesNeeded(long n, long k, Precision precision) {
        long peak = 8 * n * k + Math.max(8 * n, LowRankFactor.buildBytesBeyondBasis(n, k));
        if (precision == Precision.FP32) {
            long exact = 8 * n * k + LowRankFactor.bytesBeyondBasis(k);
            peak = Math.max(peak, SinglePrecisionFactor.bytesNeeded(n, k, SinglePrecisionFactor.plannedDominant(k), exact));
        }
        return peak;
    }

    /** The stable Woodbury form of the first {@code rank} columns of {@code l} (FP64, owned by {@code ws}), in {@code precision}. */
    private static Built finish(Backend be, Workspace ws, Matrix l, int rank, long[] pivots, double lambda, Progress progress,
            Precision precision) {
        long[] piv = java.util.Arrays.copyOf(pivots, rank);
        progress.start("factorising the preconditioner", 1, "step");
        LowRankFactor exact = LowRankFactor.fromFactor(be, ws, l.columns(0, rank), lambda, "cholesky");
        LowRankPreconditioner f = precision == Precision.FP32 ? SinglePrecisionFactor.roundOrKeep(be, exact, lambda, progress) : exact;
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
        try (Workspace tmp = be.workspace()) {
            Vector d = tmp.vector(n, "residual diagonal");
            src.diagonal(d);
            double trace0 = be.sum(d);
            for (int j = 0; j < start; j++) {
                be.addSquares(-1.0, l.column(j), d);
            }
            // taken pivots leave the race for good: −∞ stays −∞ whatever is subtracted later (their entries of later
            // columns are exactly zero anyway). After all columns: their squares leave rounding noise on the pivots.
            be.setElements(d, pivots, start, Double.NEGATIVE_INFINITY);
            progress.start("pivoted Cholesky", k, "columns");
            rank = start;
            progress.update(rank);
            for (int m = start; m < k; m++) {
                Backend.IndexedValue best = be.maxIndex(d);
                double dp = best.value();
                if (!(dp > 1e-15 * trace0 / n)) {
                    progress.note("pivoted Cholesky stopped at rank " + m + ": the residual diagonal is exhausted");
                    break;
                }
                long pivot = best.index();
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
                be.setElements(col, pivots, m, 0.0); // exactly zero in exact arithmetic
                be.setElement(col, pivot, lp);
                be.addSquares(-1.0, col, d);
                be.setElement(d, pivot, Double.NEGATIVE_INFINITY);
                rank = m + 1;
                progress.update(rank);
            }
            progress.finish();
        }
        return rank;
    }
}
