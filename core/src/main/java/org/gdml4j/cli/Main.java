package org.gdml4j.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

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
public final class Main implements Callable<Integer> {
    /** Exit code for invalid input files, parameters or usage. */
    public static final int EXIT_USAGE = 2;
    /** Exit code for a failure of the environment (library, memory, I/O). */
    public static final int EXIT_FAILURE = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** {@code gdml4j} without a command is a usage error: the usage goes where errors go, and the exit says so. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return EXIT_USAGE;
    }

    public static void main(String[] args) {
        SignalExit.install(); // before any native library is loaded: Ctrl-C must never run OpenBLAS's shutdown mid-call
        int code = run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        SignalExit.awaitIfStopping(); // a signal's handler ends the process with its own status, after its clean-up
        System.exit(code);
    }

    /** Runs the command line with the given streams and returns the exit code (used by tests and embedders). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        // '@FILE' is gdml4j's own syntax for a list of frame indices (--idxs-train @FILE, predict --idxs @FILE);
        // picocli would otherwise replace it by the file's lines as extra arguments. No option takes argument files.
        cl.setExpandAtFiles(false);
        cl.setParameterExceptionHandler(Main::usageError);
        cl.setExecutionExceptionHandler((ex, line, parsed) -> report(line.getErr(), ex));
        // --threads is process-wide (BLAS has one thread count); an embedding caller (or a test) gets its setting back.
        // --max-memory belongs to the command's backend and needs no restoring.
        int threads;
        try {
            threads = NativeLibraries.threads();
        } catch (NativeLibraryException e) { // a bad GDML4J_THREADS
            return report(err, e);
        }
        try {
            return cl.execute(args);
        } catch (ExceptionInInitializerError | NoClassDefFoundError e) {
            // a class that loads BLAS in its static initialiser (CpuBackend) failed: picocli only handles exceptions
            return report(err, initialisationCause(e));
        } finally {
            NativeLibraries.setThreads(threads);
        }
    }

    /**
     * A command line picocli cannot parse (unknown option, missing or malformed value): one error line and a hint,
     * not the whole usage, which would bury the line that says what is wrong.
     */
    private static int usageError(CommandLine.ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        String msg = userMessage(ex);
        String hint = "try '" + cmd.getCommandSpec().qualifiedName() + " --help'";
        if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String first = u.getUnmatched().getFirst();
            if (!first.startsWith("-")) { // picocli says "Unmatched argument at index 4: '5'"
                msg = (cmd.getCommandSpec().parent() == null && cmd.getSubcommands().size() > 0 ? "unknown command '" + first + "'"
                        : "unexpected argument" + (u.getUnmatched().size() > 1 ? "s " : " ") + quoted(u.getUnmatched()));
            }
            List<String> guesses = u.getSuggestions(); // close for a mistyped option, arbitrary for a word
            if (first.startsWith("-") && !guesses.isEmpty()) {
                hint = "did you mean " + String.join(" or ", guesses.subList(0, Math.min(2, guesses.size()))) + "? " + hint;
            }
        }
        // picocli capitalises its messages; gdml4j's own start in lower case after "error:"
        if (msg.length() > 1 && Character.isUpperCase(msg.charAt(0)) && Character.isLowerCase(msg.charAt(1))) {
            msg = Character.toLowerCase(msg.charAt(0)) + msg.substring(1);
        }
        err.println("gdml4j: error: " + msg);
        err.println(hint);
        err.flush();
        return EXIT_USAGE;
    }

    private static String quoted(List<String> args) {
        return String.join(" ", args.stream().map(a -> "'" + a + "'").toList());
    }

    private static int report(PrintWriter err, Throwable ex) {
        if (SignalExit.stopping()) {
            return EXIT_FAILURE; // a consequence of the signal (e.g. a refused write): the handler's one line says it all
        }
        err.println("gdml4j: error: " + userMessage(ex));
        err.flush();
        return exitCodeFor(ex);
    }

    /**
     * The exception behind a failed static initialiser. The first failure carries it as its cause; later uses of the
     * class only get "Could not initialize class", so a BLAS failure is asked of {@link NativeLibraries}, which keeps it.
     * Anything else is a bug and keeps its trace.
     */
    static Throwable initialisationCause(LinkageError e) {
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            if (!(c instanceof LinkageError)) {
                return c;
            }
        }
        return NativeLibraries.blasFailure().<Throwable>map(f -> f).orElseThrow(() -> e);
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
