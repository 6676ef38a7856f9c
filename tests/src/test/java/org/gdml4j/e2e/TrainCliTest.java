package org.gdml4j.e2e;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.gdml4j.io.Model;
import org.gdml4j.io.NpyArray;
import org.gdml4j.io.NpzReader;
import org.gdml4j.io.Task;
import org.gdml4j.kernel.Symmetries;
import org.gdml4j.linalg.CpuBackend;
import org.gdml4j.testsupport.TestData;
import org.gdml4j.train.ErrorStats;
import org.gdml4j.train.Predictor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The main job end to end: {@code gdml4j train}, {@code create} + {@code solve}, and their refusals. */
class TrainCliTest {
    @TempDir
    Path dir;

    private static String fixtureFrames(String fixture) {
        try (Arena arena = Arena.ofConfined()) {
            return Arrays.stream(Task.load(TestData.fixture(fixture, "task.npz"), arena).idxsTrain()).mapToObj(Long::toString)
                    .collect(Collectors.joining(","));
        }
    }

    /**
     * {@code --lambda auto} (the default with PCG and validation frames) says so in the plan, lists the decades it solved,
     * and writes the λ it kept into the model; {@code --lambda task} keeps the task's; anything else is one refusal line.
     */
    @Test
    void theRegulariserIsChosenOnValidationAndTheModelSaysWhich() throws IOException {
        String ethanol = TestData.dataset("rmd17_ethanol").toString();
        Path auto = dir.resolve("auto.npz");
        Cli.Result r = Cli.run("train", ethanol, "-n", "60", "--n-valid", "100", "--n-test", "100", "--solver", "pcg", "-o", auto.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("or larger (chosen on validation from 1e-5 down: --lambda auto)"), r.err());
        assertTrue(r.out().contains("lambda 1e-05: ") && r.out().contains("validation force MAE"), r.out());
        Path task = dir.resolve("task.npz");
        Path fixed = dir.resolve("task-lambda.npz");
        Cli.Result t = Cli.run("train", ethanol, "-n", "60", "--n-valid", "100", "--n-test", "100", "--solver", "pcg", "--lambda", "task",
                "-o", fixed.toString(), "--save-task", task.toString());
        assertEquals(0, t.exit(), t.err());
        assertFalse(t.out().contains("lambda 1e-05: "), t.out());
        try (Arena arena = Arena.ofConfined()) {
            double kept = Model.load(auto, arena).lam();
            assertTrue(Set.of(1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10).contains(kept), "kept lambda " + kept);
            assertEquals(kept != 1e-10, r.out().contains("(chosen on validation; the task's: 1.0E-10)"), r.out());
            assertEquals(1e-10, Model.load(fixed, arena).lam());
            assertEquals(1e-10, Task.load(task, arena).lam(), "the task keeps the task's lambda");
        }
        Cli.Result bad = Cli.run("train", ethanol, "-n", "60", "--lambda", "often", "-o", dir.resolve("bad.npz").toString());
        assertNotEquals(0, bad.exit());
        assertTrue(bad.errorLine().contains("--lambda"), bad.err());
        assertFalse(Files.exists(dir.resolve("bad.npz")));
    }

    /**
     * {@code train} on the frames of the ethanol-sym-m30 fixture: a model with the reference model's keys, shapes and
     * dtypes, whose force MAE on the fixture's 50 frames is within 2 % of the reference model's.
     */
    @Test
    void trainOnTheFixtureFramesMatchesTheReferenceModel() {
        Path model = dir.resolve("ethanol.npz");
        Cli.Result r = Cli.run("train", TestData.dataset("rmd17_ethanol").toString(), "--idxs-train", fixtureFrames("ethanol-sym-m30"),
                "--n-valid", "20", "--n-test", "200", "-o", model.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("result") && r.out().contains("test (200) energy"), r.out());
        try (Arena arena = Arena.ofConfined(); NpzReader pred = NpzReader.open(TestData.fixture("ethanol-sym-m30", "predictions.npz"))) {
            Model ours = Model.load(model, arena);
            Model ref = Model.load(TestData.fixture("ethanol-sym-m30", "model.npz"), arena);
            assertEquals(List.copyOf(ref.entries().keySet()), List.copyOf(ours.entries().keySet()));
            for (var e : ref.entries().entrySet()) {
                NpyArray mine = ours.entries().get(e.getKey());
                assertArrayEquals(e.getValue().shape(), mine.shape(), "shape of " + e.getKey());
                if (!e.getKey().equals("md5_test")) { // None until tested; sGDML's test writes the dataset's md5 bytes
                    assertEquals(e.getValue().dtype(), mine.dtype(), "dtype of " + e.getKey());
                }
            }
            assertEquals(200, ours.nTest());
            NpyArray rr = pred.read("R", arena).asDoubles(arena);
            NpyArray fRef = pred.read("F_ref", arena).asDoubles(arena);
            NpyArray fRefModel = pred.read("F", arena).asDoubles(arena);
            double maeRef = ErrorStats.of(fRefModel.toDoubleArray(), fRef.data()).mae();
            double maeOurs;
            try (Predictor p = Predictor.of(CpuBackend.get(), ours)) {
                maeOurs = ErrorStats.of(p.predict(rr.data(), (int) rr.dim(0)).forces(), fRef.data()).mae();
            }
            System.out.printf("[train] ethanol fixture frames: force MAE %.4f vs reference model %.4f%n", maeOurs, maeRef);
            assertTrue(Math.abs(maeOurs - maeRef) <= 0.02 * maeRef, "MAE " + maeOurs + " vs reference " + maeRef);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ethanol-sym-m30", "aspirin-sym-m10"})
    void createFindsTheReferenceSymmetries(String fixture) {
        String molecule = fixture.startsWith("ethanol") ? "rmd17_ethanol" : "rmd17_aspirin";
        Path task = dir.resolve("task.npz");
        Cli.Result r = Cli.run("create", TestData.dataset(molecule).toString(), "--idxs-train", fixtureFrames(fixture), "-o", task.toString());
        assertEquals(0, r.exit(), r.err());
        try (Arena arena = Arena.ofConfined()) {
            Task ours = Task.load(task, arena);
            Task ref = Task.load(TestData.fixture(fixture, "task.npz"), arena);
            assertEquals(rows(ref.perms()), rows(ours.perms()), fixture + ": permutation group");
            Symmetries.of(ours.perms(), ours.z()); // a Z-preserving group with the identity
            assertArrayEquals(ref.idxsTrain(), ours.idxsTrain());
        }
    }

    private static Set<List<Integer>> rows(int[][] perms) {
        Set<List<Integer>> s = new HashSet<>();
        for (int[] p : perms) {
            s.add(Arrays.stream(p).boxed().toList());
        }
        return s;
    }

    /** create then solve gives the same model as train with the same seed (both deterministic). */
    @Test
    void createThenSolveEqualsTrain() {
        String data = TestData.dataset("rmd17_ethanol").toString();
        Path task = dir.resolve("t.npz");
        Path solved = dir.resolve("solved.npz");
        Path trained = dir.resolve("trained.npz");
        assertEquals(0, Cli.run("create", data, "-n", "40", "--n-valid", "20", "--seed", "3", "-o", task.toString()).exit());
        assertEquals(0, Cli.run("solve", task.toString(), "-o", solved.toString()).exit());
        Cli.Result t = Cli.run("train", data, "-n", "40", "--n-valid", "20", "--seed", "3", "--n-test", "10", "-o", trained.toString());
        assertEquals(0, t.exit(), t.err());
        try (Arena arena = Arena.ofConfined()) {
            Model a = Model.load(solved, arena);
            Model b = Model.load(trained, arena);
            assertArrayEquals(a.idxsTrain(), b.idxsTrain());
            assertArrayEquals(a.idxsValid(), b.idxsValid());
            double[] x = a.alphasF().toDoubleArray();
            double[] y = b.alphasF().toDoubleArray();
            for (int i = 0; i < x.length; i++) {
                assertEquals(x[i], y[i], 1e-9 * Math.abs(x[i]) + 1e-12, "alphas_F[" + i + "]");
            }
            assertEquals(a.c(), b.c(), 1e-9 * Math.abs(a.c()));
        }
    }

    @Test
    void moreTrainingFramesThanTheDatasetHas() {
        Path model = dir.resolve("m.npz");
        Cli.Result r = Cli.run("train", TestData.dataset("rmd17_ethanol").toString(), "-n", "20000", "-o", model.toString());
        assertNotEquals(0, r.exit());
        assertTrue(r.errorLine().contains("20000") && r.errorLine().contains("9633"), r.err());
        assertFalse(Files.exists(model));
    }

    @Test
    void anUnwritableOutputFolderIsRefusedBeforeAnyWork() {
        // /proc refuses new files even for root (a chmod'ed folder would not stop root)
        Cli.Result r = Cli.run("train", TestData.dataset("rmd17_ethanol").toString(), "-n", "20", "-o", "/proc/gdml4j-model.npz");
        assertNotEquals(0, r.exit());
        assertTrue(r.errorLine().contains("cannot write"), r.err());
        assertFalse(r.err().contains("creating the task"), "must fail before any work: " + r.err());
    }

    @Test
    void aKilledSolveLeavesNoModelFile() throws IOException, InterruptedException {
        Path task = dir.resolve("big.npz");
        assertEquals(0, Cli.run("create", TestData.dataset("rmd17_aspirin").toString(), "-n", "150", "--n-valid", "0", "-o",
                task.toString()).exit());
        Path model = dir.resolve("model.npz");
        List<String> cmd = List.of(ProcessHandle.current().info().command().orElse("java"), "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), "org.gdml4j.cli.Main", "solve",
                task.toString(), "-o", model.toString(), "--solver", "closed-form");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        var reader = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()));
        String line;
        while ((line = reader.readLine()) != null && !line.contains("assembling K")) {
            // wait until the work has started
        }
        assertTrue(line != null, "the solve never started");
        p.destroy(); // SIGTERM, as Ctrl-C or a batch system would
        p.waitFor();
        try (var files = Files.list(dir)) {
            List<String> names = files.map(f -> f.getFileName().toString()).sorted().toList();
            assertEquals(List.of("big.npz"), names, "no model and no temporary file may remain");
        }
    }
}
