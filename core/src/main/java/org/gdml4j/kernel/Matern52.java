package org.gdml4j.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import org.gdml4j.linalg.Simd;
import org.gdml4j.linalg.SimdMath;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Matérn-5/2 coefficients of the force-field kernel (docs/sgdml-formulas.md §3.1). For d = x − P_p x' with
 * s = √5‖d‖ and e = exp(−s/σ), the PSD Hessian block is −H(d) = a·I − b·d dᵀ with
 * <pre>
 *   a = 5/(3σ⁴) · e · (σ² + σ s)      b = 25/(3σ⁴) · e
 * </pre>
 * and the energy coefficient (−∇κ = g·d, Ê = Σ g (d·v)) equals a: 5/(3σ³)(σ + s)e = 5/(3σ⁴)(σ² + σs)e.
 *
 * <p>The bulk routines work on one column of a column-major tile (contiguous over the training axis) and
 * use {@link SimdMath#exp}, whose vector lanes and scalar tail give the same bits in every run (the Vector API's
 * own {@code EXP} changes its last bits when C2 compiles the loop, which made runs differ).
 */
final class Matern52 {
    private static final VectorSpecies<Double> S = Simd.DOUBLE;
    private static final ValueLayout.OfDouble D8 = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final double SQRT5 = Math.sqrt(5);

    private final double sigma;
    private final double c1;

    Matern52(double sigma) {
        if (!(sigma > 0) || Double.isInfinite(sigma)) {
            throw new org.gdml4j.error.InvalidInputException("sigma must be a positive number, got " + sigma);
        }
        this.sigma = sigma;
        this.c1 = 5.0 / (3.0 * sigma * sigma * sigma * sigma);
    }

    double sigma() {
        return sigma;
    }

    /** a(ρ²). */
    double a(double rho2) {
        double s = SQRT5 * Math.sqrt(Math.max(rho2, 0));
        return c1 * Math.exp(-s / sigma) * (sigma * sigma + sigma * s);
    }

    /** b(ρ²). */
    double b(double rho2) {
        double s = SQRT5 * Math.sqrt(Math.max(rho2, 0));
        return 5 * c1 * Math.exp(-s / sigma);
    }

    /**
     * a(ρ²) and b(ρ²) lane by lane (one ρ² per lane), stored at {@code aOff} and {@code bOff} of {@code out}: the
     * expressions of {@link #a} and {@link #b} with {@link SimdMath#exp} for {@link Math#exp} (within 2 ulp of it),
     * so a lane's value does not depend on the lane count or on the JIT.
     */
    void coefficients(DoubleVector rho2, double[] out, int aOff, int bOff) {
        DoubleVector s = rho2.max(0.0).lanewise(VectorOperators.SQRT).mul(SQRT5);
        DoubleVector e = SimdMath.exp(s.neg().div(sigma));
        e.mul(c1).mul(s.mul(sigma).add(sigma * sigma)).intoArray(out, aOff);
        e.mul(5 * c1).intoArray(out, bOff);
    }

    /**
     * In place over {@code len} elements starting at element {@code off} of {@code g}: reads G = x'·x and writes
     * a(ρ²) with ρ² = nTrain[k] + nQuery − 2G (clamped at 0: cancellation may leave tiny negatives for near
     * duplicates); writes b(ρ²) into {@code bOut} at element {@code bOff}.
     */
    void fromGram(MemorySegment g, long off, MemorySegment bOut, long bOff, double[] nTrain, double nQuery, int len) {
        double inv = -1.0 / sigma;
        double s2 = sigma * sigma;
        int k = 0;
        int upper = S.loopBound(len);
        DoubleVector zero = DoubleVector.zero(S);
        for (; k < upper; k += S.length()) {
            DoubleVector gram = DoubleVector.fromMemorySegment(S, g, (off + k) * 8, NATIVE);
            DoubleVector rho2 = DoubleVector.fromArray(S, nTrain, k).add(nQuery).sub(gram.mul(2.0)).max(zero);
            DoubleVector s = rho2.lanewise(VectorOperators.SQRT).mul(SQRT5);
            DoubleVector e = SimdMath.exp(s.mul(inv)).mul(c1);
            e.mul(s.mul(sigma).add(s2)).intoMemorySegment(g, (off + k) * 8, NATIVE);
            e.mul(5.0).intoMemorySegment(bOut, (bOff + k) * 8, NATIVE);
        }
        for (; k < len; k++) {
            double rho2 = Math.max(nTrain[k] + nQuery - 2 * g.getAtIndex(D8, off + k), 0);
            double s = SQRT5 * Math.sqrt(rho2);
            double e = c1 * SimdMath.exp(s * inv);
            g.setAtIndex(D8, off + k, e * (s2 + sigma * s));
            bOut.setAtIndex(D8, bOff + k, 5 * e);
        }
    }

    /**
     * One query column of the per-product pass: with t = T − s_train (the projections d·w'), writes
     * c = b ∘ t over T in place and returns {Σ c, Σ a ∘ t} (the latter is the energy sum).
     */
    static void projections(MemorySegment t, long tOff, MemorySegment b, long bOff, MemorySegment a, long aOff,
            double[] sTrain, int len, double[] sums) {
        int k = 0;
        int upper = S.loopBound(len);
        DoubleVector accC = DoubleVector.zero(S);
        DoubleVector accE = DoubleVector.zero(S);
        for (; k < upper; k += S.length()) {
            DoubleVector proj = DoubleVector.fromMemorySegment(S, t, (tOff + k) * 8, NATIVE).sub(DoubleVector.fromArray(S, sTrain, k));
            DoubleVector c = proj.mul(DoubleVector.fromMemorySegment(S, b, (bOff + k) * 8, NATIVE));
            c.intoMemorySegment(t, (tOff + k) * 8, NATIVE);
            accC = accC.add(c);
            accE = proj.fma(DoubleVector.fromMemorySegment(S, a, (aOff + k) * 8, NATIVE), accE);
        }
        double sc = SimdMath.sum(accC);
        double se = SimdMath.sum(accE);
        for (; k < len; k++) {
            double proj = t.getAtIndex(D8, tOff + k) - sTrain[k];
            double c = proj * b.getAtIndex(D8, bOff + k);
            t.setAtIndex(D8, tOff + k, c);
            sc += c;
            se += proj * a.getAtIndex(D8, aOff + k);
        }
        sums[0] = sc;
        sums[1] = se;
    }
}
