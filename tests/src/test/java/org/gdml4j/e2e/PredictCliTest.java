package org.gdml4j.e2e;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.SequencedMap;

import org.gdml4j.io.Dataset;
import org.gdml4j.io.NpyArray;
import org.gdml4j.io.NpyArrays;
import org.gdml4j.io.NpzReader;
import org.gdml4j.io.NpzWriter;
import org.gdml4j.testsupport.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code gdml4j predict}: errors against the labels, output file, and refusal of mismatched atoms. */
class PredictCliTest {
    @TempDir
    Path dir;

    @Test
    void predictsAndReportsErrors() {
        Path out = dir.resolve("pred.npz");
        Cli.Result r = Cli.run("predict", TestData.fixture("ethanol-sym-m30", "model.npz").toString(),
                TestData.dataset("rmd17_ethanol").toString(), "--idxs", "0:40:2", "-o", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("forces  MAE") && r.out().contains("energy  MAE"), r.out());
        try (Arena arena = Arena.ofConfined(); NpzReader npz = NpzReader.open(out)) {
            assertEquals(20, npz.read("E", arena).dim(0));
            assertEquals(9, npz.read("F", arena).dim(1));
            assertEquals(38, npz.read("idxs", arena).getLong(19));
        }
    }

    @Test
    void refusesAModelOfAnotherMolecule() {
        Cli.Result r = Cli.run("predict", TestData.fixture("aspirin-sym-m10", "model.npz").toString(),
                TestData.dataset("rmd17_ethanol").toString(), "--idxs", "0:5");
        assertNotEquals(0, r.exit());
        assertTrue(r.errorLine().contains("atoms"), r.err());
    }

    @Test
    void refusesTheSameAtomsInAnotherOrder() throws Exception {
        Path swapped = dir.resolve("ethanol-swapped.npz");
        try (Arena arena = Arena.ofConfined()) {
            Dataset d = Dataset.load(TestData.dataset("rmd17_ethanol"), arena);
            SequencedMap<String, NpyArray> e = new LinkedHashMap<>();
            long[] z = d.entries().get("z").toLongArray();
            long t = z[0];
            z[0] = z[2];
            z[2] = t; // C and O swapped
            for (var entry : d.entries().entrySet()) {
                e.put(entry.getKey(), entry.getKey().equals("z") ? NpyArrays.ofLongs(z) : entry.getValue());
            }
            NpzWriter.write(swapped, e);
        }
        Cli.Result r = Cli.run("predict", TestData.fixture("ethanol-sym-m30", "model.npz").toString(), swapped.toString(),
                "--idxs", "0:5");
        assertNotEquals(0, r.exit());
        assertTrue(r.errorLine().contains("order"), r.err());
        assertTrue(Files.exists(swapped));
    }

    @Test
    void refusesIndicesOutOfRange() {
        Cli.Result r = Cli.run("predict", TestData.fixture("ethanol-sym-m30", "model.npz").toString(),
                TestData.dataset("rmd17_ethanol").toString(), "--idxs", "9630:9640");
        assertNotEquals(0, r.exit());
        assertTrue(r.errorLine().contains("9640") || r.errorLine().contains("range"), r.err());
    }
}
