package org.gdml4j.train;

import java.lang.foreign.Arena;
import java.util.List;
import java.util.Locale;

import org.gdml4j.io.Model;
import org.gdml4j.kernel.KernelOperator;
import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.MemoryBudget;
import org.gdml4j.linalg.Precision;
import org.gdml4j.linalg.Vector;
import org.gdml4j.precond.ColumnSource;
import org.gdml4j.precond.LowRankPreconditioner;
import org.gdml4j.precond.PreconditionerBuilder;
import org.gdml4j.precond.PreconditionerKind;
import org.gdml4j.precond.RuleOfThumb;
import org.gdml4j.solve.Pcg;
import org.gdml4j.solve.Preconditioner;
import org.gdml4j.solve.Progress;
import org.gdml4j.solve.SolveReport;

/**
 * The iterative path of the solver stage: choose k (given, or the rule of thumb; capped to the memory budget),
 * build the preconditioner from kernel columns, run PCG from zero or a warm start, growing the preconditioner
 * on stagnation unless told not to.
 */
final class PcgStage {
    /** Planned k and memory of a PCG solve. */
    record KPlan(int k, int requested, String how, long bytes, boolean capped) {
    }

    private PcgStage() {
    }

    /**
     * Bytes a PCG solve with a rank-k factor holds at its peak: the kernel (descriptors, permuted copies, coefficient
     * cache), the CG vectors, and the preconditioner's build as its build path declares it
     * ({@link PreconditionerBuilder#bytesNeeded}: factor, build scratch and apply scratch, in the factor's precision).
     * The parts are summed, though the build ends before CG starts, so the plan also covers a factor kept beside them.
     */
    static long bytes(TrainingSet ts, SolveOptions o, long k) {
        long n = ts.size();
        long m = ts.count();
        long p = ts.symmetries().count();
        long kernelCache = 3L * m * p * m * 8;
        long base = 8 * n * 8 + TaskSolver.kernelBytes(ts) + kernelCache;
        return base + PreconditionerBuilder.bytesNeeded(o.precond(), n, k, 3 * ts.atoms(), o.precision());
    }

    static KPlan planK(Backend be, TrainingSet ts, SolveOptions o) {
        long n = ts.size();
        if (!o.precond().lowRank()) {
            return new KPlan(0, 0, "no low-rank part", bytes(ts, o, 0), false);
        }
        int k;
        String how;
        if (o.k() != null) {
            if (o.k() > n) {
                throw new org.gdml4j.error.InvalidInputException("-k " + o.k() + " exceeds n = " + n + " (the number of kernel columns)");
            }
            k = o.k();
            how = "given with -k";
        } else if (o.kRule().equalsIgnoreCase("cost") && (o.precond() == PreconditionerKind.LEVERAGE || o.precond() == PreconditionerKind.UNIFORM)) {
            PcgCostModel model = new PcgCostModel(be, ts, o.precision(), PcgCostModel.Stop.of(o), o.kMin(), o.m());
            k = model.bestK(n);
            how = model.explain(k);
        } else {
            boolean cost = o.kRule().equalsIgnoreCase("cost"); // its model covers the sampled Nyström builds only
            RuleOfThumb.Choice c = RuleOfThumb.choose(cost ? "default" : o.kRule(), n, ts.task().z(), o.kMin(), o.m());
            k = c.k();
            how = c.explanation() + (cost ? " (the cost model covers leverage and uniform only)" : "");
        }
        long avail = be.memory().availableBytes();
        int requested = k;
        while (k > 1 && bytes(ts, o, k) > avail) {
            k = (int) (k * 0.95);
        }
        if (bytes(ts, o, k) > avail) {
            throw new org.gdml4j.linalg.InsufficientMemoryException("the " + o.precond().cliName() + " preconditioner needs "
                    + MemoryBudget.formatBytes(bytes(ts, o, k)) + " even at k = " + k + ", but only "
                    + MemoryBudget.formatBytes(avail) + " is available", bytes(ts, o, k), avail);
        }
        return new KPlan(k, requested, how, bytes(ts, o, k), k != requested);
    }

    /** The solution, its report and CG facts; {@code lambda} the regulariser it solved for (the λ path may stop above the task's). */
    record Outcome(Vector alpha, SolveReport report, Model.CgInfo cg, double lambda) {
    }

    /** What an attempt ended with; {@code lambda} the regulariser of its solution (larger than the task's where the λ path stopped early). */
    private record Attempt(SolveReport report, Preconditioner last, long[] inducing, double lambda) {
    }

    /**
     * What one PCG solve works with, passed as one value: the backend, the training set and its kernel, the labels
     * {@code y} and the solution {@code a} (backend vectors of length n), the options, progress and the checkpoint
     * session (may be null).
     */
    record Context(Backend be, TrainingSet ts, KernelOperator kernel, Vector y, Vector a, SolveOptions options, Progress progress,
            CheckpointSession session) {
        ColumnSource columns() {
            return ColumnSource.of(kernel);
        }
    }

    /**
     * Builds a preconditioner in {@code precision} (or rebuilds the one of {@code resume}) and runs PCG from the current
     * {@code a} (or from {@code resume}'s state), handing snapshots to {@code session} (may be null).
     */
    private static Attempt attempt(Context c, Precision precision, int k, Pcg.Options opt, int number, PcgCheckpoint resume,
            PcgCheckpoint.Earlier earlier) {
        SolveOptions o = c.options();
        CheckpointSession session = c.session();
        try (PreconditionerBuilder builder = new PreconditionerBuilder(c.be(), c.columns(), c.ts().lambda(), o.seed(), c.progress(),
                precision)) {
            long t0 = System.nanoTime();
            PreconditionerBuilder.Built built = resume != null ? builder.rebuild(resume.recipe()) : builder.build(o.precond(), k);
            double buildSeconds = (System.nanoTime() - t0) / 1e9;
            long[][] inducing = {built.inducing()};
            if (session != null) {
                session.begin(number, resume != null ? resume.recipe()
                        : new PreconditionerBuilder.Recipe(o.precond(), precision, k, 0, built.inducing()), earlier);
            }
            Pcg.Grower grower = o.grow() ? builder.grower(o.precond(), b -> {
                inducing[0] = b.inducing();
                if (session != null) {
                    session.grown(b.inducing());
                }
            }) : null;
            try (Arena arena = Arena.ofShared();
                    ValidationMonitor monitor = o.stopsOnValidation() ? new ValidationMonitor(c.be(), c.ts(), c.kernel(), o.validation(), arena)
                            : null) {
                KernelLinearOperator op = new KernelLinearOperator(c.kernel());
                LowRankPreconditioner lowRank = number == 1 && resume == null && monitor != null && o.lambdaPath()
                        && built.preconditioner() instanceof LowRankPreconditioner l ? l : null;
                try (LambdaPath path = lowRank == null ? null : new LambdaPath(c.be(), new ValidationMonitor(c.be(), c.ts(), c.kernel(),
                        o.validation(), LambdaPath.JUDGE_FRAMES, arena), c.ts().size())) {
                    LambdaPath.End end = path == null ? null : path.walk(op, c.ts().lambda(), c.y(), c.a(), lowRank, opt, monitor, c.progress());
                    SolveReport report;
                    Preconditioner last;
                    double lambda = c.ts().lambda();
                    if (end != null && end.finished()) {
                        report = end.report();
                        last = built.preconditioner();
                        lambda = end.lambda();
                    } else {
                        if (end != null && end.report().iterations() > 0) {
                            // no growth after the path: a warm start's residual oscillates while CG re-resolves what the last
                            // decade moved, which the stagnation rule takes for a weak preconditioner (toluene M = 667: a 20 s
                            // rebuild at iteration 100; aspirin M = 1000 at 300 even with a 3x window), and the validation stop
                            // ends this decade soon anyway
                            opt = opt.withMaxIter(Math.max(1, opt.maxIter() - end.report().iterations()));
                            grower = null;
                        }
                        Pcg.Result result = new Pcg(c.be(), c.progress(), monitor).solve(op, lambda, c.y(), c.a(), built.preconditioner(), opt,
                                grower, resume != null ? resume.state() : null, session);
                        report = end == null ? result.report() : end.report().absorb(result.report());
                        last = result.preconditioner();
                        if (path != null && result.report().outcome() == SolveReport.Outcome.CONVERGED) {
                            lambda = path.settle(report, c.progress(), c.a(), lambda, result.report().iterations());
                        }
                    }
                    report.addSeconds("preconditioner build", buildSeconds);
                    if (monitor != null) {
                        report.addSeconds("validation checks", monitor.seconds() + (path == null ? 0 : path.seconds()));
                    }
                    return new Attempt(report, last, inducing[0], lambda);
                }
            }
        }
    }

    /**
     * Experiments: PCG from zero for each (preconditioner, k) on one kernel, without growth; the dense
     * eigendecomposition (eigen, rank-k-leverage) is computed once for all points.
     */
    static void sweep(Backend be, TrainingSet ts, KernelOperator kernel, Vector y, Vector a, List<TaskSolver.SweepPoint> points,
            double rtol, long seed, java.util.function.BiConsumer<TaskSolver.SweepPoint, SolveReport> sink) {
        long n = ts.size();
        try (PreconditionerBuilder builder = new PreconditionerBuilder(be, ColumnSource.of(kernel), ts.lambda(), seed, Progress.NONE)) {
            for (TaskSolver.SweepPoint pt : points) {
                be.fill(a, 0.0);
                long t0 = System.nanoTime();
                PreconditionerBuilder.Built built = builder.build(pt.kind(), pt.k());
                double buildSeconds = (System.nanoTime() - t0) / 1e9;
                Pcg.Options opt = Pcg.Options.defaults(n).withRtol(rtol);
                if (pt.maxIter() != null) {
                    opt = opt.withMaxIter(pt.maxIter());
                }
                Pcg.Result r = new Pcg(be, Progress.NONE).solve(new KernelLinearOperator(kernel), ts.lambda(), y, a, built.preconditioner(), opt,
                        null);
                r.report().addSeconds("preconditioner build", buildSeconds);
                r.report().fact("preconditioner", r.preconditioner().describe());
                r.preconditioner().close();
                sink.accept(pt, r.report());
            }
        }
    }

    /** The fingerprint a checkpoint of this solve carries (task content, and the options that change the model). */
    static PcgCheckpoint.Fingerprint fingerprint(TrainingSet ts, SolveOptions o, KPlan plan) {
        return new PcgCheckpoint.Fingerprint(Fingerprints.task(ts.task()), Fingerprints.options(o, plan.k(), maxIter(ts, o)));
    }

    /** The iteration limit of the whole solve, all attempts together (default 10·n, as the reference). */
    static long maxIter(TrainingSet ts, SolveOptions o) {
        return o.maxIter() != null ? o.maxIter() : 10 * ts.size();
    }

    /**
     * Runs PCG into {@code a} (length n, holding zeros or the warm start in solver sign), continuing from the
     * session's checkpoint if it has one.
     */
    static Outcome run(Context c, KPlan plan) {
        Backend be = c.be();
        TrainingSet ts = c.ts();
        SolveOptions o = c.options();
        Progress progress = c.progress();
        CheckpointSession session = c.session();
        Vector a = c.a();
        long n = ts.size();
        long limit = maxIter(ts, o);
        Pcg.Options opt = Pcg.Options.defaults(n).withRtol(o.rtol()).withMaxIter(limit);
        PcgCheckpoint resume = session == null ? null : session.resumable();
        SolveReport report;
        Preconditioner last;
        long[] inducing;
        double lambda = ts.lambda();
        if (resume != null) {
            progress.note(String.format(Locale.ROOT, "resuming from %s at iteration %d", session.file(),
                    resume.state().iterations() + (resume.earlier() == null ? 0 : resume.earlier().iterations())));
        }
        if (resume == null || resume.attempt() == 1) {
            Attempt first = attempt(c, o.precision(), plan.k(), opt, 1, resume, null);
            report = first.report();
            last = first.last();
            inducing = first.inducing();
            lambda = first.lambda();
        } else {
            report = earlierReport(resume.earlier());
            last = null;
            inducing = null;
        }
        long left = limit - report.iterations();
        boolean fallback = o.precision() == Precision.FP32 && (resume != null && resume.attempt() == 2
                || report.outcome() != SolveReport.Outcome.CONVERGED);
        if (fallback && last != null && left <= 0) {
            report.event("iteration limit " + limit + " reached with the fp32 factor; no fp64 fallback (it would exceed --max-iter)");
            fallback = false;
        }
        if (fallback) {
            int k;
            PcgCheckpoint.Earlier earlier;
            if (last != null) {
                // an FP32 factor must reach the same tolerance; if it did not, say so and finish with FP64 from here
                String why = String.format(Locale.ROOT, "the fp32 factor did not reach rtol %.1e (%s after %d iterations); rebuilt in"
                        + " fp64 and continued from the current solution", o.rtol(), report.outcome().name().toLowerCase(Locale.ROOT),
                        report.iterations());
                report.event(why);
                progress.note(why);
                k = (int) Math.max(1, last.rank());
                last.close();
                if (report.outcome() == SolveReport.Outcome.BREAKDOWN) {
                    be.fill(a, 0.0); // a breakdown may have left garbage: start over
                }
                earlier = new PcgCheckpoint.Earlier(report.iterations(), report.residualHistory(), report.events(), report.seconds());
            } else {
                k = resume.recipe().initialK();
                earlier = resume.earlier();
            }
            Attempt second = attempt(c, Precision.FP64, k, opt.withMaxIter(left), 2, resume != null && resume.attempt() == 2 ? resume : null,
                    earlier);
            report.absorb(second.report());
            last = second.last();
            inducing = second.inducing();
            lambda = second.lambda();
        }
        report.fact("preconditioner", last.describe());
        report.fact("k requested", plan.requested());
        report.fact("k rule", plan.how());
        report.fact("factor bytes", last.bytes());
        report.fact("seed", o.seed());
        report.fact("rtol", o.rtol());
        report.fact("stop", o.stopsOnValidation() ? "validation forces settled, or rtol" : "rtol");
        report.peakBytes(plan.bytes());
        if (plan.capped()) {
            report.event(String.format(Locale.ROOT, "k capped from %d to %d to fit the memory budget", plan.requested(), plan.k()));
        }
        if (session != null && session.warning() != null) {
            report.event(session.warning());
        }
        last.close();
        double ny = be.nrm2(c.y());
        Model.CgInfo cg = new Model.CgInfo(o.rtol(), report.iterations(), report.trueResidual() * ny, inducing, ny);
        if (lambda != ts.lambda()) {
            report.fact("lambda", lambda);
        }
        return new Outcome(a, report, cg, lambda);
    }

    /** The first attempt's report as a checkpoint kept it, for a solve resumed in its FP64 fallback. */
    private static SolveReport earlierReport(PcgCheckpoint.Earlier e) {
        return new SolveReport("pcg").iterations(e.iterations()).addHistory(e.residuals(), e.events(), e.seconds())
                .outcome(SolveReport.Outcome.NOT_CONVERGED);
    }
}
