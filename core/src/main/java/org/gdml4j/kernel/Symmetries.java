package org.gdml4j.kernel;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The permutation symmetries of a task (P x N atom permutations) and their action on descriptors.
 *
 * <p>Validated on construction: each row is a permutation of 0..N−1 that maps every atom to one of the
 * same element, the identity is present, and the set is closed under composition. The last matters:
 * only for a group does Σ_p κ(x_i, P_p x_j) equal Σ_p κ(x_j, P_p x_i), i.e. is the kernel symmetric
 * (docs/sgdml-formulas.md §2). The descriptor maps are precomputed once: (P_p x)_k = x_{q_p[k]} with
 * q_p[k(a,b)] = k(π_p[a], π_p[b]).
 */
public final class Symmetries {
    private final int[][] perms;
    private final int[][] descriptorMaps;
    private final int[][] inverseMaps;
    private final int identity;
    private final PairIndex pairs;

    private Symmetries(int[][] perms, PairIndex pairs, int identity) {
        this.perms = perms;
        this.pairs = pairs;
        this.identity = identity;
        int d = pairs.size();
        descriptorMaps = new int[perms.length][d];
        inverseMaps = new int[perms.length][d];
        for (int p = 0; p < perms.length; p++) {
            for (int k = 0; k < d; k++) {
                int q = pairs.index(perms[p][pairs.first(k)], perms[p][pairs.second(k)]);
                descriptorMaps[p][k] = q;
                inverseMaps[p][q] = k;
            }
        }
    }

    /** No symmetries: the identity alone. */
    public static Symmetries identity(int atoms) {
        int[] id = new int[atoms];
        for (int i = 0; i < atoms; i++) {
            id[i] = i;
        }
        return new Symmetries(new int[][] {id}, new PairIndex(atoms), 0);
    }

    /**
     * Validates {@code perms} against the atomic numbers {@code z}.
     *
     * @throws IllegalArgumentException naming the offending permutation, atom or pair
     */
    public static Symmetries of(int[][] perms, int[] z) {
        int n = z.length;
        if (perms.length == 0) {
            throw new org.gdml4j.error.InvalidInputException("perms is empty: it must contain at least the identity");
        }
        Set<List<Integer>> set = new HashSet<>();
        int identity = -1;
        for (int p = 0; p < perms.length; p++) {
            int[] pi = perms[p];
            if (pi.length != n) {
                throw new org.gdml4j.error.InvalidInputException("perms row " + p + " has " + pi.length + " entries, expected " + n + " atoms");
            }
            boolean[] seen = new boolean[n];
            boolean isId = true;
            for (int a = 0; a < n; a++) {
                int t = pi[a];
                if (t < 0 || t >= n || seen[t]) {
                    throw new org.gdml4j.error.InvalidInputException("perms row " + p + " is not a permutation of 0.." + (n - 1) + ": "
                            + Arrays.toString(pi));
                }
                seen[t] = true;
                if (z[t] != z[a]) {
                    throw new org.gdml4j.error.InvalidInputException("perms row " + p + " maps atom " + a + " (Z=" + z[a] + ") to atom " + t
                            + " (Z=" + z[t] + "): a symmetry must preserve atomic numbers");
                }
                isId &= t == a;
            }
            if (isId && identity < 0) {
                identity = p;
            }
            if (!set.add(asList(pi))) {
                throw new org.gdml4j.error.InvalidInputException("perms row " + p + " repeats an earlier permutation: " + Arrays.toString(pi));
            }
        }
        if (identity < 0) {
            throw new org.gdml4j.error.InvalidInputException("perms does not contain the identity permutation");
        }
        for (int p = 0; p < perms.length; p++) {
            for (int r = 0; r < perms.length; r++) {
                int[] comp = new int[n];
                for (int a = 0; a < n; a++) {
                    comp[a] = perms[p][perms[r][a]];
                }
                if (!set.contains(asList(comp))) {
                    throw new org.gdml4j.error.InvalidInputException("perms is not a group: composing rows " + p + " and " + r + " gives "
                            + Arrays.toString(comp) + ", which is not in the set (the symmetrised kernel would not be symmetric)");
                }
            }
        }
        int[][] copy = new int[perms.length][];
        for (int p = 0; p < perms.length; p++) {
            copy[p] = perms[p].clone();
        }
        return new Symmetries(copy, new PairIndex(n), identity);
    }

    private static List<Integer> asList(int[] a) {
        return Arrays.stream(a).boxed().toList();
    }

    /** P. */
    public int count() {
        return perms.length;
    }

    public int atoms() {
        return pairs.atoms();
    }

    public PairIndex pairs() {
        return pairs;
    }

    /** Row index of the identity permutation. */
    public int identityIndex() {
        return identity;
    }

    /** Atom permutation p (a copy). */
    public int[] permutation(int p) {
        return perms[p].clone();
    }

    /** q_p: (P_p x)_k = x[q_p[k]]. Shared array: do not modify. */
    int[] descriptorMap(int p) {
        return descriptorMaps[p];
    }

    /** q_p⁻¹: (P_p⁻¹ y)_k = y[q_p⁻¹[k]], i.e. the scatter inverse of {@link #descriptorMap}. Shared array. */
    int[] inverseDescriptorMap(int p) {
        return inverseMaps[p];
    }

    /** The model file's {@code tril_perms_lin}: entry k·P + p is q_p[k] + p·D (docs/sgdml-formulas.md §2). */
    public long[] trilPermsLin() {
        int d = pairs.size();
        int pc = perms.length;
        long[] out = new long[d * pc];
        for (int k = 0; k < d; k++) {
            for (int p = 0; p < pc; p++) {
                out[k * pc + p] = descriptorMaps[p][k] + (long) p * d;
            }
        }
        return out;
    }

    /** The permutations as a P x N array (a copy), e.g. for the model's {@code perms}. */
    public int[][] toArray() {
        int[][] out = new int[perms.length][];
        for (int p = 0; p < perms.length; p++) {
            out[p] = perms[p].clone();
        }
        return out;
    }
}
