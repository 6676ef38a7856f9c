package org.gdml4j.symmetry;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * What the permutation search knows about one geometry: its full interatomic distance matrix D and, per atom,
 * a labelling-independent fingerprint taken from the spectrum of D.
 *
 * <p>If a geometry is relabelled by a permutation π, D becomes Pπ D Pπᵀ: the eigenvalues stay, and every
 * eigenvector has its components permuted the same way. So the row of atom a in the eigenvector matrix V
 * (eigenvectors ordered by descending eigenvalue, as in sGDML's {@code bipartite_match}) travels with the atom.
 * Absolute values are taken because each eigenvector's sign is arbitrary.
 */
final class GeometrySpectrum {
    private final int n;
    private final double[] distances;
    private final double[] fingerprints;

    private GeometrySpectrum(int n, double[] distances, double[] fingerprints) {
        this.n = n;
        this.distances = distances;
        this.fingerprints = fingerprints;
    }

    /** Geometry {@code frame} of C-order (frames, n, 3) {@code positions}. */
    static GeometrySpectrum of(double[] positions, int frame, int n) {
        int base = frame * n * 3;
        double[] d = new double[n * n];
        for (int a = 0; a < n; a++) {
            for (int b = a + 1; b < n; b++) {
                double dx = positions[base + 3 * a] - positions[base + 3 * b];
                double dy = positions[base + 3 * a + 1] - positions[base + 3 * b + 1];
                double dz = positions[base + 3 * a + 2] - positions[base + 3 * b + 2];
                double r = Math.sqrt(dx * dx + dy * dy + dz * dz);
                d[a * n + b] = r;
                d[b * n + a] = r;
            }
        }
        SymmetricEigen eig = SymmetricEigen.of(d, n);
        Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble((Integer k) -> eig.value(k)).reversed());
        double[] f = new double[n * n];
        for (int a = 0; a < n; a++) {
            for (int k = 0; k < n; k++) {
                f[a * n + k] = Math.abs(eig.vector(a, order[k]));
            }
        }
        return new GeometrySpectrum(n, d, f);
    }

    int atoms() {
        return n;
    }

    double distance(int a, int b) {
        return distances[a * n + b];
    }

    /** Similarity of atom a here and atom b in {@code other}: Σ_k |V_ak| |V'_bk|, larger = more alike. */
    double similarity(int a, GeometrySpectrum other, int b) {
        double s = 0;
        int ra = a * n;
        int rb = b * n;
        for (int k = 0; k < n; k++) {
            s += fingerprints[ra + k] * other.fingerprints[rb + k];
        }
        return s;
    }
}
