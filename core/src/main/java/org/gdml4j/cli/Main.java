package org.gdml4j.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.gdml4j.error.InvalidInputException;
import org.gdml4j.error.NumericalFailureException;
import org.gdml4j.io.SgdmlFormatException;
import org.gdml4j.linalg.InsufficientMemoryException;
import org.gdml4j.nativ.NativeLibraries;
import org.gdml4j.train.SolveFailedException;
import org.gdml4j.nativ.NativeLibraryException;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code gdml4j} command. Every failure ends as one line on stderr and a non-zero exit: {@code gdml4j: error: ...}
 * and exit 2 for bad input ({@link InvalidInputException}, {@link SgdmlFormatException}, a command line picocli cannot
 * parse), exit 1 for the environment (a missing library, too little memory, I/O); any other exception is a bug in
 * gdml4j: {@code gdml4j: internal error: ...} asking for a report, exit 1, and its stack trace in the {@code --log-json}
 * file and, with {@code --debug}, on stderr.
 */
@Command(name = "gdml4j", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Train sGDML force fields with preconditioned conjugate gradients (drop-in for the sGDML solver stage).",
        subcommands = {TrainCommand.class, CreateCommand.class, SolveCommand.class, EvaluateCommand.Validate.class, EvaluateCommand.Test.class,
                PredictCommand.class, ShowCommand.class, InfoCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {
    /** Exit code for invalid input files, parameters or usage. */
    public static final int EXIT_USAGE = 2;
    /** Exit code for a failure of the environment (library, memory, I/O), and for an internal error (a bug). */
    public static final int EXIT_FAILURE = 1;

    /**
     * Test hook, not for users: {@code -Dgdml4j.test.failInternally=COMMAND} (e.g. {@code solve}) makes that command
     * fail with an {@link IllegalStateException} before it starts, so tests can see how an internal error is reported.
     */
    static final String FAIL_INTERNALLY = "gdml4j.test.failInternally";

    private static final String REPORT = "a bug in gdml4j: please report it with the command line and the output of 'gdml4j info'";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Read from the parse result ({@link #debug(CommandLine.ParseResult)}), wherever on the command line it was given. */
    @CommandLine.Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "On an error, also print its stack trace (an internal error's trace always goes to the --log-json file).")
    boolean debug;

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
        cl.setExecutionExceptionHandler((ex, line, parsed) -> report(line.getErr(), ex, parsed));
        cl.setExecutionStrategy(parsed -> {
            failIfAsked(parsed);
            return new CommandLine.RunLast().execute(parsed);
        });
        // --threads is process-wide (BLAS has one thread count); an embedding caller (or a test) gets its setting back.
        // --max-memory belongs to the command's backend and needs no restoring.
        int threads;
        try {
            threads = NativeLibraries.threads();
        } catch (NativeLibraryException e) { // a bad GDML4J_THREADS
            return report(err, e, null);
        }
        try {
            return cl.execute(args);
        } catch (ExceptionInInitializerError | NoClassDefFoundError e) {
            // a class that loads BLAS in its static initialiser (CpuBackend) failed: picocli only handles exceptions
            return report(err, initialisationCause(e), cl.getParseResult());
        } catch (RuntimeException | Error e) { // an error picocli passes on (e.g. StackOverflowError): a bug as well
            return report(err, e, cl.getParseResult());
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

    /**
     * One line for {@code ex} and its exit code; the stack trace too with {@code --debug}. An internal error also
     * appends its trace to the command's {@code --log-json} file. {@code parsed} is null before the command line is parsed.
     */
    private static int report(PrintWriter err, Throwable ex, CommandLine.ParseResult parsed) {
        if (SignalExit.stopping()) {
            return EXIT_FAILURE; // a consequence of the signal (e.g. a refused write): the handler's one line says it all
        }
        boolean internal = isInternal(ex);
        err.println(internal ? "gdml4j: internal error: " + internalMessage(ex) + " (" + REPORT + ")" : "gdml4j: error: " + userMessage(ex));
        String trace = internal || debug(parsed) ? stackTrace(ex) : null;
        if (debug(parsed)) {
            err.print(trace);
        }
        if (internal) {
            logInternalError(err, parsed, ex, trace);
        }
        err.flush();
        return exitCodeFor(ex);
    }

    /**
     * The exception behind a failed static initialiser. The first failure carries it as its cause; later uses of the
     * class only get "Could not initialize class", so a BLAS failure is asked of {@link NativeLibraries}, which keeps it.
     * Without either, the error itself: a bug, reported as an internal error.
     */
    static Throwable initialisationCause(LinkageError e) {
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            if (!(c instanceof LinkageError)) {
                return c;
            }
        }
        return NativeLibraries.blasFailure().<Throwable>map(f -> f).orElse(e);
    }

    static String userMessage(Throwable ex) {
        String msg = ex.getMessage();
        return msg == null || msg.isBlank() ? ex.getClass().getSimpleName() : msg;
    }

    /** An internal error's line: the exception's type (an NPE's message alone does not say what it is) and message. */
    static String internalMessage(Throwable ex) {
        String msg = ex.getMessage();
        return ex.getClass().getSimpleName() + (msg == null || msg.isBlank() ? "" : ": " + msg);
    }

    /** Bad input: the user's to fix (exit 2). */
    static boolean isUserError(Throwable ex) {
        return ex instanceof InvalidInputException || ex instanceof SgdmlFormatException || ex instanceof CommandLine.ParameterException;
    }

    /** A failure of the environment: library, memory, files, a solve or factorisation that cannot succeed (exit 1). */
    static boolean isEnvironmentError(Throwable ex) {
        return ex instanceof NativeLibraryException || ex instanceof InsufficientMemoryException || ex instanceof java.io.IOException
                || ex instanceof java.io.UncheckedIOException || ex instanceof SolveFailedException
                || ex instanceof NumericalFailureException;
    }

    /** Anything else, a plain IllegalArgumentException included, is a bug in gdml4j. */
    static boolean isInternal(Throwable ex) {
        return !isUserError(ex) && !isEnvironmentError(ex);
    }

    static int exitCodeFor(Throwable ex) {
        return isUserError(ex) ? EXIT_USAGE : EXIT_FAILURE;
    }

    /** Whether {@code --debug} was given, to gdml4j or to its command. */
    static boolean debug(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--debug")) {
                return true;
            }
        }
        return false;
    }

    private static String stackTrace(Throwable ex) {
        StringWriter trace = new StringWriter();
        ex.printStackTrace(new PrintWriter(trace));
        return trace.toString();
    }

    /** Appends {"event": "internal-error", ...} with the trace to the command's --log-json file, if it has one. */
    private static void logInternalError(PrintWriter err, CommandLine.ParseResult parsed, Throwable ex, String trace) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            for (CommandLine.Model.CommandSpec mixin : p.commandSpec().mixins().values()) {
                if (mixin.userObject() instanceof OutputOptions out && out.logJson != null) {
                    Map<String, Object> fields = new LinkedHashMap<>();
                    fields.put("message", internalMessage(ex));
                    fields.put("exception", ex.getClass().getName());
                    fields.put("trace", trace);
                    try {
                        out.log("internal-error", fields);
                    } catch (RuntimeException e) {
                        err.println("gdml4j: warning: the internal error could not be added to " + out.logJson + ": " + userMessage(e));
                    }
                    return;
                }
            }
        }
    }

    /** The test hook {@link #FAIL_INTERNALLY}: fails the named command as a bug would, before it starts. */
    private static void failIfAsked(CommandLine.ParseResult parsed) {
        String command = System.getProperty(FAIL_INTERNALLY);
        if (command == null) {
            return;
        }
        CommandLine.ParseResult last = parsed;
        while (last.subcommand() != null) {
            last = last.subcommand();
        }
        if (command.equals(last.commandSpec().name())) {
            throw new CommandLine.ExecutionException(last.commandSpec().commandLine(), "test hook " + FAIL_INTERNALLY,
                    new IllegalStateException("failing on purpose: " + FAIL_INTERNALLY + "=" + command + " (a test hook)"));
        }
    }
}
