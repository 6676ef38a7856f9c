package org.gdml4j.nativ;

/**
 * A native library could not be found, loaded or used. The message is meant for the user as it stands:
 * it says what was looked for, where, and how to point gdml4j at another library.
 */
public final class NativeLibraryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NativeLibraryException(String message) {
        super(message);
    }

    public NativeLibraryException(String message, Throwable cause) {
        super(message, cause);
    }
}
