package org.gdml4j.precond;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.stream.Stream;

import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.Backend.Diag;
import org.gdml4j.linalg.Backend.Trans;
import org.gdml4j.linalg.Backend.Uplo;
import org.gdml4j.linalg.CpuBackend;
import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Precision;
import org.gdml4j.linalg.Vector;
import org.gdml4j.linalg.Workspace;
import org.gdml4j.testsupport.HostlessBackend;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link LowRankPreconditioner}, the one contract of both storages, on the CPU backend and on the host-less one (whose
 * memory the host may not touch), for K̂ = LLᵀ with L (300 x 24) of column norms 10¹ .. 10⁻⁴: the one Woodbury apply
 * gives what the two applies before it gave, inverts the dense P it stands for, the one leverage-score routine agrees
 * with a dense computation, and the square root reproduces K̂.
 */
class LowRankContractTest {
    private static final int N = 300;
    private static final int K = 24;
    private static final Backend CPU = CpuBackend.get();

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> s = Stream.builder();
        for (String backend : new String[] {"cpu", "hostless"}) {
            for (Precision p : Precision.values()) {
                s.add(Arguments.of(backend, p));
            }
        }
        return s.build();
    }

    private static Backend backend(String name) {
        return name.equals("cpu") ? CPU : new HostlessBackend();
    }

    /**
     * Vectors outside range(L), inside it, and mixed (‖v_⊥‖ ≈ 0.03 and 0.3 of ‖v‖: the FP64 form re-projects the first,
     * not the second; the FP32 form re-projects only the one inside): the same results as before the one apply, to
     * 1e-13 (measured: identical bits).
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void applyGivesWhatTheEarlierImplementationsGave(String backend, Precision precision) {
        Backend be = backend(backend);
        double lambda = 1e-10;
        double[][] l = factor(new Random(1));
        Random rnd = new Random(2);
        try (Workspace ws = be.workspace(); LowRankPreconditioner p = build(be, l, lambda, precision)) {
            double worst = 0;
            for (double outside : new double[] {Double.NaN, 0.0, 0.03, 0.3}) {
                double[] v = Double.isNaN(outside) ? gaussian(rnd, N) : mix(inside(l, rnd), gaussian(rnd, N), outside);
                Vector dv = upload(be, ws, v);
                Vector z = ws.vector(N, "z");
                Vector zOld = ws.vector(N, "z before");
                p.apply(dv, z);
                if (p instanceof LowRankFactor f) {
                    LegacyWoodbury.apply(be, ws, f, lambda, dv, zOld);
                } else {
                    LegacyWoodbury.apply(be, ws, (SinglePrecisionFactor) p, lambda, dv, zOld);
                }
                double rel = distance(download(be, z), download(be, zOld));
                worst = Math.max(worst, rel);
                assertTrue(rel <= 1e-13, backend + " " + precision + ", part outside " + outside + ": differs by " + rel);
            }
            assertTrue(p.describe().contains("applies re-projected"), p.describe());
            System.out.printf("[contract] %s %s: apply vs before, largest relative difference %.1e (%s)%n", backend, precision, worst,
                    p.describe());
        }
    }

    /**
     * At λ = 10 (P well conditioned, so a dense solve is accurate to ≈ 1e-15) the apply inverts P = FFᵀ + λI with F from
     * {@link LowRankPreconditioner#squareRootInto}, both on the plain and the re-projected path; the FP64 form also
     * LLᵀ + λI itself, the FP32 form that up to its rounding.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void applyInvertsTheDenseOperator(String backend, Precision precision) {
        Backend be = backend(backend);
        double lambda = 10;
        double[][] l = factor(new Random(3));
        Random rnd = new Random(4);
        try (Workspace ws = be.workspace(); LowRankPreconditioner p = build(be, l, lambda, precision)) {
            double[][] f = squareRoot(be, ws, p);
            for (double[] v : new double[][] {gaussian(rnd, N), inside(l, rnd)}) {
                Vector z = ws.vector(N, "z");
                p.apply(upload(be, ws, v), z);
                double[] x = download(be, z);
                double own = distance(x, denseSolve(f, lambda, v));
                double exact = distance(x, denseSolve(l, lambda, v));
                System.out.printf("[contract] %s %s: P⁻¹v vs dense (FFᵀ + λI)⁻¹v %.1e, vs (LLᵀ + λI)⁻¹v %.1e%n", backend, precision, own,
                        exact);
                assertTrue(own <= 1e-13, "vs its own dense operator: " + own);
                assertTrue(exact <= (precision == Precision.FP64 ? 1e-13 : 1e-6), "vs LLᵀ + λI: " + exact);
            }
        }
    }

    /**
     * {@link LowRankPreconditioner#shift} (the λ path): a factor built at λ = 1e-10 and shifted to λ = 10 inverts FFᵀ + 10·I
     * as one built there does (F its square root, which no shift changes); shifted back it gives the bits it gave before;
     * below its build λ it refuses.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void aShiftedFactorInvertsTheShiftedOperator(String backend, Precision precision) {
        Backend be = backend(backend);
        double[][] l = factor(new Random(8));
        double[] v = gaussian(new Random(9), N);
        try (Workspace ws = be.workspace(); LowRankPreconditioner p = build(be, l, 1e-10, precision)) {
            Vector dv = upload(be, ws, v);
            Vector z = ws.vector(N, "z");
            p.apply(dv, z);
            double[] before = download(be, z);
            double[][] f = squareRoot(be, ws, p);
            p.shift(10);
            assertEquals(10, p.lambda());
            p.apply(dv, z);
            double shifted = distance(download(be, z), denseSolve(f, 10, v));
            System.out.printf("[contract] %s %s: shifted to lambda 10, P⁻¹v vs dense (FFᵀ + 10I)⁻¹v %.1e%n", backend, precision, shifted);
            assertTrue(shifted <= 1e-13, "the shifted factor does not invert FFᵀ + 10I: " + shifted);
            p.shift(1e-10);
            p.apply(dv, z);
            assertEquals(0, distance(download(be, z), before), "shifted back, the apply differs from before");
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> p.shift(1e-11));
        }
    }

    /** τ = diag(K̂(K̂ + λI)⁻¹) from one routine for both storages, against the eigendecomposition of the dense K̂. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void leverageScoresAgreeWithADenseComputation(String backend, Precision precision) {
        Backend be = backend(backend);
        double lambda = 1e-3; // a dense reference accurate to ≈ 1e-11 (ε‖K̂‖/λ; at 1e-10 it would be ≈ 1e-4)
        double[][] l = factor(new Random(5));
        try (LowRankPreconditioner p = build(be, l, lambda, precision)) {
            double[] tau = p.leverageScores();
            double[] ref = denseLeverage(l, lambda);
            double worst = 0;
            for (int i = 0; i < N; i++) {
                worst = Math.max(worst, Math.abs(tau[i] - ref[i]));
            }
            System.out.printf("[contract] %s %s: leverage scores vs dense, largest difference %.1e%n", backend, precision, worst);
            assertTrue(worst <= (precision == Precision.FP64 ? 1e-10 : 1e-7), "leverage scores differ by " + worst);
        }
    }

    /**
     * F Fᵀ = K̂ at λ = 1e-10, where the FP32 form keeps its dominant directions in FP64 (its rounded rest turns by ≈ 3e-8),
     * and F is the factor the apply inverts: (FFᵀ + λI) P⁻¹v = v to rounding.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void squareRootReproducesTheApproximation(String backend, Precision precision) {
        Backend be = backend(backend);
        double lambda = 1e-10;
        double[][] l = factor(new Random(6));
        try (Workspace ws = be.workspace(); LowRankPreconditioner p = build(be, l, lambda, precision)) {
            double[][] f = squareRoot(be, ws, p);
            double[][] khat = gram(l);
            double[][] ffT = gram(f);
            double scale = 0;
            double diff = 0;
            for (int i = 0; i < N; i++) {
                for (int j = 0; j < N; j++) {
                    scale = Math.max(scale, Math.abs(khat[i][j]));
                    diff = Math.max(diff, Math.abs(khat[i][j] - ffT[i][j]));
                }
            }
            double[] v = gaussian(new Random(7), N);
            Vector z = ws.vector(N, "z");
            p.apply(upload(be, ws, v), z);
            double[] x = download(be, z);
            double[] px = times(ffT, x);
            double nr = 0;
            double nx = 0;
            for (int i = 0; i < N; i++) {
                px[i] += lambda * x[i] - v[i];
                nr += px[i] * px[i];
                nx += x[i] * x[i];
            }
            double backward = Math.sqrt(nr) / ((scale + lambda) * Math.sqrt(nx));
            System.out.printf("[contract] %s %s: ‖FFᵀ − LLᵀ‖max = %.1e of ‖K̂‖max; ‖(FFᵀ + λI)x − v‖ = %.1e ‖P‖‖x‖%n", backend, precision,
                    diff / scale, backward);
            assertTrue(diff <= (precision == Precision.FP64 ? 1e-12 : 1e-9) * scale, "F Fᵀ differs from K̂ by " + diff / scale);
            assertTrue(backward <= 1e-12, "the apply does not invert FFᵀ + λI: " + backward);
            assertEquals(K, p.rank());
        }
    }

    // ---- set-up and dense references (host arrays, CPU backend) ----

    /** L (n x k, row-major) with Gaussian columns of norm ≈ 10^(1 − 5j/k). */
    static double[][] factor(Random rnd) {
        double[][] l = new double[N][K];
        for (int j = 0; j < K; j++) {
            double scale = Math.pow(10, 1 - 5.0 * j / K);
            for (int i = 0; i < N; i++) {
                l[i][j] = scale * rnd.nextGaussian() / Math.sqrt(N);
            }
        }
        return l;
    }

    /** The preconditioner of K̂ = LLᵀ in {@code be}'s memory, in {@code precision}. */
    static LowRankPreconditioner build(Backend be, double[][] l, double lambda, Precision precision) {
        Workspace ws = be.workspace();
        Matrix dev = ws.matrix(N, K, "L");
        try (Workspace host = Workspace.shared()) {
            be.upload(host.matrix(N, K, "L").fill(l), dev);
        }
        LowRankFactor exact = LowRankFactor.fromFactor(be, ws, dev, lambda, "test");
        return precision == Precision.FP64 ? exact : SinglePrecisionFactor.round(be, exact, lambda);
    }

    private static double[][] squareRoot(Backend be, Workspace ws, LowRankPreconditioner p) {
        Matrix f = ws.matrix(N, p.rank(), "F");
        p.squareRootInto(f);
        try (Workspace host = Workspace.shared()) {
            Matrix h = host.matrix(N, p.rank(), "F");
            be.download(f, h);
            return h.toArray();
        }
    }

    private static Vector upload(Backend be, Workspace ws, double[] x) {
        Vector v = ws.vector(x.length, "v");
        be.upload(x, v);
        return v;
    }

    private static double[] download(Backend be, Vector v) {
        double[] x = new double[Math.toIntExact(v.length())];
        be.download(v, x);
        return x;
    }

    private static double[] gaussian(Random rnd, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = rnd.nextGaussian();
        }
        return x;
    }

    /** L c for a Gaussian c: a vector inside range(L). */
    private static double[] inside(double[][] l, Random rnd) {
        return times(l, gaussian(rnd, l[0].length));
    }

    /** a/‖a‖ + f·b/‖b‖: a part f outside range(L) when a is inside it and b random (‖v_⊥‖ ≈ f‖v‖ for small f). */
    private static double[] mix(double[] a, double[] b, double f) {
        double na = Math.sqrt(dot(a, a));
        double nb = Math.sqrt(dot(b, b));
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] / na + f * b[i] / nb;
        }
        return out;
    }

    private static double[] times(double[][] a, double[] x) {
        double[] y = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            y[i] = dot(a[i], x);
        }
        return y;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** ‖a − b‖/‖b‖. */
    private static double distance(double[] a, double[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(d / dot(b, b));
    }

    /** A Aᵀ for A row-major (n x m). */
    private static double[][] gram(double[][] a) {
        double[][] g = new double[a.length][a.length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j <= i; j++) {
                g[i][j] = dot(a[i], a[j]);
                g[j][i] = g[i][j];
            }
        }
        return g;
    }

    /** (A Aᵀ + λI)⁻¹ v by a dense Cholesky on the CPU backend. */
    private static double[] denseSolve(double[][] a, double lambda, double[] v) {
        double[][] p = gram(a);
        for (int i = 0; i < p.length; i++) {
            p[i][i] += lambda;
        }
        try (Workspace ws = Workspace.shared()) {
            Matrix m = ws.matrix(p.length, p.length, "P").fill(p);
            assertEquals(0, CPU.potrf(Uplo.LOWER, m));
            Vector x = ws.vector(v.length, "x").fill(v);
            CPU.trsv(Uplo.LOWER, Trans.NO, Diag.NON_UNIT, m, x);
            CPU.trsv(Uplo.LOWER, Trans.YES, Diag.NON_UNIT, m, x);
            return x.toArray();
        }
    }

    /** τ_i = Σ_j E_ij² μ_j/(μ_j + λ) over the eigenpairs (μ, E) of the dense LLᵀ. */
    private static double[] denseLeverage(double[][] l, double lambda) {
        double[][] k = gram(l);
        try (Workspace ws = Workspace.shared()) {
            Matrix m = ws.matrix(N, N, "K̂").fill(k);
            Vector mu = ws.vector(N, "eigenvalues");
            assertEquals(0, CPU.syevd(Uplo.LOWER, m, mu));
            double[] tau = new double[N];
            for (int j = 0; j < N; j++) {
                double w = Math.max(0, mu.get(j)) / (Math.max(0, mu.get(j)) + lambda);
                for (int i = 0; i < N; i++) {
                    tau[i] += m.get(i, j) * m.get(i, j) * w;
                }
            }
            return tau;
        }
    }
}
