package org.gdml4j.linalg;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * y ← α op(A) x + βy with A stored in FP32 and x, y in FP64, accumulating in FP64 (BLAS has no such routine:
 * sgemv would round the vectors and the sums to single precision). The matrix is read exactly once, so a
 * FP32 factor halves the memory traffic of the memory-bound preconditioner apply. Vector API: each FP32 load
 * is widened to FP64 lanes ({@code F2D}) and fused-multiply-added.
 */
final class MixedGemv {
    private static final VectorSpecies<Double> D = Simd.WIDENED;
    /** Floats in half the vector width: as many lanes as the double species. */
    private static final VectorSpecies<Float> F = Simd.FLOAT;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F4 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfDouble D8 = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    /** Rows per block of the non-transposed product: the y block stays in cache while all columns stream past. */
    private static final int ROW_BLOCK = 2048;

    private MixedGemv() {
    }

    /** Columns per sweep: each x load serves this many columns (x would otherwise be re-read from cache per column). */
    private static final int COLS = 4;

    /** y ← α Aᵀ x + βy: dot products of {@link #COLS} columns at a time, column groups split across workers. */
    static void transposed(double alpha, Matrix a, Vector x, double beta, Vector y) {
        long rows = a.rows();
        MemorySegment as = a.segment();
        MemorySegment xs = x.segment();
        long ld = a.ld();
        long cols = a.cols();
        long groups = (cols + COLS - 1) / COLS;
        Parallel.forRange(groups, Parallel.shareable(as, xs, y.segment()) ? 4 : Math.max(1, groups), (lo, hi) -> {
            double[] s = new double[COLS];
            for (long g = lo; g < hi; g++) {
                long j0 = g * COLS;
                if (j0 + COLS <= cols) {
                    dot4(as, j0 * ld, ld, xs, rows, s);
                } else {
                    for (long j = j0; j < cols; j++) {
                        s[(int) (j - j0)] = dot(as, j * ld, xs, rows);
                    }
                }
                for (long j = j0; j < Math.min(cols, j0 + COLS); j++) {
                    y.set(j, alpha * s[(int) (j - j0)] + (beta == 0 ? 0 : beta * y.get(j)));
                }
            }
        });
    }

    /** Four dot products of consecutive columns (offset aOff, stride ld) with x, each x load shared by all four. */
    static void dot4(MemorySegment a, long aOff, long ld, MemorySegment x, long n, double[] out) {
        DoubleVector s0 = DoubleVector.zero(D);
        DoubleVector s1 = DoubleVector.zero(D);
        DoubleVector s2 = DoubleVector.zero(D);
        DoubleVector s3 = DoubleVector.zero(D);
        int lanes = D.length();
        long o0 = aOff * 4;
        long o1 = (aOff + ld) * 4;
        long o2 = (aOff + 2 * ld) * 4;
        long o3 = (aOff + 3 * ld) * 4;
        long i = 0;
        long upper = n - n % lanes;
        for (; i < upper; i += lanes) {
            DoubleVector xv = DoubleVector.fromMemorySegment(D, x, i * 8, NATIVE);
            long b = i * 4;
            s0 = widen(a, o0 + b).fma(xv, s0);
            s1 = widen(a, o1 + b).fma(xv, s1);
            s2 = widen(a, o2 + b).fma(xv, s2);
            s3 = widen(a, o3 + b).fma(xv, s3);
        }
        double t0 = SimdMath.sum(s0);
        double t1 = SimdMath.sum(s1);
        double t2 = SimdMath.sum(s2);
        double t3 = SimdMath.sum(s3);
        for (; i < n; i++) {
            double xi = x.getAtIndex(D8, i);
            t0 += a.getAtIndex(F4, aOff + i) * xi;
            t1 += a.getAtIndex(F4, aOff + ld + i) * xi;
            t2 += a.getAtIndex(F4, aOff + 2 * ld + i) * xi;
            t3 += a.getAtIndex(F4, aOff + 3 * ld + i) * xi;
        }
        out[0] = t0;
        out[1] = t1;
        out[2] = t2;
        out[3] = t3;
    }

    /** The FP32 lanes at byte offset {@code off}, widened to FP64. */
    private static DoubleVector widen(MemorySegment a, long off) {
        return (DoubleVector) FloatVector.fromMemorySegment(F, a, off, NATIVE).convertShape(VectorOperators.F2D, D, 0);
    }

    private static double dot(MemorySegment a, long aOff, MemorySegment x, long n) {
        DoubleVector acc0 = DoubleVector.zero(D);
        DoubleVector acc1 = DoubleVector.zero(D);
        int lanes = D.length();
        long i = 0;
        long upper = n - n % (2L * lanes);
        for (; i < upper; i += 2L * lanes) {
            DoubleVector a0 = (DoubleVector) FloatVector.fromMemorySegment(F, a, (aOff + i) * 4, NATIVE).convertShape(VectorOperators.F2D, D, 0);
            DoubleVector a1 = (DoubleVector) FloatVector.fromMemorySegment(F, a, (aOff + i + lanes) * 4, NATIVE)
                    .convertShape(VectorOperators.F2D, D, 0);
            acc0 = a0.fma(DoubleVector.fromMemorySegment(D, x, i * 8, NATIVE), acc0);
            acc1 = a1.fma(DoubleVector.fromMemorySegment(D, x, (i + lanes) * 8, NATIVE), acc1);
        }
        double s = SimdMath.sum(acc0.add(acc1));
        for (; i < n; i++) {
            s += a.getAtIndex(F4, aOff + i) * x.getAtIndex(D8, i);
        }
        return s;
    }

    /** y ← α A x + βy: row blocks across workers, each streaming all columns through its cached y block. */
    static void plain(double alpha, Matrix a, Vector x, double beta, Vector y) {
        long rows = a.rows();
        long cols = a.cols();
        MemorySegment as = a.segment();
        MemorySegment ys = y.segment();
        long ld = a.ld();
        double[] ax = new double[Math.toIntExact(cols)];
        for (int j = 0; j < ax.length; j++) {
            ax[j] = alpha * x.get(j);
        }
        long blocks = (rows + ROW_BLOCK - 1) / ROW_BLOCK;
        Parallel.forRange(blocks, Parallel.shareable(as, ys) ? 1 : Math.max(1, blocks), (lo, hi) -> {
            int lanes = D.length();
            for (long b = lo; b < hi; b++) {
                long r0 = b * ROW_BLOCK;
                long r1 = Math.min(rows, r0 + ROW_BLOCK);
                if (beta != 1) {
                    for (long r = r0; r < r1; r++) {
                        ys.setAtIndex(D8, r, beta == 0 ? 0 : beta * ys.getAtIndex(D8, r));
                    }
                }
                int j = 0;
                for (; j + COLS <= ax.length; j += COLS) {
                    axpy4(as, j * ld, ld, ax, j, ys, r0, r1);
                }
                for (; j < ax.length; j++) {
                    double c = ax[j];
                    if (c == 0) {
                        continue;
                    }
                    DoubleVector cv = DoubleVector.broadcast(D, c);
                    long off = j * ld;
                    long r = r0;
                    long upper = r0 + (r1 - r0) / lanes * lanes;
                    for (; r < upper; r += lanes) {
                        widen(as, (off + r) * 4).fma(cv, DoubleVector.fromMemorySegment(D, ys, r * 8, NATIVE)).intoMemorySegment(ys, r * 8, NATIVE);
                    }
                    for (; r < r1; r++) {
                        ys.setAtIndex(D8, r, ys.getAtIndex(D8, r) + c * as.getAtIndex(F4, off + r));
                    }
                }
            }
        });
    }

    /** y[r0, r1) += Σ_{t<4} c[j+t]·A[r0:r1, j+t] for the four columns from offset {@code off}: one y load and store per four. */
    private static void axpy4(MemorySegment a, long off, long ld, double[] c, int j, MemorySegment y, long r0, long r1) {
        DoubleVector c0 = DoubleVector.broadcast(D, c[j]);
        DoubleVector c1 = DoubleVector.broadcast(D, c[j + 1]);
        DoubleVector c2 = DoubleVector.broadcast(D, c[j + 2]);
        DoubleVector c3 = DoubleVector.broadcast(D, c[j + 3]);
        int lanes = D.length();
        long r = r0;
        long upper = r0 + (r1 - r0) / lanes * lanes;
        for (; r < upper; r += lanes) {
            DoubleVector acc = DoubleVector.fromMemorySegment(D, y, r * 8, NATIVE);
            acc = widen(a, (off + r) * 4).fma(c0, acc);
            acc = widen(a, (off + ld + r) * 4).fma(c1, acc);
            acc = widen(a, (off + 2 * ld + r) * 4).fma(c2, acc);
            acc = widen(a, (off + 3 * ld + r) * 4).fma(c3, acc);
            acc.intoMemorySegment(y, r * 8, NATIVE);
        }
        for (; r < r1; r++) {
            double v = y.getAtIndex(D8, r);
            for (int t = 0; t < COLS; t++) {
                v += c[j + t] * a.getAtIndex(F4, off + t * ld + r);
            }
            y.setAtIndex(D8, r, v);
        }
    }
}
