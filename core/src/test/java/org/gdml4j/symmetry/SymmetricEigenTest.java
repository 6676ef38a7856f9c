package org.gdml4j.symmetry;

import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Jacobi eigen-decomposition: A v = λ v and orthonormal eigenvectors, including repeated eigenvalues. */
class SymmetricEigenTest {

    @Test
    void randomSymmetricMatrices() {
        Random rnd = new Random(3);
        for (int n = 1; n <= 25; n++) {
            double[] a = new double[n * n];
            for (int i = 0; i < n; i++) {
                for (int j = i; j < n; j++) {
                    a[i * n + j] = a[j * n + i] = rnd.nextGaussian();
                }
            }
            check(a, n);
        }
    }

    @Test
    void repeatedEigenvaluesAndDiagonalInput() {
        int n = 4;
        double[] ones = new double[n * n];
        java.util.Arrays.fill(ones, 1); // eigenvalues 4, 0, 0, 0
        check(ones, n);
        double[] diag = new double[n * n];
        for (int i = 0; i < n; i++) {
            diag[i * n + i] = i - 1.5;
        }
        check(diag, n);
        check(new double[n * n], n);
    }

    private static void check(double[] a, int n) {
        SymmetricEigen e = SymmetricEigen.of(a, n);
        double scale = 1;
        for (double x : a) {
            scale = Math.max(scale, Math.abs(x));
        }
        for (int k = 0; k < n; k++) {
            for (int i = 0; i < n; i++) {
                double av = 0;
                for (int j = 0; j < n; j++) {
                    av += a[i * n + j] * e.vector(j, k);
                }
                assertEquals(e.value(k) * e.vector(i, k), av, 1e-12 * scale * n, "n=" + n + " k=" + k);
            }
            for (int l = 0; l < n; l++) {
                double dot = 0;
                for (int i = 0; i < n; i++) {
                    dot += e.vector(i, k) * e.vector(i, l);
                }
                assertEquals(k == l ? 1 : 0, dot, 1e-12, "orthonormality n=" + n);
            }
        }
    }
}
