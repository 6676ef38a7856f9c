package org.gdml4j.solve;

import java.util.List;
import java.util.Map;

/**
 * Everything PCG needs to continue exactly where it was, taken at the top of an iteration (before its convergence test):
 * the iterate x, the recursive residual r and the search direction d (z = P⁻¹r is not needed: the next step recomputes
 * it from r), the scalars of the recurrence, the counters that decide restarts and growth, the stagnation window, and
 * the report so far. Continuing from a snapshot with the same operator and preconditioner performs the very same
 * floating-point operations as the uninterrupted run, so it ends with the same bits.
 *
 * @param iterations    CG steps taken
 * @param restarts      restarts used (true-residual drift)
 * @param growths       preconditioner growths so far
 * @param stagnationNoted whether "growth is off, continuing" was already reported
 * @param rz            rᵀz of the current residual
 * @param rnorm         ‖r‖ of the recursive residual
 * @param normEstimate  largest Rayleigh quotient seen
 * @param changes       the stagnation window (residual changes, ring buffer)
 * @param changeCount   entries of the window in use
 * @param changePos     next slot of the window
 * @param x             the iterate
 * @param r             the recursive residual
 * @param d             the search direction
 * @param residuals     relative residual per iteration so far (the report's history)
 * @param events        the report's events so far
 * @param seconds       the report's time buckets so far
 */
public record PcgSnapshot(long iterations, int restarts, int growths, boolean stagnationNoted, double rz, double rnorm,
        double normEstimate, double[] changes, int changeCount, int changePos, double[] x, double[] r, double[] d,
        List<Double> residuals, List<String> events, Map<String, Double> seconds) {

    public PcgSnapshot {
        if (x.length != r.length || x.length != d.length) {
            throw new IllegalArgumentException("snapshot vectors differ in length: x " + x.length + ", r " + r.length + ", d " + d.length);
        }
        if (changeCount < 0 || changeCount > changes.length || changePos < 0 || (changes.length > 0 && changePos >= changes.length)) {
            throw new IllegalArgumentException("snapshot stagnation window is inconsistent");
        }
        residuals = List.copyOf(residuals);
        events = List.copyOf(events);
        seconds = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(seconds)); // keeps the phases' order
    }

    /** Where PCG keeps its snapshots: asked at the top of every iteration whether one is due, handed it when so. */
    public interface Sink {
        /** Whether a snapshot should be taken now (e.g. a minute has passed since the last). */
        boolean due();

        /** Stores the snapshot; the growths count tells the owner which preconditioner is in use. */
        void save(PcgSnapshot snapshot);
    }
}
