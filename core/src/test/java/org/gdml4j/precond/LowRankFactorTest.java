package org.gdml4j.precond;

import java.util.Random;

import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.Backend.Trans;
import org.gdml4j.linalg.CpuBackend;
import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Vector;
import org.gdml4j.linalg.Workspace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Woodbury apply must be backward stable at the ill-conditioning of sGDML (λ = 1e-10, ‖K̂‖ ~ 1e2): the
 * computed x = P⁻¹v satisfies ‖P x − v‖ ≤ c·ε·‖P‖·‖x‖ with a modest c, also when L has duplicated columns
 * (rank deficient). A forward check P⁻¹(Pv) = v cannot hold better than ≈ 1e-6 at this conditioning.
 */
class LowRankFactorTest {
    private final Backend be = CpuBackend.get();

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void woodburyApplyIsBackwardStable(boolean duplicated) {
        int n = 500;
        int k = 40;
        double lambda = 1e-10;
        Random rnd = new Random(duplicated ? 2 : 1);
        try (Workspace ws = Workspace.shared()) {
            Matrix l = ws.matrix(n, k, "L");
            for (int j = 0; j < k; j++) {
                double scale = Math.pow(10, 1 - 6.0 * j / k); // singular values spanning 1e1 .. 1e-5
                for (int i = 0; i < n; i++) {
                    l.set(i, j, scale * rnd.nextGaussian() / Math.sqrt(n));
                }
            }
            if (duplicated) {
                for (int j = k / 2; j < k; j += 3) {
                    be.copy(l.column(j - 1), l.column(j)); // exact duplicate columns
                }
            }
            Matrix keep = ws.matrix(n, k, "L copy");
            for (int j = 0; j < k; j++) {
                be.copy(l.column(j), keep.column(j));
            }
            LowRankFactor p = LowRankFactor.fromFactor(be, Workspace.shared(), l, lambda, "test");
            double normP = p.eigenvalues()[0] + lambda;
            for (int trial = 0; trial < 5; trial++) {
                Vector v = ws.vector(n, "v");
                for (int i = 0; i < n; i++) {
                    v.set(i, rnd.nextGaussian());
                }
                if (trial == 1 || trial == 2) { // inside range(L), the hard case for the plain form
                    Vector inside = randomInside(ws, keep, rnd, k);
                    // trial 2: just above the re-projection threshold (‖v_⊥‖ ≈ 0.12‖v‖, the threshold is 0.1)
                    be.axpby(trial == 1 ? 1.0 : 8.0 * be.nrm2(v) / be.nrm2(inside), inside, trial == 1 ? 0.0 : 1.0, v);
                }
                Vector x = ws.vector(n, "x");
                p.apply(v, x);
                Vector res = residual(ws, keep, lambda, x, v);
                double bound = Math.ulp(1.0) * normP * be.nrm2(x);
                double c = be.nrm2(res) / bound;
                System.out.printf("[woodbury] duplicated=%s trial %d: ‖Px − v‖ = %.2e = %.1f ε‖P‖‖x‖%n", duplicated, trial,
                        be.nrm2(res), c);
                assertTrue(c < 100, "backward error " + c + " x ε‖P‖‖x‖");
            }
            p.close();
        }
    }

    /**
     * The FP32-rounded factor is exactly symmetric and positive definite (also for vectors inside range(L), where
     * rounding an orthonormal basis naively makes λ⁻¹(I − Q̃Q̃ᵀ) indefinite by ~1e-7/λ), keeps its dominant
     * directions in FP64 and solves P x = v to ≈ 1e-10 of ‖P‖‖x‖ against the FP64 P.
     */
    @Test
    void roundedFactorIsSymmetricPositiveAndAccurate() {
        int n = 400;
        int k = 30;
        double lambda = 1e-10;
        Random rnd = new Random(7);
        try (Workspace ws = Workspace.shared()) {
            Matrix l = ws.matrix(n, k, "L");
            Matrix keep = ws.matrix(n, k, "L copy");
            fillDecaying(l, keep, rnd, 6.0);
            LowRankFactor exact = LowRankFactor.fromFactor(be, Workspace.shared(), l, lambda, "test");
            double normP = exact.eigenvalues()[0] + lambda;
            double[] tauExact = exact.leverageScores();
            try (SinglePrecisionFactor p = SinglePrecisionFactor.round(be, exact, lambda)) {
                assertTrue(p.describe().contains("(fp32, 7 dominant directions in fp64"), p.describe()); // s² ≥ 0.28: j ≤ 6
                double[] tau = p.leverageScores();
                for (int i = 0; i < n; i++) {
                    assertEquals(tauExact[i], tau[i], 1e-5, "leverage score of row " + i);
                }
                Vector a = randomInside(ws, keep, rnd, k);
                Vector b = randomInside(ws, keep, rnd, k);
                Vector pa = ws.vector(n, "P⁻¹a");
                Vector pb = ws.vector(n, "P⁻¹b");
                p.apply(a, pa);
                p.apply(b, pb);
                double ab = be.dot(a, pb);
                double ba = be.dot(b, pa);
                // relative to aᵀP⁻¹b itself: the apply must keep its 1/λ part symmetric to FP64 accuracy (measured
                // 1e-11; a re-projection that cancels two terms of size ‖v‖ gave 1.4e-7)
                assertTrue(Math.abs(ab - ba) <= 1e-9 * Math.abs(ab), "not symmetric: " + ab + " vs " + ba);
                assertTrue(be.dot(a, pa) > 0, "not positive inside range(L): " + be.dot(a, pa));
                // P x − v against the FP64 P = L Lᵀ + λI: only the non-dominant directions (s² < 0.28 here) are rounded,
                // so the rotation θ ≈ 3e-8 they take moves P by ≈ θ·0.28 ≈ 1e-8, 1e-10 of ‖P‖ (≈ 1e-7 when every
                // direction was rounded)
                Vector res = residual(ws, keep, lambda, pa, a);
                double rel = be.nrm2(res) / (normP * be.nrm2(pa));
                System.out.printf("[woodbury fp32] ‖Px − v‖ = %.1e ‖P‖‖x‖; symmetry %.1e%n", rel, Math.abs(ab - ba) / Math.abs(ab));
                assertTrue(rel < 1e-9, "backward error " + rel + " ‖P‖‖x‖");
            }
        }
    }

    /**
     * The FP32 split at its edges: λ = 1e-2 keeps no direction in FP64 (threshold 2.8e7), λ = 1e-10 some, λ = 1e-24
     * all of them (threshold 2.8e-15). Each must solve P x = v against the FP64 P as accurately as its rounding
     * allows, for a vector with parts inside and outside range(L).
     */
    @ParameterizedTest
    @ValueSource(doubles = {1e-2, 1e-10, 1e-24})
    void roundedFactorWithNoneSomeOrAllDirectionsInFp64(double lambda) {
        int n = 300;
        int k = 24;
        Random rnd = new Random(11);
        try (Workspace ws = Workspace.shared()) {
            Matrix l = ws.matrix(n, k, "L");
            Matrix keep = ws.matrix(n, k, "L copy");
            fillDecaying(l, keep, rnd, 5.0);
            LowRankFactor exact = LowRankFactor.fromFactor(be, Workspace.shared(), l, lambda, "test");
            int dominant = SinglePrecisionFactor.dominantCount(exact.eigenvalues(), lambda);
            double normP = exact.eigenvalues()[0] + lambda;
            try (SinglePrecisionFactor p = SinglePrecisionFactor.round(be, exact, lambda)) {
                assertTrue(p.describe().contains("(fp32, " + dominant + " dominant"), p.describe());
                if (lambda == 1e-2) {
                    assertEquals(0, dominant, "directions kept in FP64");
                } else if (lambda == 1e-24) {
                    assertEquals(k, dominant, "directions kept in FP64");
                } else {
                    assertTrue(dominant > 0 && dominant < k, "λ = 1e-10 should split: " + dominant);
                }
                Vector v = randomInside(ws, keep, rnd, k);
                for (int i = 0; i < n; i++) {
                    v.set(i, v.get(i) + 1e-3 * rnd.nextGaussian());
                }
                Vector x = ws.vector(n, "P⁻¹v");
                p.apply(v, x);
                double rel = be.nrm2(residual(ws, keep, lambda, x, v)) / (normP * be.nrm2(x));
                System.out.printf("[woodbury fp32] λ = %.0e, %d of %d directions in fp64: ‖Px − v‖ = %.1e ‖P‖‖x‖%n",
                        lambda, dominant, k, rel);
                assertTrue(rel < (dominant == k ? 1e-12 : 1e-8), "backward error " + rel + " ‖P‖‖x‖");
            }
        }
    }

    /** Random columns of norm ≈ 10^(1 − decades·j/k), written into both {@code l} and {@code keep}. */
    private static void fillDecaying(Matrix l, Matrix keep, Random rnd, double decades) {
        long n = l.rows();
        long k = l.cols();
        for (long j = 0; j < k; j++) {
            double scale = Math.pow(10, 1 - decades * j / k);
            for (long i = 0; i < n; i++) {
                double v = scale * rnd.nextGaussian() / Math.sqrt(n);
                l.set(i, j, v);
                keep.set(i, j, v);
            }
        }
    }

    /** P x − v with P = L Lᵀ + λI applied explicitly. */
    private Vector residual(Workspace ws, Matrix l, double lambda, Vector x, Vector v) {
        Vector ltx = ws.vector(l.cols(), "Lᵀx");
        be.gemv(Trans.YES, 1, l, x, 0, ltx);
        Vector res = ws.vector(l.rows(), "P x − v");
        be.copy(v, res);
        be.gemv(Trans.NO, 1, l, ltx, -1, res);
        be.axpy(lambda, x, res);
        return res;
    }

    private Vector randomInside(Workspace ws, Matrix l, Random rnd, int k) {
        Vector c = ws.vector(k, "c");
        for (int j = 0; j < k; j++) {
            c.set(j, rnd.nextGaussian());
        }
        Vector v = ws.vector(l.rows(), "v");
        be.gemv(Trans.NO, 1, l, c, 0, v);
        return v;
    }
}
