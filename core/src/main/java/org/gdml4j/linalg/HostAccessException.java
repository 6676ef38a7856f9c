package org.gdml4j.linalg;

/**
 * Host code touched the elements of memory that lives elsewhere (a device, or the test suite's host-less backend):
 * a bug in gdml4j, never the user's input. Data reaches the host only through a backend's upload and download.
 */
public final class HostAccessException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    HostAccessException(Object what, MemorySpace space) {
        super(what + " lives in " + space + " memory: host code may not access its elements (use the backend's download)");
    }
}
