package org.gdml4j.kernel;

/**
 * The atom pairs of the inverse-distance descriptor, in sGDML's order (docs/sgdml-formulas.md §1): the strict
 * lower triangle {@code np.tril_indices(N, k=-1)} row by row, i.e. pairs (a, b) with a > b ordered
 * (1,0), (2,0), (2,1), (3,0), ... so that pair (a, b) has index a(a−1)/2 + b.
 */
public final class PairIndex {
    private final int atoms;
    private final int[] a;
    private final int[] b;

    public PairIndex(int atoms) {
        if (atoms < 2) {
            throw new org.gdml4j.error.InvalidInputException("a descriptor needs at least 2 atoms, got " + atoms);
        }
        this.atoms = atoms;
        int d = atoms * (atoms - 1) / 2;
        a = new int[d];
        b = new int[d];
        int k = 0;
        for (int i = 1; i < atoms; i++) {
            for (int j = 0; j < i; j++) {
                a[k] = i;
                b[k] = j;
                k++;
            }
        }
    }

    public int atoms() {
        return atoms;
    }

    /** D = N(N−1)/2. */
    public int size() {
        return a.length;
    }

    /** The larger atom index of pair k. */
    public int first(int k) {
        return a[k];
    }

    /** The smaller atom index of pair k. */
    public int second(int k) {
        return b[k];
    }

    /** Index of the unordered pair {i, j}, i ≠ j. */
    public int index(int i, int j) {
        if (i == j) {
            throw new IllegalArgumentException("a pair needs two different atoms, got " + i + " twice");
        }
        int hi = Math.max(i, j);
        int lo = Math.min(i, j);
        return hi * (hi - 1) / 2 + lo;
    }

    int[] firstArray() {
        return a;
    }

    int[] secondArray() {
        return b;
    }
}
