package org.gdml4j.precond;

import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.Backend.Trans;
import org.gdml4j.linalg.Backend.Uplo;
import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Vector;
import org.gdml4j.linalg.Workspace;

/**
 * The two Woodbury applies as they were before {@link LowRankPreconditioner} (commit 4def6ce: {@code LowRankFactor.apply}
 * and {@code SplitBasisApply.apply}), operation for operation, on the parts of today's factors: the reference the one
 * apply is compared with. Only backend operations, so it runs on the host-less backend too.
 */
final class LegacyWoodbury {
    private LegacyWoodbury() {
    }

    /** The FP64 form: Q with core U, re-projecting below 1e-2. */
    static void apply(Backend be, Workspace ws, LowRankFactor f, double lambda, Vector r, Vector z) {
        Matrix q = f.basis();
        Matrix u = f.coreVectors();
        double[] s2 = f.eigenvalues();
        int k = s2.length;
        Vector weights = upload(be, ws, s2, lambda, false);
        Vector inverse = upload(be, ws, s2, lambda, true);
        Vector c = ws.vector(k, "c");
        Vector c2 = ws.vector(k, "c2");
        Vector t = ws.vector(k, "t");
        be.gemv(Trans.YES, 1.0, q, r, 0.0, c);
        double nr = be.nrm2(r);
        double nc = be.nrm2(c);
        be.copy(r, z);
        if (nr * nr - nc * nc >= 1e-2 * nr * nr) {
            weighted(be, u, c, weights, t);
            be.gemv(Trans.NO, -1.0, q, c, 1.0, z);
        } else {
            be.gemv(Trans.NO, -1.0, q, c, 1.0, z);
            be.gemv(Trans.YES, 1.0, q, z, 0.0, c2);
            be.axpy(1.0, c2, c);
            weighted(be, u, c, inverse, t);
            be.axpy(-1.0, c2, c);
            be.gemv(Trans.NO, 1.0, q, c, 1.0, z);
        }
        be.scal(1.0 / lambda, z);
    }

    private static void weighted(Backend be, Matrix u, Vector x, Vector w, Vector t) {
        if (u == null) {
            be.multiply(x, w, x);
            return;
        }
        be.gemv(Trans.YES, 1.0, u, x, 0.0, t);
        be.multiply(t, w, t);
        be.gemv(Trans.NO, 1.0, u, t, 0.0, x);
    }

    /** The FP32 split basis: W₁, Q̃ᵀ, X, N and J, re-projecting below 5e-8. */
    static void apply(Backend be, Workspace ws, SinglePrecisionFactor f, double lambda, Vector v, Vector z) {
        SinglePrecisionFactor.Parts p = f.parts();
        Backend.MixedPrecision mixed = be.mixedPrecision().orElseThrow();
        double[] all = f.eigenvalues();
        int k = all.length;
        int k1 = Math.toIntExact(p.w1().cols());
        int m = Math.max(1, k1);
        double[] s2 = java.util.Arrays.copyOf(all, k1);
        Vector weights1 = upload(be, ws, s2, lambda, false);
        Vector inverse1 = upload(be, ws, s2, lambda, true);
        Vector c1 = ws.vector(m, "c1").slice(0, k1);
        Vector c1b = ws.vector(m, "c1b").slice(0, k1);
        Vector d = ws.vector(m, "d").slice(0, k1);
        Vector s = ws.vector(k, "s");
        Vector sb = ws.vector(k, "sb");
        Vector t = ws.vector(k, "t");
        Matrix qt = p.qt();
        Matrix w1 = p.w1();
        Matrix x = p.x();
        if (k1 > 0) {
            be.gemv(Trans.YES, 1.0, w1, v, 0.0, c1);
        }
        mixed.gemv(Trans.NO, 1.0, qt, v, 0.0, s);
        if (k1 > 0) {
            be.gemv(Trans.NO, -1.0, x, c1, 1.0, s);
        }
        double nv = be.nrm2(v);
        double nc1 = k1 > 0 ? be.nrm2(c1) : 0;
        double ns = be.nrm2(s);
        be.copy(v, z);
        if (nv * nv - nc1 * nc1 - ns * ns >= 5e-8 * nv * nv) {
            be.symv(Uplo.LOWER, 1.0, p.n(), s, 0.0, t);
            be.symv(Uplo.UPPER, -1.0, p.j(), s, 1.0, t);
            if (k1 > 0) {
                be.multiply(c1, weights1, d);
                be.gemv(Trans.YES, -1.0, x, t, 1.0, d);
            }
            mixed.gemv(Trans.YES, -1.0, qt, t, 1.0, z);
            if (k1 > 0) {
                be.gemv(Trans.NO, -1.0, w1, d, 1.0, z);
            }
        } else {
            be.symv(Uplo.LOWER, 1.0, p.n(), s, 0.0, t);
            if (k1 > 0) {
                be.copy(c1, d);
                be.gemv(Trans.YES, -1.0, x, t, 1.0, d);
                be.gemv(Trans.NO, -1.0, w1, d, 1.0, z);
            }
            mixed.projectOut(qt, t, z, sb);
            if (k1 > 0) {
                be.gemv(Trans.YES, 1.0, w1, z, 0.0, c1b);
                be.gemv(Trans.NO, -1.0, x, c1b, 1.0, sb);
            }
            be.axpy(1.0, sb, s);
            be.symv(Uplo.UPPER, 1.0, p.j(), s, 0.0, t);
            be.symv(Uplo.LOWER, -1.0, p.n(), sb, 1.0, t);
            if (k1 > 0) {
                be.axpy(1.0, c1b, c1);
                be.multiply(c1, inverse1, c1);
                be.axpy(-1.0, c1b, c1);
                be.gemv(Trans.YES, -1.0, x, t, 1.0, c1);
            }
            mixed.gemv(Trans.YES, 1.0, qt, t, 1.0, z);
            if (k1 > 0) {
                be.gemv(Trans.NO, 1.0, w1, c1, 1.0, z);
            }
        }
        be.scal(1.0 / lambda, z);
    }

    /** s²/(s² + λ), or λ/(s² + λ) when {@code inverse}, in backend memory. */
    private static Vector upload(Backend be, Workspace ws, double[] s2, double lambda, boolean inverse) {
        double[] w = new double[s2.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = (inverse ? lambda : s2[i]) / (s2[i] + lambda);
        }
        Vector out = ws.vector(Math.max(1, w.length), "weights").slice(0, w.length);
        be.upload(w, out);
        return out;
    }
}
