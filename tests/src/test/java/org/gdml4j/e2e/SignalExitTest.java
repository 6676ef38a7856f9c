package org.gdml4j.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.gdml4j.io.NpzReader;
import org.gdml4j.testsupport.TestData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGINT, SIGTERM and SIGHUP sent to a real gdml4j process end it within 2 s with 128 + the signal's number, in every
 * stage, including inside multithreaded BLAS/LAPACK calls (issue #13: the JVM's exit path ran OpenBLAS's destructor,
 * which joins OpenBLAS's threads and never returned while a call was in flight: dsyevd hung 2 of 2 times here, dpotrf
 * 3 of 3 in another environment). The previous output stays as it was, no temporary file is left, and a checkpoint
 * that is left is a whole one.
 */
class SignalExitTest {
    private static final Duration PROMPT = Duration.ofSeconds(2);
    private static final Duration RUN_LIMIT = Duration.ofSeconds(180);

    @TempDir
    static Path shared;
    static Path task300;
    static Path task150;

    @TempDir
    Path dir;

    @BeforeAll
    static void tasks() {
        String ethanol = TestData.dataset("rmd17_ethanol").toString();
        task300 = shared.resolve("ethanol-300.npz");
        task150 = shared.resolve("ethanol-150.npz");
        assertEquals(0, Cli.run("create", ethanol, "-n", "300", "-o", task300.toString()).exit());
        assertEquals(0, Cli.run("create", ethanol, "-n", "150", "-o", task150.toString()).exit());
    }

    /** What one interrupted run did. */
    private record Outcome(int exit, double secondsToExit, boolean signalled, String err) {
    }

    /**
     * Runs gdml4j with {@code args}, waits until stderr shows {@code stage} (null: from the start), then {@code delay}
     * more, sends SIG{@code signal} and measures how long the process takes to end. The output file {@code output} held
     * a previous result before; afterwards it must hold it still (or, had the run finished first, a whole new one).
     */
    private Outcome interrupt(List<String> args, String stage, Duration delay, String signal, Path output) throws IOException {
        byte[] before = Files.readAllBytes(output);
        CliProcess cmd = CliProcess.gdml4j(args.toArray(String[]::new)).dir(dir).through(Signals.withDefaultSigint().toArray(String[]::new));
        Outcome o;
        try (CliProcess.Running p = cmd.start()) {
            if (stage != null) {
                assertTrue(p.awaitErr(stage, RUN_LIMIT), "stage '" + stage + "' never started: " + p.err());
            }
            sleep(delay);
            boolean alive = p.process().isAlive();
            long t0 = System.nanoTime();
            if (alive) {
                Signals.send(p.pid(), signal);
            }
            Cli.Result r = p.waitFor(RUN_LIMIT);
            o = new Outcome(r.exit(), (System.nanoTime() - t0) / 1e9, alive, r.err());
        }
        if (o.exit() == Signals.exitStatus(signal)) {
            // before main() installs its handler (JVM start-up) the JVM's own handling exits silently, BLAS not yet loaded
            boolean started = o.err().lines().anyMatch(l -> !l.startsWith("WARNING: Using incubator modules"));
            assertTrue(!started || o.err().contains("gdml4j: interrupted by SIG" + signal), "one line says why: " + o.err());
        } else {
            assertEquals(0, o.exit(), "either interrupted (" + Signals.exitStatus(signal) + ") or finished before the signal: " + o.err());
        }
        if (!Arrays.equals(before, Files.readAllBytes(output))) {
            // only a whole new file may have replaced it (the signal came after the rename)
            try (NpzReader r = NpzReader.open(output)) {
                assertTrue(r.keys().size() > 5, "a replaced output is a whole archive: " + r.keys());
            }
        }
        assertNoTemporaryFiles();
        return o;
    }

    private void assertNoTemporaryFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<String> left = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList();
            assertEquals(List.of(), left, "temporary files left behind");
        }
        Path ckpt = dir.resolve("model.npz.ckpt");
        if (Files.exists(ckpt)) {
            try (NpzReader r = NpzReader.open(ckpt)) {
                assertTrue(r.contains("format") && r.contains("x"), "a checkpoint that is left is a whole one: " + r.keys());
            }
            Files.delete(ckpt);
        }
    }

    private Path previousModel() throws IOException {
        Path model = dir.resolve("model.npz");
        Files.copy(TestData.fixture("ethanol-sym-m30", "model.npz"), model, StandardCopyOption.REPLACE_EXISTING);
        return model;
    }

    private void assertPrompt(Outcome o, String signal, String stage) {
        System.out.printf(Locale.ROOT, "[signal] SIG%s during %s: exit %d after %.2f s%n", signal, stage, o.exit(), o.secondsToExit());
        assertEquals(Signals.exitStatus(signal), o.exit(), "SIG" + signal + " during " + stage + ": " + o.err());
        assertTrue(o.secondsToExit() < PROMPT.toMillis() / 1000.0,
                String.format(Locale.ROOT, "SIG%s during %s took %.1f s to end the process", signal, stage, o.secondsToExit()));
    }

    private List<String> solve(Path task, String... options) {
        List<String> a = new ArrayList<>(List.of("solve", task.toString(), "-o", "model.npz"));
        a.addAll(Arrays.asList(options));
        return a;
    }

    @Test
    void duringTheEigendecomposition() throws IOException {
        Path model = previousModel();
        String stage = "eigendecomposition ...";
        assertPrompt(interrupt(solve(task150, "--solver", "pcg", "--precond", "eigen"), stage, Duration.ofMillis(800), "TERM", model),
                "TERM", "dsyevd");
        assertPrompt(interrupt(solve(task150, "--solver", "pcg", "--precond", "eigen"), stage, Duration.ofMillis(1500), "INT", model),
                "INT", "dsyevd");
    }

    @Test
    void duringTheCholeskyFactorisationAndTheAssembly() throws IOException {
        Path model = previousModel();
        assertPrompt(interrupt(solve(task300, "--solver", "closed-form"), "Cholesky factorisation ...", Duration.ofMillis(400), "INT", model),
                "INT", "dpotrf");
        assertPrompt(interrupt(solve(task300, "--solver", "closed-form"), "Cholesky factorisation ...", Duration.ofMillis(900), "TERM",
                model), "TERM", "dpotrf");
        assertPrompt(interrupt(solve(task300, "--solver", "closed-form"), "assembling K ...", Duration.ZERO, "HUP", model),
                "HUP", "kernel assembly");
    }

    @Test
    void duringThePreconditionerBuildAndConjugateGradients() throws IOException {
        Path model = previousModel();
        assertPrompt(interrupt(solve(task300, "--solver", "pcg"), "kernel columns (leverage) ...", Duration.ofMillis(100), "TERM", model),
                "TERM", "the preconditioner build");
        assertPrompt(interrupt(solve(task300, "--solver", "pcg", "--threads", "2"), "factorising the preconditioner ...",
                Duration.ofMillis(50), "INT", model), "INT", "the preconditioner's QR");
        assertPrompt(interrupt(solve(task300, "--solver", "pcg"), "conjugate gradients ...", Duration.ofMillis(300), "TERM", model),
                "TERM", "CG");
        // a checkpoint at every iteration: the signal lands in or near a write, whose refusal once the clean-up has begun
        // must not end the process first (with its own status and an error line)
        for (String signal : new String[] {"INT", "TERM", "HUP"}) {
            assertPrompt(interrupt(solve(task300, "--solver", "pcg", "--checkpoint-every", "0.001"), "conjugate gradients ...",
                    Duration.ofMillis(2500), signal, model), signal, "CG writing checkpoints");
        }
    }

    @Test
    void duringCreate() throws IOException {
        Path task = dir.resolve("model.npz"); // the previous output of create is a task file
        Files.copy(task150, task);
        List<String> args = List.of("create", TestData.dataset("rmd17_aspirin").toString(), "-n", "1500", "-o", "model.npz");
        assertPrompt(interrupt(args, null, Duration.ofMillis(1500), "INT", task), "INT", "create");
    }

    /**
     * Signals at random moments (seeded, printed) over whole runs, writing included: every run ends within 2 s of its
     * signal with the right status, or had finished before it; outputs and checkpoints are whole or untouched.
     */
    @Test
    void atRandomMoments() throws IOException {
        SplittableRandom rnd = new SplittableRandom(13);
        String[] signals = {"INT", "TERM", "HUP"};
        int interrupted = 0;
        for (int run = 0; run < 10; run++) {
            Path model = previousModel();
            String signal = signals[rnd.nextInt(signals.length)];
            Duration delay = Duration.ofMillis(rnd.nextLong(0, 5000));
            List<String> args = run % 2 == 0 ? solve(task150, "--solver", "pcg", "--checkpoint-every", "0.1")
                    : solve(task300, "--solver", "closed-form");
            Outcome o = interrupt(args, null, delay, signal, model);
            System.out.printf(Locale.ROOT, "[signal] run %d: SIG%s after %d ms of %s: exit %d after %.2f s%n", run, signal, delay.toMillis(),
                    String.join(" ", args.subList(2, args.size())), o.exit(), o.secondsToExit());
            if (o.exit() != 0) {
                interrupted++;
                assertTrue(o.secondsToExit() < PROMPT.toMillis() / 1000.0, "run " + run + " took " + o.secondsToExit() + " s");
            }
        }
        assertTrue(interrupted >= 5, "most random moments fall inside a run: " + interrupted + " of 10");
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
