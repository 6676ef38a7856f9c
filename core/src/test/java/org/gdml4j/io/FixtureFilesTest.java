package org.gdml4j.io;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.gdml4j.testsupport.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every shipped .npz reads, and the sGDML files validate with the values numpy shows for them. */
class FixtureFilesTest {

    static List<Path> allNpz() {
        return TestData.allNpzFiles();
    }

    static List<String> cases() {
        return TestData.fixtureCases();
    }

    @ParameterizedTest
    @MethodSource("allNpz")
    void everyArchiveReadsCompletely(Path file) {
        try (Arena arena = Arena.ofConfined(); NpzReader npz = NpzReader.open(file)) {
            var all = npz.readAll(arena);
            assertFalse(all.isEmpty());
            assertEquals(npz.keys(), all.keySet().stream().toList());
            all.forEach((k, a) -> {
                assertEquals(npz.header(k), a.header(), k);
                if (!a.isObject()) {
                    assertEquals(a.size() * a.dtype().itemSize(), a.data().byteSize(), k);
                }
            });
        }
    }

    @Test
    void ethanolSymModelHasTheKnownValues() {
        try (Arena arena = Arena.ofConfined(); NpzReader npz = NpzReader.open(TestData.fixture("ethanol-sym-m30", "model.npz"))) {
            assertEquals(10, npz.read("sig", arena).scalarLong());
            assertEquals(DType.I8, npz.read("sig", arena).dtype());
            assertArrayEquals(new long[] {6, 9}, npz.read("perms", arena).shape());
            NpyArray rDesc = npz.read("R_desc", arena);
            assertArrayEquals(new long[] {36, 30}, rDesc.shape());
            assertTrue(rDesc.fortranOrder());
            assertEquals(0.8785893775002586, rDesc.toDoubleArray()[3 * 30 + 7]);
            assertEquals(-83347.72786300191, npz.read("c", arena).scalarDouble());
            assertEquals(29.590737757620428, npz.read("std", arena).scalarDouble());
            assertEquals(-6726284.532684892, npz.read("alphas_F", arena).toDoubleArray()[100]);
            assertArrayEquals(new long[] {0, 36, 72, 108, 144, 180, 1, 37},
                    java.util.Arrays.copyOf(npz.read("tril_perms_lin", arena).toLongArray(), 8));
            assertNull(npz.read("md5_test", arena).objectValue());
            Map<?, ?> fErr = (Map<?, ?>) npz.read("f_err", arena).objectValue();
            assertEquals(List.of("mae", "rmse"), fErr.keySet().stream().toList());
            assertTrue(Double.isNaN((Double) fErr.get("mae")) && Double.isNaN((Double) fErr.get("rmse")));
            assertEquals("m", npz.read("type", arena).string());
            assertEquals("1.0.3", npz.read("code_version", arena).string());
            assertEquals("983bbefb7243e10698ba85913d62dd65", npz.read("md5_train", arena).string());
            assertEquals(DType.bytes(32), npz.read("md5_train", arena).dtype());
            assertTrue(npz.read("use_E", arena).scalarBoolean());
        }
    }

    @Test
    void kernelFixtureReadsAsA810By810Matrix() {
        try (Arena arena = Arena.ofConfined(); NpzReader npz = NpzReader.open(TestData.fixture("ethanol-sym-m30", "kernel.npz"))) {
            NpyArray k = npz.read("K", arena);
            assertArrayEquals(new long[] {810, 810}, k.shape());
            assertEquals(3.496877634827599e-05, k.getDouble(12 * 810 + 345));
            assertEquals(-0.36512631621656816, npz.read("y", arena).toDoubleArray()[3]);
            assertEquals(1e-10, npz.read("lam", arena).scalarDouble());
        }
    }

    @Test
    void ethanolDatasetLoadsWithItsValues() {
        try (Arena arena = Arena.ofConfined()) {
            Dataset d = Dataset.load(TestData.dataset("rmd17_ethanol"), arena);
            assertEquals(9633, d.frames());
            assertEquals(9, d.atoms());
            assertArrayEquals(new int[] {6, 6, 8, 1, 1, 1, 1, 1, 1}, d.z());
            assertEquals(-0.04253747, d.positions().getDouble(0));
            assertEquals(-0.10316057, d.positions().getDouble(9633L * 27 - 1));
            assertEquals(-45.006127867822805, d.forces().getDouble(5 * 27 + 3 * 3 + 1));
            assertEquals(-97074.97456388523, d.energies()[7]);
            assertEquals("rmd17_ethanol", d.name());
            assertEquals("Ang", d.rUnit());
            assertEquals("kcal/mol", d.eUnit());
            assertEquals(arena.allocate(1).scope(), d.positions().data().scope(), "R lives in the caller's arena");
        }
    }

    /** The rule, learnt from the shipped files: md5 over the raw 16-byte digests of z, R, E, F (not their hex). */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"rmd17_ethanol", "rmd17_aspirin"})
    void computedMd5EqualsTheStoredOne(String name) {
        try (Arena arena = Arena.ofConfined()) {
            Dataset d = Dataset.load(TestData.dataset(name), arena);
            assertEquals(d.md5(), d.computeMd5());
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void taskAndModelOfEachCaseValidate(String fixtureCase) {
        try (Arena arena = Arena.ofConfined()) {
            Task task = Task.load(TestData.fixture(fixtureCase, "task.npz"), arena);
            Model model = Model.load(TestData.fixture(fixtureCase, "model.npz"), arena);
            assertArrayEquals(task.z(), model.z());
            assertEquals(task.trainSize(), model.trainSize());
            assertEquals(task.atoms() * (task.atoms() - 1) / 2, model.descriptorSize());
            assertEquals(task.perms().length, model.permCount());
            assertArrayEquals(task.idxsTrain(), model.idxsTrain());
            assertEquals(task.md5Train(), model.md5Train());
            assertEquals(10.0, task.sig());
            assertEquals(1e-10, task.lam());
            assertTrue(task.useE());
            assertEquals(task.trainSize(), task.energies().length);
            assertEquals(3L * task.atoms() * task.trainSize(), model.alphasF().size());
            assertEquals(model.permCount() * model.descriptorSize(), model.trilPermsLin().length);
            assertEquals(fixtureCase.endsWith("-cg") ? "cg" : "analytic", model.solverName());
            assertEquals(fixtureCase.endsWith("-cg"), model.cgInfo().isPresent());
            // R_desc is stored (D, M) Fortran-order: the (M, D) view is its transpose without a copy
            NpyArray stored = model.entries().get("R_desc");
            assertEquals(stored.getDouble(1), model.trainingDescriptors().getDouble(1));
        }
    }

    @Test
    void cgModelRecordsItsSolverState() {
        Model m = Model.load(TestData.fixture("ethanol-sym-m30-cg", "model.npz"), Arena.ofAuto());
        Model.CgInfo cg = m.cgInfo().orElseThrow();
        assertEquals(1e-4, cg.tol());
        assertEquals(598, cg.iters());
        assertEquals(0.0028118379009879836, cg.resid());
        assertEquals(108, cg.inducingPtsIdxs().length);
        assertEquals(28.460498941515414, cg.normYTrain());
        assertTrue(cg.converged());
    }
}
