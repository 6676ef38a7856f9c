package org.gdml4j.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.gdml4j.testsupport.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.gdml4j.io.IoAssertions.assertSameArray;
import static org.gdml4j.io.IoAssertions.assertSameEntries;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The model and task writers reproduce sGDML 1.0.3's files key for key, dtype for dtype, byte for byte. */
class SgdmlWritersTest {
    @TempDir
    Path dir;

    static List<String> cases() {
        return TestData.fixtureCases();
    }

    /** Rebuilds each fixture model from typed values only (as the trainer will) and compares with sGDML's file. */
    @ParameterizedTest
    @MethodSource("cases")
    void modelBuilderReproducesTheReferenceModel(String fixtureCase) {
        try (Arena arena = Arena.ofConfined()) {
            Task task = Task.load(TestData.fixture(fixtureCase, "task.npz"), arena);
            Model ref = Model.load(TestData.fixture(fixtureCase, "model.npz"), arena);
            ModelBuilder b = Model.builder().fromTask(task)
                    .trainingDescriptors(ref.trainingDescriptors())
                    .descriptorAlphas(ref.descriptorAlphas())
                    .alphasF(ref.alphasF())
                    .trilPermsLin(ref.trilPermsLin())
                    .c(ref.c())
                    .std(ref.std());
            ref.cgInfo().ifPresent(b::cg);
            Model built = b.build("rebuilt " + fixtureCase);
            assertSameEntries(ref.entries(), built.entries(), fixtureCase);

            Path out = dir.resolve("model.npz");
            built.write(out);
            assertSameEntries(ref.entries(), Model.load(out, arena).entries(), fixtureCase + " after writing");
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void taskBuilderReproducesTheReferenceTask(String fixtureCase) {
        try (Arena arena = Arena.ofConfined()) {
            Task ref = Task.load(TestData.fixture(fixtureCase, "task.npz"), arena);
            Task built = Task.builder()
                    .datasetName(ref.datasetName()).datasetTheory(ref.datasetTheory())
                    .z(ref.z()).positions(ref.positions()).forces(ref.forces())
                    .idxsTrain(ref.idxsTrain()).md5Train(ref.md5Train())
                    .idxsValid(ref.idxsValid()).md5Valid(ref.md5Valid())
                    .sig((long) ref.sig()).lam(ref.lam())
                    .energies(NpyArrays.ofDoubles(ref.energies(), ref.trainSize(), 1))
                    .useSym(ref.useSym()).perms(ref.perms()).units(ref.rUnit(), ref.eUnit())
                    .build("rebuilt task");
            assertSameEntries(ref.entries(), built.entries(), fixtureCase);
        }
    }

    @Test
    void taskBuilderTakesTheDatasetFingerprint() {
        try (Arena arena = Arena.ofConfined()) {
            Dataset d = Dataset.load(TestData.dataset("rmd17_ethanol"), arena);
            NpyArray r = NpyArray.of(DType.F8, false, d.positions().data().asSlice(0, 2 * 27 * 8), 2, 9, 3);
            NpyArray f = NpyArray.of(DType.F8, false, d.forces().data().asSlice(0, 2 * 27 * 8), 2, 9, 3);
            Task t = Task.builder().dataset(d).z(d.z()).positions(r).forces(f).noEnergies()
                    .sig(20L).perms(new int[][] {{0, 1, 2, 3, 4, 5, 6, 7, 8}}).build("t");
            assertEquals("983bbefb7243e10698ba85913d62dd65", t.md5Train());
            assertEquals(DType.bytes(32), t.entries().get("md5_train").dtype());
            assertEquals("rmd17_ethanol", t.datasetName());
            assertTrue(!t.useE() && !t.useSym());
            assertEquals(20.0, t.sig());
        }
    }

    @Test
    void loadedFilesWriteBackUnchangedIncludingUnknownKeys() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            Dataset d = Dataset.load(TestData.dataset("rmd17_ethanol"), arena);
            Path out = dir.resolve("copy.npz");
            d.write(out, TestData.dataset("rmd17_ethanol"));
            Dataset back = Dataset.load(out, arena);
            assertSameEntries(d.entries(), back.entries(), "dataset");
            assertSameArray(d.entries().get("rmd17_train_idx"), back.entries().get("rmd17_train_idx"), "extra key");
            assertEquals(d.md5(), back.computeMd5());
        }
    }

    @Test
    void errorsAndTestResultsAreWrittenAsSgdmlDoes() {
        try (Arena arena = Arena.ofConfined()) {
            Model ref = Model.load(TestData.fixture("ethanol-gdml-m30", "model.npz"), arena);
            ModelBuilder b = Model.builder().fromTask(Task.load(TestData.fixture("ethanol-gdml-m30", "task.npz"), arena))
                    .trainingDescriptors(ref.trainingDescriptors()).descriptorAlphas(ref.descriptorAlphas())
                    .trilPermsLin(ref.trilPermsLin()).c(ref.c())
                    .fErr(Map.of("mae", 0.5)).test(50, "983bbefb7243e10698ba85913d62dd65")
                    .extra("gdml4j_note", NpyArrays.ofString("extra keys are kept"));
            Model m = b.build("m");
            assertEquals(Map.of("mae", 0.5), m.fErr());
            assertEquals(50, m.nTest());
            assertEquals("983bbefb7243e10698ba85913d62dd65", m.md5Test());
            assertEquals("gdml4j_note", m.entries().lastEntry().getKey());
            assertEquals(1.0, m.std(), "the default std, when the builder is not told one");
        }
    }
}
