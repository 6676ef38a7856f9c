package org.gdml4j.linalg;

import java.util.Random;

import org.gdml4j.linalg.Backend.PivotedCholesky;
import org.gdml4j.linalg.Backend.Trans;
import org.gdml4j.linalg.Backend.Uplo;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** LAPACK through the Fortran bindings: results checked by reconstruction, failures by their reported index. */
class LapackTest {
    private final Backend be = CpuBackend.get();
    private final Random rnd = new Random(3);

    @Test
    void potrfFactorsSpdMatrixInPlace() {
        try (Workspace ws = Workspace.confined()) {
            int n = 12;
            double[][] a = Ref.spd(rnd, n);
            Matrix m = Blas3Test.padded(ws, a, 2, Precision.FP64);
            assertEquals(0, be.potrf(Uplo.LOWER, m));
            double[][] l = m.toArray();
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    l[i][j] = 0;
                }
            }
            double[][] llt = Ref.mul(l, Ref.transpose(l), n, n, n);
            assertTrue(Ref.maxDiff(a, llt) < 1e-12 * Ref.maxAbs(a));
        }
    }

    @Test
    void potrfReportsTheFailingMinor() {
        try (Workspace ws = Workspace.confined()) {
            double[][] a = {{4, 0, 0}, {0, 1, 0}, {0, 0, -1}};
            assertEquals(3, be.potrf(Uplo.LOWER, Blas3Test.padded(ws, a, 0, Precision.FP64)));
            Matrix one = ws.matrix(1, 1, "1x1");
            one.set(0, 0, 9);
            assertEquals(0, be.potrf(Uplo.LOWER, one));
            assertEquals(3.0, one.get(0, 0));
            assertEquals(0, be.potrf(Uplo.LOWER, ws.matrix(0, 0, "empty")));
        }
    }

    @Test
    void pstrfFindsTheRankOfASemidefiniteMatrix() {
        try (Workspace ws = Workspace.confined()) {
            int n = 10;
            int r = 4;
            double[][] b = Ref.random(rnd, n, r);
            double[][] a = Ref.mul(b, Ref.transpose(b), n, r, n);
            Matrix m = Blas3Test.padded(ws, a, 1, Precision.FP64);
            PivotedCholesky pc = be.pstrf(Uplo.LOWER, m, 1e-10);
            assertEquals(r, pc.rank());
            assertTrue(pc.info() > 0, "info > 0 signals rank deficiency");
            // A[piv, piv] = L Lᵀ with L the first r columns
            for (int i = 0; i < n; i++) {
                for (int j = 0; j <= i; j++) {
                    double s = 0;
                    for (int l = 0; l < Math.min(r, j + 1); l++) {
                        s += m.get(i, l) * m.get(j, l);
                    }
                    assertEquals(a[pc.piv()[i]][pc.piv()[j]], s, 1e-10, "(" + i + "," + j + ")");
                }
            }
            // greedy: the first pivot is the largest diagonal element
            int best = 0;
            for (int i = 1; i < n; i++) {
                best = a[i][i] > a[best][best] ? i : best;
            }
            assertEquals(best, pc.piv()[0]);
        }
    }

    @Test
    void syevdDecomposesSymmetricMatrix() {
        try (Workspace ws = Workspace.confined()) {
            int n = 15;
            double[][] b = Ref.random(rnd, n, n);
            double[][] a = Ref.mul(b, Ref.transpose(b), n, n, n);
            Matrix m = Blas3Test.padded(ws, a, 3, Precision.FP64);
            Vector w = ws.vector(n, "w");
            assertEquals(0, be.syevd(Uplo.LOWER, m, w));
            for (int i = 1; i < n; i++) {
                assertTrue(w.get(i) >= w.get(i - 1), "ascending");
            }
            for (int k = 0; k < n; k++) {
                for (int i = 0; i < n; i++) {
                    double av = 0;
                    for (int j = 0; j < n; j++) {
                        av += a[i][j] * m.get(j, k);
                    }
                    assertEquals(w.get(k) * m.get(i, k), av, 1e-10 * Ref.maxAbs(a));
                }
            }
        }
    }

    @Test
    void svdReconstructsAndOrdersSingularValues() {
        try (Workspace ws = Workspace.confined()) {
            int m = 12;
            int n = 7;
            double[][] a = Ref.random(rnd, m, n);
            Matrix am = Blas3Test.padded(ws, a, 2, Precision.FP64);
            Vector s = ws.vector(n, "s");
            Matrix u = ws.matrix(m, n, "U");
            Matrix vt = ws.matrix(n, n, "Vt");
            assertEquals(0, be.gesdd(am, s, u, vt));
            for (int i = 1; i < n; i++) {
                assertTrue(s.get(i) <= s.get(i - 1));
            }
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double r = 0;
                    for (int l = 0; l < n; l++) {
                        r += u.get(i, l) * s.get(l) * vt.get(l, j);
                    }
                    assertEquals(a[i][j], r, 1e-12);
                }
            }
        }
    }

    @Test
    void qrGivesOrthonormalColumnsSpanningA() {
        try (Workspace ws = Workspace.confined()) {
            int m = 20;
            int n = 6;
            double[][] a = Ref.random(rnd, m, n);
            Matrix q = Blas3Test.padded(ws, a, 2, Precision.FP64);
            Vector tau = ws.vector(n, "tau");
            be.geqrf(q, tau);
            double[][] r = new double[n][n];
            for (int i = 0; i < n; i++) {
                for (int j = i; j < n; j++) {
                    r[i][j] = q.get(i, j);
                }
            }
            be.orgqr(q, tau);
            Matrix qtq = ws.matrix(n, n, "QtQ");
            be.gemm(Trans.YES, Trans.NO, 1, q, q, 0, qtq);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    assertEquals(i == j ? 1 : 0, qtq.get(i, j), 1e-13);
                }
            }
            assertTrue(Ref.maxDiff(a, Ref.mul(q.toArray(), r, m, n, n)) < 1e-12);
        }
    }
}
