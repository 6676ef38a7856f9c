package org.gdml4j.train;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.gdml4j.io.Model;
import org.gdml4j.io.NpyArrays;
import org.gdml4j.io.Task;
import org.gdml4j.kernel.KernelOperator;
import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.MemoryBudget;
import org.gdml4j.linalg.SystemMemory;
import org.gdml4j.linalg.Vector;
import org.gdml4j.linalg.Workspace;
import org.gdml4j.solve.ClosedForm;
import org.gdml4j.solve.Progress;
import org.gdml4j.solve.SolveReport;

/**
 * The sGDML solver stage: task in, model out. Labels y = vec(F_train)/std (population std over all force
 * components), system (K + λI) a = y, model from a (docs/sgdml-formulas.md §5). The closed form (dense Cholesky)
 * or PCG with a Nyström-type preconditioner; {@code AUTO} picks one by memory and predicted time, and says why.
 * No partial result is ever returned: bad input throws {@link IllegalArgumentException}, a plan that does not
 * fit {@link org.gdml4j.linalg.InsufficientMemoryException} before allocating, a failed solve
 * {@link SolveFailedException}.
 */
public final class TaskSolver {
    /** Solvers available; AUTO picks one by memory and predicted time (see {@link AutoChoice}). */
    public enum Method { CLOSED_FORM, PCG, AUTO }

    /**
     * What a solve will do and need, printed before work starts; {@code lambdaOnValidation}: the solve may keep a larger λ
     * than the task's, chosen on validation ({@code --lambda auto}: PCG with the validation stop and a low-rank preconditioner).
     */
    public record Plan(int molecules, int atoms, int permutations, long n, double sigma, double lambda, boolean lambdaOnValidation, Method method,
            String methodReason, int k, String kHow, boolean kCapped, long bytesNeeded, long bytesAvailable, double seconds) {
        public boolean fits() {
            return bytesNeeded <= bytesAvailable;
        }
    }

    /** One point of a preconditioner sweep: a kind, its k (ignored by kinds without one), an iteration cap or null. */
    public record SweepPoint(org.gdml4j.precond.PreconditionerKind kind, int k, Long maxIter) {
    }

    private final Backend be;
    private final Progress progress;

    public TaskSolver(Backend be, Progress progress) {
        this.be = be;
        this.progress = progress == null ? Progress.NONE : progress;
    }

    /** Validates the task and plans the solve (method, k, memory, rough time). */
    public Plan plan(Task task, SolveOptions o) {
        return plan(TrainingSet.of(task), o);
    }

    private Plan plan(TrainingSet ts, SolveOptions o) {
        o.requireValidationFrames();
        long n = ts.size();
        Method method = o.method();
        String reason = "chosen with --solver";
        PcgStage.KPlan kp = PcgStage.planK(be, ts, o);
        AutoChoice.Decision auto = AutoChoice.decide(be, ts, Math.max(1, kp.k()), o.precision(), PcgCostModel.Stop.of(o));
        if (method == Method.AUTO) {
            method = auto.method();
            reason = "auto: " + auto.reason();
        }
        if (method == Method.CLOSED_FORM) {
            return new Plan(ts.count(), ts.atoms(), ts.symmetries().count(), n, ts.sigma(), ts.lambda(), false, method, reason, 0, "",
                    false, ClosedForm.bytesNeeded(n) + kernelBytes(ts), be.memory().availableBytes(), auto.closedSeconds());
        }
        boolean path = o.lambdaPath() && !LambdaPath.grid(ts.lambda()).isEmpty();
        return new Plan(ts.count(), ts.atoms(), ts.symmetries().count(), n, ts.sigma(), ts.lambda(), path, method, reason, kp.k(), kp.how(),
                kp.capped(), kp.bytes(), be.memory().availableBytes(), auto.pcgSeconds());
    }

    private static PcgStage.KPlan kPlan(Plan plan) {
        return new PcgStage.KPlan(plan.k(), plan.k(), plan.kHow(), plan.bytesNeeded(), plan.kCapped());
    }

    /** Descriptors, Jacobians and permuted copies the kernel keeps (the dense matrix not included). */
    static long kernelBytes(TrainingSet ts) {
        long d = (long) ts.atoms() * (ts.atoms() - 1) / 2;
        long m = ts.count();
        long p = ts.symmetries().count();
        return 8 * (d * m * 6 + 2 * d * m * p);
    }

    /** Closed form with default options (kept for callers that only need the analytic solve). */
    public TrainResult solve(Task task, Method method) {
        return solve(task, SolveOptions.defaults().withMethod(method));
    }

    public TrainResult solve(Task task, SolveOptions o) {
        TrainingSet ts = TrainingSet.of(task);
        Plan plan = plan(ts, o);
        long n = ts.size();
        be.memory().require(plan.bytesNeeded(), (plan.method() == Method.CLOSED_FORM ? "the closed-form solve" : "the PCG solve")
                + " of n = " + n);
        if (o.warmStart() != null && o.warmStart().length != n) {
            throw new org.gdml4j.error.InvalidInputException("the warm-start model has " + o.warmStart().length + " coefficients, the task needs " + n
                    + " (it must come from the same training set)");
        }
        CheckpointSession session = null;
        if (plan.method() == Method.PCG && o.checkpoint() != null) { // hashing the task is only worth it for a checkpoint
            session = CheckpointSession.open(o.checkpoint(), PcgStage.fingerprint(ts, o, kPlan(plan)), progress);
        } else if (o.checkpoint() != null && o.checkpoint().resume() && java.nio.file.Files.exists(o.checkpoint().file())) {
            throw new org.gdml4j.error.InvalidInputException(o.checkpoint().file() + ": a PCG checkpoint cannot be resumed by the closed form;"
                    + " give --solver pcg (as the run that wrote it), or remove it");
        }
        try (Workspace ws = be.workspace();
                KernelOperator kernel = KernelOperator.create(be, ts.positions(), ts.count(), ts.atoms(), ts.symmetries(), ts.sigma())) {
            Vector y = labels(be, ws, ts);
            Vector a = ws.vector(n, "solution");
            SolveReport report;
            Model.CgInfo cg = null;
            double lambda = ts.lambda();
            String solverName;
            if (plan.method() == Method.CLOSED_FORM) {
                report = new ClosedForm(be, progress).solve(new KernelLinearOperator(kernel), ts.lambda(), y, a);
                solverName = "analytic";
                if (report.outcome() != SolveReport.Outcome.CONVERGED) {
                    throw new SolveFailedException("the Cholesky factorisation failed even with a diagonal jitter of "
                            + report.finalJitter() + "; the training geometries may be nearly identical (try a larger lambda,"
                            + " fewer or more diverse training points, or --solver pcg)", report);
                }
            } else {
                if (o.warmStart() != null) {
                    double[] start = new double[Math.toIntExact(n)];
                    for (int i = 0; i < start.length; i++) {
                        start[i] = -o.warmStart()[i]; // alphas_F = −a
                    }
                    be.upload(start, a);
                }
                PcgStage.Outcome out = PcgStage.run(new PcgStage.Context(be, ts, kernel, y, a, o, progress, session), kPlan(plan));
                report = out.report();
                cg = out.cg();
                lambda = out.lambda();
                solverName = "cg";
                checkPcgOutcome(report, o);
            }
            report.fact("n", n).fact("molecules (M)", ts.count()).fact("symmetries (P)", ts.symmetries().count());
            report.fact("method", plan.method().name().toLowerCase(Locale.ROOT).replace('_', '-') + " (" + plan.methodReason() + ")");
            long t0 = System.nanoTime();
            ModelFactory.Built built = ModelFactory.build(be, ts, kernel, a, solverName, cg, lambda, extras(report, o, plan));
            report.addSeconds("model", (System.nanoTime() - t0) / 1e9);
            report.peakResident(SystemMemory.peakResidentBytes());
            List<String> warnings = new ArrayList<>();
            if (built.energyCheck() != null) {
                warnings.addAll(built.energyCheck().warnings());
            }
            if (report.outcome() != SolveReport.Outcome.CONVERGED) {
                warnings.add("the model is NOT converged (written because of --allow-unconverged; marked so in its metadata)");
            }
            return new TrainResult(built.model(), report, List.copyOf(warnings));
        }
    }

    /**
     * Runs PCG from zero for every sweep point on one kernel of {@code task} (no growth), handing each report to
     * {@code sink}: the experiments of the paper's Fig. 5 without rebuilding the kernel or the dense spectrum.
     */
    public void sweep(Task task, List<SweepPoint> points, double rtol, long seed,
            java.util.function.BiConsumer<SweepPoint, SolveReport> sink) {
        TrainingSet ts = TrainingSet.of(task);
        long n = ts.size();
        try (Workspace ws = be.workspace();
                KernelOperator kernel = KernelOperator.create(be, ts.positions(), ts.count(), ts.atoms(), ts.symmetries(), ts.sigma())) {
            Vector y = labels(be, ws, ts);
            PcgStage.sweep(be, ts, kernel, y, ws.vector(n, "solution"), points, rtol, seed, sink);
        }
    }

    /** y = vec(F_train)/std (docs/sgdml-formulas.md §5), uploaded once. */
    private static Vector labels(Backend be, Workspace ws, TrainingSet ts) {
        long n = ts.size();
        Vector y = ws.vector(n, "labels");
        double[] f = ts.forces().toArray(ValueLayout.JAVA_DOUBLE_UNALIGNED);
        for (int i = 0; i < f.length; i++) {
            f[i] /= ts.std();
        }
        be.upload(java.util.Arrays.copyOf(f, Math.toIntExact(n)), y);
        return y;
    }

    private static void checkPcgOutcome(SolveReport report, SolveOptions o) {
        switch (report.outcome()) {
            case CONVERGED -> {
            }
            case NOT_CONVERGED -> {
                if (!o.allowUnconverged()) {
                    throw new SolveFailedException(String.format(Locale.ROOT, "PCG did not reach rtol %.1e after %d iterations (true"
                            + " residual %.2e); no model written. Try a larger k (-k), another preconditioner, a larger sigma,"
                            + " or --allow-unconverged to keep the unconverged model", o.rtol(), report.iterations(),
                            report.trueResidual()), report);
                }
            }
            default -> throw new SolveFailedException("PCG broke down (" + String.join("; ", report.events())
                    + "); no model written", report);
        }
    }

    /**
     * Our own model keys beside sGDML's, for iterative solves only (a closed-form model has exactly the reference's
     * keys): the preconditioner, k, the seed, and whether it converged.
     */
    private static java.util.Map<String, org.gdml4j.io.NpyArray> extras(SolveReport report, SolveOptions o, Plan plan) {
        java.util.Map<String, org.gdml4j.io.NpyArray> m = new java.util.LinkedHashMap<>();
        if (plan.method() == Method.PCG) {
            m.put("gdml4j_converged", NpyArrays.scalar(report.outcome() == SolveReport.Outcome.CONVERGED));
            m.put("gdml4j_preconditioner", NpyArrays.ofString(o.precond().cliName()));
            m.put("gdml4j_k", NpyArrays.scalar(((Number) report.facts().getOrDefault("k used", 0L)).longValue()));
            m.put("gdml4j_seed", NpyArrays.scalar(o.seed()));
        }
        return m;
    }
}
