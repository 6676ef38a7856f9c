package org.gdml4j.io;

/**
 * The one error type of the {@code org.gdml4j.io} package: a file that cannot be read, validated or written.
 *
 * <p>The message is meant for the user of the command-line tool, so it always names the file (or the in-memory
 * object), the key where relevant, and the problem, e.g. {@code "model.npz: key 'R_desc': unsupported dtype '<c16'"}.
 * It is unchecked because callers can rarely do more than report it, and because lambdas over arrays would
 * otherwise need wrapping everywhere.
 */
public class SgdmlFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SgdmlFormatException(String message) {
        super(message);
    }

    public SgdmlFormatException(String message, Throwable cause) {
        super(message, cause);
    }

    /** {@code "<where>: <problem>"}, where {@code where} is typically {@code "file.npz: key 'R'"}. */
    static SgdmlFormatException at(String where, String problem) {
        return new SgdmlFormatException(where + ": " + problem);
    }

    /** {@code "<file>: key '<key>': <problem>"}. */
    static String where(Object file, String key) {
        return file + ": key '" + key + "'";
    }
}
