package org.gdml4j.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SequencedMap;
import java.util.function.Consumer;

import org.gdml4j.testsupport.TestData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.Executable;

import static org.gdml4j.io.IoAssertions.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Each kind of broken or unsupported input gives a message naming the file, the key and the problem. */
class BadInputTest {
    private static SequencedMap<String, NpyArray> smallDataset;
    private static SequencedMap<String, NpyArray> task;
    private static SequencedMap<String, NpyArray> model;

    @TempDir
    Path dir;

    /** A 5-frame copy of the ethanol dataset, and the raw entries of a fixture task and model. */
    @BeforeAll
    static void readSources() {
        Arena arena = Arena.ofAuto();
        Dataset full = Dataset.load(TestData.dataset("rmd17_ethanol"), arena);
        smallDataset = new LinkedHashMap<>();
        for (var e : full.entries().entrySet()) {
            NpyArray a = e.getValue();
            if (a.ndim() > 0 && a.dim(0) == 9633) {
                long[] shape = a.shape();
                long rowBytes = a.data().byteSize() / shape[0];
                shape[0] = 5;
                a = NpyArray.of(a.dtype(), false, a.data().asSlice(0, 5 * rowBytes), shape);
            }
            smallDataset.put(e.getKey(), a);
        }
        task = Task.load(TestData.fixture("ethanol-sym-m30", "task.npz"), arena).entries();
        model = Model.load(TestData.fixture("ethanol-sym-m30", "model.npz"), arena).entries();
    }

    private Path variant(String name, SequencedMap<String, NpyArray> base, Consumer<Map<String, NpyArray>> change) {
        SequencedMap<String, NpyArray> copy = new LinkedHashMap<>(base);
        change.accept(copy);
        Path file = dir.resolve(name);
        NpzWriter.write(file, copy);
        return file;
    }

    private static SgdmlFormatException fails(Executable load) {
        return assertThrows(SgdmlFormatException.class, load);
    }

    private static Dataset dataset(Path p) {
        return Dataset.load(p, Arena.ofAuto());
    }

    /** A copy of a C-order {@code <f8} array with one element replaced. */
    private static NpyArray withValue(NpyArray a, long index, double value) {
        MemorySegment copy = MemorySegment.ofArray(new double[(int) a.size()]);
        copy.copyFrom(a.data());
        copy.setAtIndex(java.lang.foreign.ValueLayout.JAVA_DOUBLE, index, value);
        return NpyArray.of(DType.F8, false, copy, a.shape());
    }

    @Test
    void theUntouchedSmallDatasetIsValid() {
        Path ok = variant("ok.npz", smallDataset, m -> { });
        assertEquals(5, dataset(ok).frames());
    }

    @Test
    void truncatedZip() throws IOException {
        Path file = dir.resolve("cut.npz");
        byte[] all = Files.readAllBytes(TestData.fixture("ethanol-sym-m30", "model.npz"));
        Files.write(file, java.util.Arrays.copyOf(all, all.length / 2));
        assertMessage(fails(() -> Model.load(file, Arena.ofAuto())), "cut.npz", "truncated or corrupt zip file");
    }

    @Test
    void truncatedArrayInsideTheZip() throws IOException {
        Path file = IoAssertions.rawNpz(dir.resolve("short.npz"), Map.of("R", IoAssertions.rawNpy("<f8", "(100,)", new byte[16])));
        assertMessage(fails(() -> NpzReader.open(file).read("R", Arena.ofAuto())),
                "short.npz: key 'R'", "truncated array data", "800 bytes, found 16");
    }

    @Test
    void textFileInsteadOfNpz() throws IOException {
        Path file = Files.writeString(dir.resolve("ethanol.xyz"), "9\nLattice=\"\" Properties=species:S:1:pos:R:3 energy=-97000\nC 0 0 0\n");
        assertMessage(fails(() -> dataset(file)), "ethanol.xyz", "text file", "sGDML .npz", "sgdml_dataset_from_extxyz.py");
        Path empty = Files.write(dir.resolve("empty.npz"), new byte[0]);
        assertMessage(fails(() -> dataset(empty)), "empty.npz", "empty");
        assertMessage(fails(() -> dataset(dir.resolve("missing.npz"))), "missing.npz", "not found");
    }

    @Test
    void unsupportedDtypes() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("type", raw(NpyArrays.ofString("m")));
        entries.put("R_desc", IoAssertions.rawNpy("<c16", "(2,)", new byte[32]));
        Path file = IoAssertions.rawNpz(dir.resolve("model.npz"), entries);
        assertMessage(fails(() -> Model.load(file, Arena.ofAuto())), "model.npz: key 'R_desc': unsupported dtype '<c16'");
        entries.put("R_desc", IoAssertions.rawNpy(">f8", "(2,)", new byte[16]));
        IoAssertions.rawNpz(file, entries);
        assertMessage(fails(() -> Model.load(file, Arena.ofAuto())), "model.npz: key 'R_desc'", "big-endian dtype '>f8'");
    }

    @Test
    void nanAndInfinityInLabels() {
        Path nan = variant("nan.npz", smallDataset, m -> m.put("F", withValue(m.get("F"), 3 * 27 + 3, Double.NaN)));
        assertMessage(fails(() -> dataset(nan)), "nan.npz: key 'F'", "NaN at index (3, 1, 0) (frame 3, atom 1)");
        Path inf = variant("inf.npz", smallDataset, m -> m.put("E", NpyArrays.ofDoubles(new double[] {1, 2, Double.POSITIVE_INFINITY, 4, 5}, 5, 1)));
        assertMessage(fails(() -> dataset(inf)), "inf.npz: key 'E'", "infinite value at index (2, 0)");
    }

    @Test
    void missingKey() {
        Path file = variant("noforces.npz", smallDataset, m -> m.remove("F"));
        assertMessage(fails(() -> dataset(file)), "noforces.npz", "missing required key 'F'");
    }

    @Test
    void atomsTooClose() {
        Path file = variant("close.npz", smallDataset, m -> {
            NpyArray r = m.get("R");
            double x0 = r.getDouble(2 * 27);
            m.put("R", withValue(withValue(withValue(r, 2 * 27 + 3, x0 + 0.1), 2 * 27 + 4, r.getDouble(2 * 27 + 1)),
                    2 * 27 + 5, r.getDouble(2 * 27 + 2)));
        });
        assertMessage(fails(() -> dataset(file)), "close.npz: key 'R'", "atoms 0 and 1 of frame 2 are 0.100 Å apart", "minimum is 0.300 Å");
    }

    @Test
    void mismatchedShapes() {
        Path frames = variant("frames.npz", smallDataset, m -> m.put("F", NpyArrays.ofDoubles(new double[4 * 27], 4, 9, 3)));
        assertMessage(fails(() -> dataset(frames)), "frames.npz: key 'F'", "shape (4, 9, 3)", "(frames, atoms, 3) = (5, 9, 3)");
        Path energies = variant("energies.npz", smallDataset, m -> m.put("E", NpyArrays.ofDoubles(new double[6])));
        assertMessage(fails(() -> dataset(energies)), "energies.npz: key 'E'", "shape (6,)", "(frames,) or (frames, 1)");
        Path atoms = variant("atoms.npz", smallDataset, m -> m.put("z", NpyArrays.ofLongs(new long[] {6, 6, 8, 1, 1, 1, 1, 1})));
        assertMessage(fails(() -> dataset(atoms)), "atoms.npz: key 'R'", "(frames, atoms, 3) = (*, 8, 3)");
        Path element = variant("element.npz", smallDataset, m -> m.put("z", NpyArrays.ofLongs(new long[] {6, 6, 8, 1, 1, 1, 1, 1, 119})));
        assertMessage(fails(() -> dataset(element)), "element.npz: key 'z'", "atom 8 has atomic number 119");
        Path perms = variant("perms.npz", task, m -> m.put("perms", NpyArrays.ofLongs(new long[16], 2, 8)));
        assertMessage(fails(() -> Task.load(perms, Arena.ofAuto())), "perms.npz: key 'perms'", "(permutations, atoms) = (*, 9)");
        Path notPerm = variant("notperm.npz", task, m -> m.put("perms", NpyArrays.ofLongs(new long[] {0, 1, 2, 3, 4, 5, 6, 7, 7}, 1, 9)));
        assertMessage(fails(() -> Task.load(notPerm, Arena.ofAuto())), "notperm.npz: key 'perms'", "row 0 is not a permutation");
        Path alphas = variant("alphas.npz", model, m -> m.put("R_d_desc_alpha", NpyArrays.ofDoubles(new double[36 * 29], 29, 36)));
        assertMessage(fails(() -> Model.load(alphas, Arena.ofAuto())), "alphas.npz: key 'R_d_desc_alpha'", "(30, 36)");
    }

    @Test
    void unexpectedPickledPayload() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (var e : model.entrySet()) {
            entries.put(e.getKey(), raw(e.getValue()));
        }
        entries.put("f_err", IoAssertions.objectNpy(HexFormat.of().parseHex(PickleTest.LIST_P4)));
        Path file = IoAssertions.rawNpz(dir.resolve("pickled.npz"), entries);
        assertMessage(fails(() -> Model.load(file, Arena.ofAuto())), "pickled.npz: key 'f_err'", "unsupported pickled object payload (list)");
    }

    @Test
    void unsupportedTaskFeatures() {
        Path cstr = variant("cstr.npz", task, m -> m.put("use_E_cstr", NpyArrays.scalar(true)));
        assertMessage(fails(() -> Task.load(cstr, Arena.ofAuto())), "cstr.npz: key 'use_E_cstr'", "not supported yet");
        Path lattice = variant("lattice.npz", task, m -> m.put("lattice", NpyArrays.ofDoubles(new double[9], 3, 3)));
        assertMessage(fails(() -> Task.load(lattice, Arena.ofAuto())), "lattice.npz: key 'lattice'", "periodic", "not supported yet");
        Path noE = variant("noE.npz", task, m -> m.remove("E_train"));
        assertMessage(fails(() -> Task.load(noE, Arena.ofAuto())), "noE.npz: key 'use_E'", "no energies");
        Path sig = variant("sig.npz", task, m -> m.put("sig", NpyArrays.scalar(-1L)));
        assertMessage(fails(() -> Task.load(sig, Arena.ofAuto())), "sig.npz: key 'sig'", "positive");
    }

    @Test
    void wrongKindOfSgdmlFile() {
        Path model = TestData.fixture("ethanol-sym-m30", "model.npz");
        assertMessage(fails(() -> dataset(model)), "model.npz", "expected an sGDML dataset (type 'd'), but this file is an sGDML model");
        Path ds = TestData.dataset("rmd17_ethanol");
        assertMessage(fails(() -> Task.load(ds, Arena.ofAuto())), "rmd17_ethanol.npz", "expected an sGDML task", "sGDML dataset");
        Path kernel = TestData.fixture("ethanol-sym-m30", "kernel.npz");
        assertMessage(fails(() -> Model.load(kernel, Arena.ofAuto())), "kernel.npz", "missing key 'type'", "sGDML model");
    }

    /** Real files differ in small ways that must not matter. */
    @Test
    void toleratesTheVariantsRealFilesHave() {
        Path variantFile = variant("variant.npz", smallDataset, m -> {
            m.put("md5", NpyArrays.ofAscii(m.get("md5").string()));
            m.put("E", m.get("E").reshape(5));
            m.put("z", NpyArrays.ofInts(m.get("z").toIntArray()));
            m.put("type", NpyArrays.ofBytes(new byte[] {'d'}));
        });
        Dataset d = dataset(variantFile);
        assertEquals(5, d.energies().length);
        assertEquals(smallDataset.get("md5").string(), d.md5(), "md5 as |S32 bytes reads as the same text as <U32");
        Path floatSig = variant("floatsig.npz", task, m -> m.put("sig", NpyArrays.scalar(12.5)));
        assertEquals(12.5, Task.load(floatSig, Arena.ofAuto()).sig());
    }

    private static byte[] raw(NpyArray a) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            NpyWriter.write(out, a);
            return out.toByteArray();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
