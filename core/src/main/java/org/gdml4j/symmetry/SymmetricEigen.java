package org.gdml4j.symmetry;

/**
 * Eigenvalues and eigenvectors of a small real symmetric matrix by the cyclic Jacobi method.
 *
 * <p>The permutation search decomposes one atoms x atoms distance matrix per sampled geometry. Jacobi is
 * chosen over a LAPACK call because these matrices are tiny (tens of atoms), the method needs no native
 * memory, and it is accurate to machine precision in every eigenvector component (which the matching
 * compares across geometries).
 *
 * <p>Each rotation zeroes one off-diagonal pair (p, q); sweeps repeat until the off-diagonal mass is
 * negligible relative to the matrix norm. Convergence is quadratic once the matrix is nearly diagonal.
 */
public final class SymmetricEigen {
    private static final int MAX_SWEEPS = 100;

    private final double[] values;
    private final double[] vectors;
    private final int n;

    private SymmetricEigen(double[] values, double[] vectors, int n) {
        this.values = values;
        this.vectors = vectors;
        this.n = n;
    }

    /** Decomposes the symmetric row-major n x n matrix {@code a} (left unchanged; only its upper triangle is read). */
    public static SymmetricEigen of(double[] a, int n) {
        if (a.length != (long) n * n) {
            throw new IllegalArgumentException("matrix has " + a.length + " entries, expected " + n + " x " + n);
        }
        double[] m = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                m[i * n + j] = a[i * n + j];
                m[j * n + i] = a[i * n + j];
            }
        }
        double[] v = new double[n * n];
        for (int i = 0; i < n; i++) {
            v[i * n + i] = 1;
        }
        double norm2 = 0;
        for (double x : m) {
            norm2 += x * x;
        }
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            double off = 0;
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    off += m[p * n + q] * m[p * n + q];
                }
            }
            if (off <= 1e-30 * norm2 || off == 0) {
                break;
            }
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    rotate(m, v, n, p, q);
                }
            }
        }
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            w[i] = m[i * n + i];
        }
        return new SymmetricEigen(w, v, n);
    }

    /** Zeroes m[p][q] by the rotation J with tan θ chosen as the smaller root (numerically stable form). */
    private static void rotate(double[] m, double[] v, int n, int p, int q) {
        double apq = m[p * n + q];
        if (apq == 0) {
            return;
        }
        double app = m[p * n + p];
        double aqq = m[q * n + q];
        double theta = (aqq - app) / (2 * apq);
        double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        if (theta == 0) {
            t = 1;
        }
        double c = 1 / Math.sqrt(t * t + 1);
        double s = t * c;
        for (int k = 0; k < n; k++) {
            double mkp = m[k * n + p];
            double mkq = m[k * n + q];
            m[k * n + p] = c * mkp - s * mkq;
            m[k * n + q] = s * mkp + c * mkq;
        }
        for (int k = 0; k < n; k++) {
            double mpk = m[p * n + k];
            double mqk = m[q * n + k];
            m[p * n + k] = c * mpk - s * mqk;
            m[q * n + k] = s * mpk + c * mqk;
        }
        m[p * n + q] = 0;
        m[q * n + p] = 0;
        for (int k = 0; k < n; k++) {
            double vkp = v[k * n + p];
            double vkq = v[k * n + q];
            v[k * n + p] = c * vkp - s * vkq;
            v[k * n + q] = s * vkp + c * vkq;
        }
    }

    public int size() {
        return n;
    }

    /** Eigenvalue k (unsorted: in the order of the diagonal at convergence). */
    public double value(int k) {
        return values[k];
    }

    /** Component {@code row} of eigenvector k (unit length). */
    public double vector(int row, int k) {
        return vectors[row * n + k];
    }
}
