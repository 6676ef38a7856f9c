package org.gdml4j.train;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.gdml4j.error.InvalidInputException;
import org.gdml4j.io.Dataset;

/**
 * Draws training or validation frames so that the sample follows the dataset's energy distribution, as
 * sGDML's {@code GDMLTrain.draw_strat_sample} does; uniformly when there are no energies.
 *
 * <p>Method (the reference's, with its rough edges made safe):
 * <ol>
 *   <li>Bin width by the Freedman–Diaconis rule, h = 2·IQR / ∛n. As in the reference, n is the number of
 *       frames requested, not the dataset size, so a small sample gets coarse bins; and the number of bins is
 *       capped at n/2 so that bins can hold at least about two draws. IQR and range cover all frames.</li>
 *   <li>Bins are equal-width intervals from the minimum energy, with numpy's {@code digitize} conventions
 *       (left edges included; the maximum falls in the last bin). Excluded frames are taken out of the bins.</li>
 *   <li>Each non-empty bin gets ⌈count_b / total · n⌉ draws, at most what it holds.</li>
 *   <li>The rounding surplus is removed one draw at a time from a random bin, weighted by (draws − 1), so no bin
 *       that had a draw loses its last one (the reference's intent: every bin represented); a shortfall (from
 *       bins too small for their share) is filled from random bins weighted by their unused frames. The
 *       reference adds to bins without checking their capacity, which can fail; here it cannot.</li>
 *   <li>Within a bin, frames are drawn uniformly without replacement.</li>
 * </ol>
 * Everything random comes from one {@link SplittableRandom} seeded by the caller, so a seed fixes the sample.
 * The result is sorted ascending (the reference returns bin order; order carries no meaning).
 */
public final class StratifiedSampler {
    private StratifiedSampler() {
    }

    /**
     * Draws {@code count} frames of {@code dataset}, stratified by energy when it has energies. Frames that
     * repeat an earlier frame's geometry exactly, and frames with the geometry of an excluded frame, are
     * never drawn.
     *
     * @throws InvalidInputException when fewer distinct geometries than {@code count} remain
     */
    public static long[] draw(Dataset dataset, int count, long[] exclude, long seed) {
        int frames = dataset.frames();
        boolean[] excluded = excludedMask(frames, exclude);
        int[] first = DuplicateGeometries.firstOccurrence(dataset.positions());
        // A geometry is off limits if any copy of it is excluded; otherwise its first copy stands for it.
        boolean[] geometryExcluded = new boolean[frames];
        for (int f = 0; f < frames; f++) {
            if (excluded[f]) {
                geometryExcluded[first[f]] = true;
            }
        }
        int copies = 0;
        int nExcluded = 0;
        long[] skip = new long[frames];
        int nSkip = 0;
        for (int f = 0; f < frames; f++) {
            copies += first[f] != f ? 1 : 0;
            nExcluded += excluded[f] ? 1 : 0;
            if (excluded[f] || first[f] != f || geometryExcluded[first[f]]) {
                skip[nSkip++] = f;
            }
        }
        int available = frames - nSkip;
        if (copies > 0 && count > available) {
            throw new InvalidInputException("cannot draw " + count + " frames from " + dataset.label() + ": its " + frames
                    + " frames hold only " + (frames - copies) + " distinct geometries (" + copies
                    + " frames exactly repeat an earlier one)" + (nExcluded > 0 ? " and " + nExcluded + " frames are excluded" : "")
                    + ", which leaves " + available + " to draw from");
        }
        return draw(frames, dataset.hasEnergies() ? dataset.energies() : null, count, Arrays.copyOf(skip, nSkip), seed);
    }

    /** {@link #draw(int, double[], int, long[], long)} with frames = energies.length (energies required). */
    public static long[] draw(double[] energies, int count, long[] exclude, long seed) {
        if (energies == null) {
            throw new IllegalArgumentException("no energies given: use draw(frames, null, ...) for a uniform draw");
        }
        return draw(energies.length, energies, count, exclude, seed);
    }

    /**
     * Draws {@code count} distinct frames of {@code frames}, none of them in {@code exclude}.
     *
     * @param energies one per frame, or null for a uniform draw
     * @param exclude frames never to draw (e.g. the training set when drawing validation frames); may be null
     * @return the frames, ascending
     * @throws InvalidInputException for a negative count, non-finite energies, excluded frames out of range, or when count +
     *     excluded frames exceed the frames
     */
    public static long[] draw(int frames, double[] energies, int count, long[] exclude, long seed) {
        if (frames < 1) {
            throw new InvalidInputException("cannot draw from a dataset with no frames");
        }
        if (count < 0) {
            throw new InvalidInputException("cannot draw a negative number of frames (" + count + ")");
        }
        if (energies != null) {
            if (energies.length != frames) {
                throw new IllegalArgumentException("got " + energies.length + " energies for " + frames + " frames");
            }
            for (int f = 0; f < frames; f++) {
                if (!Double.isFinite(energies[f])) {
                    throw new InvalidInputException("energy of frame " + f + " is not finite (" + energies[f] + ")");
                }
            }
        }
        boolean[] excluded = excludedMask(frames, exclude);
        int nExcluded = countTrue(excluded);
        int available = frames - nExcluded;
        if (count > available) {
            throw new InvalidInputException("cannot draw " + count + " frames: the dataset has " + frames + " frames"
                    + (nExcluded > 0 ? " and " + nExcluded + " of them are excluded (e.g. already used for training), which leaves "
                            + available : ""));
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] candidates = new int[available];
        int k = 0;
        for (int f = 0; f < frames; f++) {
            if (!excluded[f]) {
                candidates[k++] = f;
            }
        }
        if (energies == null || count <= 1 || count == available) {
            return sorted(pick(candidates, count, rnd));
        }
        return stratified(energies, excluded, candidates, count, rnd);
    }

    private static long[] stratified(double[] e, boolean[] excluded, int[] candidates, int count, SplittableRandom rnd) {
        double[] sortedE = e.clone();
        Arrays.sort(sortedE);
        double min = sortedE[0];
        double max = sortedE[sortedE.length - 1];
        double h = 2 * (percentile(sortedE, 75) - percentile(sortedE, 25)) / Math.cbrt(count);
        int bins = h > 0 ? (int) Math.min(Integer.MAX_VALUE, Math.ceil((max - min) / h)) : 1;
        bins = Math.max(1, Math.min(bins, count / 2));
        // Left edges as numpy's linspace(min, max, bins, endpoint=False); a frame's bin is the number of edges
        // ≤ its energy, minus one (digitize), so the maximum lands in the last bin.
        double step = (max - min) / bins;
        double[] edges = new double[bins];
        for (int b = 0; b < bins; b++) {
            edges[b] = min + b * step;
        }
        int[] binOf = new int[e.length];
        int[] held = new int[bins];
        for (int f : candidates) {
            int b = upperBound(edges, e[f]) - 1;
            binOf[f] = b;
            held[b]++;
        }
        int[] quota = new int[bins];
        int total = candidates.length;
        int sum = 0;
        for (int b = 0; b < bins; b++) {
            quota[b] = (int) Math.min(held[b], Math.ceil(held[b] / (double) total * count));
            sum += quota[b];
        }
        for (; sum > count; sum--) {
            quota[weightedBin(quota, held, rnd, true)]--;
        }
        for (; sum < count; sum++) {
            quota[weightedBin(quota, held, rnd, false)]++;
        }
        int[][] members = new int[bins][];
        int[] fill = new int[bins];
        for (int b = 0; b < bins; b++) {
            members[b] = new int[held[b]];
        }
        for (int f : candidates) {
            members[binOf[f]][fill[binOf[f]]++] = f;
        }
        long[] out = new long[count];
        int k = 0;
        for (int b = 0; b < bins; b++) {
            for (int f : pick(members[b], quota[b], rnd)) {
                out[k++] = f;
            }
        }
        Arrays.sort(out);
        return out;
    }

    /**
     * A random bin: to shrink, weighted by quota − 1 (uniform over bins with a draw if all have just one); to
     * grow, weighted by the frames it still has undrawn.
     */
    private static int weightedBin(int[] quota, int[] held, SplittableRandom rnd, boolean shrink) {
        long weightSum = 0;
        for (int b = 0; b < quota.length; b++) {
            weightSum += weight(quota, held, b, shrink);
        }
        boolean fallback = weightSum == 0;
        if (fallback) {
            for (int b = 0; b < quota.length; b++) {
                weightSum += quota[b] > 0 ? 1 : 0;
            }
        }
        long r = rnd.nextLong(weightSum);
        for (int b = 0; b < quota.length; b++) {
            long w = fallback ? (quota[b] > 0 ? 1 : 0) : weight(quota, held, b, shrink);
            if (r < w) {
                return b;
            }
            r -= w;
        }
        throw new IllegalStateException("unreachable: weights sum to " + weightSum);
    }

    private static long weight(int[] quota, int[] held, int b, boolean shrink) {
        return shrink ? Math.max(0, quota[b] - 1) : held[b] - quota[b];
    }

    /** numpy's default (linear) percentile of ascending {@code s}. */
    static double percentile(double[] s, double q) {
        double pos = (s.length - 1) * q / 100;
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, s.length - 1);
        return s[lo] + (pos - lo) * (s[hi] - s[lo]);
    }

    /** Number of entries of ascending {@code a} that are ≤ x. */
    private static int upperBound(double[] a, double x) {
        int lo = 0;
        int hi = a.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] <= x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** {@code count} distinct entries of {@code from}, uniformly (partial Fisher–Yates on a copy). */
    private static int[] pick(int[] from, int count, SplittableRandom rnd) {
        int[] a = from.clone();
        for (int i = 0; i < count; i++) {
            int j = i + rnd.nextInt(a.length - i);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return Arrays.copyOf(a, count);
    }

    private static long[] sorted(int[] frames) {
        long[] out = Arrays.stream(frames).asLongStream().toArray();
        Arrays.sort(out);
        return out;
    }

    private static boolean[] excludedMask(int frames, long[] exclude) {
        boolean[] mask = new boolean[frames];
        if (exclude != null) {
            for (long f : exclude) {
                if (f < 0 || f >= frames) {
                    throw new InvalidInputException("excluded frame " + f + " is out of range (the dataset has " + frames + " frames)");
                }
                mask[(int) f] = true;
            }
        }
        return mask;
    }

    private static int countTrue(boolean[] a) {
        int n = 0;
        for (boolean b : a) {
            n += b ? 1 : 0;
        }
        return n;
    }
}
