package org.gdml4j.nativ;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuFeaturesTest {
    @Test
    void parsesFlagsOfTheFirstProcessor() {
        String text = "processor\t: 0\nmodel name\t: AMD EPYC 9B45\nflags\t\t: fpu sse4_2 avx avx2 fma avx512f avx512dq avx512bw"
                + " avx512vl avx512cd\n\nprocessor\t: 1\nmodel name\t: other\nflags\t\t: fpu\n";
        CpuFeatures f = CpuFeatures.parse(text);
        assertEquals("AMD EPYC 9B45", f.modelName());
        assertTrue(f.hasAvx512());
        assertTrue(f.hasAvx2());
    }

    @Test
    void avx2OnlyCpuIsNotAvx512() {
        CpuFeatures f = CpuFeatures.parse("model name : Zen 3\nflags : fpu avx avx2 fma avx512f\n");
        assertFalse(f.hasAvx512(), "avx512f alone is not enough for the SkylakeX kernels");
        assertTrue(f.hasAvx2());
    }

    @Test
    void unreadableCpuinfoMeansNoFeatures() {
        CpuFeatures f = CpuFeatures.read(java.nio.file.Path.of("/nonexistent/cpuinfo"));
        assertFalse(f.hasAvx512());
        assertEquals("unknown", f.modelName());
    }
}
