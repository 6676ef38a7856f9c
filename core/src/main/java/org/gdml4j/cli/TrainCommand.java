package org.gdml4j.cli;

import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import org.gdml4j.error.InvalidInputException;
import org.gdml4j.io.AtomicFile;
import org.gdml4j.io.Dataset;
import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.InsufficientMemoryException;
import org.gdml4j.linalg.MemoryBudget;
import org.gdml4j.train.SolveOptions;
import org.gdml4j.train.TaskCreator;
import org.gdml4j.train.Trainer;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code gdml4j train DATASET.npz -n M}: create → solve → validate → test in one process, then the result table. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train an sGDML model from a dataset: create the task, solve it (closed form or PCG), validate, test.")
final class TrainCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DATASET.npz")
    Path datasetFile;

    @Mixin
    CreateOptions create;

    @Option(names = "--n-test", paramLabel = "T", defaultValue = "0",
            description = "test frames (0 = every frame not used for training or validation). Default: ${DEFAULT-VALUE}.")
    int nTest;

    @Mixin
    SolverOptions solverOptions;

    @Option(names = {"-o", "--output"}, paramLabel = "MODEL.npz", description = "default: <dataset>-train<M>-sym<P>-sig<σ>.npz")
    Path output;

    @Option(names = "--save-task", paramLabel = "TASK.npz", description = "also write the task file")
    Path saveTask;

    @Mixin
    ResourceOptions resources;

    @Mixin
    OutputOptions out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        resources.apply();
        if (nTest < 0) {
            throw new InvalidInputException("--n-test must be 0 (all unused frames) or more, got " + nTest);
        }
        // checkpoints need a name before the model's default name is known (it depends on the symmetries found)
        Path checkpointBase = output != null ? output : Path.of(stem(datasetFile) + "-train" + create.frameCount() + ".npz");
        boolean sigmaSearch = create.sigmas().length > 1;
        if (sigmaSearch && solverOptions.resume) {
            throw new InvalidInputException("--resume continues one solve: give one --sigma (a --sigma auto search keeps no checkpoints)");
        }
        Path checkpoint = sigmaSearch ? null : solverOptions.checkpointFile(checkpointBase);
        new CommandPaths().input("DATASET", datasetFile).input("--warm-start", solverOptions.warmStart).output("-o", output)
                .output("--save-task", saveTask).output("--checkpoint", checkpoint).log("--log-json", out.logJson).check();
        SignalExit.checkpoint(checkpoint);
        if (output == null) {
            AtomicFile.checkWritable(Path.of("gdml4j-output-check.npz"), datasetFile); // the default lands in the current folder
        }
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        try (Arena arena = Arena.ofShared()) {
            Dataset data = Dataset.load(datasetFile, arena);
            TaskCreator.Options c = CreateCommand.options(create, data, solverOptions.seed);
            SolveOptions solve = solverOptions.toSolveOptions(arena, sigmaSearch ? null : checkpointBase); // reads --warm-start once
            Backend be = resources.backend();
            Trainer.Builder builder = Trainer.builder().dataset(data).seed(solverOptions.seed).symmetries(!create.noSym)
                    .sigma(create.sigmas()).validationFrames(c.valid()).testFrames(nTest)
                    .solve(solve).progress(out.progress(stderr)).backend(be)
                    .onPlan((task, plan) -> {
                        out.say(stderr, SolveCommand.describe(plan, solve, plan.seconds(), be));
                        Map<String, Object> f = new LinkedHashMap<>();
                        f.put("n", plan.n());
                        f.put("sigma", plan.sigma());
                        f.put("lambda", plan.lambda());
                        f.put("lambda_rule", plan.lambdaOnValidation() ? "auto" : "task");
                        f.put("solver", plan.method().name());
                        f.put("k", plan.k());
                        f.put("bytes_needed", plan.bytesNeeded());
                        f.put("device", resources.deviceName());
                        f.put("backend", be.name());
                        out.log("plan", f);
                        if (!plan.fits()) {
                            throw new InsufficientMemoryException("the solve needs " + MemoryBudget.formatBytes(plan.bytesNeeded())
                                    + " but only " + MemoryBudget.formatBytes(plan.bytesAvailable()) + " is available; use --solver pcg"
                                    + " with a smaller -k, or fewer training frames", plan.bytesNeeded(), plan.bytesAvailable());
                        }
                    });
            if (c.trainFrames() != null) {
                builder.trainingIndices(c.trainFrames());
            } else {
                builder.trainingFrames(c.train());
            }
            Trainer.Result r = builder.build().run();
            r.report().fact("device", be.name());
            for (String w : r.warnings()) {
                stderr.println("gdml4j: warning: " + w);
            }
            Path target = output != null ? output : Path.of(String.format(Locale.ROOT, "%s-train%d-sym%d-sig%04d.npz",
                    stem(datasetFile), r.task().trainSize(), r.task().perms().length, Math.round(r.sigma())));
            r.model().write(target, datasetFile);
            if (!sigmaSearch) {
                solverOptions.removeCheckpoint(checkpointBase);
            }
            if (saveTask != null) {
                r.task().write(saveTask, datasetFile, target);
            }
            out.logRaw(r.report().toJson());
            stdout.print(ResultTable.of(datasetFile, data, r, target));
            stdout.flush();
            return 0;
        }
    }

    static String stem(Path p) {
        String s = p.getFileName().toString();
        return s.endsWith(".npz") ? s.substring(0, s.length() - 4) : s;
    }
}
