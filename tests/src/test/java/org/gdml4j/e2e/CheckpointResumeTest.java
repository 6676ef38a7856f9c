package org.gdml4j.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.gdml4j.testsupport.TestData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PCG checkpoints (issue #13): a run killed with SIGKILL at a random iteration and resumed with {@code --resume} writes the
 * model an uninterrupted run writes, bit for bit; a checkpoint of another task or other options is refused with one
 * line; the checkpoint is gone once the model is written.
 */
class CheckpointResumeTest {
    @TempDir
    static Path shared;
    static Path task;
    static Path otherTask;

    @TempDir
    Path dir;

    @BeforeAll
    static void tasks() {
        String ethanol = TestData.dataset("rmd17_ethanol").toString();
        task = shared.resolve("ethanol-300.npz");
        otherTask = shared.resolve("ethanol-300-seed1.npz");
        assertEquals(0, Cli.run("create", ethanol, "-n", "300", "-o", task.toString()).exit());
        assertEquals(0, Cli.run("create", ethanol, "-n", "300", "--seed", "1", "-o", otherTask.toString()).exit());
    }

    private List<String> solve(Path t, Path model, String... options) {
        List<String> a = new ArrayList<>(List.of("solve", t.toString(), "-o", model.toString(), "--solver", "pcg", "--threads", "2"));
        a.addAll(Arrays.asList(options));
        return a;
    }

    private Cli.Result run(List<String> args) {
        return CliProcess.gdml4j(args.toArray(String[]::new)).run(Duration.ofMinutes(3));
    }

    /**
     * Starts a run that checkpoints often, waits for its first checkpoint, then {@code extraMs} more (a random iteration
     * further on), and kills it with SIGKILL: no handler runs, nothing is cleaned up.
     */
    private void killDuringCg(List<String> args, Path ckpt, long extraMs) {
        try (CliProcess.Running p = CliProcess.gdml4j(args.toArray(String[]::new)).start()) {
            long end = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (!Files.exists(ckpt) && p.process().isAlive() && System.nanoTime() < end) {
                sleep(10);
            }
            assertTrue(Files.exists(ckpt), "no checkpoint appeared; stderr: " + p.err());
            sleep(extraMs);
            assertTrue(p.process().isAlive(), "CG ended before the kill " + extraMs + " ms after the first checkpoint; stderr: " + p.err());
            p.process().destroyForcibly();
            p.waitFor(Duration.ofSeconds(30));
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"leverage", "cholesky"})
    void aRunKilledAtARandomIterationResumesToTheSameBits(String precond) throws IOException {
        String[] opts = {"--precond", precond, "--checkpoint-every", "0.05", "--rtol", "1e-6"};
        Path plain = dir.resolve("uninterrupted.npz");
        Cli.Result u = run(solve(task, plain, opts));
        assertEquals(0, u.exit(), u.err());
        Path model = dir.resolve("model.npz");
        Path ckpt = dir.resolve("model.npz.ckpt");
        long delay = new SplittableRandom(precond.hashCode()).nextLong(500, 2500);
        killDuringCg(solve(task, model, opts), ckpt, delay);
        assertFalse(Files.exists(model), "no model from a killed run");
        Cli.Result r = run(solve(task, model, append(opts, "--resume")));
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("resuming from " + ckpt), r.err());
        assertTrue(r.out().contains("resumed at iteration"), "the report says so: " + r.out());
        System.out.println("[resume] " + precond + ": killed " + delay + " ms after the first checkpoint; " + r.err().lines()
                .filter(l -> l.contains("resuming")).findFirst().orElse(""));
        assertEquals(DeterminismTest.sha256(plain), DeterminismTest.sha256(model), "the resumed model has the uninterrupted run's bits");
        assertFalse(Files.exists(ckpt), "the checkpoint is removed once the model is written");
    }

    @Test
    void aCheckpointOfAnotherTaskOrOtherOptionsIsRefused() throws IOException {
        Path model = dir.resolve("model.npz");
        Path ckpt = dir.resolve("model.npz.ckpt");
        killDuringCg(solve(task, model, "--checkpoint-every", "0.05"), ckpt, 0);
        byte[] kept = Files.readAllBytes(ckpt);

        Cli.Result options = run(solve(task, model, "--rtol", "1e-5", "--resume"));
        assertEquals(2, options.exit(), options.err());
        assertTrue(options.errorLine().contains("other solver options") && options.errorLine().contains(ckpt.toString()),
                options.errorLine());

        Cli.Result other = run(solve(otherTask, model, "--resume"));
        assertEquals(2, other.exit(), other.err());
        assertTrue(other.errorLine().contains("another task"), other.errorLine());
        assertFalse(Files.exists(model), "nothing was solved");
        assertTrue(Arrays.equals(kept, Files.readAllBytes(ckpt)), "a refused checkpoint is left as it was");

        Path notACheckpoint = Files.copy(task, dir.resolve("task-copy.ckpt"));
        Cli.Result notOne = run(solve(task, model, "--checkpoint", notACheckpoint.toString(), "--resume"));
        assertEquals(2, notOne.exit(), notOne.err());
        assertTrue(notOne.errorLine().contains("not a gdml4j PCG checkpoint"), notOne.errorLine());
    }

    @Test
    void resumeWithoutACheckpointStartsFromTheBeginning() {
        Path model = dir.resolve("model.npz");
        Cli.Result r = run(solve(task, model, "--resume", "--rtol", "1e-3"));
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("no checkpoint at"), r.err());
        assertTrue(Files.exists(model));
    }

    @Test
    void theIterationLimitBoundsBothPrecisionsTogether() {
        Path model = dir.resolve("model.npz");
        Cli.Result r = run(solve(task, model, "--max-iter", "3", "--allow-unconverged"));
        assertEquals(0, r.exit(), r.err());
        String iterations = r.out().lines().filter(l -> l.strip().startsWith("iterations")).findFirst().orElseThrow();
        assertEquals("3", iterations.strip().split("\\s+")[1], "--max-iter 3 runs 3 iterations in all: " + r.out());
    }

    private static String[] append(String[] a, String... more) {
        String[] out = Arrays.copyOf(a, a.length + more.length);
        System.arraycopy(more, 0, out, a.length, more.length);
        return out;
    }
}
