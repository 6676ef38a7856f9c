package org.gdml4j.cli;

import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import org.gdml4j.io.AtomicFile;
import org.gdml4j.io.Task;
import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.CpuBackend;
import org.gdml4j.linalg.InsufficientMemoryException;
import org.gdml4j.linalg.MemoryBudget;
import org.gdml4j.train.MachineSpeed;
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
        description = "Solve an sGDML task file (as written by 'sgdml create' or 'gdml4j create') into an sGDML model file.")
final class SolveCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "TASK.npz", description = "sGDML task file")
    Path taskFile;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "MODEL.npz", description = "where to write the model (atomically)")
    Path output;

    @Option(names = "--solver", paramLabel = "NAME", defaultValue = "closed-form",
            description = "closed-form (Cholesky of the dense kernel matrix). Default: ${DEFAULT-VALUE}.")
    String solver;

    @Mixin
    ResourceOptions resources;

    @Mixin
    OutputOptions out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        TaskSolver.Method method = switch (solver) {
            case "closed-form", "closed_form", "analytic" -> TaskSolver.Method.CLOSED_FORM;
            default -> throw new IllegalArgumentException("--solver " + solver + " is not available (choose: closed-form)");
        };
        resources.apply();
        AtomicFile.checkWritable(output, taskFile);
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        Backend be = CpuBackend.get();
        try (Arena arena = Arena.ofShared()) {
            Task task = Task.load(taskFile, arena);
            TaskSolver solverStage = new TaskSolver(be, out.progress(stderr));
            TaskSolver.Plan plan = solverStage.plan(task, method);
            double estimate = MachineSpeed.seconds(be, (double) plan.n() * plan.n() * plan.n() / 3, 0.8);
            Map<String, Object> planFields = new LinkedHashMap<>();
            planFields.put("n", plan.n());
            planFields.put("molecules", plan.molecules());
            planFields.put("atoms", plan.atoms());
            planFields.put("symmetries", plan.permutations());
            planFields.put("sigma", plan.sigma());
            planFields.put("lambda", plan.lambda());
            planFields.put("solver", solver);
            planFields.put("bytes_needed", plan.bytesNeeded());
            planFields.put("bytes_available", plan.bytesAvailable());
            planFields.put("estimated_seconds", estimate);
            out.log("plan", planFields);
            out.say(stderr, String.format(Locale.ROOT, "plan: n = 3·N·M = %d (M = %d molecules, N = %d atoms, P = %d symmetries),"
                    + " sigma = %s, lambda = %.1e%n      solver %s: needs %s of %s available, about %s on %d threads",
                    plan.n(), plan.molecules(), plan.atoms(), plan.permutations(), fmt(plan.sigma()), plan.lambda(), solver,
                    MemoryBudget.formatBytes(plan.bytesNeeded()), MemoryBudget.formatBytes(plan.bytesAvailable()),
                    duration(estimate), org.gdml4j.nativ.NativeLibraries.threads()));
            if (!plan.fits()) {
                throw new InsufficientMemoryException("the closed form needs " + MemoryBudget.formatBytes(plan.bytesNeeded())
                        + " but only " + MemoryBudget.formatBytes(plan.bytesAvailable()) + " is available; use --solver pcg"
                        + " (iterative, far less memory) or --max-memory if the limit is yours", plan.bytesNeeded(), plan.bytesAvailable());
            }
            TrainResult result = solverStage.solve(task, method);
            for (String w : result.warnings()) {
                stderr.println("gdml4j: warning: " + w);
            }
            result.model().write(output, taskFile);
            out.logRaw(result.report().toJson());
            if (!out.quiet) {
                stdout.print(result.report().toTable());
            }
            stdout.println("model written to " + output);
            stdout.flush();
            return 0;
        }
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
