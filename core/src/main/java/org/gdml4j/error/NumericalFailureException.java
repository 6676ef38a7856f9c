package org.gdml4j.error;

/**
 * A numerical step could not finish on this problem: a factorisation that must be positive definite is not, or an
 * eigendecomposition did not converge. Not a bug in gdml4j and not a malformed input, but a property of the data and
 * the parameters together (near-duplicate geometries with a tiny λ, a σ far from the data's scale): the message says
 * what failed and what to try. The command-line tool prints it as one line and exits with status 1.
 */
public class NumericalFailureException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What to try, appended to every message: the changes that make the failing matrices better conditioned. */
    public static final String ADVICE = "try a larger --lambda, another --sigma, or another --precond";

    public NumericalFailureException(String what) {
        super(what + "; " + ADVICE);
    }
}
