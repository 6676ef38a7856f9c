package org.gdml4j.precond;

import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.Backend.Trans;
import org.gdml4j.linalg.Backend.Uplo;
import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Vector;
import org.gdml4j.linalg.Workspace;

/**
 * The stable Woodbury apply of {@link LowRankFactor} (its class comment gives the form and the re-projection rule)
 * on the split basis W̃ = [W₁, (I − W₁W₁ᵀ)Q̃V] of {@link SinglePrecisionFactor}, written in the coordinates of Q̃:
 * with c₁ = W₁ᵀv and s = Q̃ᵀv − Xc₁ (X = Q̃ᵀW₁), the rest's coordinates are c₂ = Vᵀs, and every product with V
 * appears as N = VVᵀ or J = V diag(λ/(s² + λ)) Vᵀ, since expanding W̃c = Q̃t + W₁(c₁ − Xᵀt) needs only t = Vc₂:
 * <pre>
 *   plain:        t = (N − J) s,        z = v − Q̃t − W₁(w∘c₁ − Xᵀt)
 *   re-projected: t = N s,              z = v − Q̃t − W₁(c₁ − Xᵀt)            (z = v − W̃W̃ᵀv)
 *                 c₁' = W₁ᵀz, s' = Q̃ᵀz − Xc₁'                                 (its coordinates, fused with z)
 *                 t' = J(s + s') − N s', z += Q̃t' + W₁(ι∘(c₁ + c₁') − c₁' − Xᵀt')
 * </pre>
 * then z/λ, with w = s²/(s² + λ) and ι = λ/(s² + λ) on the dominant directions. The last line is the FP64 form's
 * ι∘(c + c') − c' in Q̃-coordinates; it is kept as two small terms (not N s − M(s + s') with M = N − J, equal in
 * exact arithmetic) because the re-projection exists to avoid exactly that cancellation of two terms of size ‖v‖
 * (it broke the symmetry of P̃⁻¹ at the 1e-7 level). Q̃ (FP32) is read twice, three times when re-projecting; the
 * k x k triangles two or three times (the FP64 form read its k x k rotation twice or four times).
 */
final class SplitBasisApply {
    /**
     * Re-project when ‖v_⊥‖² < REPROJECT_BELOW·‖v‖² (v_⊥ = v − W̃W̃ᵀv). The plain form's backward error is about
     * (‖v‖/‖v_⊥‖)·ε‖P‖‖x‖; the FP64 factor bounds it by ≈ 50ε with 1e-2 ({@link LowRankFactor#REPROJECT_BELOW}). This
     * factor already differs from the FP64 P by ≈ 1e-12‖P‖‖x‖ through its rounded basis (LowRankFactorTest), so a
     * re-projection only pays where the plain form would lose more than that: (ε/1e-12)² ≈ 5e-8. Measured on aspirin
     * M = 500 (leverage, k = 3,674, two runs back to back): 1e-3 re-projected 435 of 808 applies, 807 iterations,
     * apply 63.6 s, 175.3 s in all; 5e-8 none, 818 iterations, apply 52.1 s, 164.9 s in all.
     */
    static final double REPROJECT_BELOW = 5e-8;
    private final Backend be;
    private final Backend.MixedPrecision mixed;
    private final Matrix qt;
    private final Matrix w1;
    private final Matrix x;
    private final Matrix nMat;
    private final Matrix jMat;
    private final double lambda;
    private final int k1;
    private final Vector weights1;
    private final Vector inverse1;
    private final Vector c1;
    private final Vector c1b;
    private final Vector d;
    private final Vector s;
    private final Vector sb;
    private final Vector t;
    private long applies;
    private long reprojections;

    /** {@code core} is k x (k + 1): N in the lower triangle of its first k columns, J in the upper of its last k. */
    SplitBasisApply(Backend be, Workspace ws, Matrix qt, Matrix w1, Matrix x, Matrix core, double[] s2, double lambda) {
        this.be = be;
        this.mixed = be.mixedPrecision().orElseThrow(() -> new IllegalStateException("an FP32 factor on " + be.name()
                + ", which has no FP32 x FP64 products"));
        this.qt = qt;
        this.w1 = w1;
        this.x = x;
        int k = Math.toIntExact(qt.rows());
        this.nMat = core.columns(0, k);
        this.jMat = core.columns(1, k);
        this.lambda = lambda;
        this.k1 = Math.toIntExact(w1.cols());
        int m = Math.max(1, k1);
        this.weights1 = ws.vector(m, "Woodbury weights").slice(0, k1);
        this.inverse1 = ws.vector(m, "Woodbury inverse weights").slice(0, k1);
        double[] w = new double[k1];
        double[] inv = new double[k1];
        for (int i = 0; i < k1; i++) {
            w[i] = s2[i] / (s2[i] + lambda);
            inv[i] = lambda / (s2[i] + lambda);
        }
        be.upload(w, weights1);
        be.upload(inv, inverse1);
        this.c1 = ws.vector(m, "Woodbury scratch").slice(0, k1);
        this.c1b = ws.vector(m, "Woodbury scratch").slice(0, k1);
        this.d = ws.vector(m, "Woodbury scratch").slice(0, k1);
        this.s = ws.vector(k, "Woodbury scratch");
        this.sb = ws.vector(k, "Woodbury scratch");
        this.t = ws.vector(k, "Woodbury scratch");
    }

    /** z ← P̃⁻¹v. */
    void apply(Vector v, Vector z) {
        applies++;
        if (k1 > 0) {
            be.gemv(Trans.YES, 1.0, w1, v, 0.0, c1);
        }
        mixed.gemv(Trans.NO, 1.0, qt, v, 0.0, s);
        if (k1 > 0) {
            be.gemv(Trans.NO, -1.0, x, c1, 1.0, s);
        }
        // ‖W̃ᵀv‖² = ‖c₁‖² + sᵀNs; ‖s‖² differs from sᵀNs by O(u) relative (N is a projector up to the rounding of
        // Q̃, and s has only O(u‖v‖) along the dominant directions), which is all the threshold test needs
        double nv = be.nrm2(v);
        double nc1 = k1 > 0 ? be.nrm2(c1) : 0;
        double ns = be.nrm2(s);
        be.copy(v, z);
        if (nv * nv - nc1 * nc1 - ns * ns >= REPROJECT_BELOW * nv * nv) {
            be.symv(Uplo.LOWER, 1.0, nMat, s, 0.0, t);
            be.symv(Uplo.UPPER, -1.0, jMat, s, 1.0, t);
            if (k1 > 0) {
                be.multiply(c1, weights1, d);
                be.gemv(Trans.YES, -1.0, x, t, 1.0, d);
            }
            mixed.gemv(Trans.YES, -1.0, qt, t, 1.0, z);
            if (k1 > 0) {
                be.gemv(Trans.NO, -1.0, w1, d, 1.0, z);
            }
        } else {
            reprojections++;
            be.symv(Uplo.LOWER, 1.0, nMat, s, 0.0, t);
            if (k1 > 0) {
                be.copy(c1, d);
                be.gemv(Trans.YES, -1.0, x, t, 1.0, d);
                be.gemv(Trans.NO, -1.0, w1, d, 1.0, z);
            }
            mixed.projectOut(qt, t, z, sb); // z ← v − W̃W̃ᵀv and sb ← Q̃ᵀz in one sweep
            if (k1 > 0) {
                be.gemv(Trans.YES, 1.0, w1, z, 0.0, c1b);
                be.gemv(Trans.NO, -1.0, x, c1b, 1.0, sb);
            }
            be.axpy(1.0, sb, s);
            be.symv(Uplo.UPPER, 1.0, jMat, s, 0.0, t);
            be.symv(Uplo.LOWER, -1.0, nMat, sb, 1.0, t);
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

    Vector weights1() {
        return weights1;
    }

    long applies() {
        return applies;
    }

    long reprojections() {
        return reprojections;
    }
}
