package org.gdml4j.train;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.gdml4j.io.Model;
import org.gdml4j.io.NpyArrays;
import org.gdml4j.kernel.Descriptors;
import org.gdml4j.kernel.KernelOperator;
import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Vector;
import org.gdml4j.linalg.Workspace;

/**
 * Turns the solution a of (K + λI) a = y into an sGDML model exactly as sGDML 1.0.3 writes it
 * (docs/sgdml-formulas.md §5, §6, §10.2): {@code alphas_F = −a}, {@code R_d_desc_alpha[j] = J_j alphas_F[j]},
 * {@code R_desc} the training descriptors, {@code std} the force scale, and the integration constant c from
 * the training energies (when the task uses them), with sGDML's sanity checks as warnings.
 */
final class ModelFactory {
    private ModelFactory() {
    }

    record Built(Model model, EnergyCheck energyCheck) {
    }

    /**
     * @param a          the solution in the solver's sign (length 3NM)
     * @param solverName {@code analytic} or {@code cg}
     * @param cg         the iterative solver's record, or null
     * @param lambda     the regulariser {@code a} solved for (the task's, or the one the λ path chose on validation)
     */
    static Built build(Backend be, TrainingSet ts, KernelOperator kernel, Vector a, String solverName, Model.CgInfo cg,
            double lambda, java.util.Map<String, org.gdml4j.io.NpyArray> extras) {
        int m = kernel.molecules();
        int d = kernel.descriptorLength();
        long n = kernel.size();
        double[] alphas = new double[Math.toIntExact(n)];
        be.download(a, alphas); // the solution comes to the host once, to be written
        for (int i = 0; i < alphas.length; i++) {
            alphas[i] = -alphas[i]; // alphas_F = −a
        }
        double[] x = kernel.trainingDescriptors();
        double[] rdda = kernel.descriptorAlphas(alphas);
        double c = 0;
        EnergyCheck check = null;
        double[] energies = ts.task().energies();
        if (ts.task().useE() && energies != null) {
            try (Predictor p = new Predictor(be, hostColumns(x, d, m), hostColumns(rdda, d, m), ts.symmetries(), ts.sigma(),
                    ts.std(), 0.0)) {
                double[] e0 = p.predict(ts.positions(), m).energies();
                check = EnergyCheck.of(energies, e0);
                c = check.c();
            }
        }
        var builder = Model.builder().fromTask(ts.task()).solverName(solverName)
                .trainingDescriptors(NpyArrays.ofDoubles(x, m, d))
                .descriptorAlphas(NpyArrays.ofDoubles(rdda, m, d))
                .alphasF(NpyArrays.ofDoubles(alphas, n))
                .trilPermsLin(ts.symmetries().trilPermsLin())
                .c(c)
                .std(ts.std());
        if (cg != null) {
            builder.cg(cg);
        }
        if (lambda != ts.lambda()) {
            builder.lam(lambda); // the model says what it solved for, not what the task asked
        }
        extras.forEach(builder::extra);
        return new Built(builder.build(ts.task().label() + " (solved)"), check);
    }

    /** A D x M column-major host array as a matrix (a view: Predictor copies what it keeps). */
    private static Matrix hostColumns(double[] values, int rows, int cols) {
        return Matrix.wrap(java.lang.foreign.MemorySegment.ofArray(values), rows, cols, rows, org.gdml4j.linalg.Precision.FP64);
    }
}
