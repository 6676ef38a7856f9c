package org.gdml4j.symmetry;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

import org.gdml4j.error.InvalidInputException;
import org.gdml4j.linalg.Parallel;

/**
 * Finds a molecule's atom-permutation symmetries from sampled geometries, as sGDML's create stage does
 * ({@code sgdml.utils.perm.find_perms}), with no knowledge of chemistry.
 *
 * <ol>
 *   <li>Sample: at most {@code maxSamples} geometries, drawn without replacement with the given seed (sGDML
 *       uses at most {@value #DEFAULT_MAX_SAMPLES}).</li>
 *   <li>Per geometry: the distance matrix and its spectral atom fingerprints ({@link GeometrySpectrum}).</li>
 *   <li>Every pair i &lt; j: match atoms by an assignment on fingerprints, keep the permutation if it brings
 *       the distance matrices closer ({@link PairMatch}).</li>
 *   <li>Synchronise: a minimum spanning tree over the pair costs; the permutations on its edges, plus the
 *       identity, are the candidates ({@link SpanningTree}).</li>
 *   <li>Close under composition ({@link PermutationGroup#closure}); if the group reaches
 *       {@value PermutationGroup#MAX_GROUP_SIZE} elements, salvage a subgroup
 *       ({@link PermutationGroup#salvage}) and close that. If that also reaches the limit, the result is the
 *       identity alone (sGDML returns nothing there and its create stage fails).</li>
 * </ol>
 *
 * Deterministic for a given input and seed (the parallel pair loop writes each pair's result to its own slot).
 */
public final class PermutationSearch {
    /** sGDML restricts the search to a random subset of this many training geometries. */
    public static final int DEFAULT_MAX_SAMPLES = 1000;
    /** The pair costs are held in one array; this many geometries keep it below Java's array limit. */
    static final int MAX_SAMPLES_LIMIT = 60_000;
    private static final long MAX_PAIRS = (long) MAX_SAMPLES_LIMIT * (MAX_SAMPLES_LIMIT - 1) / 2;

    /** How the returned group was obtained. */
    public enum Outcome {
        /** The candidates closed to a group below the size limit. */
        CLOSED,
        /** The closure blew up; a salvaged subgroup was closed instead. */
        SALVAGED,
        /** Even the salvaged subgroup blew up: no symmetries are used. */
        IDENTITY_ONLY
    }

    /**
     * @param perms the group, P x N, rows sorted lexicographically (identity first)
     * @param sampledFrames the frames that were matched, ascending
     * @param candidates permutations found on the spanning tree, before closure (identity included)
     */
    public record Result(int[][] perms, int[] sampledFrames, int candidates, Outcome outcome) {
    }

    private PermutationSearch() {
    }

    /** The symmetry group only; see {@link #search}. */
    public static int[][] find(double[] positions, int frames, int[] z, long seed, int maxSamples) {
        return search(positions, frames, z, seed, maxSamples).perms();
    }

    /**
     * @param positions geometries, C-order (frames, atoms, 3), atoms = z.length
     * @param z atomic numbers
     * @param seed picks the sample when frames &gt; maxSamples
     * @throws InvalidInputException for non-finite coordinates, or maxSamples &lt; 1 or too large (the sample is matched
     *     pairwise: cost grows as its square)
     * @throws IllegalArgumentException for inconsistent shapes (a bug of the caller)
     */
    public static Result search(double[] positions, int frames, int[] z, long seed, int maxSamples) {
        int n = z.length;
        if (n == 0) {
            throw new IllegalArgumentException("symmetry search: the molecule has no atoms");
        }
        if (frames < 1) {
            throw new IllegalArgumentException("symmetry search needs at least one geometry, got " + frames);
        }
        if (positions.length != (long) frames * n * 3) {
            throw new IllegalArgumentException("symmetry search: positions has " + positions.length + " values, expected "
                    + frames + " frames x " + n + " atoms x 3");
        }
        if (maxSamples < 1) {
            throw new InvalidInputException("symmetry search: the sample size must be at least 1, got " + maxSamples);
        }
        for (double x : positions) {
            if (!Double.isFinite(x)) {
                throw new InvalidInputException("symmetry search: the positions contain a non-finite value (" + x + ")");
            }
        }
        int[] sample = sample(frames, maxSamples, seed);
        int m = sample.length;
        if ((long) m * (m - 1) / 2 > MAX_PAIRS) {
            throw new InvalidInputException("symmetry search: " + m + " geometries are too many to match pairwise; use a sample of at most "
                    + MAX_SAMPLES_LIMIT + " (sGDML uses " + DEFAULT_MAX_SAMPLES + ")");
        }
        GeometrySpectrum[] spectra = new GeometrySpectrum[m];
        Parallel.forRange(m, 16, (s, e) -> {
            for (int i = (int) s; i < e; i++) {
                spectra[i] = GeometrySpectrum.of(positions, sample[i], n);
            }
        });
        int[][] elements = elementGroups(z);

        // Pass 1: all pair costs. The permutations are recomputed later for the m−1 tree edges only, instead
        // of keeping up to m(m−1)/2 of them in memory.
        double[] costs = new double[Math.toIntExact((long) m * (m - 1) / 2)];
        Parallel.forRange(costs.length, 256, (s, e) -> {
            int i = rowOf(s, m);
            int j = (int) (s - SpanningTree.pairIndex(i, i + 1, m)) + i + 1;
            for (long k = s; k < e; k++) {
                costs[(int) k] = PairMatch.of(spectra[i], spectra[j], elements).cost();
                if (++j == m) {
                    i++;
                    j = i + 1;
                }
            }
        });

        List<int[]> candidates = new ArrayList<>();
        candidates.add(PermutationGroup.identity(n));
        for (int[] edge : SpanningTree.kruskal(m, costs)) {
            int[] p = PairMatch.of(spectra[edge[0]], spectra[edge[1]], elements).perm();
            if (p != null) {
                candidates.add(p);
            }
        }
        int[][] unique = PermutationGroup.sort(candidates);

        int[][] group = PermutationGroup.closure(Arrays.asList(unique), n, PermutationGroup.MAX_GROUP_SIZE);
        Outcome outcome = Outcome.CLOSED;
        if (group == null) {
            group = PermutationGroup.closure(PermutationGroup.salvage(Arrays.asList(unique)), n, PermutationGroup.MAX_GROUP_SIZE);
            outcome = Outcome.SALVAGED;
        }
        if (group == null) {
            group = new int[][] {PermutationGroup.identity(n)};
            outcome = Outcome.IDENTITY_ONLY;
        }
        return new Result(group, sample, unique.length, outcome);
    }

    /** All frames if there are at most maxSamples, else maxSamples distinct ones (partial Fisher–Yates), ascending. */
    static int[] sample(int frames, int maxSamples, long seed) {
        int[] idx = PermutationGroup.identity(frames);
        if (frames <= maxSamples) {
            return idx;
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int k = 0; k < maxSamples; k++) {
            int r = k + rnd.nextInt(frames - k);
            int t = idx[k];
            idx[k] = idx[r];
            idx[r] = t;
        }
        int[] out = Arrays.copyOf(idx, maxSamples);
        Arrays.sort(out);
        return out;
    }

    /** Atom indices per element, ascending within each, elements by atomic number. */
    static int[][] elementGroups(int[] z) {
        TreeMap<Integer, List<Integer>> byZ = new TreeMap<>();
        for (int a = 0; a < z.length; a++) {
            byZ.computeIfAbsent(z[a], k -> new ArrayList<>()).add(a);
        }
        return byZ.values().stream().map(l -> l.stream().mapToInt(Integer::intValue).toArray()).toArray(int[][]::new);
    }

    /** The i with pairIndex(i, i+1) ≤ k &lt; pairIndex(i+1, i+2): binary search over the row starts. */
    private static int rowOf(long k, int m) {
        int lo = 0;
        int hi = m - 2;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (SpanningTree.pairIndex(mid, mid + 1, m) <= k) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }
}
