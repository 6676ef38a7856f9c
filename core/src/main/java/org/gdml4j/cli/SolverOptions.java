package org.gdml4j.cli;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.gdml4j.error.InvalidInputException;
import org.gdml4j.io.Model;
import org.gdml4j.linalg.Precision;
import org.gdml4j.precond.PreconditionerKind;
import org.gdml4j.train.SolveOptions;
import org.gdml4j.train.TaskSolver;

import picocli.CommandLine.Option;

/** The solver options shared by {@code solve} and {@code train}. */
final class SolverOptions {
    @Option(names = "--solver", paramLabel = "NAME", defaultValue = "auto",
            description = "closed-form, pcg or auto (closed form where K fits comfortably and is predicted faster). Default: ${DEFAULT-VALUE}.")
    String solver;

    @Option(names = "--precond", paramLabel = "NAME", defaultValue = "leverage",
            description = "PCG preconditioner: uniform, leverage, cholesky, eigen, rank-k-leverage, block-jacobi, atom-jacobi, none."
                    + " Default: ${DEFAULT-VALUE}.")
    String precond;

    @Option(names = "-k", paramLabel = "N", description = "number of inducing kernel columns (overrides --k-rule)")
    Integer k;

    @Option(names = "--k-rule", paramLabel = "RULE", defaultValue = "cost",
            description = "how to choose k: cost (the k with the least predicted time on this machine: build, kernel products and"
                    + " applies at the probed dgemm rate and bandwidth; leverage and uniform), default (the paper's rule of thumb,"
                    + " k_min = 100, m = 1), naive (n/100), specific (Table I of the paper)."
                    + " Default: ${DEFAULT-VALUE}.")
    String kRule;

    @Option(names = "--k-min", paramLabel = "K", description = "k_min of the rule of thumb")
    Double kMin;

    @Option(names = "--m", paramLabel = "M", description = "slope m of the rule of thumb")
    Double m;

    @Option(names = "--rtol", paramLabel = "TOL", defaultValue = "1e-4",
            description = "PCG stops when ‖r‖ <= TOL·‖y‖ (the reference's 1e-4). Default: ${DEFAULT-VALUE}.")
    double rtol;

    @Option(names = "--stop", paramLabel = "RULE", defaultValue = "auto",
            description = "when PCG stops: rtol (only on --rtol, as the reference), validation (also once the forces it predicts for"
                    + " 100 validation frames have settled; needs validation frames: gdml4j train has them, gdml4j solve takes --valid),"
                    + " or auto (validation whenever frames are at hand). Default: ${DEFAULT-VALUE}.")
    String stop;

    @Option(names = "--lambda", paramLabel = "RULE", defaultValue = "auto",
            description = "the regulariser: auto (with the validation stop on and a low-rank preconditioner, PCG solves for"
                    + " lambda = 1e-5, 1e-6, ... down to the task's lambda, each from the last, and keeps the decade where the error on"
                    + " 1,000 validation frames stopped improving by 0.2 %%; the model records it) or task (the task's lambda only,"
                    + " as the reference). Default: ${DEFAULT-VALUE}.")
    String lambda;

    @Option(names = "--max-iter", paramLabel = "N", description = "PCG iteration limit (default 10·n)")
    Long maxIter;

    @Option(names = "--no-grow", description = "never grow the preconditioner on stagnation (for fixed-k experiments)")
    boolean noGrow;

    @Option(names = "--precond-precision", paramLabel = "P", defaultValue = "fp32",
            description = "storage of the preconditioner factor: fp32 (half the traffic of every apply; falls back to fp64 if"
                    + " PCG does not reach rtol) or fp64. Default: ${DEFAULT-VALUE}.")
    String precision;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "seed of the random choices (frame draws, column sampling): the same seed gives the same run. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--warm-start", paramLabel = "MODEL.npz", description = "start PCG from this model's coefficients (same training set)")
    Path warmStart;

    @Option(names = "--allow-unconverged", description = "write the model even if PCG does not converge (marked so in its metadata)")
    boolean allowUnconverged;

    @Option(names = "--checkpoint", paramLabel = "FILE",
            description = "where PCG keeps its progress (default: the model file's name plus .ckpt); removed once the model is written")
    Path checkpoint;

    @Option(names = "--checkpoint-every", paramLabel = "SECONDS", defaultValue = "60",
            description = "seconds between PCG checkpoints (0: none). Default: ${DEFAULT-VALUE}.")
    double checkpointEvery;

    @Option(names = "--resume", description = "continue PCG from the checkpoint of an interrupted run of the same command"
            + " (starts from the beginning when there is none)")
    boolean resume;

    /** The checkpoint file of a command whose model goes to {@code model} (the default name is derived from it). */
    Path checkpointFile(Path model) {
        return checkpoint != null ? checkpoint : model.resolveSibling(model.getFileName() + ".ckpt");
    }

    /** Removes the checkpoint once the model it led to is written (it could only repeat the solve). */
    void removeCheckpoint(Path model) {
        try {
            java.nio.file.Files.deleteIfExists(checkpointFile(model));
        } catch (java.io.IOException e) {
            // a leftover checkpoint is harmless: a later --resume of other inputs refuses it with a message
        }
    }

    TaskSolver.Method method() {
        return switch (solver.toLowerCase(Locale.ROOT)) {
            case "closed-form", "closed_form", "analytic" -> TaskSolver.Method.CLOSED_FORM;
            case "pcg", "cg", "iterative" -> TaskSolver.Method.PCG;
            case "auto" -> TaskSolver.Method.AUTO;
            default -> throw new InvalidInputException("unknown --solver '" + solver + "' (choose: closed-form, pcg, auto)");
        };
    }

    /**
     * The options as the library takes them; reads the warm-start model from {@code arena}. Checkpoints go to
     * {@link #checkpointFile} of {@code model}, or nowhere when {@code model} is null.
     */
    SolveOptions toSolveOptions(Arena arena, Path model) {
        if (!precision.equalsIgnoreCase("fp64") && !precision.equalsIgnoreCase("fp32")) {
            throw new InvalidInputException("--precond-precision must be fp64 or fp32, got " + precision);
        }
        double[] alphas = null;
        if (warmStart != null) {
            Model w = Model.load(warmStart, arena);
            if (w.alphasF() == null) {
                throw new InvalidInputException(warmStart + ": the model has no alphas_F to warm-start from");
            }
            alphas = w.alphasF().toDoubleArray();
        }
        SolveOptions.Checkpointing ckpt = model == null ? null
                : new SolveOptions.Checkpointing(checkpointFile(model), checkpointEvery, resume);
        return new SolveOptions(method(), PreconditionerKind.parse(precond), k, kRule, kMin, m, rtol, maxIter, !noGrow, seed, alphas,
                allowUnconverged, precision.equalsIgnoreCase("fp32") ? Precision.FP32 : Precision.FP64, ckpt, choice("--stop", stop, SolveOptions.Stop.class), null,
                choice("--lambda", lambda, SolveOptions.LambdaRule.class));
    }

    /**
     * The constant of {@code type} that {@code value} names (case and surrounding blanks ignored), or one refusal that lists
     * the choices: "--stop must be auto, rtol or validation, got soon".
     */
    private static <E extends Enum<E>> E choice(String option, String value, Class<E> type) {
        E[] all = type.getEnumConstants();
        for (E e : all) {
            if (e.name().equalsIgnoreCase(value.trim())) {
                return e;
            }
        }
        List<String> names = java.util.Arrays.stream(all).map(e -> e.name().toLowerCase(Locale.ROOT)).toList();
        String listed = String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
        throw new InvalidInputException(option + " must be " + listed + ", got " + value);
    }
}
