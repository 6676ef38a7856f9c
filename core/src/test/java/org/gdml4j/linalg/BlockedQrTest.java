package org.gdml4j.linalg;

import java.util.Random;

import org.gdml4j.linalg.Backend.Trans;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The blocked QR and Q formation against LAPACK's dgeqrf and dorgqr, block sizes that do and do not divide k. */
class BlockedQrTest {
    private final Backend be = CpuBackend.get();

    @ParameterizedTest(name = "m = {0}, n = {1}, nb = {2}")
    @CsvSource({"40, 12, 4", "40, 12, 5", "40, 12, 12", "40, 12, 64", "300, 150, 32", "300, 301, 32", "300, 150, 64", "200, 100, 96",
            "13, 13, 3", "9, 20, 4",
            "50, 0, 4"})
    void factorisationMatchesLapack(int m, int n, int nb) {
        try (Workspace ws = Workspace.confined()) {
            double[][] a = Ref.random(new Random(m * 17L + n), m, n);
            Matrix mine = Blas3Test.padded(ws, m, n, a, 2, Precision.FP64);
            Matrix lapack = Blas3Test.padded(ws, m, n, a, 0, Precision.FP64);
            int k = Math.min(m, n);
            Vector tauMine = ws.vector(Math.max(1, k), "tau").slice(0, k);
            Vector tauLapack = ws.vector(Math.max(1, k), "tau").slice(0, k);
            BlockedQr.geqrf(be, mine, tauMine, nb);
            CpuLapack.lapackGeqrf(lapack, tauLapack);
            double scale = Math.max(1, Ref.maxAbs(a));
            for (int j = 0; j < n; j++) {
                for (int i = 0; i < m; i++) {
                    assertEquals(lapack.get(i, j), mine.get(i, j), 1e-12 * scale, "element (" + i + ", " + j + ")");
                }
            }
            for (int j = 0; j < k; j++) {
                assertEquals(tauLapack.get(j), tauMine.get(j), 1e-13, "tau " + j);
            }
        }
    }

    @ParameterizedTest(name = "m = {0}, n = {1}, k = {2}, nb = {3}")
    @CsvSource({"40, 12, 12, 4", "40, 12, 12, 5", "40, 12, 12, 12", "40, 12, 12, 64", "37, 13, 9, 4", "300, 150, 150, 32",
            "13, 13, 13, 3", "50, 10, 0, 4"})
    void matchesLapack(int m, int n, int k, int nb) {
        try (Workspace ws = Workspace.confined()) {
            double[][] a = Ref.random(new Random(m * 31L + n + k), m, n);
            Matrix reflectors = Blas3Test.padded(ws, a, 3, Precision.FP64);
            Vector tau = ws.vector(n, "tau");
            be.geqrf(reflectors, tau);
            if (k < n) {
                for (int j = k; j < n; j++) { // fewer reflectors than columns: the rest must not be read
                    for (int i = 0; i < m; i++) {
                        reflectors.set(i, j, Double.NaN);
                    }
                }
            }
            Matrix mine = Blas3Test.padded(ws, reflectors.toArray(), 1, Precision.FP64);
            Matrix lapack = Blas3Test.padded(ws, reflectors.toArray(), 0, Precision.FP64);
            Vector tauK = tau.slice(0, k);
            CpuLapack.lapackOrgqr(lapack, tauK);
            BlockedQr.orgqr(be, mine, tauK, nb);
            double worst = 0;
            for (int j = 0; j < n; j++) {
                for (int i = 0; i < m; i++) {
                    worst = Math.max(worst, Math.abs(mine.get(i, j) - lapack.get(i, j)));
                }
            }
            assertTrue(worst < 1e-13, "max |Q − Q_lapack| = " + worst);
            Matrix qtq = ws.matrix(n, n, "QtQ");
            be.gemm(Trans.YES, Trans.NO, 1, mine, mine, 0, qtq);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    assertEquals(i == j ? 1 : 0, qtq.get(i, j), 1e-13);
                }
            }
        }
    }
}
