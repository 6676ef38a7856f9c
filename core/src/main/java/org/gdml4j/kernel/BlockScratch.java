package org.gdml4j.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.Supplier;

import org.gdml4j.linalg.Parallel;

/**
 * One worker's scratch for the explicit kernel entries and the Jacobian products. Sizes depend on the molecule, P and
 * the lane count, never on M or on the number of columns asked for (aspirin, P = 6, 8 lanes: 150 KB). A kernel keeps
 * a {@link Pool} of them, one per piece of a {@link Parallel#forChunks(long, int, Parallel.IndexedRangeBody)} call,
 * made on first use and reused by every later call: the pivoted Cholesky asks for one column per step, and
 * allocating per call would cost more than such a column's arithmetic. Java arrays, not off-heap memory, for the
 * reason {@link LaneGroups} gives.
 */
final class BlockScratch {
    private static final ValueLayout.OfDouble D8 = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    private static final ValueLayout.OfFloat F4 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /** The most pieces a kernel call splits into, so the most slots a pool can hold (each made only when used). */
    static final int MAX_PIECES = 256;

    /** Offsets into {@link #w}; L = lanes, a "vec" is L doubles (one lane per row molecule). */
    final int xjp; // P·D: the column molecule's permuted descriptors, (P_p x_j)_k at p·D + k
    final int cj; // 3D: the column molecule's Jacobian planes
    final int dv; // P·D vecs: d_p = x_i − P_p x_j
    final int u; // P·3N vecs: J_iᵀ d_p
    final int r; // P·3N vecs: J_j^(p)ᵀ d_p (only for many columns)
    final int a; // P vecs: Matérn a(‖d_p‖²)
    final int b; // P vecs: Matérn b(‖d_p‖²)
    final int acc; // 3N vecs: the column being built
    final int beta; // P vecs: b_p r_p of the column being built (few columns)
    final int z; // D vecs: Σ_p b_p r_p d_p (few columns)
    final double[] w;
    /** One lane's column (3N), as doubles or floats, for the bulk copy into the output. */
    final double[] lane;
    final float[] lane32;
    /** Scratch of {@link Descriptors#jacobianTimes} and {@link Descriptors#jacobianTransposeTimes}. */
    final double[] jv;
    private final int n3;
    private final int lanes;

    BlockScratch(int perms, int d, int n3, int lanes, int jvLength) {
        this.n3 = n3;
        this.lanes = lanes;
        int vec = lanes;
        int at = 0;
        xjp = at;
        at = Math.addExact(at, perms * d);
        cj = at;
        at = Math.addExact(at, 3 * d);
        dv = at;
        at = Math.addExact(at, Math.multiplyExact(vec, perms * d));
        u = at;
        at = Math.addExact(at, Math.multiplyExact(vec, perms * n3));
        r = at;
        at = Math.addExact(at, Math.multiplyExact(vec, perms * n3));
        a = at;
        at = Math.addExact(at, vec * perms);
        b = at;
        at = Math.addExact(at, vec * perms);
        acc = at;
        at = Math.addExact(at, vec * n3);
        beta = at;
        at = Math.addExact(at, vec * perms);
        z = at;
        at = Math.addExact(at, vec * d);
        w = new double[at];
        lane = new double[n3];
        lane32 = new float[n3];
        jv = new double[jvLength];
    }

    /**
     * Writes lanes [from, to) of the column in {@link #acc} into {@code out} (FP64, or FP32 rounded from the FP64
     * values): entry (lane ℓ, row ρ) to element {@code first + (ℓ − from)·laneStride + ρ·rowStride}. A lane is one
     * row molecule, so a plain column is laneStride 3N and rowStride 1, written as one bulk copy per lane; the
     * mirrored block of the dense assembly writes along a row (rowStride = ld), the diagonal with the vector's stride.
     */
    void store(MemorySegment out, boolean fp32, long first, int from, int to, long laneStride, long rowStride) {
        for (int l = from; l < to; l++) {
            long e = first + (l - from) * laneStride;
            int src = acc + l;
            if (rowStride == 1) {
                if (fp32) {
                    for (int row = 0; row < n3; row++) {
                        lane32[row] = (float) w[src + row * lanes];
                    }
                    MemorySegment.copy(lane32, 0, out, F4, e * 4, n3);
                } else {
                    for (int row = 0; row < n3; row++) {
                        lane[row] = w[src + row * lanes];
                    }
                    MemorySegment.copy(lane, 0, out, D8, e * 8, n3);
                }
            } else if (fp32) {
                for (int row = 0; row < n3; row++) {
                    out.setAtIndex(F4, e + row * rowStride, (float) w[src + row * lanes]);
                }
            } else {
                for (int row = 0; row < n3; row++) {
                    out.setAtIndex(D8, e + row * rowStride, w[src + row * lanes]);
                }
            }
        }
    }

    /** Copies one lane of the column in {@link #acc} (3N values) into {@code dst} from {@code at}. */
    void storeLane(int l, double[] dst, int at) {
        for (int row = 0; row < n3; row++) {
            dst[at + row] = w[acc + l + row * lanes];
        }
    }

    /**
     * The slots of one kernel. Not thread-safe by itself: {@link #pieces} runs on the calling thread before the work
     * is split (the worker pool's hand-off publishes the slots), and piece i uses slot i only.
     */
    static final class Pool {
        private final BlockScratch[] slots = new BlockScratch[MAX_PIECES];
        private final Supplier<BlockScratch> make;
        private int made;

        Pool(Supplier<BlockScratch> make) {
            this.make = make;
        }

        /**
         * Pieces for {@code n} units of work with at least {@code minPerPiece} each, at most one per worker and
         * {@link #MAX_PIECES}; makes the slots they use that do not exist yet.
         */
        int pieces(long n, long minPerPiece) {
            int p = (int) Math.max(1, Math.min(Math.min(Parallel.threads(), MAX_PIECES), n / Math.max(1, minPerPiece)));
            for (int i = 0; i < p; i++) {
                if (slots[i] == null) {
                    slots[i] = make.get();
                    made++;
                }
            }
            return p;
        }

        BlockScratch slot(int piece) {
            return slots[piece];
        }

        /** Slots made so far (tests: the hot path makes none after the first call). */
        int made() {
            return made;
        }
    }
}
