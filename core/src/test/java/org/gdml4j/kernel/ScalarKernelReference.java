package org.gdml4j.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import org.gdml4j.linalg.CpuBackend;
import org.gdml4j.linalg.Workspace;

/**
 * The kernel's explicit entries computed the plain way, one row molecule and one entry at a time in scalar Java
 * (the formulas of {@link KernelBlocks}' javadoc, as the scalar implementation before the SIMD one evaluated them),
 * for tests to compare the SIMD blocks with. Slow: small molecules only.
 */
final class ScalarKernelReference {
    private final Descriptors desc;
    private final Symmetries sym;
    private final Matern52 matern;
    private final int d;
    private final int n3;

    ScalarKernelReference(GdmlKernel k) {
        this.desc = k.descriptors();
        this.sym = k.symmetries();
        this.matern = new Matern52(k.sigma());
        this.d = desc.dim();
        this.n3 = 3 * desc.atoms();
    }

    /** J_i[k, (e, t)]: +c_k[t] if e is pair k's smaller atom, −c_k[t] if its larger one, else 0. */
    private double jac(int i, int k, int e, int t) {
        PairIndex pairs = desc.pairs();
        if (pairs.second(k) == e) {
            return desc.jacobian(i, k, t);
        }
        return pairs.first(k) == e ? -desc.jacobian(i, k, t) : 0;
    }

    /** K[row, col] straight from the definition: Σ_p a_p (J_iᵀ J_j^(p))[r, c] − b_p (J_iᵀ d_p)[r] (J_j^(p)ᵀ d_p)[c]. */
    double entry(long row, long col) {
        int i = (int) (row / n3);
        int j = (int) (col / n3);
        int er = (int) (row % n3) / 3;
        int tr = (int) (row % n3) % 3;
        int ec = (int) (col % n3) / 3;
        int tc = (int) (col % n3) % 3;
        double sum = 0;
        for (int p = 0; p < sym.count(); p++) {
            int[] q = sym.descriptorMap(p);
            double[] dv = new double[d];
            double rho2 = 0;
            for (int k = 0; k < d; k++) {
                dv[k] = desc.x().get(k, i) - desc.x().get(q[k], j);
                rho2 += dv[k] * dv[k];
            }
            double first = 0;
            double u = 0;
            double r = 0;
            for (int k = 0; k < d; k++) {
                double ji = jac(i, k, er, tr);
                double jj = jac(j, q[k], ec, tc); // J_j^(p)[k, c] = J_j[q_p[k], c]
                first += ji * jj;
                u += ji * dv[k];
                r += jj * dv[k];
            }
            sum += matern.a(rho2) * first - matern.b(rho2) * u * r;
        }
        return sum;
    }

    /** A kernel over {@code m} random geometries of {@code atoms} atoms near a fixed chain, with σ = 2. */
    static GdmlKernel randomKernel(Workspace ws, int m, int atoms, Symmetries sym, long seed) {
        Random rnd = new Random(seed);
        MemorySegment r = ws.allocate((long) m * atoms * 3 * 8, "R");
        for (int i = 0; i < m; i++) {
            for (int a = 0; a < atoms; a++) {
                for (int t = 0; t < 3; t++) {
                    double base = t == 0 ? 1.3 * a : t == 1 ? 0.8 * (a % 2) : 0.5 * (a % 3);
                    r.setAtIndex(ValueLayout.JAVA_DOUBLE, ((long) i * atoms + a) * 3 + t, base + 0.15 * rnd.nextGaussian());
                }
            }
        }
        return GdmlKernel.create(CpuBackend.get(), r, m, atoms, sym, 2.0);
    }

    /**
     * Molecules the tests use: 2 atoms (one pair), 5 atoms without symmetries, 9 atoms (3N = 27 columns per
     * molecule, above {@link KernelBlocks#FEW_COLUMNS}) with a group of order 4 (two independent swaps).
     */
    static Symmetries symmetries(int atoms) {
        if (atoms < 9) {
            return Symmetries.identity(atoms);
        }
        int[] z = new int[atoms];
        java.util.Arrays.fill(z, 6);
        z[5] = 1;
        z[6] = 1;
        z[7] = 8;
        z[8] = 8;
        int[] id = new int[atoms];
        java.util.Arrays.setAll(id, a -> a);
        int[] s1 = id.clone();
        s1[5] = 6;
        s1[6] = 5;
        int[] s2 = id.clone();
        s2[7] = 8;
        s2[8] = 7;
        int[] s12 = s1.clone();
        s12[7] = 8;
        s12[8] = 7;
        return Symmetries.of(new int[][] {id, s1, s2, s12}, z);
    }
}
