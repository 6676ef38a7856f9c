package org.gdml4j.cli;

import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.gdml4j.error.InvalidInputException;
import org.gdml4j.io.Dataset;
import org.gdml4j.io.Task;
import org.gdml4j.train.FrameSelection;
import org.gdml4j.train.TaskCreator;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code gdml4j create DATASET.npz -n M}: an sGDML task file, as {@code sgdml create} writes it. */
@Command(name = "create", mixinStandardHelpOptions = true,
        description = "Create an sGDML task from a dataset: training/validation frames, symmetries, sigma.")
final class CreateCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DATASET.npz")
    Path datasetFile;

    @Mixin
    CreateOptions create;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "seed of the frame draws. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = {"-o", "--output"}, paramLabel = "TASK.npz", description = "default: task-train<M>-sym<P>-sig<σ>.npz")
    Path output;

    @Mixin
    ResourceOptions resources;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        resources.apply();
        if (create.sigmas().length != 1) {
            throw new InvalidInputException("create takes one --sigma (use 'gdml4j train --sigma auto' to search a grid)");
        }
        new CommandPaths().input("DATASET", datasetFile).output("-o", output).check();
        PrintWriter out = spec.commandLine().getOut();
        try (Arena arena = Arena.ofShared()) {
            Dataset data = Dataset.load(datasetFile, arena);
            Task task = TaskCreator.create(data, options(create, data, seed), arena);
            Path target = output != null ? output : Path.of(String.format(Locale.ROOT, "task-train%d-sym%d-sig%04d.npz",
                    task.trainSize(), task.perms().length, Math.round(task.sig())));
            task.write(target, datasetFile);
            out.printf(Locale.ROOT, "task: %d training + %d validation frames of %s, %d symmetries, sigma %s%n", task.trainSize(),
                    task.idxsValid().length, datasetFile, task.perms().length, SolveCommand.fmt(task.sig()));
            out.println("task written to " + target);
            return 0;
        }
    }

    /** The create options resolved against a dataset (explicit frames parsed, default validation size). */
    static TaskCreator.Options options(CreateOptions c, Dataset data, long seed) {
        if (c.idxsTrain != null && c.train != null) {
            // -n draws frames, --idxs-train names them; taking one and ignoring the other would hide a mistake
            throw new InvalidInputException("give either -n (how many training frames to draw) or --idxs-train (which frames),"
                    + " not both");
        }
        long[] explicit = c.idxsTrain == null ? null : FrameSelection.parse(c.idxsTrain, data.frames());
        if (explicit == null && c.train == null) {
            throw new InvalidInputException("give the number of training frames with -n M (or --idxs-train)");
        }
        int m = explicit != null ? explicit.length : c.train;
        if (m > data.frames()) {
            throw new InvalidInputException("-n " + m + " training frames were asked for, but the dataset has only " + data.frames());
        }
        int valid = c.valid != null ? c.valid : Math.min(1000, data.frames() - m);
        return new TaskCreator.Options(m, valid, seed, explicit, !c.noSym, c.sigmas()[0], Task.DEFAULT_LAMBDA);
    }
}
