package org.gdml4j.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.Vector;
import org.gdml4j.linalg.Workspace;
import org.gdml4j.precond.LowRankPreconditioner;
import org.gdml4j.solve.LinearOperator;
import org.gdml4j.solve.Pcg;
import org.gdml4j.solve.Progress;
import org.gdml4j.solve.SolveReport;

/**
 * The regulariser chosen on validation (issue #16, {@code --lambda auto}): PCG solves K + λI for λ = 1e-5, 1e-6, …
 * down to the task's λ, each from the previous solution and with the accuracy-aware stop, and the path ends at the
 * first decade that improves the validation force MAE by less than {@link #IMPROVES} of itself; the better of the
 * last two solutions is kept, and its λ goes into the model. Large λ are cheap (the preconditioned spectrum is
 * compressed: 11 iterations at 1e-5 against 1,160 at 1e-10 for aspirin M = 500) and the error the model makes on
 * unseen geometries stops improving long before λ reaches 1e-10 (aspirin M = 500: test force MAE 1.0568 at 1e-8,
 * 1.0563 at 1e-10, 1.0868 at 1e-7; perf/README.md, "The regulariser on validation"). The task's λ is the floor:
 * the path never regularises less than the user asked.
 *
 * <p>The preconditioner is built once, for the task's λ ({@link LowRankPreconditioner#shift}: K̂ does not depend on
 * λ). Growth is off on the path (a grown factor would be built for the task's λ only); the final decade, at the
 * task's λ, is the caller's ordinary solve with its checkpoints (growth off there too), judged like the others by
 * {@link #settle}: a warm-started solve can stop on the validation rule while its error is still above where it
 * started (aspirin M = 500: 1.0481 after 1e-9, 1.0542 after the stop at 1e-10), and then the decade before is kept.
 * It owns the judge and the copy of the best solution (n doubles) until closed.
 */
final class LambdaPath implements AutoCloseable {
    /** The first λ of the path, 10^START_EXPONENT (sGDML's kernel has a unit diagonal scale; 1e-5 costs ≈ 10 iterations). */
    static final int START_EXPONENT = -5;
    /** A decade that improves the validation force MAE by less than this fraction ends the path. */
    static final double IMPROVES = 2e-3;
    /** Validation frames that judge between decades (the stop watches {@link ValidationMonitor#FRAMES}). */
    static final int JUDGE_FRAMES = 1000;

    /**
     * Where the walk ended: {@code lambda} the λ of the solution left in the caller's vector; {@code finished} true
     * when that is the final answer (the caller skips its own solve), false when the caller goes on at the task's λ.
     */
    record End(double lambda, boolean finished, SolveReport report) {
    }

    private final Backend be;
    private final ValidationMonitor judge;
    private final Workspace ws;
    private final Vector best;
    private double bestError = Double.NaN;
    private double bestLambda = Double.NaN;
    private double bestResidual = Double.NaN;

    /** A path over solutions of length n, judged by {@code judge} (closed with the path). */
    LambdaPath(Backend be, ValidationMonitor judge, long n) {
        this.be = be;
        this.judge = judge;
        this.ws = be.workspace();
        this.best = ws.vector(n, "best solution on the lambda path");
    }

    /** The decades the path visits before the task's own λ (descending, each above it); empty when the task's λ is 1e-5 or more. */
    static List<Double> grid(double taskLambda) {
        List<Double> out = new ArrayList<>();
        for (int e = START_EXPONENT; e > -300; e--) {
            double l = Double.parseDouble("1e" + e); // exact decimal decades, as a user would type them
            if (l <= taskLambda * (1 + 1e-9)) {
                break;
            }
            out.add(l);
        }
        return out;
    }

    /**
     * Walks the decades above the task's λ from {@code a} (usually zeros), leaving in {@code a} the solution of the
     * returned λ; {@code p} is shifted to the task's λ when the path hands over ({@code finished} false). The stop's
     * {@code monitor} ends each decade's solve; the judge decides between decades.
     */
    End walk(LinearOperator op, double taskLambda, Vector y, Vector a, LowRankPreconditioner p, Pcg.Options opt, ValidationMonitor monitor,
            Progress progress) {
        SolveReport report = new SolveReport("pcg");
        for (double lambda : grid(taskLambda)) {
            long left = opt.maxIter() - report.iterations();
            if (left <= 0) {
                break;
            }
            p.shift(lambda);
            monitor.reset();
            Pcg.Result r = new Pcg(be, progress, monitor).solve(op, lambda, y, a, p, opt.withMaxIter(left), null);
            report.absorb(r.report());
            if (r.report().outcome() != SolveReport.Outcome.CONVERGED) {
                say(report, progress, String.format(Locale.ROOT, "lambda path: the solve at lambda %.0e ended %s; going on at the task's"
                        + " lambda", lambda, r.report().outcome().name().toLowerCase(Locale.ROOT).replace('_', ' ')));
                if (r.report().outcome() == SolveReport.Outcome.BREAKDOWN) {
                    be.fill(a, 0.0);
                }
                break;
            }
            double error = judged(report, progress, a, lambda, r.report().iterations());
            if (!Double.isNaN(bestError) && error > bestError * (1 - IMPROVES)) {
                double chosen = keepBetter(report, progress, a, lambda, error, r.report().trueResidual());
                p.shift(chosen);
                return new End(chosen, true, report);
            }
            remember(a, lambda, error, r.report().trueResidual());
        }
        p.shift(taskLambda);
        monitor.reset();
        return new End(taskLambda, false, report);
    }

    /**
     * After the caller's converged solve at the task's λ (from the walk's last solution): judges it, and puts the last
     * decade's solution back into {@code a} if that was better; returns the λ of what {@code a} holds.
     */
    double settle(SolveReport report, Progress progress, Vector a, double taskLambda, long iterations) {
        if (Double.isNaN(bestError)) {
            return taskLambda;
        }
        double error = judged(report, progress, a, taskLambda, iterations);
        return error > bestError ? keepBetter(report, progress, a, taskLambda, error, report.trueResidual()) : taskLambda;
    }

    private double judged(SolveReport report, Progress progress, Vector a, double lambda, long iterations) {
        double error = judge.error(a);
        say(report, progress, String.format(Locale.ROOT, "lambda %.0e: %d iterations, validation force MAE %.4f (%d frames)", lambda,
                iterations, error, judge.frames()));
        return error;
    }

    /** Ends the path at {@code lambda} (error {@code error}) or the decade before it, whichever did better on validation. */
    private double keepBetter(SolveReport report, Progress progress, Vector a, double lambda, double error, double residual) {
        boolean earlier = error > bestError;
        if (earlier) {
            be.copy(best, a);
            report.trueResidual(bestResidual);
        } else {
            report.trueResidual(residual);
        }
        double chosen = earlier ? bestLambda : lambda;
        say(report, progress, String.format(Locale.ROOT, "lambda path: %.0e improved the validation force MAE by %.2f %% (< %.1f %%);"
                + " kept lambda %.0e", lambda, 100 * (bestError - error) / bestError, 100 * IMPROVES, chosen));
        return chosen;
    }

    private void remember(Vector a, double lambda, double error, double residual) {
        be.copy(a, best);
        bestError = error;
        bestLambda = lambda;
        bestResidual = residual;
    }

    private static void say(SolveReport report, Progress progress, String line) {
        report.event(line);
        progress.note(line);
    }

    /** Seconds the judge spent predicting. */
    double seconds() {
        return judge.seconds();
    }

    @Override
    public void close() {
        try {
            judge.close();
        } finally {
            ws.close();
        }
    }
}
