package org.gdml4j.precond;

import java.util.Random;
import java.util.function.DoubleConsumer;

import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.Backend.Trans;
import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Vector;
import org.gdml4j.linalg.Workspace;

/** A dense SPD test matrix as a {@link ColumnSource}, for preconditioner tests that need no kernel. */
final class DenseColumns {
    private DenseColumns() {
    }

    /** K = A Aᵀ + 1e-3 I with A (n x 60) of decaying column scales: a numerically low-rank SPD matrix. */
    static ColumnSource of(Backend be, Workspace ws, int n, Random rnd) {
        int r = 60;
        Matrix a = ws.matrix(n, r, "A");
        for (int j = 0; j < r; j++) {
            double scale = Math.pow(10, -4.0 * j / r);
            for (int i = 0; i < n; i++) {
                a.set(i, j, scale * rnd.nextGaussian());
            }
        }
        Matrix k = ws.matrix(n, n, "K");
        be.gemm(Trans.NO, Trans.YES, 1.0, a, a, 0.0, k);
        for (int i = 0; i < n; i++) {
            k.set(i, i, k.get(i, i) + 1e-3);
        }
        return new ColumnSource() {
            @Override
            public long size() {
                return n;
            }

            @Override
            public int blockSize() {
                return 3;
            }

            @Override
            public void columns(long[] indices, Matrix view) {
                for (int c = 0; c < indices.length; c++) {
                    be.copy(k.column(indices[c]), view.column(c));
                }
            }

            @Override
            public void diagonal(Vector out) {
                for (int i = 0; i < n; i++) {
                    out.set(i, k.get(i, i));
                }
            }

            @Override
            public void diagonalBlock(int molecule, Matrix out) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void assemble(Matrix view, DoubleConsumer progress) {
                for (int j = 0; j < n; j++) {
                    be.copy(k.column(j), view.column(j));
                }
            }
        };
    }
}
