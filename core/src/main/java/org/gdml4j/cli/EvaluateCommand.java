package org.gdml4j.cli;

import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Locale;

import org.gdml4j.error.InvalidInputException;
import org.gdml4j.io.Dataset;
import org.gdml4j.io.Model;
import org.gdml4j.train.Evaluation;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code gdml4j validate} and {@code gdml4j test}: a model's errors on its validation frames, or on frames never used
 * for training or validation, recorded into the model file as sGDML records them ({@code f_err}, {@code e_err},
 * {@code n_test}, {@code md5_test}); the file is rewritten atomically.
 */
final class EvaluateCommand {
    private EvaluateCommand() {
    }

    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = "Errors of a model on its validation frames (from the dataset it was trained on); recorded in the model.")
    static final class Validate extends Base {
        @Override
        long[] frames(Model model, Dataset data) {
            return Evaluation.validationFrames(model, data);
        }

        @Override
        boolean test() {
            return false;
        }
    }

    @Command(name = "test", mixinStandardHelpOptions = true,
            description = "Errors of a model on frames not used for training or validation; recorded in the model.")
    static final class Test extends Base {
        @Option(names = {"-n", "--n-test"}, paramLabel = "T", defaultValue = "0",
                description = "number of test frames (0 = all unused frames). Default: ${DEFAULT-VALUE}.")
        int count;

        @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "seed of the test draw. Default: ${DEFAULT-VALUE}.")
        long seed;

        @Override
        long[] frames(Model model, Dataset data) {
            if (count < 0) { // a negative count would otherwise fall into "0 = all" and test every frame unasked
                throw new InvalidInputException("-n/--n-test must be 0 (all unused frames) or more, got " + count);
            }
            return Evaluation.testFrames(model, data, count, seed);
        }

        @Override
        boolean test() {
            return true;
        }
    }

    abstract static class Base implements java.util.concurrent.Callable<Integer> {
        @Parameters(index = "0", paramLabel = "MODEL.npz")
        Path modelFile;

        @Parameters(index = "1", paramLabel = "DATASET.npz")
        Path datasetFile;

        @Option(names = "--no-update", description = "print the errors without writing them into the model file")
        boolean noUpdate;

        @Mixin
        ResourceOptions resources;

        @Spec
        CommandSpec spec;

        abstract long[] frames(Model model, Dataset data);

        abstract boolean test();

        @Override
        public Integer call() {
            resources.apply();
            // the model is rewritten in place unless --no-update: then it must be writable like any output
            CommandPaths paths = new CommandPaths().input("DATASET", datasetFile);
            (noUpdate ? paths.input("MODEL", modelFile) : paths.output("MODEL", modelFile)).check();
            PrintWriter out = spec.commandLine().getOut();
            try (Arena arena = Arena.ofShared()) {
                Model model = Model.load(modelFile, arena);
                Dataset data = Dataset.load(datasetFile, arena);
                long[] frames = frames(model, data);
                Evaluation.Errors e = Evaluation.errors(resources.backend(), model, data, frames, arena);
                String eu = data.eUnit() == null ? "" : " " + data.eUnit();
                String fu = data.eUnit() == null ? "" : " " + data.eUnit() + "/" + (data.rUnit() == null ? "Ang" : data.rUnit());
                out.printf(Locale.ROOT, "%s on %,d frames (%.1f s)%n", test() ? "test" : "validation", e.frames(), e.seconds());
                if (e.energy() != null) {
                    out.printf(Locale.ROOT, "  energy  MAE %.4f   RMSE %.4f%s%n", e.energy().mae(), e.energy().rmse(), eu);
                }
                out.printf(Locale.ROOT, "  forces  MAE %.4f   RMSE %.4f%s%n", e.forces().mae(), e.forces().rmse(), fu);
                if (!noUpdate) {
                    String md5 = data.md5() != null ? data.md5() : data.computeMd5();
                    // the model is fully in memory: rewriting its own file (atomically) is safe
                    Evaluation.record(model, e, test(), md5).write(modelFile, datasetFile);
                    out.println("errors recorded in " + modelFile);
                }
                out.flush();
                return 0;
            }
        }
    }
}
