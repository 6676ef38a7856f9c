package org.gdml4j.linalg;

/** A planned allocation does not fit the memory really available; the message names both numbers. */
public final class InsufficientMemoryException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final long needed;
    private final long available;

    public InsufficientMemoryException(String message, long needed, long available) {
        super(message);
        this.needed = needed;
        this.available = available;
    }

    public long needed() {
        return needed;
    }

    public long available() {
        return available;
    }
}
