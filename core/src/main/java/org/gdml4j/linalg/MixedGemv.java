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
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    /** Floats in half the vector width: as many lanes as the double species. */
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(D.vectorBitSize() / 2));
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F4 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfDouble D8 = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    /** Rows per block of the non-transposed product: the y block stays in cache while all columns stream past. */
    private static final int ROW_BLOCK = 2048;

    private MixedGemv() {
    }

    /** y ← α Aᵀ x + βy: one dot product per column, columns split across workers. */
    static void transposed(double alpha, Matrix a, Vector x, double beta, Vector y) {
        long rows = a.rows();
        MemorySegment as = a.segment();
        MemorySegment xs = x.segment();
        long ld = a.ld();
        Parallel.forRange(a.cols(), Parallel.shareable(as, xs, y.segment()) ? 16 : Math.max(1, a.cols()), (lo, hi) -> {
            for (long j = lo; j < hi; j++) {
                double s = dot(as, j * ld, xs, rows);
                y.set(j, alpha * s + (beta == 0 ? 0 : beta * y.get(j)));
            }
        });
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
        double s = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
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
                for (int j = 0; j < ax.length; j++) {
                    double c = ax[j];
                    if (c == 0) {
                        continue;
                    }
                    DoubleVector cv = DoubleVector.broadcast(D, c);
                    long off = j * ld;
                    long r = r0;
                    long upper = r0 + (r1 - r0) / lanes * lanes;
                    for (; r < upper; r += lanes) {
                        DoubleVector av = (DoubleVector) FloatVector.fromMemorySegment(F, as, (off + r) * 4, NATIVE)
                                .convertShape(VectorOperators.F2D, D, 0);
                        av.fma(cv, DoubleVector.fromMemorySegment(D, ys, r * 8, NATIVE)).intoMemorySegment(ys, r * 8, NATIVE);
                    }
                    for (; r < r1; r++) {
                        ys.setAtIndex(D8, r, ys.getAtIndex(D8, r) + c * as.getAtIndex(F4, off + r));
                    }
                }
            }
        });
    }
}
