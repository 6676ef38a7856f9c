package org.gdml4j.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Simd;

/**
 * The training descriptors and Jacobians regrouped for SIMD across molecules, so that {@link KernelBlocks} can run
 * the scalar algorithm of one row molecule on L of them at once (L = lanes of {@link Simd#DOUBLE}), every
 * operation a vector operation on contiguous memory. Why across molecules rather than along a descriptor: the
 * per-molecule loops scatter into atom-indexed entries through the pair lists (gathers and read-modify-write
 * chains, no contiguous runs), while across molecules every step is the same for all lanes. Each lane then does
 * exactly the operations a one-lane run does, in the same order, so results do not depend on the SIMD width or on
 * how groups are split between threads.
 *
 * <p>Layout: molecules are taken L at a time; group g is one array of 4·D·L doubles holding x_0 … x_{D−1}, then the
 * Jacobian planes c_·[0], c_·[1], c_·[2] (as {@link Descriptors#jacobian()}), each entry a run of L lanes. The last
 * group is padded with zero molecules: their lanes compute finite values that are never stored.
 *
 * <p>Why Java arrays and not off-heap memory: a Vector API load from a {@link MemorySegment} is compiled to one
 * instruction only while the JIT's type profile of the segment classes that reached the Vector API's shared load
 * and store code is clean; a single heap or mapped segment passed through any vector load or store elsewhere in
 * the process (after a deoptimisation, for good) turns every such access into a call, measured 5–8x slower here
 * (JDK 25). Array loads have no such profile. The copy costs 4·D·M doubles of Java heap (6.7 MB for aspirin
 * M = 1000), one per group so that no single array grows with M.
 */
final class LaneGroups {
    private static final ValueLayout.OfDouble D8 = ValueLayout.JAVA_DOUBLE_UNALIGNED;

    private final int lanes;
    private final int count;
    private final int d;
    private final double[][] data;

    LaneGroups(Descriptors desc) {
        this.lanes = Simd.DOUBLE.length();
        this.count = desc.count();
        this.d = desc.dim();
        int groups = (count + lanes - 1) / lanes;
        this.data = new double[groups][4 * d * lanes];
        Matrix x = desc.x();
        Matrix jac = desc.jacobian();
        MemorySegment xs = seg(x);
        MemorySegment js = seg(jac);
        double[] one = new double[4 * d];
        for (int i = 0; i < count; i++) {
            MemorySegment.copy(xs, D8, i * x.ld() * 8, one, 0, d);
            MemorySegment.copy(js, D8, i * jac.ld() * 8, one, d, 3 * d);
            double[] g = data[i / lanes];
            int lane = i % lanes;
            for (int r = 0; r < 4 * d; r++) {
                g[r * lanes + lane] = one[r];
            }
        }
    }

    /** L: molecules per group, the lane count. */
    int lanes() {
        return lanes;
    }

    /** Number of groups, ⌈M / L⌉. */
    int groups() {
        return data.length;
    }

    /** Molecules of group g that exist (the rest of its lanes are padding). */
    int valid(int g) {
        return Math.min(lanes, count - g * lanes);
    }

    /** Group g: x_k at k·L, c_k[t] at (D + t·D + k)·L. */
    double[] group(int g) {
        return data[g];
    }

    /** Offset of the first Jacobian plane in a group's array. */
    int jacobianOffset() {
        return d * lanes;
    }

    /** Bytes of Java heap the copy holds. */
    long bytes() {
        return (long) data.length * 4 * d * lanes * 8;
    }

    private static MemorySegment seg(Matrix m) {
        return m.segment();
    }
}
