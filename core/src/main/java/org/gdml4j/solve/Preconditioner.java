package org.gdml4j.solve;

import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.Vector;

/**
 * z ← P⁻¹ r for a symmetric positive definite P ≈ A + λI. What the solver needs of a preconditioner; how P is
 * built (which kernel columns, which factorisation) is the business of the {@code precond} package.
 */
public interface Preconditioner extends AutoCloseable {
    /** z ← P⁻¹ r (r and z of length n, not aliased; r is not modified). */
    void apply(Vector r, Vector z);

    /** One line for reports, e.g. "cholesky, k = 4,000 (fp64)". */
    String describe();

    /** Number of columns k of its low-rank part (0 when it has none). */
    default long rank() {
        return 0;
    }

    /** Bytes it holds. */
    default long bytes() {
        return 0;
    }

    @Override
    default void close() {
    }

    /** P = I (plain CG). */
    static Preconditioner identity(Backend be) {
        return new Preconditioner() {
            @Override
            public void apply(Vector r, Vector z) {
                be.copy(r, z);
            }

            @Override
            public String describe() {
                return "none";
            }
        };
    }
}
