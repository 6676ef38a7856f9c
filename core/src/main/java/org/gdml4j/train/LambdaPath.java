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
 * task's λ, is the caller's ordinary solve with its growth and checkpoints.
 */
final class LambdaPath {
    /** The first λ of the path, 10^START_EXPONENT (sGDML's kernel has a unit diagonal scale; 1e-5 costs ≈ 10 iterations). */
    static final int START_EXPONENT = -5;
    /** A decade that improves the validation force MAE by less than this fraction ends the path. */
    static final double IMPROVES = 2e-3;
    /** Validation frames that judge between decades (the stop watches {@link ValidationMonitor#FRAMES}). */
    static final int JUDGE_FRAMES = 1000;

    /**
     * Where the path ended: {@code lambda} the λ of the solution left in the caller's vector; {@code finished} true
     * when that is the final answer (the caller skips its own solve), false when the caller goes on at the task's λ.
     */
    record End(double lambda, boolean finished, SolveReport report) {
    }

    private LambdaPath() {
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
     * Walks the path from {@code a} (usually zeros), leaving in {@code a} the solution of the returned λ; {@code p} is
     * shifted to the task's λ when the path hands over ({@code finished} false). {@code judge} decides between
     * decades (more frames than the stop's {@code monitor}).
     */
    static End walk(Backend be, LinearOperator op, double taskLambda, Vector y, Vector a, LowRankPreconditioner p, Pcg.Options opt,
            ValidationMonitor monitor, ValidationMonitor judge, Progress progress) {
        List<Double> grid = grid(taskLambda);
        SolveReport report = new SolveReport("pcg");
        if (grid.isEmpty()) {
            return new End(taskLambda, false, report);
        }
        try (Workspace ws = be.workspace()) {
            Vector best = ws.vector(a.length(), "best solution on the lambda path");
            double bestError = Double.NaN;
            double bestLambda = Double.NaN;
            double bestResidual = Double.NaN;
            for (double lambda : grid) {
                p.shift(lambda);
                monitor.reset();
                long left = opt.maxIter() - report.iterations();
                if (left <= 0) {
                    break;
                }
                Pcg.Result r = new Pcg(be, progress, monitor).solve(op, lambda, y, a, p, opt.withMaxIter(left), null);
                report.absorb(r.report());
                if (r.report().outcome() != SolveReport.Outcome.CONVERGED) {
                    String why = String.format(Locale.ROOT, "lambda path: the solve at lambda %.0e ended %s; going on at the task's lambda",
                            lambda, r.report().outcome().name().toLowerCase(Locale.ROOT).replace('_', ' '));
                    report.event(why);
                    progress.note(why);
                    if (r.report().outcome() == SolveReport.Outcome.BREAKDOWN) {
                        be.fill(a, 0.0);
                    }
                    break;
                }
                double error = judge.error(a);
                String line = String.format(Locale.ROOT, "lambda %.0e: %d iterations, validation force MAE %.4f (%d frames)", lambda,
                        r.report().iterations(), error, judge.frames());
                report.event(line);
                progress.note(line);
                if (!Double.isNaN(bestError) && error > bestError * (1 - IMPROVES)) {
                    boolean keepEarlier = error > bestError;
                    if (keepEarlier) {
                        be.copy(best, a);
                        report.trueResidual(bestResidual);
                    }
                    double chosen = keepEarlier ? bestLambda : lambda;
                    String end = String.format(Locale.ROOT, "lambda path: %.0e improved the validation force MAE by %.2f %% (< %.1f %%);"
                            + " kept lambda %.0e", lambda, 100 * (bestError - error) / bestError, 100 * IMPROVES, chosen);
                    report.event(end);
                    progress.note(end);
                    p.shift(chosen);
                    return new End(chosen, true, report);
                }
                be.copy(a, best);
                bestError = error;
                bestLambda = lambda;
                bestResidual = r.report().trueResidual();
            }
        }
        p.shift(taskLambda);
        monitor.reset();
        return new End(taskLambda, false, report);
    }
}
