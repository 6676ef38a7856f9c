package org.gdml4j.train;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.gdml4j.error.InvalidInputException;
import org.gdml4j.io.Model;
import org.gdml4j.io.NpyArray;
import org.gdml4j.kernel.Descriptors;
import org.gdml4j.kernel.KernelSums;
import org.gdml4j.kernel.Symmetries;
import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.Backends;
import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Parallel;
import org.gdml4j.linalg.Precision;
import org.gdml4j.linalg.Workspace;

/**
 * Energies and forces of an sGDML model (ours or the reference's) for any geometries (docs/sgdml-formulas.md §7):
 * with d = x − P_p x_j and v = P_p(J_j α_j) (the model's {@code R_d_desc_alpha}),
 * <pre>
 *   F̂ = std · Jᵀ Σ_jp [b (d·v) d − a v]      Ê = std · Σ_jp a (d·v) + c
 * </pre>
 * evaluated for batches of queries with the GEMM-shaped {@link KernelSums} (multithreaded BLAS, Vector API
 * element-wise passes, worker threads for descriptors and Jᵀ). Not thread-safe; close to free its memory.
 */
public final class Predictor implements AutoCloseable {
    /** Queries per batch: bounds the descriptor and output buffers. */
    static final int BATCH = 2048;

    private final Backend be;
    private final Workspace ws;
    private final KernelSums sums;
    private final int atoms;
    private final int d;
    private final double std;
    private final double c;
    private Matrix coefficients;

    /**
     * @param xTrain training descriptors, D x M (column j = x_j); copied
     * @param vTrain J_j α_j, D x M (the model's {@code R_d_desc_alpha} rows as columns); copied
     */
    public Predictor(Backend be, Matrix xTrain, Matrix vTrain, Symmetries sym, double sigma, double std, double c) {
        // prediction is host work of the CPU kernel (inputs and outputs are host arrays): it uses the host BLAS, that of
        // the CPU for a device whose memory the host cannot address (a GPU: its predictions run on the CPU for now)
        this.be = be.hostCompute().map(Backend.HostCompute::host).orElseGet(() -> Backends.select("cpu"));
        this.ws = this.be.workspace();
        try {
            Matrix x = copy(xTrain, "model descriptors");
            this.sums = new KernelSums(this.be, ws, x, sym, sigma);
            sums.setWeights(copy(vTrain, "model coefficients"));
        } catch (RuntimeException e) {
            ws.close();
            throw e;
        }
        this.atoms = sym.atoms();
        this.d = (int) xTrain.rows();
        this.std = std;
        this.c = c;
    }

    /**
     * A predictor for a model file's contents. Its {@code tril_perms_lin} must agree with its {@code perms}
     * (we recompute the descriptor maps from the atom permutations).
     */
    public static Predictor of(Backend be, Model model) {
        Symmetries sym = Symmetries.of(model.perms(), model.z());
        long[] tril = model.trilPermsLin();
        if (!java.util.Arrays.equals(tril, sym.trilPermsLin())) {
            throw new InvalidInputException(model.label() + ": tril_perms_lin does not match perms");
        }
        Matrix x = columns(model.trainingDescriptors());
        Matrix v = columns(model.descriptorAlphas());
        return new Predictor(be, x, v, sym, model.sig(), model.std(), model.c());
    }

    private Matrix copy(Matrix src, String what) {
        Matrix dst = ws.matrix(src.rows(), src.cols(), what);
        for (long j = 0; j < src.cols(); j++) {
            MemorySegment.copy(src.column(j).segment(), 0, dst.column(j).segment(), 0, src.rows() * 8);
        }
        return dst;
    }

    /** An (M, D) C-order float64 array viewed as the D x M column-major matrix it is. */
    private static Matrix columns(NpyArray mByD) {
        return Matrix.wrap(mByD.data(), mByD.dim(1), mByD.dim(0), mByD.dim(1), Precision.FP64);
    }

    /** Replaces the model's coefficients J_j α_j (D x M, as the constructor's {@code vTrain}, host memory or not); copied. */
    void coefficients(Matrix vTrain) {
        if (coefficients == null) {
            coefficients = ws.matrix(vTrain.rows(), vTrain.cols(), "model coefficients");
        }
        for (long j = 0; j < vTrain.cols(); j++) {
            MemorySegment.copy(vTrain.column(j).segment(), 0, coefficients.column(j).segment(), 0, vTrain.rows() * 8);
        }
        sums.setWeights(coefficients);
    }

    public int atoms() {
        return atoms;
    }

    /** Predicts {@code count} geometries stored C-order (count, atoms, 3) float64 in {@code positions}. */
    public Predictions predict(MemorySegment positions, int count) {
        double[] energies = new double[count];
        double[] forces = new double[count * 3 * atoms];
        int n3 = 3 * atoms;
        for (int q0 = 0; q0 < count; q0 += BATCH) {
            int nb = Math.min(BATCH, count - q0);
            try (Workspace batch = be.workspace()) {
                Descriptors qd = Descriptors.compute(batch, positions.asSlice((long) q0 * n3 * 8, (long) nb * n3 * 8), nb, atoms);
                Matrix u = batch.matrix(d, nb, "prediction buffer");
                double[] e = new double[nb];
                sums.sums(sums.plan(batch, qd.x(), 0), u, e);
                MemorySegment f = batch.allocate((long) nb * n3 * 8, "forces");
                int base = q0;
                Parallel.forRange(nb, 64, (lo, hi) -> {
                    double[] scratch = new double[qd.scratchLength()]; // one per worker chunk, not per query
                    for (long q = lo; q < hi; q++) {
                        qd.jacobianTransposeTimes((int) q, u.column(q).segment(), 0, f, q * n3, scratch);
                    }
                });
                // F̂ = std · Jᵀ f_desc with f_desc = −u
                for (int q = 0; q < nb; q++) {
                    energies[base + q] = std * e[q] + c;
                    for (int r = 0; r < n3; r++) {
                        forces[(base + q) * n3 + r] = -std * f.getAtIndex(ValueLayout.JAVA_DOUBLE, (long) q * n3 + r);
                    }
                }
            }
        }
        return new Predictions(count, atoms, energies, forces);
    }

    @Override
    public void close() {
        ws.close();
    }

    Backend backend() {
        return be;
    }
}
