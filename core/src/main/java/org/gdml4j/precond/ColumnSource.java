package org.gdml4j.precond;

import java.util.function.DoubleConsumer;

import org.gdml4j.kernel.KernelOperator;
import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Vector;

/**
 * What the preconditioners need of the kernel: its size, columns written straight into a caller's view, its
 * diagonal, the diagonal blocks of single molecules, and (for the dense reference methods) the whole matrix.
 */
public interface ColumnSource {
    long size();

    /** Rows/columns per training molecule (3N); the matrix is molecule-major. */
    int blockSize();

    /** K[:, indices] into {@code view} (n x indices.length; indices sorted, distinct). */
    void columns(long[] indices, Matrix view);

    void diagonal(Vector out);

    /** K_ii (blockSize x blockSize) into {@code out}. */
    void diagonalBlock(int molecule, Matrix out);

    /** The dense K (n x n, both triangles). */
    void assemble(Matrix view, DoubleConsumer progress);

    static ColumnSource of(KernelOperator k) {
        return new ColumnSource() {
            @Override
            public long size() {
                return k.size();
            }

            @Override
            public int blockSize() {
                return k.blockSize();
            }

            @Override
            public void columns(long[] indices, Matrix view) {
                k.columns(indices, view);
            }

            @Override
            public void diagonal(Vector out) {
                k.diagonal(out);
            }

            @Override
            public void diagonalBlock(int molecule, Matrix out) {
                k.diagonalBlock(molecule, out);
            }

            @Override
            public void assemble(Matrix view, DoubleConsumer progress) {
                int m = (int) (k.size() / k.blockSize());
                k.assemble(view, done -> progress.accept((double) done / m));
            }
        };
    }
}
