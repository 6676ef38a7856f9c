package org.gdml4j.precond;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.DoubleConsumer;

import org.gdml4j.error.NumericalFailureException;
import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.CpuBackend;
import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Vector;
import org.gdml4j.solve.Progress;
import org.junit.jupiter.api.Test;

/**
 * A factorisation that cannot succeed on the given matrix is a {@link NumericalFailureException} that says what failed
 * and what to try (the tool reports it as one line, exit 1), not an internal error.
 */
class NumericalFailureTest {
    /** −I in blocks of 3: every diagonal block is negative definite, so no λ ≥ 0 below 1 makes it factorable. */
    private static ColumnSource negativeIdentity(int n) {
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
                throw new UnsupportedOperationException();
            }

            @Override
            public void diagonal(Vector out) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void diagonalBlock(int molecule, Matrix out) {
                for (int c = 0; c < 3; c++) {
                    for (int r = 0; r < 3; r++) {
                        out.set(r, c, r == c ? -1.0 : 0.0);
                    }
                }
            }

            @Override
            public void assemble(Matrix view, DoubleConsumer progress) {
                throw new UnsupportedOperationException();
            }
        };
    }

    @Test
    void aJacobiBlockThatIsNotPositiveDefiniteIsANumericalFailureWithAdvice() {
        Backend be = CpuBackend.get();
        NumericalFailureException e = assertThrows(NumericalFailureException.class,
                () -> BlockJacobi.molecules(be, negativeIdentity(12), 1e-10, Progress.NONE));
        assertTrue(e.getMessage().contains("not positive definite") && e.getMessage().contains("--lambda"), e.getMessage());
    }
}
