package org.gdml4j.linalg;

/** FP32 matrices with FP64 vectors: {@link MixedGemv} and {@link FusedProjection}, Vector API loops of our own. */
final class CpuMixedPrecision implements Backend.MixedPrecision {
    @Override
    public void gemv(Backend.Trans trans, double alpha, Matrix a, Vector x, double beta, Vector y) {
        Shapes.gemv(trans, a, x, y);
        if (a.precision() != Precision.FP32 || x.precision() != Precision.FP64 || y.precision() != Precision.FP64
                || !x.isContiguous() || !y.isContiguous()) {
            throw new IllegalArgumentException("mixed gemv needs an FP32 matrix and contiguous FP64 vectors: " + a + ", " + x + ", " + y);
        }
        if (trans == Backend.Trans.NO && a.rows() < a.cols()) {
            FusedProjection.sweep(a, null, x, alpha, beta, y); // wide: split by columns, not by the few row blocks
        } else if (trans == Backend.Trans.NO) {
            MixedGemv.plain(alpha, a, x, beta, y);
        } else {
            MixedGemv.transposed(alpha, a, x, beta, y);
        }
    }

    @Override
    public void projectOut(Matrix a, Vector t, Vector z, Vector w) {
        if (z.length() != a.cols() || w.length() != a.rows() || (t != null && t.length() != a.rows())) {
            throw new IllegalArgumentException("projectOut: " + a + " with " + t + ", " + z + ", " + w);
        }
        if (a.precision() != Precision.FP32 || z.precision() != Precision.FP64 || w.precision() != Precision.FP64
                || !z.isContiguous() || !w.isContiguous() || (t != null && (t.precision() != Precision.FP64 || !t.isContiguous()))) {
            throw new IllegalArgumentException("projectOut needs an FP32 basis and contiguous FP64 vectors: " + a + ", " + t + ", "
                    + z + ", " + w);
        }
        FusedProjection.sweep(a, t, z, 1.0, 0.0, w);
    }
}
