package org.gdml4j.cli;

import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import org.gdml4j.error.InvalidInputException;
import org.gdml4j.io.Dataset;
import org.gdml4j.io.Task;
import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.InsufficientMemoryException;
import org.gdml4j.linalg.MemoryBudget;
import org.gdml4j.train.SolveOptions;
import org.gdml4j.train.TaskSolver;
import org.gdml4j.train.TrainResult;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code gdml4j solve TASK.npz -o MODEL.npz}: the sGDML solver stage as a drop-in. */
@Command(name = "solve", mixinStandardHelpOptions = true,
        description = "Solve an sGDML task file (as written by 'sgdml create' or 'gdml4j create') into an sGDML model file:"
                + " closed form or preconditioned conjugate gradients.")
final class SolveCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "TASK.npz", description = "sGDML task file")
    Path taskFile;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "MODEL.npz", description = "where to write the model (atomically)")
    Path output;

    @Option(names = "--valid", paramLabel = "DATASET.npz",
            description = "the dataset the task's validation frames (idxs_valid) come from: PCG then stops once the forces it predicts"
                    + " for 100 of them have settled (see --stop)")
    Path validDataset;

    @Mixin
    SolverOptions solverOptions;

    @Mixin
    ResourceOptions resources;

    @Mixin
    OutputOptions out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        resources.apply();
        Path checkpoint = solverOptions.checkpointFile(output);
        new CommandPaths().input("TASK", taskFile).input("--warm-start", solverOptions.warmStart).input("--valid", validDataset).output("-o", output)
                .output("--checkpoint", checkpoint).log("--log-json", out.logJson).check();
        SignalExit.checkpoint(checkpoint);
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        Backend be = resources.backend();
        try (Arena arena = Arena.ofShared()) {
            Task task = Task.load(taskFile, arena);
            SolveOptions options = solverOptions.toSolveOptions(arena, output);
            if (validDataset != null) {
                options = options.withValidation(validation(task, Dataset.load(validDataset, arena)));
            }
            TaskSolver solverStage = new TaskSolver(be, out.progress(stderr));
            TaskSolver.Plan plan = solverStage.plan(task, options);
            double estimate = plan.seconds();
            Map<String, Object> planFields = new LinkedHashMap<>();
            planFields.put("n", plan.n());
            planFields.put("molecules", plan.molecules());
            planFields.put("atoms", plan.atoms());
            planFields.put("symmetries", plan.permutations());
            planFields.put("sigma", plan.sigma());
            planFields.put("lambda", plan.lambda());
            planFields.put("lambda_rule", plan.lambdaOnValidation() ? "auto" : "task");
            planFields.put("solver", plan.method().name());
            planFields.put("solver_reason", plan.methodReason());
            planFields.put("preconditioner", plan.method() == TaskSolver.Method.PCG ? options.precond().cliName() : null);
            planFields.put("k", plan.k());
            planFields.put("k_rule", plan.kHow());
            planFields.put("bytes_needed", plan.bytesNeeded());
            planFields.put("bytes_available", plan.bytesAvailable());
            planFields.put("estimated_seconds", estimate);
            planFields.put("device", resources.deviceName());
            planFields.put("backend", be.name());
            out.log("plan", planFields);
            out.say(stderr, describe(plan, options, estimate, be));
            if (!plan.fits()) {
                throw new InsufficientMemoryException("the " + (plan.method() == TaskSolver.Method.CLOSED_FORM ? "closed form" : "PCG solve")
                        + " needs " + MemoryBudget.formatBytes(plan.bytesNeeded()) + " but only " + MemoryBudget.formatBytes(plan.bytesAvailable())
                        + " is available; use --solver pcg with a smaller -k, or raise --max-memory if the limit is yours",
                        plan.bytesNeeded(), plan.bytesAvailable());
            }
            TrainResult result = solverStage.solve(task, options);
            result.report().fact("device", be.name());
            for (String w : result.warnings()) {
                stderr.println("gdml4j: warning: " + w);
            }
            result.model().write(output, taskFile);
            solverOptions.removeCheckpoint(output);
            out.logRaw(result.report().toJson());
            if (!out.quiet) {
                stdout.print(result.report().toTable());
            }
            stdout.println("model written to " + output);
            stdout.flush();
            return 0;
        }
    }

    /** The task's validation frames in {@code data}, which must be the dataset they index (its md5, its atoms). */
    static SolveOptions.Validation validation(Task task, Dataset data) {
        long[] idx = task.idxsValid();
        if (idx == null || idx.length == 0) {
            throw new InvalidInputException("--valid: the task has no validation frames (idxs_valid is empty)");
        }
        String md5 = data.md5() != null ? data.md5() : data.computeMd5();
        if (task.md5Valid() != null && !task.md5Valid().equals(md5)) {
            throw new InvalidInputException("--valid: this dataset (md5 " + md5 + ") is not the one the task's validation frames come from (md5 "
                    + task.md5Valid() + ")");
        }
        if (!java.util.Arrays.equals(task.z(), data.z())) {
            throw new InvalidInputException("--valid: the dataset's atoms differ from the task's");
        }
        for (long i : idx) {
            if (i < 0 || i >= data.frames()) {
                throw new InvalidInputException("--valid: validation frame " + i + " is outside the dataset's " + data.frames() + " frames");
            }
        }
        return new SolveOptions.Validation(data, idx);
    }

    /** The plan, as printed before work starts. */
    static String describe(TaskSolver.Plan plan, SolveOptions options, double estimate, Backend be) {
        String solverLine = plan.method() == TaskSolver.Method.CLOSED_FORM ? "closed form (dense Cholesky)"
                : String.format(Locale.ROOT, "PCG, %s preconditioner, k = %d (%s%s)", options.precond().cliName(), plan.k(), plan.kHow(),
                        plan.kCapped() ? ", capped to fit memory" : "");
        String lambda = String.format(Locale.ROOT, "%.1e", plan.lambda())
                + (plan.lambdaOnValidation() ? " or larger (chosen on validation from 1e-5 down: --lambda auto)" : "");
        return String.format(Locale.ROOT, "plan: n = 3·N·M = %d (M = %d molecules, N = %d atoms, P = %d symmetries), sigma = %s,"
                + " lambda = %s%n      solver: %s%n      why: %s%n      device: %s%n"
                + "      memory: needs %s of %s available; time: roughly %s on %d threads",
                plan.n(), plan.molecules(), plan.atoms(), plan.permutations(), fmt(plan.sigma()), lambda, solverLine,
                plan.methodReason(), be.name(), MemoryBudget.formatBytes(plan.bytesNeeded()), MemoryBudget.formatBytes(plan.bytesAvailable()),
                duration(estimate), org.gdml4j.nativ.NativeLibraries.threads());
    }

    static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    static String duration(double seconds) {
        if (seconds < 60) {
            return String.format(Locale.ROOT, "%.0f s", Math.max(1, seconds));
        }
        if (seconds < 3600) {
            return String.format(Locale.ROOT, "%.1f min", seconds / 60);
        }
        return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
    }
}
