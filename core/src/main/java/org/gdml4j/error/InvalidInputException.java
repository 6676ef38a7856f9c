package org.gdml4j.error;

/**
 * A problem the user caused and can fix: a bad file, dataset, task or model, an option or parameter out of range
 * (σ, λ, rtol, k, a memory size, ...), files that do not belong together. The message is meant for the user and
 * names what is wrong; the command-line tool prints it as one line and exits with status 2.
 *
 * <p>A plain {@link IllegalArgumentException} is kept for internal contracts (matrix shapes, views, indices) that
 * only a bug in gdml4j can break: the tool reports those as internal errors. This class extends it so that callers
 * catching {@code IllegalArgumentException} see both.
 */
public class InvalidInputException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
