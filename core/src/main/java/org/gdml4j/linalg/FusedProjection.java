package org.gdml4j.linalg;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * z ← z − Q c followed by d ← Qᵀ z, in one sweep over the tall matrix Q (n x k, FP64): Q is processed in row
 * blocks small enough to stay in cache between the update and the projection, so it is read from memory once
 * instead of twice (two gemv calls). This is the re-projection step of the stable Woodbury apply, a memory-bound
 * operation on the largest array of a PCG solve.
 */
final class FusedProjection {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfDouble D8 = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    /** Bytes of a row block of Q kept hot between its two uses (fits the L2/L3 share of one core). */
    private static final long BLOCK_BYTES = 1L << 20;

    private FusedProjection() {
    }

    static void run(Matrix q, Vector c, Vector z, Vector d) {
        long n = q.rows();
        int k = Math.toIntExact(q.cols());
        long ld = q.ld();
        MemorySegment qs = q.segment();
        MemorySegment zs = z.segment();
        double[] cv = new double[k];
        for (int j = 0; j < k; j++) {
            cv[j] = c.get(j);
        }
        long rowsPerBlock = Math.max(S.length(), Math.min(n, BLOCK_BYTES / Math.max(1, 8L * k)) / S.length() * S.length());
        long blocks = (n + rowsPerBlock - 1) / rowsPerBlock;
        int workers = (int) Math.max(1, Math.min(Parallel.threads(), blocks));
        double[] total = new double[k];
        boolean shared = Parallel.shareable(qs, zs);
        Parallel.forChunks(blocks, shared ? workers : 1, (lo, hi) -> {
            double[] acc = new double[k]; // per worker, merged below
            for (long b = lo; b < hi; b++) {
                long r0 = b * rowsPerBlock;
                long r1 = Math.min(n, r0 + rowsPerBlock);
                update(qs, ld, zs, cv, r0, r1);
                project(qs, ld, zs, acc, r0, r1);
            }
            synchronized (total) {
                for (int j = 0; j < k; j++) {
                    total[j] += acc[j];
                }
            }
        });
        for (int j = 0; j < k; j++) {
            d.set(j, total[j]);
        }
    }

    /** z[r0, r1) −= Q[r0, r1), :] c. */
    private static void update(MemorySegment q, long ld, MemorySegment z, double[] c, long r0, long r1) {
        long upper = r0 + (r1 - r0) / S.length() * S.length();
        for (int j = 0; j < c.length; j++) {
            double cj = c[j];
            if (cj == 0) {
                continue;
            }
            long off = j * ld;
            DoubleVector minusC = DoubleVector.broadcast(S, -cj);
            long r = r0;
            for (; r < upper; r += S.length()) {
                DoubleVector qv = DoubleVector.fromMemorySegment(S, q, (off + r) * 8, NATIVE);
                DoubleVector zv = DoubleVector.fromMemorySegment(S, z, r * 8, NATIVE);
                qv.fma(minusC, zv).intoMemorySegment(z, r * 8, NATIVE);
            }
            for (; r < r1; r++) {
                z.setAtIndex(D8, r, z.getAtIndex(D8, r) - cj * q.getAtIndex(D8, off + r));
            }
        }
    }

    /** acc[j] += Q[r0, r1), j]ᵀ z[r0, r1). */
    private static void project(MemorySegment q, long ld, MemorySegment z, double[] acc, long r0, long r1) {
        long upper = r0 + (r1 - r0) / S.length() * S.length();
        for (int j = 0; j < acc.length; j++) {
            long off = j * ld;
            DoubleVector s = DoubleVector.zero(S);
            long r = r0;
            for (; r < upper; r += S.length()) {
                s = DoubleVector.fromMemorySegment(S, q, (off + r) * 8, NATIVE).fma(DoubleVector.fromMemorySegment(S, z, r * 8, NATIVE), s);
            }
            double t = s.reduceLanes(VectorOperators.ADD);
            for (; r < r1; r++) {
                t += q.getAtIndex(D8, off + r) * z.getAtIndex(D8, r);
            }
            acc[j] += t;
        }
    }
}
