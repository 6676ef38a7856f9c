package org.gdml4j.solve;

import java.util.Locale;

import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.Vector;
import org.gdml4j.linalg.Workspace;

/**
 * Preconditioned conjugate gradients for (A + λI) x = y with an SPD preconditioner, on off-heap vectors.
 *
 * <p>Stopping: ‖r‖ ≤ rtol·‖y‖ on the recursive residual (checked before each step, as scipy and the reference),
 * or {@code maxIter}. Every {@code checkEvery} iterations and at convergence the true residual y − (A + λI)x is
 * recomputed; if it has drifted from the recursive one by more than max(rtol·‖y‖, 10x the floor a direct solve
 * reaches, ≈ ε‖A + λI‖‖x‖), CG restarts from the current x with the fresh residual (reported; a few times at
 * most). A step with pᵀ(A + λI)p ≤ 0, a negative or non-finite rᵀz, or any NaN ends as
 * {@link SolveReport.Outcome#BREAKDOWN}: never a solution of garbage.
 *
 * <p>Stagnation, as the reference's "effectiveness" but on the recursive residual only: over a window of the
 * last {@code window} residual changes, if decreases do not outweigh increases, the {@link Grower} (if any)
 * enlarges the preconditioner and CG continues from the current x with a fresh residual; after
 * {@code maxGrowths} the outcome is {@link SolveReport.Outcome#NOT_CONVERGED}. Without a grower (fixed-k runs)
 * stagnation is noted once and CG goes on until converged or out of iterations.
 */
public final class Pcg {
    /** Solver settings. */
    public record Options(double rtol, long maxIter, int checkEvery, int window, int maxGrowths, int maxRestarts) {
        public Options {
            if (!(rtol > 0) || rtol >= 1) {
                throw new org.gdml4j.error.InvalidInputException("rtol must be in (0, 1), got " + rtol);
            }
            if (maxIter < 1) {
                throw new org.gdml4j.error.InvalidInputException("the iteration limit must be at least 1, got " + maxIter);
            }
        }

        /** The reference's settings: rtol 1e-4, at most 10·n iterations, growth up to 6 times. */
        public static Options defaults(long n) {
            return new Options(1e-4, 10 * n, 100, 100, 6, 3);
        }

        public Options withRtol(double r) {
            return new Options(r, maxIter, checkEvery, window, maxGrowths, maxRestarts);
        }

        public Options withMaxIter(long m) {
            return new Options(rtol, m, checkEvery, window, maxGrowths, maxRestarts);
        }

        public Options withMaxGrowths(int g) {
            return new Options(rtol, maxIter, checkEvery, window, g, maxRestarts);
        }
    }

    /**
     * Watches the iterate and may end the solve before rtol (an accuracy-aware stop: the caller knows what the solution
     * is for; the solver does not). Called after every step with the current x; returns a reason to stop, or null.
     * Stopping this way counts as converged once the true residual confirms the recursive one is honest.
     */
    @FunctionalInterface
    public interface Monitor {
        String stopReason(Vector x, long iterations, double relativeResidual);
    }

    /** Enlarges a preconditioner on stagnation (k x 1.2); returns null when it cannot grow further. */
    @FunctionalInterface
    public interface Grower {
        Preconditioner grow(Preconditioner current);
    }

    private final Backend be;
    private final Progress progress;
    private final Monitor monitor;

    public Pcg(Backend be, Progress progress) {
        this(be, progress, null);
    }

    /** With a {@link Monitor} (null: stop on rtol and the iteration limit only). */
    public Pcg(Backend be, Progress progress, Monitor monitor) {
        this.be = be;
        this.progress = progress == null ? Progress.NONE : progress;
        this.monitor = monitor;
    }

    /**
     * Solves; {@code x} holds the warm start on entry (zeros for a cold start) and the iterate on exit. The
     * returned preconditioner in {@link Result} is the one in use at the end (after growths); the caller owns it.
     */
    public Result solve(LinearOperator a, double lambda, Vector y, Vector x, Preconditioner p, Options opt, Grower grower) {
        return solve(a, lambda, y, x, p, opt, grower, null, null);
    }

    /**
     * As above, continuing from {@code resume} when it is not null (its x replaces the one passed in; {@code p} must be
     * the preconditioner that was in use when it was taken, i.e. after its {@link PcgSnapshot#growths()} growths), and
     * handing a snapshot to {@code sink} whenever it says one is due. Snapshots do not change what is computed.
     */
    public Result solve(LinearOperator a, double lambda, Vector y, Vector x, Preconditioner p, Options opt, Grower grower,
            PcgSnapshot resume, PcgSnapshot.Sink sink) {
        long n = a.size();
        if (y.length() != n || x.length() != n) {
            throw new IllegalArgumentException("pcg: y and x must have length " + n);
        }
        SolveReport report = new SolveReport("pcg");
        try (Workspace ws = be.workspace()) {
            Vector r = ws.vector(n, "residual");
            Vector z = ws.vector(n, "preconditioned residual");
            Vector d = ws.vector(n, "search direction");
            Vector q = ws.vector(n, "operator times direction");
            PcgState s = new PcgState(be, report, a, lambda, y, x, r, z, d, q, opt);
            double ny = be.nrm2(y);
            s.target = opt.rtol() * ny;
            s.normY = ny;
            Preconditioner current = p;
            progress.start("conjugate gradients", 100, "%");
            try {
                if (resume != null) {
                    s.restore(resume);
                    report.event(String.format(Locale.ROOT, "resumed at iteration %d from a checkpoint", s.iterations));
                } else {
                    freshStart(s, current);
                }
                current = iterate(s, current, grower, sink);
            } finally {
                progress.finish();
            }
            report.iterations(s.iterations);
            trueResidual(s);
            report.trueResidual(ny == 0 ? 0 : s.trueNorm / ny);
            report.fact("k used", current.rank());
            return new Result(report, current);
        }
    }

    /** What the solve ended with. */
    public record Result(SolveReport report, Preconditioner preconditioner) {
    }

    private Preconditioner iterate(PcgState s, Preconditioner p, Grower grower, PcgSnapshot.Sink sink) {
        double start = Math.max(s.rnorm, s.target);
        while (true) {
            if (sink != null && sink.due()) {
                sink.save(s.snapshot());
            }
            s.report.addResidual(s.normY == 0 ? 0 : s.rnorm / s.normY);
            reportProgress(s, start);
            if (s.rnorm <= s.target) {
                // confirm with the true residual before declaring convergence
                trueResidual(s);
                if (s.trueNorm <= s.target || !restart(s, p, "at convergence")) {
                    s.report.outcome(s.trueNorm <= s.target ? SolveReport.Outcome.CONVERGED : SolveReport.Outcome.NOT_CONVERGED);
                    return p;
                }
                continue;
            }
            if (s.iterations >= s.opt.maxIter()) {
                s.report.event("iteration limit " + s.opt.maxIter() + " reached");
                s.report.outcome(SolveReport.Outcome.NOT_CONVERGED);
                return p;
            }
            if (!step(s, p)) {
                return p;
            }
            if (monitor != null && monitorStops(s, p)) {
                return p;
            }
            if (s.opt.checkEvery() > 0 && s.iterations % s.opt.checkEvery() == 0) {
                trueResidual(s);
                double drift = Math.abs(s.trueNorm - s.rnorm);
                double floor = 10 * Math.ulp(1.0) * s.normEstimate * be.nrm2(s.x);
                if (drift > Math.max(s.target, floor) && !restart(s, p, "residual drift")) {
                    s.report.outcome(SolveReport.Outcome.NOT_CONVERGED);
                    return p;
                }
            }
            if (stagnating(s)) {
                if (grower == null || s.growths >= s.opt.maxGrowths()) {
                    if (grower != null) {
                        // grown as far as allowed and still no progress: give up, as the reference does
                        s.report.event(String.format(Locale.ROOT, "stagnation at iteration %d (residual %.2e) after %d growths",
                                s.iterations, s.rnorm / s.normY, s.growths));
                        s.report.outcome(SolveReport.Outcome.NOT_CONVERGED);
                        return p;
                    }
                    if (!s.stagnationNoted) {
                        s.report.event(String.format(Locale.ROOT, "stagnation at iteration %d (residual %.2e); growth is off,"
                                + " continuing", s.iterations, s.rnorm / s.normY));
                        s.stagnationNoted = true;
                    }
                    s.changeCount = 0;
                } else {
                    Preconditioner bigger = grower.grow(p);
                    if (bigger == null) {
                        s.report.event(String.format(Locale.ROOT, "stagnation at iteration %d: the preconditioner cannot grow further",
                                s.iterations));
                        s.report.outcome(SolveReport.Outcome.NOT_CONVERGED);
                        return p;
                    }
                    s.growths++;
                    s.report.event(String.format(Locale.ROOT, "stagnation at iteration %d: preconditioner grown to k = %d",
                            s.iterations, bigger.rank()));
                    progress.note("stagnation: preconditioner grown to k = " + bigger.rank());
                    p = bigger;
                    freshStart(s, p);
                }
            }
        }
    }

    /**
     * Asks the monitor; if it wants to stop, the true residual must agree with the recursive one (as at convergence,
     * within 10x the recursive norm or rtol) before the solve ends as converged.
     */
    private boolean monitorStops(PcgState s, Preconditioner p) {
        String why = monitor.stopReason(s.x, s.iterations, s.normY == 0 ? 0 : s.rnorm / s.normY);
        if (why == null) {
            return false;
        }
        trueResidual(s);
        if (s.trueNorm > Math.max(10 * s.rnorm, s.target)) {
            restart(s, p, "true residual check at the monitor's stop");
            return false;
        }
        s.report.event(String.format(Locale.ROOT, "stopped at iteration %d (residual %.2e): %s", s.iterations, s.trueNorm / s.normY, why));
        s.report.outcome(SolveReport.Outcome.CONVERGED);
        return true;
    }

    /** One CG step; false on breakdown. */
    private boolean step(PcgState s, Preconditioner p) {
        long t0 = System.nanoTime();
        s.a.apply(s.d, s.q);
        be.axpy(s.lambda, s.d, s.q);
        s.report.addSeconds("matvec", (System.nanoTime() - t0) / 1e9);
        be.dots(s.dqLeft, s.dqRight, s.dots); // one synchronisation for both
        double dq = s.dots[0];
        double dd = s.dots[1];
        if (!(dq > 0) || !Double.isFinite(dq)) {
            return breakdown(s, String.format(Locale.ROOT, "pᵀ(A + λI)p = %.3e at iteration %d", dq, s.iterations));
        }
        s.normEstimate = Math.max(s.normEstimate, dq / dd);
        double alpha = s.rz / dq;
        be.axpy(alpha, s.d, s.x);
        be.axpy(-alpha, s.q, s.r);
        long t1 = System.nanoTime();
        p.apply(s.r, s.z);
        s.report.addSeconds("preconditioner apply", (System.nanoTime() - t1) / 1e9);
        be.dots(s.rzLeft, s.rzRight, s.dots);
        double rzNew = s.dots[0];
        double old = s.rnorm;
        s.rnorm = Math.sqrt(s.dots[1]);
        if (!(rzNew >= 0) || !Double.isFinite(rzNew) || !Double.isFinite(s.rnorm)) {
            return breakdown(s, String.format(Locale.ROOT, "rᵀP⁻¹r = %.3e at iteration %d (preconditioner not positive definite?)",
                    rzNew, s.iterations));
        }
        be.axpby(1.0, s.z, rzNew / s.rz, s.d);
        s.rz = rzNew;
        s.iterations++;
        recordChange(s, s.rnorm - old);
        return true;
    }

    private boolean breakdown(PcgState s, String why) {
        s.report.event("breakdown: " + why);
        s.report.outcome(SolveReport.Outcome.BREAKDOWN);
        return false;
    }

    /** r = y − (A + λI)x, z = P⁻¹r, d = z. */
    private void freshStart(PcgState s, Preconditioner p) {
        trueResidual(s);
        be.copy(s.q, s.r);
        s.rnorm = s.trueNorm;
        long t1 = System.nanoTime();
        p.apply(s.r, s.z);
        s.report.addSeconds("preconditioner apply", (System.nanoTime() - t1) / 1e9);
        be.copy(s.z, s.d);
        s.rz = be.dot(s.r, s.z);
        s.changeCount = 0;
        s.changePos = 0;
    }

    /** s.r ← y − (A + λI)x and its norm into s.trueNorm. */
    private void trueResidual(PcgState s) {
        long t0 = System.nanoTime();
        s.a.apply(s.x, s.q);
        be.axpy(s.lambda, s.x, s.q);
        s.report.addSeconds("matvec", (System.nanoTime() - t0) / 1e9);
        // keep the recursive r unless we restart: compute the true one in q
        be.axpby(1.0, s.y, -1.0, s.q);
        s.trueNorm = be.nrm2(s.q);
    }

    /** Replaces the recursive residual by the true one (in q) and restarts the directions; false when out of restarts. */
    private boolean restart(PcgState s, Preconditioner p, String why) {
        if (s.restarts >= s.opt.maxRestarts()) {
            s.report.event(String.format(Locale.ROOT, "%s: true residual %.2e vs recursive %.2e, out of restarts", why,
                    s.trueNorm / s.normY, s.rnorm / s.normY));
            return false;
        }
        s.restarts++;
        s.report.event(String.format(Locale.ROOT, "%s at iteration %d: true residual %.2e vs recursive %.2e; restarted", why,
                s.iterations, s.trueNorm / s.normY, s.rnorm / s.normY));
        be.copy(s.q, s.r);
        s.rnorm = s.trueNorm;
        long t1 = System.nanoTime();
        p.apply(s.r, s.z);
        s.report.addSeconds("preconditioner apply", (System.nanoTime() - t1) / 1e9);
        be.copy(s.z, s.d);
        s.rz = be.dot(s.r, s.z);
        return true;
    }

    private static void recordChange(PcgState s, double change) {
        s.changes[s.changePos] = change;
        s.changePos = (s.changePos + 1) % s.changes.length;
        s.changeCount = Math.min(s.changeCount + 1, s.changes.length);
    }

    /** The reference's effectiveness: (sum of decreases / sum of |changes| − 1/2) ≤ 0 over a full window. */
    private static boolean stagnating(PcgState s) {
        if (s.changeCount < s.changes.length) {
            return false;
        }
        double dec = 0;
        double all = 0;
        for (double c : s.changes) {
            if (c < 0) {
                dec -= c;
            }
            all += Math.abs(c);
        }
        return all > 0 && dec / all <= 0.5;
    }

    private void reportProgress(PcgState s, double start) {
        // progress in log-residual space: linear in the iteration count for a steady convergence rate, so the
        // bar's own rate gives an ETA from the observed residual slope
        double total = Math.log(start / Math.max(s.target, Double.MIN_NORMAL));
        double done = Math.log(start / Math.max(s.rnorm, Double.MIN_NORMAL));
        long pct = total <= 0 ? 100 : Math.max(0, Math.min(99, Math.round(100 * done / total)));
        progress.update(pct);
        progress.detail(String.format(Locale.ROOT, "it %d, res %.2e", s.iterations, s.normY == 0 ? 0 : s.rnorm / s.normY));
    }
}
