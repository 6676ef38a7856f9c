package org.gdml4j.train;

import org.gdml4j.error.InvalidInputException;
import org.gdml4j.linalg.Precision;
import org.gdml4j.precond.PreconditionerKind;

/**
 * How to solve a task. {@code k} (columns, the paper's k) wins over {@code kRule}; {@code kMin}/{@code m} tune the
 * rule of thumb. {@code warmStart} is a model's {@code alphas_F} (sGDML sign) to start CG from. {@code checkpoint} (or
 * null: none) says where PCG keeps its progress and whether to continue from it.
 */
public record SolveOptions(TaskSolver.Method method, PreconditionerKind precond, Integer k, String kRule, Double kMin, Double m,
        double rtol, Long maxIter, boolean grow, long seed, double[] warmStart, boolean allowUnconverged, Precision precision,
        Checkpointing checkpoint, Stop stop, Validation validation, LambdaRule lambda) {

    public SolveOptions {
        if (!(rtol > 0) || rtol >= 1) {
            throw new InvalidInputException("--rtol must be in (0, 1), got " + rtol);
        }
        if (k != null && k < 1) {
            throw new InvalidInputException("-k must be at least 1, got " + k);
        }
        if (precision == null) {
            precision = Precision.FP32; // measured faster at aspirin M = 500 and 1000 (perf/README.md), same iterations
        }
        if (stop == null) {
            stop = Stop.AUTO;
        }
        if (lambda == null) {
            lambda = LambdaRule.AUTO;
        }
        if (maxIter != null && maxIter < 1) {
            throw new InvalidInputException("--max-iter must be at least 1, got " + maxIter);
        }
    }

    /** The defaults: auto solver; for PCG the reference's tolerance, growth on, default rule of thumb. */
    public static SolveOptions defaults() {
        return new SolveOptions(TaskSolver.Method.AUTO, PreconditionerKind.LEVERAGE, null, "cost", null, null, 1e-4, null, true,
                0L, null, false, null, null, Stop.AUTO, null, LambdaRule.AUTO); // precision: the constructor's default; no checkpoints
    }

    public SolveOptions withMethod(TaskSolver.Method mth) {
        return new SolveOptions(mth, precond, k, kRule, kMin, m, rtol, maxIter, grow, seed, warmStart, allowUnconverged, precision, checkpoint, stop, validation, lambda);
    }

    public SolveOptions withPreconditioner(PreconditionerKind p, Integer kk) {
        return new SolveOptions(method, p, kk, kRule, kMin, m, rtol, maxIter, grow, seed, warmStart, allowUnconverged, precision, checkpoint, stop, validation, lambda);
    }

    public SolveOptions withRtol(double r) {
        return new SolveOptions(method, precond, k, kRule, kMin, m, r, maxIter, grow, seed, warmStart, allowUnconverged, precision, checkpoint, stop, validation, lambda);
    }

    public SolveOptions withGrowth(boolean g) {
        return new SolveOptions(method, precond, k, kRule, kMin, m, rtol, maxIter, g, seed, warmStart, allowUnconverged, precision, checkpoint, stop, validation, lambda);
    }

    public SolveOptions withSeed(long s) {
        return new SolveOptions(method, precond, k, kRule, kMin, m, rtol, maxIter, grow, s, warmStart, allowUnconverged, precision, checkpoint, stop, validation, lambda);
    }

    public SolveOptions withKRule(String rule, Double kmin, Double mm) {
        return new SolveOptions(method, precond, k, rule, kmin, mm, rtol, maxIter, grow, seed, warmStart, allowUnconverged, precision, checkpoint, stop, validation, lambda);
    }

    public SolveOptions withMaxIter(Long it) {
        return new SolveOptions(method, precond, k, kRule, kMin, m, rtol, it, grow, seed, warmStart, allowUnconverged, precision, checkpoint, stop, validation, lambda);
    }

    public SolveOptions withWarmStart(double[] alphas) {
        return new SolveOptions(method, precond, k, kRule, kMin, m, rtol, maxIter, grow, seed, alphas, allowUnconverged, precision, checkpoint, stop, validation, lambda);
    }

    public SolveOptions withPrecision(Precision p) {
        return new SolveOptions(method, precond, k, kRule, kMin, m, rtol, maxIter, grow, seed, warmStart, allowUnconverged, p, checkpoint, stop, validation, lambda);
    }

    public SolveOptions withCheckpoint(Checkpointing c) {
        return new SolveOptions(method, precond, k, kRule, kMin, m, rtol, maxIter, grow, seed, warmStart, allowUnconverged, precision, c, stop, validation, lambda);
    }

    public SolveOptions withAllowUnconverged(boolean a) {
        return new SolveOptions(method, precond, k, kRule, kMin, m, rtol, maxIter, grow, seed, warmStart, a, precision, checkpoint, stop, validation, lambda);
    }

    /** Stops only on rtol (the reference's rule), or also when the validation forces have settled ({@link ValidationMonitor}). */
    public SolveOptions withStop(Stop st) {
        return new SolveOptions(method, precond, k, kRule, kMin, m, rtol, maxIter, grow, seed, warmStart, allowUnconverged, precision, checkpoint,
                st, validation, lambda);
    }

    /** Validation frames of {@code data} the accuracy-aware stop predicts (null: none). */
    public SolveOptions withValidation(Validation v) {
        return new SolveOptions(method, precond, k, kRule, kMin, m, rtol, maxIter, grow, seed, warmStart, allowUnconverged, precision, checkpoint,
                stop, v, lambda);
    }

    /** Refuses {@code --stop validation} without validation frames (checked when a solve is planned: frames come last). */
    void requireValidationFrames() {
        if (stop == Stop.VALIDATION && validation == null) {
            throw new InvalidInputException("--stop validation needs validation frames (gdml4j solve: --valid DATASET; gdml4j train:"
                    + " --n-valid > 0)");
        }
    }

    /** How λ is chosen: {@code AUTO} on validation wherever the validation stop is on ({@link LambdaPath}), or the task's. */
    public SolveOptions withLambda(LambdaRule l) {
        return new SolveOptions(method, precond, k, kRule, kMin, m, rtol, maxIter, grow, seed, warmStart, allowUnconverged, precision, checkpoint,
                stop, validation, l);
    }

    /** Whether PCG chooses λ on validation ({@link LambdaPath}): {@code --lambda auto} with the validation stop on and a low-rank preconditioner. */
    public boolean lambdaPath() {
        return lambda == LambdaRule.AUTO && stopsOnValidation() && precond.lowRank();
    }

    /** Whether PCG stops on settled validation forces: {@code VALIDATION}, or {@code AUTO} with frames at hand. */
    public boolean stopsOnValidation() {
        return validation != null && stop != Stop.RTOL;
    }

    /**
     * When PCG stops: {@code RTOL} on ‖r‖ ≤ rtol·‖y‖ only (the reference's rule); {@code VALIDATION} also once the
     * forces it predicts for validation frames have settled (rtol stays the last resort); {@code AUTO} the latter
     * whenever validation frames are at hand.
     */
    public enum Stop {
        AUTO, RTOL, VALIDATION
    }

    /**
     * The regulariser: {@code AUTO} solves for λ = 1e-5, 1e-6, … down to the task's λ and keeps the one where the
     * validation force error stopped improving ({@link LambdaPath}; wherever the validation stop is on and the
     * preconditioner is low-rank); {@code TASK} always the task's λ (the reference's behaviour).
     */
    public enum LambdaRule {
        AUTO, TASK
    }

    /** Frames of a dataset (the task's validation frames) for the accuracy-aware stop. */
    public record Validation(org.gdml4j.io.Dataset data, long[] frames) {
        public Validation {
            if (frames == null || frames.length == 0) {
                throw new InvalidInputException("the validation stop needs at least one validation frame");
            }
            frames = frames.clone();
        }
    }

    /**
     * PCG checkpoints: every {@code everySeconds} (0: never) the state goes to {@code file}, atomically; with
     * {@code resume}, a solve continues from that file if it exists (and belongs to the same task and options).
     */
    public record Checkpointing(java.nio.file.Path file, double everySeconds, boolean resume) {
        public Checkpointing {
            if (file == null) {
                throw new IllegalArgumentException("a checkpoint needs a file");
            }
            if (!(everySeconds >= 0) || Double.isInfinite(everySeconds)) {
                throw new InvalidInputException("--checkpoint-every must be a number of seconds >= 0, got " + everySeconds);
            }
        }
    }
}
