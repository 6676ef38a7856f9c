package org.gdml4j.train;

import java.util.function.DoubleConsumer;

import org.gdml4j.kernel.GdmlKernel;
import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Vector;
import org.gdml4j.solve.LinearOperator;

/** The force-field kernel seen by the solvers: a {@link LinearOperator} that can also be assembled densely. */
final class KernelOperator implements LinearOperator {
    private final GdmlKernel kernel;

    KernelOperator(GdmlKernel kernel) {
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
        int m = kernel.descriptors().count();
        kernel.assemble(view, done -> progress.accept((double) done / m));
    }
}
