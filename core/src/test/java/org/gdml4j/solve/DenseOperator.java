package org.gdml4j.solve;

import java.util.function.DoubleConsumer;

import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.CpuBackend;
import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Vector;

/** A test operator over an explicit symmetric matrix. */
final class DenseOperator implements LinearOperator {
    private final Matrix a;
    int applies;

    DenseOperator(Matrix a) {
        this.a = a;
    }

    @Override
    public long size() {
        return a.rows();
    }

    @Override
    public void apply(Vector x, Vector y) {
        applies++;
        CpuBackend.get().gemv(Backend.Trans.NO, 1.0, a, x, 0.0, y);
    }

    @Override
    public void assemble(Matrix view, DoubleConsumer progress) {
        for (long j = 0; j < a.cols(); j++) {
            CpuBackend.get().copy(a.column(j), view.column(j));
        }
        progress.accept(1.0);
    }
}
