package org.gdml4j.e2e;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.SequencedMap;
import java.util.function.Consumer;

import org.gdml4j.io.DType;
import org.gdml4j.io.Model;
import org.gdml4j.io.NpyArray;
import org.gdml4j.io.NpyArrays;
import org.gdml4j.io.NpzWriter;
import org.gdml4j.io.Task;
import org.gdml4j.testsupport.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code gdml4j solve} end to end, and every bad input it must refuse with one clear line and a non-zero exit. */
class SolveCliTest {
    @TempDir
    Path dir;

    private final Path task = TestData.fixture("ethanol-sym-m30", "task.npz");

    @Test
    void solvesAFixtureTaskIntoAModelFile() {
        Path model = dir.resolve("model.npz");
        Cli.Result r = Cli.run("solve", task.toString(), "-o", model.toString(), "--threads", "2");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("model written to"), r.out());
        assertTrue(r.err().contains("plan: n = 3·N·M = 810"), "the plan is printed before the work: " + r.err());
        try (Arena arena = Arena.ofConfined()) {
            Model m = Model.load(model, arena);
            assertEquals("analytic", m.solverName());
            assertEquals(30, m.trainSize());
        }
        try (var files = java.util.stream.Stream.of(dir.toFile().list())) {
            assertEquals(1, files.count(), "no temporary files left behind");
        }
    }

    /** Writes the fixture task with one key changed (or removed when the value is null). */
    private Path variant(String name, Consumer<SequencedMap<String, NpyArray>> change) {
        try (Arena arena = Arena.ofConfined()) {
            SequencedMap<String, NpyArray> entries = new LinkedHashMap<>(Task.load(task, arena).entries());
            change.accept(entries);
            Path p = dir.resolve(name + ".npz");
            NpzWriter.write(p, entries);
            return p;
        }
    }

    private String refused(Path badTask) {
        Path model = dir.resolve("never.npz");
        Cli.Result r = Cli.run("solve", badTask.toString(), "-o", model.toString());
        assertNotEquals(0, r.exit(), r.out() + r.err());
        assertFalse(Files.exists(model), "no model may be written");
        System.out.println("[refused] " + badTask.getFileName() + " -> " + r.errorLine());
        return r.errorLine();
    }

    @Test
    void taskWithoutTrainingGeometries() {
        String e = refused(variant("no-R", m -> m.remove("R_train")));
        assertTrue(e.contains("R_train"), e);
    }

    @Test
    void mismatchedShapes() {
        String e = refused(variant("bad-F", m -> m.put("F_train", NpyArrays.ofDoubles(new double[29 * 9 * 3], 29, 9, 3))));
        assertTrue(e.contains("F_train"), e);
    }

    @Test
    void nonPositiveSigma() {
        assertTrue(refused(variant("sig0", m -> m.put("sig", NpyArrays.scalar(0L)))).contains("sig"));
        assertTrue(refused(variant("signeg", m -> m.put("sig", NpyArrays.scalar(-10.0)))).contains("sig"));
    }

    @Test
    void negativeLambda() {
        assertTrue(refused(variant("lamneg", m -> m.put("lam", NpyArrays.scalar(-1e-10)))).contains("lam"));
    }

    @Test
    void permutationsThatAreNotAGroup() {
        // ethanol's 6 symmetries minus one: no longer closed under composition
        String e = refused(variant("nongroup", m -> {
            long[] p = m.get("perms").toLongArray();
            long[] five = java.util.Arrays.copyOf(p, 5 * 9);
            m.put("perms", NpyArrays.ofLongs(five, 5, 9));
        }));
        assertTrue(e.contains("perms") && (e.contains("group") || e.contains("composing")), e);
    }

    /** One atom has no interatomic distance (a diatomic's one distance is enough: see CliHygieneTest). */
    @Test
    void moleculesWithOneAtom() {
        String e = refused(variant("monatomic", m -> {
            m.put("z", NpyArrays.ofLongs(new long[] {1}));
            m.put("R_train", slice(m.get("R_train"), 1));
            m.put("F_train", slice(m.get("F_train"), 1));
            m.put("perms", NpyArrays.ofLongs(new long[] {0}, 1, 1));
        }));
        assertTrue(e.contains("atom"), e);
    }

    /** The first {@code atoms} atoms of every frame of an (M, 9, 3) array. */
    private static NpyArray slice(NpyArray a, int atoms) {
        int m = (int) a.dim(0);
        double[] out = new double[m * atoms * 3];
        for (int i = 0; i < m; i++) {
            for (int c = 0; c < atoms * 3; c++) {
                out[i * atoms * 3 + c] = a.getDouble((long) i * a.dim(1) * 3 + c);
            }
        }
        return NpyArrays.ofDoubles(out, m, atoms, 3);
    }

    @Test
    void duplicateTrainingGeometries() {
        String e = refused(variant("dup", m -> {
            NpyArray r = m.get("R_train");
            MemorySegment copy = Arena.ofAuto().allocate(r.data().byteSize(), 8);
            copy.copyFrom(r.data());
            MemorySegment.copy(copy, 0, copy, 7L * 27 * 8, 27 * 8); // frame 7 := frame 0
            m.put("R_train", NpyArray.of(DType.F8, false, copy, 30, 9, 3));
        }));
        assertTrue(e.contains("identical"), e);
    }

    @Test
    void theValidationStopRefusesAWrongDatasetAndMissingFrames() {
        Path model = dir.resolve("m.npz");
        Cli.Result other = Cli.run("solve", task.toString(), "-o", model.toString(), "--solver", "pcg", "--valid",
                TestData.dataset("rmd17_aspirin").toString());
        assertNotEquals(0, other.exit());
        assertTrue(other.errorLine().contains("--valid"), other.err());
        Cli.Result none = Cli.run("solve", task.toString(), "-o", model.toString(), "--solver", "pcg", "--stop", "validation");
        assertNotEquals(0, none.exit());
        assertTrue(none.errorLine().contains("--stop validation") && none.errorLine().contains("--valid"), none.err());
        Cli.Result bogus = Cli.run("solve", task.toString(), "-o", model.toString(), "--stop", "soon");
        assertNotEquals(0, bogus.exit());
        assertTrue(bogus.errorLine().contains("--stop"), bogus.err());
        assertFalse(Files.exists(model), "no model may be written");
    }

    @Test
    void zeroThreads() {
        Cli.Result r = Cli.run("solve", task.toString(), "-o", dir.resolve("m.npz").toString(), "--threads", "0");
        assertNotEquals(0, r.exit());
        assertTrue(r.errorLine().contains("--threads"), r.err());
    }

    @Test
    void outputOntoTheInputOrIntoAMissingFolder() {
        Path copy = dir.resolve("task-copy.npz");
        try {
            Files.copy(task, copy);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        Cli.Result same = Cli.run("solve", copy.toString(), "-o", copy.toString());
        assertNotEquals(0, same.exit());
        same.errorLine();
        Cli.Result missing = Cli.run("solve", task.toString(), "-o", dir.resolve("no/such/folder/m.npz").toString());
        assertNotEquals(0, missing.exit());
        missing.errorLine();
    }

    @Test
    void notAnNpzFile() {
        Path text = dir.resolve("ethanol.xyz");
        try {
            Files.writeString(text, "9\nProperties=species:S:1:pos:R:3\nC 0 0 0\n");
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        String e = refused(text);
        assertTrue(e.contains(".npz") || e.contains("zip"), e);
    }

}
