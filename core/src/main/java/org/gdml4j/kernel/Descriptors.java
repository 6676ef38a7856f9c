package org.gdml4j.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Parallel;
import org.gdml4j.linalg.Workspace;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Inverse-distance descriptors x (x_k = 1/‖r_a − r_b‖ over the pairs of {@link PairIndex}) and their compressed
 * Jacobians c_k = (r_a − r_b)/‖r_a − r_b‖³ = ∂x_k/∂r_b = −∂x_k/∂r_a (docs/sgdml-formulas.md §1) for a set of
 * geometries, off-heap in the given workspace.
 *
 * <p>Layout: {@link #x()} is D x M (column i = x_i, as the model's {@code R_desc}); {@link #jacobian()} is
 * 3D x M with the three Cartesian planes stacked (row t·D + k holds c_k[t]), so each plane is a contiguous
 * run for SIMD loops. The full Jacobian J_i (D x 3N) is never formed: J v and Jᵀ u take O(D).
 */
public final class Descriptors {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final ValueLayout.OfDouble D8 = ValueLayout.JAVA_DOUBLE_UNALIGNED;

    private final PairIndex pairs;
    private final int count;
    private final Matrix x;
    private final Matrix jac;

    private Descriptors(PairIndex pairs, int count, Matrix x, Matrix jac) {
        this.pairs = pairs;
        this.count = count;
        this.x = x;
        this.jac = jac;
    }

    /**
     * Computes descriptors for {@code count} geometries stored C-order as (count, atoms, 3) float64 in
     * {@code positions} (starting at byte 0).
     *
     * @throws IllegalArgumentException if two atoms of a geometry coincide or a coordinate is not finite
     */
    public static Descriptors compute(Workspace ws, MemorySegment positions, int count, int atoms) {
        PairIndex pairs = new PairIndex(atoms);
        int d = pairs.size();
        if (positions.byteSize() < (long) count * atoms * 3 * 8) {
            throw new IllegalArgumentException("positions hold " + positions.byteSize() / 8 + " numbers, expected " + count
                    + " x " + atoms + " x 3");
        }
        Matrix x = ws.matrix(d, count, "descriptors");
        Matrix jac = ws.matrix(3L * d, count, "descriptor Jacobians");
        int[] ia = new int[d];
        int[] ib = new int[d];
        for (int k = 0; k < d; k++) {
            ia[k] = 3 * pairs.first(k);
            ib[k] = 3 * pairs.second(k);
        }
        long chunk = Parallel.shareable(positions, x.segment()) ? 64 : Math.max(1, count);
        Parallel.forRange(count, chunk, (lo, hi) -> {
            double[] r = new double[3 * atoms];
            for (long i = lo; i < hi; i++) {
                MemorySegment.copy(positions, ValueLayout.JAVA_DOUBLE_UNALIGNED, i * 3 * atoms * 8, r, 0, 3 * atoms);
                one(r, ia, ib, x.column(i).segment(), jac.column(i).segment(), d, (int) i);
            }
        });
        return new Descriptors(pairs, count, x, jac);
    }

    /** One geometry: SIMD over pairs, coordinates gathered by the pair index maps. */
    private static void one(double[] r, int[] ia, int[] ib, MemorySegment xOut, MemorySegment cOut, int d, int geometry) {
        int k = 0;
        int upper = S.loopBound(d);
        double minR2 = Double.POSITIVE_INFINITY;
        for (; k < upper; k += S.length()) {
            DoubleVector dx = DoubleVector.fromArray(S, r, 0, ia, k).sub(DoubleVector.fromArray(S, r, 0, ib, k));
            DoubleVector dy = DoubleVector.fromArray(S, r, 1, ia, k).sub(DoubleVector.fromArray(S, r, 1, ib, k));
            DoubleVector dz = DoubleVector.fromArray(S, r, 2, ia, k).sub(DoubleVector.fromArray(S, r, 2, ib, k));
            DoubleVector r2 = dx.mul(dx).add(dy.mul(dy)).add(dz.mul(dz));
            minR2 = Math.min(minR2, r2.reduceLanes(VectorOperators.MIN));
            DoubleVector inv = DoubleVector.broadcast(S, 1.0).div(r2.lanewise(VectorOperators.SQRT));
            DoubleVector inv3 = inv.mul(inv).mul(inv);
            inv.intoMemorySegment(xOut, (long) k * 8, ByteOrder.nativeOrder());
            dx.mul(inv3).intoMemorySegment(cOut, (long) k * 8, ByteOrder.nativeOrder());
            dy.mul(inv3).intoMemorySegment(cOut, (long) (d + k) * 8, ByteOrder.nativeOrder());
            dz.mul(inv3).intoMemorySegment(cOut, (long) (2 * d + k) * 8, ByteOrder.nativeOrder());
        }
        for (; k < d; k++) {
            double dx = r[ia[k]] - r[ib[k]];
            double dy = r[ia[k] + 1] - r[ib[k] + 1];
            double dz = r[ia[k] + 2] - r[ib[k] + 2];
            double r2 = dx * dx + dy * dy + dz * dz;
            minR2 = Math.min(minR2, r2);
            double inv = 1 / Math.sqrt(r2);
            double inv3 = inv * inv * inv;
            xOut.setAtIndex(D8, k, inv);
            cOut.setAtIndex(D8, k, dx * inv3);
            cOut.setAtIndex(D8, d + k, dy * inv3);
            cOut.setAtIndex(D8, 2L * d + k, dz * inv3);
        }
        if (!(minR2 > 0) || Double.isInfinite(minR2)) {
            throw new org.gdml4j.error.InvalidInputException("geometry " + geometry + ": two atoms coincide or a coordinate is not finite");
        }
    }

    public PairIndex pairs() {
        return pairs;
    }

    /** M: number of geometries. */
    public int count() {
        return count;
    }

    /** D: descriptor length. */
    public int dim() {
        return pairs.size();
    }

    public int atoms() {
        return pairs.atoms();
    }

    /** D x M, column i = x_i. */
    public Matrix x() {
        return x;
    }

    /** 3D x M, column i holds the planes c_·[0], c_·[1], c_·[2] of geometry i. */
    public Matrix jacobian() {
        return jac;
    }

    /** c_k[t] of geometry i. */
    public double jacobian(int i, int k, int t) {
        return jac.get((long) t * pairs.size() + k, i);
    }

    /**
     * w ← J_i v: w_k = c_k · (v_b − v_a) for pair k = (a, b), with v a 3N-vector (atom-major xyz) read from
     * {@code v} at element offset {@code vOff}, and w written to {@code w} at element offset {@code wOff}.
     */
    public void jacobianTimes(int i, MemorySegment v, long vOff, MemorySegment w, long wOff) {
        int d = pairs.size();
        MemorySegment c = jac.column(i).segment();
        int[] a = pairs.firstArray();
        int[] b = pairs.secondArray();
        for (int k = 0; k < d; k++) {
            long va = vOff + 3L * a[k];
            long vb = vOff + 3L * b[k];
            double s = c.getAtIndex(D8, k) * (v.getAtIndex(D8, vb) - v.getAtIndex(D8, va))
                    + c.getAtIndex(D8, d + k) * (v.getAtIndex(D8, vb + 1) - v.getAtIndex(D8, va + 1))
                    + c.getAtIndex(D8, 2L * d + k) * (v.getAtIndex(D8, vb + 2) - v.getAtIndex(D8, va + 2));
            w.setAtIndex(D8, wOff + k, s);
        }
    }

    /**
     * out ← J_iᵀ u (a 3N-vector, overwritten): atom e gets Σ_{k: b_k = e} u_k c_k − Σ_{k: a_k = e} u_k c_k.
     * {@code u} is read at element offset {@code uOff}; {@code out} written at element offset {@code outOff}.
     */
    public void jacobianTransposeTimes(int i, MemorySegment u, long uOff, MemorySegment out, long outOff) {
        int d = pairs.size();
        int n3 = 3 * pairs.atoms();
        for (int e = 0; e < n3; e++) {
            out.setAtIndex(D8, outOff + e, 0.0);
        }
        MemorySegment c = jac.column(i).segment();
        int[] a = pairs.firstArray();
        int[] b = pairs.secondArray();
        for (int k = 0; k < d; k++) {
            double uk = u.getAtIndex(D8, uOff + k);
            for (int t = 0; t < 3; t++) {
                double g = uk * c.getAtIndex(D8, (long) t * d + k);
                long ob = outOff + 3L * b[k] + t;
                long oa = outOff + 3L * a[k] + t;
                out.setAtIndex(D8, ob, out.getAtIndex(D8, ob) + g);
                out.setAtIndex(D8, oa, out.getAtIndex(D8, oa) - g);
            }
        }
    }
}
