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
 * One Gram–Schmidt step against a tall basis B (n x k) stored by rows, i.e. as A = Bᵀ (k x n, FP32, each row of B a
 * contiguous column of A): z ← z − Aᵀt and then w ← A z, in a single sweep over A. Row i of B is read once for
 * both its dot product with t (which finishes z_i) and its contribution z_i·b_i to w, so a re-projection costs one
 * pass over the factor instead of two. Sums are FP64 (FP32 values widened); each worker owns a slice of the rows of
 * B and a private k-vector of partial sums, added into w at the end.
 */
final class FusedProjection {
    private static final VectorSpecies<Double> D = Simd.WIDENED;
    private static final VectorSpecies<Float> F = Simd.FLOAT;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F4 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfDouble D8 = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    /** Rows of B handled together: their dot products share each t load, their updates share each load of w. */
    private static final int GROUP = 4;
    /** Fewest rows of B per piece of work. */
    private static final long MIN_CHUNK = 1024;
    /** Most pieces: enough to keep 64 workers busy, few enough that adding the partial k-vectors costs nothing. */
    private static final int MAX_PIECES = 64;

    private FusedProjection() {
    }

    /**
     * z ← z − Aᵀt (skipped when t is null), then w ← α A z + βw. A is k x n FP32; t and w have k elements, z has n;
     * all FP64 and contiguous. With t null this is a plain product A z split by columns, which suits a wide A better
     * than row blocks do.
     */
    static void sweep(Matrix a, Vector t, Vector z, double alpha, double beta, Vector w) {
        int k = Math.toIntExact(a.rows());
        long n = a.cols();
        long ld = a.ld();
        MemorySegment as = a.segment();
        MemorySegment zs = z.segment();
        MemorySegment ts = t == null ? null : t.segment();
        boolean shared = Parallel.shareable(as, zs) && (ts == null || Parallel.shareable(ts));
        // the pieces depend on n only, not on the thread count, and their partial sums are added in piece order:
        // the result is the same for any number of threads and any scheduling (issue #13: same inputs, same model)
        int chunks = shared ? (int) Math.max(1, Math.min(MAX_PIECES, n / MIN_CHUNK)) : 1;
        double[][] partial = new double[chunks][k];
        Parallel.forChunks(n, chunks, (int piece, long lo, long hi) -> {
            double[] acc = partial[piece];
            double[] zg = new double[GROUP];
            double[] dots = new double[GROUP];
            long j = lo;
            for (; j + GROUP <= hi; j += GROUP) {
                for (int g = 0; g < GROUP; g++) {
                    zg[g] = zs.getAtIndex(D8, j + g);
                }
                if (ts != null) {
                    subtractDots(as, j * ld, ld, ts, k, zg, dots);
                    for (int g = 0; g < GROUP; g++) {
                        zs.setAtIndex(D8, j + g, zg[g]);
                    }
                }
                addColumns(as, j * ld, ld, zg, k, acc);
            }
            for (; j < hi; j++) {
                long off = j * ld;
                double zj = zs.getAtIndex(D8, j);
                if (ts != null) {
                    for (int i = 0; i < k; i++) {
                        zj -= as.getAtIndex(F4, off + i) * ts.getAtIndex(D8, i);
                    }
                    zs.setAtIndex(D8, j, zj);
                }
                for (int i = 0; i < k; i++) {
                    acc[i] += zj * as.getAtIndex(F4, off + i);
                }
            }
        });
        for (int i = 0; i < k; i++) {
            double s = 0;
            for (double[] p : partial) {
                s += p[i];
            }
            w.set(i, alpha * s + (beta == 0 ? 0 : beta * w.get(i)));
        }
    }

    /** zg[g] −= A[:, j+g]ᵀ t for the {@link #GROUP} columns from element offset {@code off} (MixedGemv's four-column dot). */
    private static void subtractDots(MemorySegment a, long off, long ld, MemorySegment t, int k, double[] zg, double[] dots) {
        MixedGemv.dot4(a, off, ld, t, k, dots);
        for (int g = 0; g < GROUP; g++) {
            zg[g] -= dots[g];
        }
    }

    /** acc += Σ_g zg[g]·A[:, j+g] for the {@link #GROUP} columns from element offset {@code off}: one acc load per group. */
    private static void addColumns(MemorySegment a, long off, long ld, double[] zg, int k, double[] acc) {
        DoubleVector c0 = DoubleVector.broadcast(D, zg[0]);
        DoubleVector c1 = DoubleVector.broadcast(D, zg[1]);
        DoubleVector c2 = DoubleVector.broadcast(D, zg[2]);
        DoubleVector c3 = DoubleVector.broadcast(D, zg[3]);
        int lanes = D.length();
        int upper = k - k % lanes;
        int i = 0;
        for (; i < upper; i += lanes) {
            DoubleVector s = DoubleVector.fromArray(D, acc, i);
            s = widen(a, (off + i) * 4).fma(c0, s);
            s = widen(a, (off + ld + i) * 4).fma(c1, s);
            s = widen(a, (off + 2 * ld + i) * 4).fma(c2, s);
            s = widen(a, (off + 3 * ld + i) * 4).fma(c3, s);
            s.intoArray(acc, i);
        }
        for (; i < k; i++) {
            acc[i] += zg[0] * a.getAtIndex(F4, off + i) + zg[1] * a.getAtIndex(F4, off + ld + i)
                    + zg[2] * a.getAtIndex(F4, off + 2 * ld + i) + zg[3] * a.getAtIndex(F4, off + 3 * ld + i);
        }
    }

    private static DoubleVector widen(MemorySegment a, long byteOffset) {
        return (DoubleVector) FloatVector.fromMemorySegment(F, a, byteOffset, NATIVE).convertShape(VectorOperators.F2D, D, 0);
    }
}
