package org.gdml4j.solve;

import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.Backend.Diag;
import org.gdml4j.linalg.Backend.Side;
import org.gdml4j.linalg.Backend.Trans;
import org.gdml4j.linalg.Backend.Uplo;
import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.MemoryBudget;
import org.gdml4j.linalg.Vector;
import org.gdml4j.linalg.Workspace;

/**
 * The direct solve of (A + λI) x = y: A assembled into one n x n buffer, Cholesky in place (lower, blocked so
 * that progress is exact), two triangular solves. If the factorisation fails, the lower triangle is restored
 * from the untouched upper one plus a saved diagonal (no second n x n copy) and retried with a growing
 * diagonal jitter; every step and the final jitter go into the {@link SolveReport}. It never switches method
 * on its own. Memory: n²·8 bytes plus O(n), checked against the {@link MemoryBudget} before anything is
 * allocated.
 */
public final class ClosedForm {
    /** Jitter steps, relative to the mean diagonal of A, tried in order after a failed factorisation. */
    static final double[] JITTER_LADDER = {1e-14, 1e-12, 1e-10, 1e-8, 1e-6};

    private final Backend be;
    private final Progress progress;

    public ClosedForm(Backend be, Progress progress) {
        this.be = be;
        this.progress = progress == null ? Progress.NONE : progress;
    }

    /** Bytes the closed form needs for a problem of size n (the matrix plus a few vectors). */
    public static long bytesNeeded(long n) {
        return Math.multiplyExact(n, n) * 8 + 4 * n * 8;
    }

    /**
     * Solves (A + λI) x = y; x receives the solution unless the outcome is {@link SolveReport.Outcome#FAILED}.
     *
     * @throws org.gdml4j.linalg.InsufficientMemoryException before any work if the matrix does not fit
     */
    public SolveReport solve(LinearOperator a, double lambda, Vector y, Vector x) {
        long n = a.size();
        if (!(lambda >= 0) || Double.isInfinite(lambda)) {
            throw new org.gdml4j.error.InvalidInputException("lambda must be a finite number >= 0, got " + lambda);
        }
        if (y.length() != n || x.length() != n) {
            throw new IllegalArgumentException("closed form: y and x must have length " + n);
        }
        SolveReport report = new SolveReport("closed-form (Cholesky)");
        be.memory().require(bytesNeeded(n), "the closed-form solve (an " + n + " x " + n + " matrix)");
        report.peakBytes(bytesNeeded(n));
        try (Workspace ws = be.workspace()) {
            // every element is written by the assembly: skip the zero fill of n² doubles
            Matrix k = ws.uninitializedMatrix(n, n, org.gdml4j.linalg.Precision.FP64, "kernel matrix");
            Vector diag0 = ws.vector(n, "saved diagonal");
            long t0 = System.nanoTime();
            progress.start("assembling K", 1000, "‰");
            a.assemble(k, f -> progress.update(Math.round(f * 1000)));
            progress.finish();
            be.copy(k.diagonal(), diag0);
            report.addSeconds("assembly", seconds(t0));

            double meanDiag = be.sum(diag0) / Math.max(1, n);
            double jitter = 0;
            long t1 = System.nanoTime();
            int step = 0;
            while (true) {
                setDiagonal(k, diag0, lambda + jitter);
                long failed = blockedCholesky(k);
                if (failed == 0) {
                    break;
                }
                report.event(String.format(java.util.Locale.ROOT, "Cholesky failed at column %d with jitter %.1e", failed, jitter));
                progress.note("Cholesky failed at column " + failed + "; retrying with more diagonal jitter");
                if (step == JITTER_LADDER.length) {
                    report.addSeconds("factorisation", seconds(t1));
                    return report.outcome(SolveReport.Outcome.FAILED).finalJitter(jitter);
                }
                jitter = JITTER_LADDER[step++] * Math.abs(meanDiag);
                be.symmetrize(Uplo.UPPER, k); // the upper triangle still holds A after a failed lower factorisation
            }
            report.finalJitter(jitter);
            report.addSeconds("factorisation", seconds(t1));

            long t2 = System.nanoTime();
            be.copy(y, x);
            be.trsv(Uplo.LOWER, Trans.NO, Diag.NON_UNIT, k, x);
            be.trsv(Uplo.LOWER, Trans.YES, Diag.NON_UNIT, k, x);
            report.addSeconds("triangular solves", seconds(t2));

            // True residual against A + λI from the untouched upper triangle and the saved diagonal.
            long t3 = System.nanoTime();
            be.copy(diag0, k.diagonal());
            Vector r = ws.vector(n, "residual");
            be.copy(y, r);
            be.symv(Uplo.UPPER, -1.0, k, x, 1.0, r);
            be.axpy(-lambda, x, r);
            double ny = be.nrm2(y);
            report.trueResidual(ny == 0 ? be.nrm2(r) : be.nrm2(r) / ny);
            report.addSeconds("residual check", seconds(t3));
            boolean finite = Double.isFinite(be.maxAbs(x));
            return report.outcome(finite ? SolveReport.Outcome.CONVERGED : SolveReport.Outcome.FAILED);
        }
    }

    /**
     * Right-looking blocked Cholesky of the lower triangle (LAPACK potrf on diagonal blocks, trsm, syrk), so that
     * progress can be reported by flops. Returns 0 or the 1-based column where it failed.
     */
    long blockedCholesky(Matrix k) {
        long n = k.rows();
        long nb = Math.max(256, ((n / 24) + 63) / 64 * 64);
        double totalGflop = (double) n * n * n / 3e9;
        progress.start("Cholesky factorisation", Math.max(1, Math.round(totalGflop)), "GFLOP");
        double doneGflop = 0;
        for (long k0 = 0; k0 < n; k0 += nb) {
            long kb = Math.min(nb, n - k0);
            long rest = n - k0 - kb;
            Matrix a11 = k.block(k0, k0, kb, kb);
            int info = be.potrf(Uplo.LOWER, a11);
            if (info != 0) {
                progress.finish();
                return k0 + info;
            }
            if (rest > 0) {
                Matrix a21 = k.block(k0 + kb, k0, rest, kb);
                be.trsm(Side.RIGHT, Uplo.LOWER, Trans.YES, Diag.NON_UNIT, 1.0, a11, a21);
                be.syrk(Uplo.LOWER, Trans.NO, -1.0, a21, 1.0, k.block(k0 + kb, k0 + kb, rest, rest));
            }
            doneGflop += ((double) kb * kb * kb / 3 + (double) kb * kb * rest + (double) kb * rest * rest) / 1e9;
            progress.update(Math.round(doneGflop));
        }
        progress.finish();
        return 0;
    }

    private void setDiagonal(Matrix k, Vector diag0, double shift) {
        Vector d = k.diagonal();
        be.copy(diag0, d);
        be.add(shift, d);
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
