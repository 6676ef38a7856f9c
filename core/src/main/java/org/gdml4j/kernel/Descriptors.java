package org.gdml4j.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Parallel;
import org.gdml4j.linalg.Simd;
import org.gdml4j.linalg.Vector;
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
    private static final VectorSpecies<Double> S = Simd.DOUBLE;
    private static final ValueLayout.OfDouble D8 = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

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
        long chunk = Parallel.shareable(positions, seg(x)) ? 64 : Math.max(1, count);
        Parallel.forRange(count, chunk, (lo, hi) -> {
            double[] r = new double[3 * atoms];
            for (long i = lo; i < hi; i++) {
                MemorySegment.copy(positions, ValueLayout.JAVA_DOUBLE_UNALIGNED, i * 3 * atoms * 8, r, 0, 3 * atoms);
                one(r, ia, ib, seg(x.column(i)), seg(jac.column(i)), d, (int) i);
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
        return seg(jac).getAtIndex(D8, i * jac.ld() + (long) t * pairs.size() + k);
    }

    /** Doubles of scratch the Jacobian products need: J_i's 3D planes, a D-vector, 3N in x, y, z planes and 3N atom-major. */
    public int scratchLength() {
        return 4 * pairs.size() + 6 * pairs.atoms();
    }

    /**
     * w ← J_i v: w_k = c_k · (v_b − v_a) for pair k = (a, b), with v a 3N-vector (atom-major xyz) read from
     * {@code v} at element offset {@code vOff}, and w written to {@code w} at element offset {@code wOff}.
     */
    public void jacobianTimes(int i, MemorySegment v, long vOff, MemorySegment w, long wOff) {
        jacobianTimes(i, v, vOff, w, wOff, new double[scratchLength()]);
    }

    /**
     * As {@link #jacobianTimes(int, MemorySegment, long, MemorySegment, long)} with caller-owned scratch of
     * {@link #scratchLength()} doubles (overwritten), for loops over many molecules. The pairs (a, b) of atom a with
     * the atoms b &lt; a are the contiguous run k = a(a−1)/2 + b (PairIndex's order), so once v is split into x, y
     * and z planes each run is one loop over b with v_a held; w_k = (c_x·Δx + c_y·Δy) + c_z·Δz. The operands are
     * bulk-copied into the scratch. Scalar on purpose: these runs are short (a &lt; N), the products are O(D) per
     * molecule against the O(M·P·D) of the sums, and the Vector API form of this loop boxed its vectors in C2's
     * steady state inside PCG (≈ 280 MB/s of garbage, a GC every 1.8 s, measured with JFR on aspirin M = 500).
     */
    public void jacobianTimes(int i, MemorySegment v, long vOff, MemorySegment w, long wOff, double[] scratch) {
        int atoms = pairs.atoms();
        int d = pairs.size();
        int c = 0;
        int out = c + 3 * d;
        int vt = out + d;
        int raw = vt + 3 * atoms;
        double[] sc = scratch;
        MemorySegment.copy(seg(jac), D8, i * jac.ld() * 8, sc, c, 3 * d);
        MemorySegment.copy(v, D8, vOff * 8, sc, raw, 3 * atoms);
        for (int e = 0; e < atoms; e++) {
            for (int t = 0; t < 3; t++) {
                sc[vt + t * atoms + e] = sc[raw + 3 * e + t];
            }
        }
        int y0 = vt + atoms;
        int z0 = vt + 2 * atoms;
        for (int a = 1; a < atoms; a++) {
            int k0 = a * (a - 1) / 2;
            double ax = sc[vt + a];
            double ay = sc[y0 + a];
            double az = sc[z0 + a];
            for (int b = 0; b < a; b++) {
                int k = k0 + b;
                sc[out + k] = sc[c + k] * (sc[vt + b] - ax) + sc[c + d + k] * (sc[y0 + b] - ay) + sc[c + 2 * d + k] * (sc[z0 + b] - az);
            }
        }
        MemorySegment.copy(sc, out, w, D8, wOff * 8, d);
    }

    /**
     * out ← J_iᵀ u (a 3N-vector, overwritten): atom e gets Σ_{k: b_k = e} u_k c_k − Σ_{k: a_k = e} u_k c_k.
     * {@code u} is read at element offset {@code uOff}; {@code out} written at element offset {@code outOff}.
     */
    public void jacobianTransposeTimes(int i, MemorySegment u, long uOff, MemorySegment out, long outOff) {
        jacobianTransposeTimes(i, u, uOff, out, outOff, new double[scratchLength()]);
    }

    /**
     * As {@link #jacobianTransposeTimes(int, MemorySegment, long, MemorySegment, long)} with caller-owned scratch
     * of {@link #scratchLength()} doubles. Run by run (pairs (a, b), b &lt; a): atom a's own terms are summed in a
     * register, and the terms of the atoms b are added over the run into x, y, z planes. Every entry receives its terms
     * in pair order, as in a scalar loop over k. Scalar for the reason given at {@link #jacobianTimes}.
     */
    public void jacobianTransposeTimes(int i, MemorySegment u, long uOff, MemorySegment out, long outOff, double[] scratch) {
        int atoms = pairs.atoms();
        int d = pairs.size();
        int c = 0;
        int uk = c + 3 * d;
        int acc = uk + d;
        int res = acc + 3 * atoms;
        double[] sc = scratch;
        MemorySegment.copy(seg(jac), D8, i * jac.ld() * 8, sc, c, 3 * d);
        MemorySegment.copy(u, D8, uOff * 8, sc, uk, d);
        int y0 = acc + atoms;
        int z0 = acc + 2 * atoms;
        sc[acc] = 0;
        sc[y0] = 0;
        sc[z0] = 0;
        for (int a = 1; a < atoms; a++) {
            int k0 = a * (a - 1) / 2;
            // atom a: nothing reached it before its own run (its + terms come from the runs of larger atoms)
            double sx = 0;
            double sy = 0;
            double sz = 0;
            for (int k = k0; k < k0 + a; k++) {
                double v = sc[uk + k];
                sx -= v * sc[c + k];
                sy -= v * sc[c + d + k];
                sz -= v * sc[c + 2 * d + k];
            }
            sc[acc + a] = sx;
            sc[y0 + a] = sy;
            sc[z0 + a] = sz;
            for (int b = 0; b < a; b++) {
                int k = k0 + b;
                double v = sc[uk + k];
                sc[acc + b] += v * sc[c + k];
                sc[y0 + b] += v * sc[c + d + k];
                sc[z0 + b] += v * sc[c + 2 * d + k];
            }
        }
        for (int e = 0; e < atoms; e++) {
            for (int t = 0; t < 3; t++) {
                sc[res + 3 * e + t] = sc[acc + t * atoms + e];
            }
        }
        MemorySegment.copy(sc, res, out, D8, outOff * 8, 3 * atoms);
    }

    private static MemorySegment seg(Matrix m) {
        return m.segment();
    }

    private static MemorySegment seg(Vector v) {
        return v.segment();
    }
}
