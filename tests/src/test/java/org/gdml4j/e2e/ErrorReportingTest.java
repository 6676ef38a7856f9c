package org.gdml4j.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.gdml4j.testsupport.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #14: bad input and internal errors are told apart. Bad input (a file, a parameter, an option value, files
 * that do not belong together) exits 2 with one {@code gdml4j: error:} line; an internal error (a bug) exits 1 with
 * one {@code gdml4j: internal error:} line that asks for a report, its stack trace only with {@code --debug}, and
 * always as an {@code internal-error} event in the {@code --log-json} file. Internal errors are made with the test
 * hook {@code -Dgdml4j.test.failInternally=COMMAND}, in a JVM of their own.
 */
class ErrorReportingTest {
    private static final Duration LIMIT = Duration.ofMinutes(2);
    private static final String HOOK = "-Dgdml4j.test.failInternally=";

    @TempDir
    Path dir;

    private final Path task = TestData.fixture("ethanol-sym-m30", "task.npz");
    private final Path ethanol = TestData.dataset("rmd17_ethanol");

    // ---- bad input: exit 2, one line ----

    @Test
    void badFilesAreOneLineAndExitTwo() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.npz"), "not an archive\n");
        assertBadInput(List.of("show", text.toString()), "not a zip file");
        assertBadInput(List.of("solve", dir.resolve("missing.npz").toString(), "-o", model()), "missing.npz");
        // files that do not belong together: a model of another molecule, a warm start from another training set
        Path uracil = TestData.fixture("uracil-sym-m20", "model.npz");
        assertBadInput(List.of("predict", uracil.toString(), ethanol.toString(), "--idxs", "0:10"), "a different molecule");
        assertBadInput(List.of("solve", task.toString(), "-o", model(), "-q", "--warm-start", uracil.toString()), "coefficients");
        assertBadInput(List.of("solve", task.toString(), "-o", task.toString()), "the same file");
    }

    @Test
    void badParametersAreOneLineAndExitTwo() {
        assertBadInput(List.of("solve", task.toString(), "-o", model(), "--rtol", "2"), "--rtol");
        assertBadInput(List.of("solve", task.toString(), "-o", model(), "--solver", "pcg", "-k", "100000"), "-k 100000");
        assertBadInput(List.of("create", ethanol.toString(), "-n", "20", "--sigma", "-1", "-o", model()), "--sigma");
        assertBadInput(List.of("train", ethanol.toString(), "-n", "20", "--sigma", "auto", "--sigma-grid", "1:2", "-o", model()),
                "--sigma-grid");
    }

    @Test
    void badOptionValuesAreOneLineAndExitTwo() {
        assertBadInput(List.of("solve", task.toString(), "-o", model(), "--precond", "bogus"), "unknown preconditioner 'bogus'");
        assertBadInput(List.of("solve", task.toString(), "-o", model(), "--solver", "magic"), "--solver");
        assertBadInput(List.of("solve", task.toString(), "-o", model(), "--max-memory", "abc"), "abc");
        assertBadInput(List.of("info", "--threads", "0"), "--threads");
    }

    @Test
    void debugAddsTheTraceToABadInputError() {
        Cli.Result r = Cli.run("solve", task.toString(), "-o", model(), "--rtol", "2", "--debug");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().startsWith("gdml4j: error: --rtol"), r.err());
        assertTrue(r.err().contains("InvalidInputException") && r.err().contains("\tat "), r.err());
    }

    private void assertBadInput(List<String> args, String named) {
        Cli.Result r = Cli.run(args.toArray(String[]::new));
        System.out.println("[bad input] " + r.err().strip());
        assertEquals(2, r.exit(), args + ": " + r.out() + r.err());
        List<String> lines = r.err().strip().lines().toList();
        assertEquals(1, lines.size(), "exactly one line:\n" + r.err());
        assertTrue(r.errorLine().contains(named), r.errorLine());
        assertFalse(Files.exists(Path.of(model())), "no output may be written");
    }

    private String model() {
        return dir.resolve("model.npz").toString();
    }

    // ---- internal errors: exit 1, please report, the trace only where asked for ----

    @Test
    void anInternalErrorAsksForAReportAndKeepsItsTraceOffTheTerminal() throws Exception {
        Path log = dir.resolve("log.jsonl");
        Cli.Result r = internalError("solve", List.of("solve", task.toString(), "-o", model(), "--log-json", log.toString()));
        // the JVM's own notice ("WARNING: Using incubator modules") is not gdml4j's
        List<String> lines = r.err().strip().lines().filter(l -> !l.startsWith("WARNING: ")).toList();
        assertEquals(1, lines.size(), "one line, no trace:\n" + r.err());
        assertFalse(r.err().contains("\tat ") || r.err().contains("gdml4j: error:"), r.err());
        // the trace is in the JSON log, as one line
        List<String> events = Files.readAllLines(log);
        String last = events.getLast();
        assertTrue(last.startsWith("{\"event\":\"internal-error\","), last);
        assertTrue(last.contains("\"message\":\"IllegalStateException: failing on purpose"), last);
        assertTrue(last.contains("\"trace\":\"java.lang.IllegalStateException: failing on purpose")
                && last.contains("\\n\\tat org.gdml4j.cli.Main"), last);
    }

    @Test
    void debugPrintsTheTraceWhereverItIsGiven() {
        for (List<String> args : List.of(List.of("info", "--debug"), List.of("--debug", "info"))) {
            Cli.Result r = internalError("info", args);
            assertTrue(r.err().contains("java.lang.IllegalStateException: failing on purpose")
                    && r.err().contains("\tat org.gdml4j.cli.Main"), args + ":\n" + r.err());
        }
    }

    /** Runs {@code args} with the hook set to fail {@code command}; checks the exit and the one internal-error line. */
    private Cli.Result internalError(String command, List<String> args) {
        List<String> all = new ArrayList<>(args);
        Cli.Result r = CliProcess.gdml4j(all.toArray(String[]::new)).jvmOption(HOOK + command).dir(dir).run(LIMIT);
        System.out.println("[internal] " + args + " exit " + r.exit() + ": " + r.err().strip().replace("\n", " | "));
        assertEquals(1, r.exit(), r.out() + r.err());
        List<String> internal = r.err().lines().filter(l -> l.startsWith("gdml4j: internal error: ")).toList();
        assertEquals(1, internal.size(), r.err());
        assertTrue(internal.getFirst().contains("please report") && internal.getFirst().contains("gdml4j info"), internal.getFirst());
        assertFalse(Files.exists(Path.of(model())), "no output may be written");
        return r;
    }
}
