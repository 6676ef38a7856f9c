package org.gdml4j.linalg;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Where the memory of a {@link Matrix} or {@link Vector} lives. {@link #HOST} memory is the process's own: any code
 * may read and write it. Other spaces belong to one backend (a GPU, or the test suite's host-less backend): host
 * code that touches their elements ({@code get}, {@code set}, {@code segment}) gets a {@link HostAccessException},
 * and data crosses only through the backend's counted {@code upload}/{@code download}. Only the {@link Owner} of a
 * space, kept private by its backend, can reach the raw memory behind it.
 */
public final class MemorySpace {
    /** The process's own memory. */
    public static final MemorySpace HOST = new MemorySpace("host");

    private final String name;

    private MemorySpace(String name) {
        this.name = Objects.requireNonNull(name);
    }

    /** A new space that host code may not touch; the caller (a backend) keeps the returned owner to itself. */
    public static Owner create(String name) {
        return new Owner(new MemorySpace(name));
    }

    public String name() {
        return name;
    }

    /** Whether host code may access elements directly. */
    public boolean hostAccessible() {
        return this == HOST;
    }

    @Override
    public String toString() {
        return name;
    }

    /** The key to a non-host space: makes views in it and unwraps them again (for the backend that owns it). */
    public static final class Owner {
        private final MemorySpace space;

        private Owner(MemorySpace space) {
            this.space = space;
        }

        public MemorySpace space() {
            return space;
        }

        /** The raw memory of a matrix of this space. */
        public MemorySegment segment(Matrix m) {
            check(m.space(), m);
            return m.rawSegment();
        }

        /** The raw memory of a vector of this space. */
        public MemorySegment segment(Vector v) {
            check(v.space(), v);
            return v.rawSegment();
        }

        /** A view of {@code segment} in this space. */
        public Matrix matrix(MemorySegment segment, long rows, long cols, long ld, Precision precision) {
            return new Matrix(segment, rows, cols, ld, precision, space);
        }

        /** A strided view of {@code segment} in this space. */
        public Vector vector(MemorySegment segment, long length, long inc, Precision precision) {
            return new Vector(segment, length, inc, precision, space);
        }

        private void check(MemorySpace s, Object what) {
            if (s != space) {
                throw new IllegalArgumentException(what + " lives in " + s + " memory, not in " + space);
            }
        }
    }
}
