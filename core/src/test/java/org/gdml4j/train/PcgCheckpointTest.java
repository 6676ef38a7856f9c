package org.gdml4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;

import org.gdml4j.io.NpyArray;
import org.gdml4j.io.NpyArrays;
import org.gdml4j.io.NpzReader;
import org.gdml4j.io.NpzWriter;
import org.gdml4j.io.SgdmlFormatException;
import org.gdml4j.linalg.Precision;
import org.gdml4j.precond.PreconditionerBuilder.Recipe;
import org.gdml4j.precond.PreconditionerKind;
import org.gdml4j.solve.PcgSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checkpoint file's round trip and its format marker: a checkpoint of another format version is refused by name. */
class PcgCheckpointTest {
    @TempDir
    Path dir;

    private static PcgCheckpoint sample() {
        double[] x = {1, 2, 3};
        PcgSnapshot s = new PcgSnapshot(7, 0, 1, false, 0.5, 0.25, 3.0, new double[] {1e-3, 2e-3}, 2, 0, x, x.clone(), x.clone(),
                List.of(1.0, 0.1), List.of("grew to k = 4"), Map.of("cg", 1.5));
        Recipe r = new Recipe(PreconditionerKind.CHOLESKY, Precision.FP32, 2, 1, new long[] {4, 0, 2, 1});
        return new PcgCheckpoint(new PcgCheckpoint.Fingerprint("aa", "bb"), r, 1, s, null, 2);
    }

    @Test
    void aCheckpointReadsBackAsWritten() {
        Path f = dir.resolve("c.ckpt");
        sample().write(f);
        PcgCheckpoint back = PcgCheckpoint.read(f);
        assertEquals(sample().fingerprint(), back.fingerprint());
        assertArrayEquals(sample().recipe().columns(), back.recipe().columns());
        assertEquals(7, back.state().iterations());
        assertArrayEquals(sample().state().x(), back.state().x());
    }

    @Test
    void aCheckpointOfAnEarlierFormatIsRefusedWithItsVersion() {
        Path f = dir.resolve("c.ckpt");
        sample().write(f);
        Path old = dir.resolve("old.ckpt");
        try (Arena arena = Arena.ofConfined(); NpzReader npz = NpzReader.open(f)) {
            SequencedMap<String, NpyArray> all = npz.readAll(arena);
            all.put("format", NpyArrays.ofString("gdml4j-pcg-checkpoint-1"));
            NpzWriter.write(old, all);
        }
        SgdmlFormatException e = assertThrows(SgdmlFormatException.class, () -> PcgCheckpoint.read(old));
        assertTrue(e.getMessage().contains("format 1") && e.getMessage().contains("another gdml4j version")
                && e.getMessage().contains(old.toString()), e.getMessage());
    }
}
