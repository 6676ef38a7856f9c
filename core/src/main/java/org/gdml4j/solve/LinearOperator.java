package org.gdml4j.solve;

import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Vector;

/**
 * A symmetric positive semidefinite operator A (n x n) the solvers work on; they add the regulariser λI
 * themselves. The solvers never know what A is (a force-field kernel, a test matrix, ...).
 */
public interface LinearOperator {
    /** n. */
    long size();

    /** y ← A x (x and y of length n, not aliased). */
    void apply(Vector x, Vector y);

    /**
     * Writes the dense A (both triangles) into {@code view} (n x n, FP64), reporting progress as a fraction
     * in [0, 1]. Operators that cannot be formed throw {@link UnsupportedOperationException}.
     */
    default void assemble(Matrix view, java.util.function.DoubleConsumer progress) {
        throw new UnsupportedOperationException("this operator cannot be assembled densely");
    }
}
