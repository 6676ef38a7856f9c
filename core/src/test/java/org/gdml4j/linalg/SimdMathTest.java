package org.gdml4j.linalg;

import java.util.SplittableRandom;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link SimdMath}: exp within 2 ulp of {@link Math#exp}, the vector lanes bit-identical to the scalar form, ordered sums. */
class SimdMathTest {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;

    private static double[] arguments() {
        SplittableRandom rnd = new SplittableRandom(7);
        double[] x = new double[200_000];
        for (int i = 0; i < x.length; i++) {
            // the kernel's range (−√5·‖d‖/σ, from 0 down to a few hundred) and beyond, both signs
            x[i] = i % 4 == 0 ? -rnd.nextDouble() * 40 : (i % 4 == 1 ? -rnd.nextDouble() * 760 : rnd.nextDouble(-20, 720));
        }
        return x;
    }

    @Test
    void expIsWithinTwoUlpOfMathExp() {
        double worst = 0;
        for (double x : arguments()) {
            double want = Math.exp(x);
            double got = SimdMath.exp(x);
            if (want == 0 || Double.isInfinite(want)) {
                assertEquals(want, got, "exp(" + x + ")");
                continue;
            }
            double ulps = Math.abs(got - want) / Math.ulp(want);
            worst = Math.max(worst, ulps);
            assertTrue(ulps <= 2, "exp(" + x + ") = " + got + ", Math.exp " + want + ": " + ulps + " ulp");
        }
        System.out.println("[simd-exp] worst error " + worst + " ulp over 200,000 arguments");
    }

    @Test
    void specialArguments() {
        assertEquals(1.0, SimdMath.exp(0.0));
        assertEquals(1.0, SimdMath.exp(-0.0));
        assertEquals(0.0, SimdMath.exp(Double.NEGATIVE_INFINITY));
        assertEquals(Double.POSITIVE_INFINITY, SimdMath.exp(Double.POSITIVE_INFINITY));
        assertEquals(Double.POSITIVE_INFINITY, SimdMath.exp(710));
        assertTrue(Double.isNaN(SimdMath.exp(Double.NaN)));
        assertEquals(Math.exp(-745.0), SimdMath.exp(-745.0), Math.ulp(Math.exp(-745.0)), "smallest subnormal");
        double sub = Math.exp(-720.0);
        assertEquals(sub, SimdMath.exp(-720.0), 2 * Math.ulp(sub), "subnormal result");
        assertEquals(Math.exp(709.7), SimdMath.exp(709.7), 2 * Math.ulp(Math.exp(709.7)), "near overflow");
    }

    @Test
    void everyVectorLaneEqualsTheScalarBits() {
        double[] x = arguments();
        double[] special = {Double.NaN, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, -0.0, 0.0, -745.2, 709.78, -1e-300};
        double[] all = new double[x.length + special.length];
        System.arraycopy(special, 0, all, 0, special.length);
        System.arraycopy(x, 0, all, special.length, x.length);
        double[] out = new double[S.length()];
        for (int i = 0; i + S.length() <= all.length; i += S.length()) {
            SimdMath.exp(DoubleVector.fromArray(S, all, i)).intoArray(out, 0);
            for (int l = 0; l < S.length(); l++) {
                double scalar = SimdMath.exp(all[i + l]);
                assertEquals(Double.doubleToLongBits(scalar), Double.doubleToLongBits(out[l]),
                        "lane " + l + " of exp(" + all[i + l] + "): " + out[l] + " vs scalar " + scalar);
            }
        }
    }

    @Test
    void sumAddsTheLanesInOrder() {
        double[] v = new double[S.length()];
        // big + small − big: the order decides the result, so only lane order (0 + v0 + v1 + ...) passes for every width
        v[0] = 1e16;
        for (int l = 1; l < v.length; l++) {
            v[l] = l == v.length - 1 ? -1e16 : 1.0;
        }
        double want = 0;
        for (double d : v) {
            want += d;
        }
        assertEquals(want, SimdMath.sum(DoubleVector.fromArray(S, v, 0)));
    }
}
