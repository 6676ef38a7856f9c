package org.gdml4j.train;

import org.gdml4j.linalg.Precision;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cost model behind --k-rule cost: its k is the predicted time's minimum, inside the range, and it moves the way
 * the trade-off says (a faster dgemm or fewer iterations favour a larger or smaller k); its predictions at aspirin
 * M = 500 reproduce the measured k-sweep's shape (perf/README.md) within its fit.
 */
class PcgCostModelTest {
    /** Aspirin M = 500 (N = 21, P = 6) on a machine like the one the model was fitted on. */
    private static PcgCostModel aspirin(double gflops, double gbps, boolean validationStop) {
        return aspirin(gflops, gbps, validationStop ? PcgCostModel.Stop.VALIDATION : PcgCostModel.Stop.RTOL);
    }

    private static PcgCostModel aspirin(double gflops, double gbps, PcgCostModel.Stop stop) {
        return new PcgCostModel(500, 21, 6, gflops * 1e9, gbps * 1e9, Precision.FP32, stop, null, null);
    }

    @Test
    void theChosenKIsTheMinimumOfThePrediction() {
        PcgCostModel c = aspirin(87, 30.7, false);
        int best = c.bestK(31_500);
        assertTrue(best > 63 && best < 31_500, "k = " + best);
        for (int k = 100; k <= 31_500; k += 37) {
            assertTrue(c.seconds(best) <= c.seconds(k) * 1.0005, "k = " + k + " predicts " + c.seconds(k) + " s, below the chosen " + best
                    + " at " + c.seconds(best) + " s");
        }
        assertEquals(1000, c.bestK(1000), "capped by the memory's k");
    }

    @Test
    void kFollowsTheMachineAndTheStop() {
        int slowGemm = aspirin(40, 30.7, false).bestK(31_500);
        int fastGemm = aspirin(160, 30.7, false).bestK(31_500);
        assertTrue(fastGemm > slowGemm, "a faster dgemm makes the build cheaper: k " + fastGemm + " vs " + slowGemm);
        int rtol = aspirin(87, 30.7, false).bestK(31_500);
        int early = aspirin(87, 30.7, true).bestK(31_500);
        assertTrue(early < rtol, "fewer iterations favour a cheaper build: k " + early + " vs " + rtol);
        int path = aspirin(87, 30.7, PcgCostModel.Stop.LAMBDA_PATH).bestK(31_500);
        assertTrue(path < early, "the lambda path needs fewer iterations still: k " + path + " vs " + early);
    }

    @Test
    void predictionsFollowTheMeasuredSweep() {
        // measured (perf/README.md, 2026-12-02, SkylakeX kernels): k = 2000 / 2800 / 3674 / 5000 took 117 / 99 / 114 / 142 s;
        // the model must rank the rule's k and k = 5,000 slower than 2,800, and put the optimum between 2,000 and 3,674
        PcgCostModel c = aspirin(108, 30.7, false);
        assertTrue(c.seconds(2800) < c.seconds(3674) && c.seconds(3674) < c.seconds(5000), "times at 2800/3674/5000: " + c.seconds(2800)
                + " " + c.seconds(3674) + " " + c.seconds(5000));
        int best = c.bestK(31_500);
        assertTrue(best >= 2000 && best <= 3674, "k = " + best);
        assertEquals(31_500.0 * 100 / 3674, c.iterations(3674), 1e-6, "the paper's power law, k_min = 100, m = 1");
    }
}
