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
        Checkpointing checkpoint) {

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
        if (maxIter != null && maxIter < 1) {
            throw new InvalidInputException("--max-iter must be at least 1, got " + maxIter);
        }
    }

    /** The defaults: auto solver; for PCG the reference's tolerance, growth on, default rule of thumb. */
    public static SolveOptions defaults() {
        return new SolveOptions(TaskSolver.Method.AUTO, PreconditionerKind.LEVERAGE, null, "default", null, null, 1e-4, null, true,
                0L, null, false, null, null); // precision: the constructor's default; no checkpoints
    }

    public SolveOptions withMethod(TaskSolver.Method mth) {
        return new SolveOptions(mth, precond, k, kRule, kMin, m, rtol, maxIter, grow, seed, warmStart, allowUnconverged, precision, checkpoint);
    }

    public SolveOptions withPreconditioner(PreconditionerKind p, Integer kk) {
        return new SolveOptions(method, p, kk, kRule, kMin, m, rtol, maxIter, grow, seed, warmStart, allowUnconverged, precision, checkpoint);
    }

    public SolveOptions withRtol(double r) {
        return new SolveOptions(method, precond, k, kRule, kMin, m, r, maxIter, grow, seed, warmStart, allowUnconverged, precision, checkpoint);
    }

    public SolveOptions withGrowth(boolean g) {
        return new SolveOptions(method, precond, k, kRule, kMin, m, rtol, maxIter, g, seed, warmStart, allowUnconverged, precision, checkpoint);
    }

    public SolveOptions withSeed(long s) {
        return new SolveOptions(method, precond, k, kRule, kMin, m, rtol, maxIter, grow, s, warmStart, allowUnconverged, precision, checkpoint);
    }

    public SolveOptions withKRule(String rule, Double kmin, Double mm) {
        return new SolveOptions(method, precond, k, rule, kmin, mm, rtol, maxIter, grow, seed, warmStart, allowUnconverged, precision, checkpoint);
    }

    public SolveOptions withMaxIter(Long it) {
        return new SolveOptions(method, precond, k, kRule, kMin, m, rtol, it, grow, seed, warmStart, allowUnconverged, precision, checkpoint);
    }

    public SolveOptions withWarmStart(double[] alphas) {
        return new SolveOptions(method, precond, k, kRule, kMin, m, rtol, maxIter, grow, seed, alphas, allowUnconverged, precision, checkpoint);
    }

    public SolveOptions withPrecision(Precision p) {
        return new SolveOptions(method, precond, k, kRule, kMin, m, rtol, maxIter, grow, seed, warmStart, allowUnconverged, p, checkpoint);
    }

    public SolveOptions withCheckpoint(Checkpointing c) {
        return new SolveOptions(method, precond, k, kRule, kMin, m, rtol, maxIter, grow, seed, warmStart, allowUnconverged, precision, c);
    }

    public SolveOptions withAllowUnconverged(boolean a) {
        return new SolveOptions(method, precond, k, kRule, kMin, m, rtol, maxIter, grow, seed, warmStart, a, precision, checkpoint);
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
