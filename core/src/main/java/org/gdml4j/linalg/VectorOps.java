package org.gdml4j.linalg;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Element-wise loops over contiguous FP64 segments with the Vector API (a scalar tail finishes what does not
 * fill a vector), split across {@link Parallel} workers when long enough to pay for it. Strided or FP32
 * operands take a scalar path: they are rare and never hot.
 */
final class VectorOps {
    static final VectorSpecies<Double> S = Simd.DOUBLE;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfDouble D = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    /** Below this many elements a pass runs on the calling thread (thread hand-off costs ~µs). */
    private static final long PARALLEL_MIN = 1 << 16;

    private VectorOps() {
    }

    /** Below the threshold, or for memory confined to the calling thread, a pass runs inline. */
    private static long minChunk(long n, MemorySegment... segments) {
        return Parallel.shareable(segments) ? PARALLEL_MIN : Math.max(1, n);
    }

    static boolean fast(Vector... vs) {
        for (Vector v : vs) {
            if (!v.isContiguous() || v.precision() != Precision.FP64) {
                return false;
            }
        }
        return true;
    }

    /** y ← a·x + b·y. */
    static void axpby(double a, Vector x, double b, Vector y) {
        long n = x.length();
        if (!fast(x, y)) {
            for (long i = 0; i < n; i++) {
                y.set(i, a * x.get(i) + b * y.get(i));
            }
            return;
        }
        MemorySegment xs = x.segment();
        MemorySegment ys = y.segment();
        Parallel.forRange(n, minChunk(n, xs, ys), (lo, hi) -> {
            long i = lo;
            long upper = lo + S.loopBound(hi - lo);
            for (; i < upper; i += S.length()) {
                DoubleVector vx = DoubleVector.fromMemorySegment(S, xs, i * 8, NATIVE);
                DoubleVector vy = DoubleVector.fromMemorySegment(S, ys, i * 8, NATIVE);
                vx.mul(a).add(vy.mul(b)).intoMemorySegment(ys, i * 8, NATIVE);
            }
            for (; i < hi; i++) {
                ys.setAtIndex(D, i,
                        a * xs.getAtIndex(D, i)
                                + b * ys.getAtIndex(D, i));
            }
        });
    }

    /** z ← x ∘ y. */
    static void multiply(Vector x, Vector y, Vector z) {
        long n = x.length();
        if (!fast(x, y, z)) {
            for (long i = 0; i < n; i++) {
                z.set(i, x.get(i) * y.get(i));
            }
            return;
        }
        MemorySegment xs = x.segment();
        MemorySegment ys = y.segment();
        MemorySegment zs = z.segment();
        Parallel.forRange(n, minChunk(n, xs, ys, zs), (lo, hi) -> {
            long i = lo;
            long upper = lo + S.loopBound(hi - lo);
            for (; i < upper; i += S.length()) {
                DoubleVector.fromMemorySegment(S, xs, i * 8, NATIVE).mul(DoubleVector.fromMemorySegment(S, ys, i * 8, NATIVE))
                        .intoMemorySegment(zs, i * 8, NATIVE);
            }
            for (; i < hi; i++) {
                zs.setAtIndex(D, i,
                        xs.getAtIndex(D, i)
                                * ys.getAtIndex(D, i));
            }
        });
    }

    static void fill(Vector x, double value) {
        long n = x.length();
        if (!fast(x)) {
            for (long i = 0; i < n; i++) {
                x.set(i, value);
            }
            return;
        }
        MemorySegment xs = x.segment();
        Parallel.forRange(n, minChunk(n, xs), (lo, hi) -> {
            DoubleVector v = DoubleVector.broadcast(S, value);
            long i = lo;
            long upper = lo + S.loopBound(hi - lo);
            for (; i < upper; i += S.length()) {
                v.intoMemorySegment(xs, i * 8, NATIVE);
            }
            for (; i < hi; i++) {
                xs.setAtIndex(D, i, value);
            }
        });
    }

    /** Σ x_i with four independent accumulators (pairwise-ish summation, and no FMA latency chain). */
    static double sum(Vector x) {
        long n = x.length();
        if (!fast(x)) {
            double s = 0;
            for (long i = 0; i < n; i++) {
                s += x.get(i);
            }
            return s;
        }
        MemorySegment xs = x.segment();
        DoubleVector a0 = DoubleVector.zero(S);
        DoubleVector a1 = DoubleVector.zero(S);
        long i = 0;
        long step = 2L * S.length();
        long upper = n - n % step;
        for (; i < upper; i += step) {
            a0 = a0.add(DoubleVector.fromMemorySegment(S, xs, i * 8, NATIVE));
            a1 = a1.add(DoubleVector.fromMemorySegment(S, xs, (i + S.length()) * 8, NATIVE));
        }
        double s = SimdMath.sum(a0.add(a1));
        for (; i < n; i++) {
            s += xs.getAtIndex(D, i);
        }
        return s;
    }

    static double maxAbs(Vector x) {
        long n = x.length();
        double m = 0;
        if (!fast(x)) {
            for (long i = 0; i < n; i++) {
                double v = Math.abs(x.get(i));
                if (!(v <= m)) {
                    m = v; // also propagates NaN
                }
            }
            return m;
        }
        MemorySegment xs = x.segment();
        DoubleVector acc = DoubleVector.zero(S);
        boolean nan = false;
        long i = 0;
        long upper = S.loopBound(n);
        for (; i < upper; i += S.length()) {
            DoubleVector v = DoubleVector.fromMemorySegment(S, xs, i * 8, NATIVE);
            nan |= v.test(VectorOperators.IS_NAN).anyTrue();
            acc = acc.max(v.abs());
        }
        m = acc.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            double v = Math.abs(xs.getAtIndex(D, i));
            nan |= Double.isNaN(v);
            m = Math.max(m, v);
        }
        return nan ? Double.NaN : m;
    }
}
