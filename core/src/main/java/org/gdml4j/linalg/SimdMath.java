package org.gdml4j.linalg;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Vector API helpers whose results are bit-for-bit the same in every run, in the interpreter and in C2-compiled code,
 * and for every lane position.
 *
 * <p>Why this exists: the Vector API allows two things to differ between its Java fallback (interpreter, C1) and C2's
 * intrinsics, and a JIT compiles a hot method at a time that varies from run to run, so a method's results change
 * part-way through a run at a random moment. {@code lanewise(EXP)} is computed by {@link Math#exp} per lane in the
 * fallback but by an SVML routine when compiled (both within about an ulp, not the same bits), and
 * {@code reduceLanes(ADD)} on doubles is specified with an unspecified order. Both made two runs of the same solve give
 * different models (issue #13). Everything here uses only IEEE-exact operations (add, mul, fma, bit moves) in a fixed
 * order, so the fallback and the compiled code agree, and the scalar {@link #exp(double)} gives the same bits as a lane of
 * {@link #exp(DoubleVector)}: a value no longer depends on whether it sits in a vector body or in a loop's tail.
 */
public final class SimdMath {
    private static final double LOG2E = 1.4426950408889634;
    /** ln 2 split in two (Cody–Waite): the high part has trailing zero bits, so k·LN2_HI is exact for |k| < 2^11. */
    private static final double LN2_HI = 6.93147180369123816490e-01;
    private static final double LN2_LO = 1.90821492927058770002e-10;
    /** 1.5·2^52: adding it rounds to an integer (to nearest, ties to even) held in the low mantissa bits. */
    private static final double SHIFTER = 0x1.8p52;
    private static final long SHIFTER_BITS = Double.doubleToRawLongBits(SHIFTER);
    /** Below this e^x is 0 even as a subnormal; above the other bound it overflows. */
    private static final double MIN_ARG = -746.0;
    private static final double MAX_ARG = 710.0;
    /** 1/j! for j = 13 down to 2: Taylor series of e^r on |r| ≤ ln2/2, truncation error below 1e-17 relative. */
    private static final double[] INV_FACT = {
        1.0 / 6227020800.0, 1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0, 1.0 / 362880.0, 1.0 / 40320.0,
        1.0 / 5040.0, 1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5};

    private SimdMath() {
    }

    /** e^x to within 2 ulp (measured in SimdMathTest), NaN for NaN; the same bits as every lane of the vector form. */
    public static double exp(double x) {
        double xc = Math.min(Math.max(x, MIN_ARG), MAX_ARG);
        double t = Math.fma(xc, LOG2E, SHIFTER);
        double k = t - SHIFTER;
        double r = Math.fma(-k, LN2_HI, xc);
        r = Math.fma(-k, LN2_LO, r);
        double p = INV_FACT[0];
        for (int j = 1; j < INV_FACT.length; j++) {
            p = Math.fma(p, r, INV_FACT[j]);
        }
        p = Math.fma(p, r, 1.0);
        p = Math.fma(p, r, 1.0);
        long ki = Double.doubleToRawLongBits(t) - SHIFTER_BITS;
        // 2^k as two normal factors: k ranges over [-1077, 1025], beyond one exponent field, and the split keeps
        // subnormal results and the overflow to infinity correctly rounded by the last multiplication
        long k1 = ki >> 1;
        long k2 = ki - k1;
        double result = p * Double.longBitsToDouble((k1 + 1023) << 52) * Double.longBitsToDouble((k2 + 1023) << 52);
        return x != x ? x : result;
    }

    /** e^x lane by lane, bit-identical to {@link #exp(double)} on each lane. */
    public static DoubleVector exp(DoubleVector x) {
        var species = x.species();
        DoubleVector xc = x.max(MIN_ARG).min(MAX_ARG);
        DoubleVector t = xc.fma(LOG2E, SHIFTER);
        DoubleVector k = t.sub(SHIFTER);
        DoubleVector negK = k.neg();
        DoubleVector r = negK.fma(DoubleVector.broadcast(species, LN2_HI), xc);
        r = negK.fma(DoubleVector.broadcast(species, LN2_LO), r);
        DoubleVector p = DoubleVector.broadcast(species, INV_FACT[0]);
        for (int j = 1; j < INV_FACT.length; j++) {
            p = p.fma(r, DoubleVector.broadcast(species, INV_FACT[j]));
        }
        DoubleVector one = DoubleVector.broadcast(species, 1.0);
        p = p.fma(r, one);
        p = p.fma(r, one);
        LongVector ki = t.reinterpretAsLongs().sub(SHIFTER_BITS);
        LongVector k1 = ki.lanewise(VectorOperators.ASHR, 1);
        LongVector k2 = ki.sub(k1);
        DoubleVector s1 = k1.add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
        DoubleVector s2 = k2.add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
        DoubleVector result = p.mul(s1).mul(s2);
        // max/min above turned NaN lanes into numbers on some paths; put the NaNs back
        return result.blend(x, x.test(VectorOperators.IS_NAN));
    }

    /**
     * Σ of the lanes in lane order (((0 + v₀) + v₁) + …), the same in interpreted and compiled code, unlike
     * {@code reduceLanes(ADD)} whose order is unspecified. Called once per reduction, after the vector loop.
     */
    public static double sum(DoubleVector v) {
        double s = 0;
        for (int i = 0, n = v.length(); i < n; i++) {
            s += v.lane(i);
        }
        return s;
    }
}
