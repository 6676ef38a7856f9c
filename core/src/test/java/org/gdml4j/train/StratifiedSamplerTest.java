package org.gdml4j.train;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.SequencedMap;

import org.gdml4j.io.DType;
import org.gdml4j.io.Dataset;
import org.gdml4j.io.NpyArray;
import org.gdml4j.testsupport.TestData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StratifiedSamplerTest {
    private static double[] energies;

    @BeforeAll
    static void load() {
        try (Arena arena = Arena.ofConfined()) {
            energies = Dataset.load(TestData.dataset("rmd17_ethanol"), arena).energies();
        }
    }

    @Test
    void deterministicPerSeedDistinctSortedInRange() {
        long[] a = StratifiedSampler.draw(energies, 200, null, 11);
        assertArrayEquals(a, StratifiedSampler.draw(energies, 200, null, 11));
        assertFalse(Arrays.equals(a, StratifiedSampler.draw(energies, 200, null, 12)), "another seed, another sample");
        assertValidSample(a, 200, energies.length);
        long[] u = StratifiedSampler.draw(energies.length, null, 200, null, 11);
        assertArrayEquals(u, StratifiedSampler.draw(energies.length, null, 200, null, 11));
        assertValidSample(u, 200, energies.length);
    }

    @Test
    void validationSetAvoidsTheTrainingSet() {
        long[] train = StratifiedSampler.draw(energies, 1000, null, 1);
        long[] valid = StratifiedSampler.draw(energies, 1000, train, 2);
        long[] uniform = StratifiedSampler.draw(energies.length, null, 1000, train, 2);
        for (long[] v : new long[][] {valid, uniform}) {
            assertValidSample(v, 1000, energies.length);
            for (long f : v) {
                assertTrue(Arrays.binarySearch(train, f) < 0, "frame " + f + " drawn although excluded");
            }
        }
        // Everything that is left: exactly the complement.
        long[] rest = StratifiedSampler.draw(energies, energies.length - train.length, train, 3);
        assertEquals(energies.length, rest.length + train.length);
        for (long f : rest) {
            assertTrue(Arrays.binarySearch(train, f) < 0);
        }
    }

    @Test
    void followsTheEnergyHistogram() {
        double min = Arrays.stream(energies).min().orElseThrow();
        double max = Arrays.stream(energies).max().orElseThrow();
        double median = StratifiedSampler.percentile(sorted(energies), 50);
        // Tolerances: at n = 50 the bins are few and wide, and every populated bin keeps at least one draw, so the
        // sparse high-energy tail is over-represented by design (the reference's draws deviate by up to 0.1 there
        // as well); with more draws the sample tracks the histogram closely. The median cuts through a bin,
        // where draws are uniform, so it is checked only once bins are fine.
        int[] counts = {50, 200, 1000};
        double[] tolerance = {0.1, 0.03, 0.015};
        for (int c = 0; c < counts.length; c++) {
            int count = counts[c];
            double[] cuts = count >= 200 ? new double[] {min + 0.25 * (max - min), min + 0.5 * (max - min), median}
                    : new double[] {min + 0.25 * (max - min), min + 0.5 * (max - min)};
            for (long seed = 0; seed < 5; seed++) {
                long[] s = StratifiedSampler.draw(energies, count, null, seed);
                for (double cut : cuts) {
                    double inData = Arrays.stream(energies).filter(e -> e < cut).count() / (double) energies.length;
                    double inSample = Arrays.stream(s).filter(f -> energies[(int) f] < cut).count() / (double) count;
                    assertEquals(inData, inSample, tolerance[c], "count " + count + " seed " + seed + " cut " + cut);
                }
            }
        }
    }

    @Test
    void smallAndEdgeCounts() {
        assertEquals(0, StratifiedSampler.draw(energies, 0, null, 0).length);
        assertValidSample(StratifiedSampler.draw(energies, 1, null, 0), 1, energies.length);
        assertValidSample(StratifiedSampler.draw(energies, 2, null, 0), 2, energies.length);
        assertValidSample(StratifiedSampler.draw(energies, 3, new long[] {0, 1, 2}, 0), 3, energies.length);
        double[] flat = new double[10];
        assertValidSample(StratifiedSampler.draw(flat, 7, null, 0), 7, 10);
        long[] all = StratifiedSampler.draw(flat, 8, new long[] {3, 5, 5}, 0);
        assertArrayEquals(new long[] {0, 1, 2, 4, 6, 7, 8, 9}, all);
    }

    @Test
    void clearErrors() {
        var e = assertThrows(IllegalArgumentException.class, () -> StratifiedSampler.draw(energies, energies.length + 1, null, 0));
        assertTrue(e.getMessage().contains(Integer.toString(energies.length)), e.getMessage());
        long[] train = StratifiedSampler.draw(energies, 9000, null, 0);
        e = assertThrows(IllegalArgumentException.class, () -> StratifiedSampler.draw(energies, 1000, train, 0));
        assertTrue(e.getMessage().contains("9000 of them are excluded"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> StratifiedSampler.draw(energies.length, null, 1000, train, 0));
        assertThrows(IllegalArgumentException.class, () -> StratifiedSampler.draw(energies, -1, null, 0));
        assertThrows(IllegalArgumentException.class, () -> StratifiedSampler.draw(energies, 5, new long[] {energies.length}, 0));
        assertThrows(IllegalArgumentException.class, () -> StratifiedSampler.draw(new double[] {1, Double.NaN, 2}, 2, null, 0));
        assertThrows(IllegalArgumentException.class, () -> StratifiedSampler.draw(5, new double[4], 2, null, 0));
        assertThrows(IllegalArgumentException.class, () -> StratifiedSampler.draw((double[]) null, 2, null, 0));
    }

    @Test
    void duplicateGeometriesAreDrawnOnceAndRefusedWhenTooFew() {
        try (Arena arena = Arena.ofConfined()) {
            Dataset src = Dataset.load(TestData.dataset("rmd17_ethanol"), arena);
            // 30 frames: 0..19 distinct, 20..29 copies of 0..9.
            int[] map = new int[30];
            for (int i = 0; i < 30; i++) {
                map[i] = i % 20;
            }
            for (boolean withEnergies : new boolean[] {true, false}) {
                Dataset d = subset(src, map, withEnergies, arena);
                int[] first = DuplicateGeometries.firstOccurrence(d.positions());
                for (int i = 0; i < 30; i++) {
                    assertEquals(i % 20, first[i]);
                }
                long[] s = StratifiedSampler.draw(d, 20, null, 4);
                assertArrayEquals(java.util.stream.LongStream.range(0, 20).toArray(), s, "one frame per distinct geometry");
                var e = assertThrows(IllegalArgumentException.class, () -> StratifiedSampler.draw(d, 21, null, 4));
                assertTrue(e.getMessage().contains("only 20 distinct geometries"), e.getMessage());
                // Excluding frame 25 (a copy of 5) rules out geometry 5 in every copy.
                long[] v = StratifiedSampler.draw(d, 19, new long[] {25}, 4);
                assertEquals(19, v.length);
                assertTrue(Arrays.stream(v).noneMatch(f -> f == 5 || f == 25), Arrays.toString(v));
                assertThrows(IllegalArgumentException.class, () -> StratifiedSampler.draw(d, 20, new long[] {25}, 4));
            }
            long[] plain = StratifiedSampler.draw(src, 100, null, 9);
            assertArrayEquals(StratifiedSampler.draw(src.energies(), 100, null, 9), plain, "no duplicates: same as the energy draw");
        }
    }

    private static Dataset subset(Dataset src, int[] map, boolean withEnergies, Arena arena) {
        SequencedMap<String, NpyArray> e = new LinkedHashMap<>();
        for (String k : new String[] {"type", "name", "theory", "r_unit", "e_unit", "z"}) {
            e.put(k, src.entries().get(k));
        }
        int w = src.atoms() * 3;
        e.put("R", frames(src.positions(), map, w, arena, map.length, src.atoms(), 3));
        e.put("F", frames(src.forces(), map, w, arena, map.length, src.atoms(), 3));
        if (withEnergies) {
            MemorySegment seg = arena.allocate(8L * map.length);
            double[] all = src.energies();
            for (int i = 0; i < map.length; i++) {
                seg.setAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, i, all[map[i]]);
            }
            e.put("E", NpyArray.of(DType.F8, false, seg, map.length));
        }
        return Dataset.of("duplicates", e, arena);
    }

    private static NpyArray frames(NpyArray a, int[] map, int w, Arena arena, long... shape) {
        MemorySegment seg = arena.allocate(8L * map.length * w);
        for (int i = 0; i < map.length; i++) {
            for (int c = 0; c < w; c++) {
                seg.setAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, (long) i * w + c, a.getDouble(a.storageIndex((long) map[i] * w + c)));
            }
        }
        return NpyArray.of(DType.F8, false, seg, shape);
    }

    private static void assertValidSample(long[] s, int count, int frames) {
        assertEquals(count, s.length);
        for (int i = 0; i < s.length; i++) {
            assertTrue(s[i] >= 0 && s[i] < frames);
            assertTrue(i == 0 || s[i - 1] < s[i], "sorted and distinct");
        }
    }

    private static double[] sorted(double[] a) {
        double[] s = a.clone();
        Arrays.sort(s);
        return s;
    }
}
