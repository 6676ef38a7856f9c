package org.gdml4j.train;

import java.util.function.DoubleConsumer;

import org.gdml4j.kernel.KernelOperator;
import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Vector;
import org.gdml4j.solve.LinearOperator;

/** The force-field kernel seen by the solvers: a {@link LinearOperator} that can also be assembled densely. */
final class KernelLinearOperator implements LinearOperator {
    private final KernelOperator kernel;

    KernelLinearOperator(KernelOperator kernel) {
        this.kernel = kernel;
    }

    @Override
    public long size() {
        return kernel.size();
    }

    @Override
    public void apply(Vector x, Vector y) {
        kernel.apply(x, y);
    }

    @Override
    public void assemble(Matrix view, DoubleConsumer progress) {
        int m = kernel.molecules();
        kernel.assemble(view, done -> progress.accept((double) done / m));
    }
}
