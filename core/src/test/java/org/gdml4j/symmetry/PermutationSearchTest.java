package org.gdml4j.symmetry;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.gdml4j.io.Dataset;
import org.gdml4j.io.Task;
import org.gdml4j.kernel.Symmetries;
import org.gdml4j.testsupport.TestData;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The permutation search reproduces the sGDML reference's groups on its own training sets, and on real
 * trajectories it returns groups of bond-graph automorphisms.
 */
class PermutationSearchTest {
    private static final Path SHARED_DATA = Path.of("/work/shared/data");
    private static final int SAMPLE = 200;

    @ParameterizedTest
    @ValueSource(strings = {"ethanol-sym-m30", "aspirin-sym-m10", "uracil-sym-m20"})
    void findsExactlyTheReferenceGroupOnItsTrainingSet(String fixture) {
        try (Arena arena = Arena.ofConfined()) {
            Task task = Task.load(TestData.fixture(fixture, "task.npz"), arena);
            double[] r = task.positions().toDoubleArray();
            PermutationSearch.Result res = PermutationSearch.search(r, task.trainSize(), task.z(), 0, PermutationSearch.DEFAULT_MAX_SAMPLES);
            assertEquals(asSet(task.perms()), asSet(res.perms()), fixture + ": found " + res.perms().length + " permutations");
            assertEquals(PermutationSearch.Outcome.CLOSED, res.outcome());
            assertArrayEquals(PermutationGroup.identity(task.atoms()), res.perms()[0], "identity first");
            System.out.printf("[symmetry] %s: %d permutations (reference %d), %d candidates%n", fixture, res.perms().length,
                    task.perms().length, res.candidates());
        }
    }

    static Stream<Arguments> datasets() {
        List<Arguments> out = new ArrayList<>();
        Set<String> inRepository = new HashSet<>();
        try (Stream<Path> s = Files.list(TestData.root().resolve("data"))) {
            s.filter(p -> p.toString().endsWith(".npz")).sorted().forEach(p -> {
                inRepository.add(p.getFileName().toString());
                out.add(Arguments.of(p.getFileName().toString(), p));
            });
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        if (Files.isDirectory(SHARED_DATA)) {
            try (Stream<Path> s = Files.list(SHARED_DATA)) {
                s.filter(p -> p.toString().endsWith(".npz") && !inRepository.contains(p.getFileName().toString())).sorted()
                        .forEach(p -> out.add(Arguments.of(p.getFileName().toString(), p)));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        } else {
            out.add(Arguments.of("shared datasets", null));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("datasets")
    void groupOfBondGraphAutomorphisms(String name, Path file) {
        if (file == null) {
            System.out.println("[symmetry] skipping the other molecules: " + SHARED_DATA + " not present");
            Assumptions.assumeTrue(false, SHARED_DATA + " not present");
        }
        try (Arena arena = Arena.ofConfined()) {
            Dataset d = Dataset.load(file, arena);
            double[] r = d.positions().toDoubleArray();
            long t0 = System.nanoTime();
            PermutationSearch.Result res = PermutationSearch.search(r, d.frames(), d.z(), 42, SAMPLE);
            double seconds = (System.nanoTime() - t0) / 1e9;
            int[][] perms = res.perms();
            Symmetries.of(perms, d.z()); // a Z-preserving group with the identity, or it throws
            assertEquals(SAMPLE, res.sampledFrames().length);
            BondGraph bonds = BondGraph.of(sampled(r, d.atoms(), res.sampledFrames()), SAMPLE, d.z());
            assertTrue(bonds.connectedAtoms(), name + ": an atom without bonds, the bond graph is wrong");
            for (int[] p : perms) {
                assertTrue(bonds.isAutomorphism(p), name + ": " + Arrays.toString(p) + " breaks the bond graph");
            }
            System.out.printf("[symmetry] %s: %d atoms, %d bonds, %d permutations (%s, %d candidates) in %.2f s%n", name,
                    d.atoms(), bonds.bonds(), perms.length, res.outcome(), res.candidates(), seconds);
        }
    }

    @Test
    void deterministicForASeedAndSampledBySeed() {
        try (Arena arena = Arena.ofConfined()) {
            Dataset d = Dataset.load(TestData.dataset("rmd17_ethanol"), arena);
            double[] r = d.positions().toDoubleArray();
            PermutationSearch.Result a = PermutationSearch.search(r, d.frames(), d.z(), 5, 60);
            PermutationSearch.Result b = PermutationSearch.search(r, d.frames(), d.z(), 5, 60);
            PermutationSearch.Result c = PermutationSearch.search(r, d.frames(), d.z(), 6, 60);
            assertArrayEquals(a.sampledFrames(), b.sampledFrames());
            assertTrue(Arrays.deepEquals(a.perms(), b.perms()));
            assertTrue(!Arrays.equals(a.sampledFrames(), c.sampledFrames()), "another seed, another sample");
            for (int i = 1; i < a.sampledFrames().length; i++) {
                assertTrue(a.sampledFrames()[i - 1] < a.sampledFrames()[i], "sample ascending and distinct");
            }
        }
    }

    @Test
    void relabelledCopiesRevealTheRelabelling() {
        // Water-like toy: the only non-trivial symmetry is swapping the two H. Half of the frames are relabelled.
        int[] z = {8, 1, 1};
        java.util.Random rnd = new java.util.Random(1);
        int frames = 12;
        double[] r = new double[frames * 9];
        for (int f = 0; f < frames; f++) {
            double l1 = 0.96 + 0.05 * rnd.nextGaussian();
            double l2 = 0.96 + 0.05 * rnd.nextGaussian();
            double ang = Math.toRadians(104.5 + 3 * rnd.nextGaussian());
            double[] h1 = {l1, 0, 0};
            double[] h2 = {l2 * Math.cos(ang), l2 * Math.sin(ang), 0};
            boolean swap = f % 2 == 1;
            System.arraycopy(swap ? h2 : h1, 0, r, f * 9 + 3, 3);
            System.arraycopy(swap ? h1 : h2, 0, r, f * 9 + 6, 3);
        }
        int[][] perms = PermutationSearch.find(r, frames, z, 0, 100);
        assertEquals(Set.of(List.of(0, 1, 2), List.of(0, 2, 1)), asSet(perms));
        assertEquals(1, PermutationSearch.find(Arrays.copyOf(r, 9), 1, z, 0, 100).length, "one frame: identity");
    }

    @Test
    void rejectsBadInput() {
        int[] z = {8, 1, 1};
        assertThrows(IllegalArgumentException.class, () -> PermutationSearch.find(new double[8], 1, z, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> PermutationSearch.find(new double[9], 0, z, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> PermutationSearch.find(new double[9], 1, z, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> PermutationSearch.find(new double[0], 1, new int[0], 0, 10));
        double[] nan = new double[9];
        nan[4] = Double.NaN;
        assertThrows(IllegalArgumentException.class, () -> PermutationSearch.find(nan, 1, z, 0, 10));
        int many = PermutationSearch.MAX_SAMPLES_LIMIT + 1;
        var e = assertThrows(IllegalArgumentException.class, () -> PermutationSearch.find(new double[many * 3], many, new int[] {1}, 0, many));
        assertTrue(e.getMessage().contains("too many"), e.getMessage());
    }

    private static double[] sampled(double[] r, int atoms, int[] frames) {
        int w = atoms * 3;
        double[] out = new double[frames.length * w];
        for (int i = 0; i < frames.length; i++) {
            System.arraycopy(r, frames[i] * w, out, i * w, w);
        }
        return out;
    }

    private static Set<List<Integer>> asSet(int[][] perms) {
        Set<List<Integer>> s = new HashSet<>();
        for (int[] p : perms) {
            s.add(Arrays.stream(p).boxed().toList());
        }
        return s;
    }
}
