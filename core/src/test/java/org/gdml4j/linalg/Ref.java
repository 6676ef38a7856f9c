package org.gdml4j.linalg;

import java.util.Random;

/** Plain-Java reference implementations (row-major double[][]) that the backend is checked against. */
final class Ref {
    private Ref() {
    }

    static double[][] random(Random rnd, int r, int c) {
        double[][] a = new double[r][c];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                a[i][j] = rnd.nextGaussian();
            }
        }
        return a;
    }

    static double[][] transpose(double[][] a) {
        int r = a.length;
        int c = r == 0 ? 0 : a[0].length;
        double[][] t = new double[c][r];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                t[j][i] = a[i][j];
            }
        }
        return t;
    }

    static double[][] mul(double[][] a, double[][] b, int m, int k, int n) {
        double[][] c = new double[m][n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int l = 0; l < k; l++) {
                    s += a[i][l] * b[l][j];
                }
                c[i][j] = s;
            }
        }
        return c;
    }

    /** A symmetric positive definite matrix B Bᵀ + n I. */
    static double[][] spd(Random rnd, int n) {
        double[][] b = random(rnd, n, n);
        double[][] a = mul(b, transpose(b), n, n, n);
        for (int i = 0; i < n; i++) {
            a[i][i] += n;
        }
        return a;
    }

    static double maxDiff(double[][] a, double[][] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                m = Math.max(m, Math.abs(a[i][j] - b[i][j]));
            }
        }
        return m;
    }

    static double maxAbs(double[][] a) {
        double m = 0;
        for (double[] row : a) {
            for (double v : row) {
                m = Math.max(m, Math.abs(v));
            }
        }
        return m;
    }
}
