package org.gdml4j.train;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.gdml4j.error.InvalidInputException;
import org.gdml4j.io.Dataset;
import org.gdml4j.io.Model;
import org.gdml4j.io.Task;
import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.Backends;
import org.gdml4j.solve.Progress;
import org.gdml4j.solve.SolveReport;

/**
 * The whole workflow in one call, for library users: dataset → task (stratified frames, symmetries, σ) → solve →
 * validate → test. {@code --sigma auto} solves a σ grid, each solve warm-started from the previous one, and keeps
 * the σ with the lowest validation force RMSE.
 * <pre>{@code
 * Trainer.Result r = Trainer.builder().dataset(Path.of("data/rmd17_ethanol.npz")).trainingFrames(100).build().run();
 * r.model().write(Path.of("ethanol.npz"));
 * }</pre>
 */
public final class Trainer {
    /** Everything a run produced. {@code test} is null when no frames were left to test on. */
    public record Result(Task task, Model model, SolveReport report, Evaluation.Errors validation, Evaluation.Errors test,
            double sigma, List<String> warnings, Map<String, Double> seconds) {
    }

    private final Builder b;

    private Trainer(Builder b) {
        this.b = b;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Configures a run; every setting has the sGDML/paper default. */
    public static final class Builder {
        private Path datasetPath;
        private Dataset dataset;
        private int train;
        private long[] trainIndices;
        private int valid = -1;
        private int test;
        private long seed;
        private boolean symmetries = true;
        private double[] sigmas = {10};
        private double lambda = Task.DEFAULT_LAMBDA;
        private SolveOptions solve = SolveOptions.defaults();
        private Progress progress = Progress.NONE;
        private Backend backend;
        private java.util.function.BiConsumer<Task, TaskSolver.Plan> onPlan = (t, p) -> { };

        public Builder dataset(Path p) {
            this.datasetPath = p;
            return this;
        }

        public Builder dataset(Dataset d) {
            this.dataset = d;
            return this;
        }

        /** M, the number of training frames (drawn stratified by energy). */
        public Builder trainingFrames(int m) {
            this.train = m;
            return this;
        }

        /** Explicit training frames instead of a draw. */
        public Builder trainingIndices(long[] idx) {
            this.trainIndices = idx.clone();
            return this;
        }

        /** Validation frames (default: min(1,000, what is left after training)). */
        public Builder validationFrames(int v) {
            this.valid = v;
            return this;
        }

        /** Test frames (default 0: all frames not used for training or validation). */
        public Builder testFrames(int t) {
            this.test = t;
            return this;
        }

        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        public Builder symmetries(boolean on) {
            this.symmetries = on;
            return this;
        }

        /** One σ (default 10, as the paper), or several to choose from on the validation error. */
        public Builder sigma(double... grid) {
            if (grid.length == 0) {
                throw new InvalidInputException("give at least one sigma");
            }
            this.sigmas = grid.clone();
            return this;
        }

        public Builder lambda(double l) {
            this.lambda = l;
            return this;
        }

        public Builder solve(SolveOptions o) {
            this.solve = o;
            return this;
        }

        public Builder progress(Progress p) {
            this.progress = p == null ? Progress.NONE : p;
            return this;
        }

        /** Called with the task and the solver's plan before each solve (the CLI prints it). */
        public Builder onPlan(java.util.function.BiConsumer<Task, TaskSolver.Plan> listener) {
            this.onPlan = listener;
            return this;
        }

        /** The backend to compute with (e.g. {@code Backends.select("cpu")}); default: the default device's. */
        public Builder backend(Backend be) {
            this.backend = be;
            return this;
        }

        public Trainer build() {
            if (dataset == null && datasetPath == null) {
                throw new IllegalArgumentException("no dataset given");
            }
            if (trainIndices == null && train < 1) {
                throw new InvalidInputException("the number of training frames must be at least 1");
            }
            return new Trainer(this);
        }
    }

    /** Runs the workflow; the returned model lives as long as the JVM needs it (GC-managed memory). */
    public Result run() {
        Backend be = b.backend != null ? b.backend : Backends.select(Backends.DEFAULT_DEVICE);
        Arena arena = Arena.ofAuto();
        Map<String, Double> seconds = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        Dataset data = b.dataset != null ? b.dataset : Dataset.load(b.datasetPath, arena);
        int m = b.trainIndices != null ? b.trainIndices.length : b.train;
        if (m > data.frames()) {
            throw new InvalidInputException("-n " + m + " training frames were asked for, but the dataset has only " + data.frames());
        }
        int valid = b.valid >= 0 ? b.valid : Math.min(1000, data.frames() - m);
        if (b.sigmas.length > 1 && valid == 0) {
            throw new InvalidInputException("choosing sigma needs validation frames (--n-valid > 0)");
        }
        progress(b.progress, "creating the task (frames, symmetries)");
        Task task = TaskCreator.create(data, new TaskCreator.Options(m, valid, b.seed, b.trainIndices, b.symmetries, b.sigmas[0],
                b.lambda), arena);
        seconds.put("create", (System.nanoTime() - t0) / 1e9);
        TaskSolver solver = new TaskSolver(be, b.progress);
        TrainResult best = null;
        Evaluation.Errors bestValid = null;
        double bestSigma = b.sigmas[0];
        Task bestTask = task;
        List<String> warnings = new ArrayList<>();
        double[] warm = b.solve.warmStart();
        for (double sigma : b.sigmas) {
            Task t = sigma == b.sigmas[0] ? task : TaskFactory.withSigma(task, sigma, arena);
            SolveOptions options = b.solve.withWarmStart(warm)
                    .withValidation(valid > 0 ? new SolveOptions.Validation(data, task.idxsValid()) : null);
            b.onPlan.accept(t, solver.plan(t, options));
            long ts = System.nanoTime();
            TrainResult r = solver.solve(t, options);
            seconds.merge("solve", (System.nanoTime() - ts) / 1e9, Double::sum);
            warm = r.model().alphasF().toDoubleArray();
            Evaluation.Errors v = valid > 0 ? Evaluation.errors(be, r.model(), data, task.idxsValid(), arena) : null;
            if (v != null) {
                seconds.merge("validation", v.seconds(), Double::sum);
            }
            if (b.sigmas.length > 1) {
                b.progress.note(String.format(Locale.ROOT, "sigma %s: validation force RMSE %.4f", sigma, v.forces().rmse()));
            }
            if (best == null || (v != null && v.forces().rmse() < bestValid.forces().rmse())) {
                best = r;
                bestValid = v;
                bestSigma = sigma;
                bestTask = t;
            }
        }
        warnings.addAll(best.warnings());
        Model model = best.model();
        String md5 = data.md5() != null ? data.md5() : data.computeMd5();
        if (bestValid != null) {
            model = Evaluation.record(model, bestValid, false, md5);
        }
        Evaluation.Errors test = null;
        if (data.frames() > m + valid) {
            progress(b.progress, "testing");
            test = Evaluation.errors(be, model, data, Evaluation.testFrames(model, data, b.test, b.seed + 2), arena);
            seconds.put("test", test.seconds());
            model = Evaluation.record(model, test, true, md5);
        }
        seconds.put("total", (System.nanoTime() - t0) / 1e9);
        return new Result(bestTask, model, best.report(), bestValid, test, bestSigma, List.copyOf(warnings), seconds);
    }

    private static void progress(Progress p, String phase) {
        p.start(phase, 1, "step");
        p.finish();
    }
}
