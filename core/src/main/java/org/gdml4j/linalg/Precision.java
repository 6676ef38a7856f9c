package org.gdml4j.linalg;

import java.lang.foreign.ValueLayout;

/** Element type of off-heap storage. Vectors of solvers stay {@link #FP64}; a factor may be stored {@link #FP32}. */
public enum Precision {
    FP64(8, ValueLayout.JAVA_DOUBLE_UNALIGNED),
    FP32(4, ValueLayout.JAVA_FLOAT_UNALIGNED);

    private final int bytes;
    private final ValueLayout layout;

    Precision(int bytes, ValueLayout layout) {
        this.bytes = bytes;
        this.layout = layout;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    ValueLayout layout() {
        return layout;
    }
}
