package org.gdml4j.cli;

import java.io.PrintWriter;

import org.gdml4j.io.SgdmlFormatException;
import org.gdml4j.linalg.InsufficientMemoryException;
import org.gdml4j.nativ.NativeLibraries;
import org.gdml4j.train.SolveFailedException;
import org.gdml4j.nativ.NativeLibraryException;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code gdml4j} command. Every failure the user can cause or fix (bad input, a missing library, too little
 * memory) ends as one line on stderr and a non-zero exit; a stack trace means a bug in gdml4j.
 */
@Command(name = "gdml4j", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Train sGDML force fields with preconditioned conjugate gradients (drop-in for the sGDML solver stage).",
        subcommands = {TrainCommand.class, CreateCommand.class, SolveCommand.class, EvaluateCommand.Validate.class, EvaluateCommand.Test.class,
                PredictCommand.class, ShowCommand.class, InfoCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Exit code for invalid input files, parameters or usage. */
    public static final int EXIT_USAGE = 2;
    /** Exit code for a failure of the environment (library, memory, I/O). */
    public static final int EXIT_FAILURE = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        SignalExit.install(); // before any native library is loaded: Ctrl-C must never run OpenBLAS's shutdown mid-call
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given streams and returns the exit code (used by tests and embedders). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            line.getErr().println("gdml4j: error: " + userMessage(ex));
            line.getErr().flush();
            return exitCodeFor(ex);
        });
        // --threads and --max-memory are process-wide; an embedding caller (or a test) gets its settings back
        long memory = org.gdml4j.linalg.MemoryBudget.userLimit();
        int threads = NativeLibraries.threads();
        try {
            return cl.execute(args);
        } finally {
            org.gdml4j.linalg.MemoryBudget.setUserLimit(memory);
            NativeLibraries.setThreads(threads);
        }
    }

    static String userMessage(Throwable ex) {
        String msg = ex.getMessage();
        return msg == null || msg.isBlank() ? ex.getClass().getSimpleName() : msg;
    }

    static int exitCodeFor(Throwable ex) {
        if (ex instanceof NativeLibraryException || ex instanceof InsufficientMemoryException || ex instanceof java.io.IOException
                || ex instanceof java.io.UncheckedIOException || ex instanceof SolveFailedException) {
            return EXIT_FAILURE;
        }
        if (ex instanceof IllegalArgumentException || ex instanceof SgdmlFormatException) {
            return EXIT_USAGE;
        }
        // anything else is a bug: keep the trace so it can be reported
        ex.printStackTrace();
        return EXIT_FAILURE;
    }
}
