package org.gdml4j.linalg;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The one owner of a group of off-heap buffers: an {@link Arena} plus the accounting of
 * {@link MemoryBudget}. Everything allocated here is freed together when the workspace is closed, so the
 * lifetime of a factor, a kernel cache or a solver's vectors is visible in a try-with-resources block.
 * Allocations are zero-filled and 64-byte aligned (whole cache lines, aligned SIMD loads).
 *
 * <p>Confined workspaces may only be used by the thread that opened them; pass {@code shared = true} when
 * worker threads fill the memory (kernel columns, parallel element-wise passes).
 */
public final class Workspace implements AutoCloseable {
    private static final long ALIGN = 64;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle ALIGNED_ALLOC = LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow("aligned_alloc"),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
    private static final MethodHandle FREE = LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow("free"),
            FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
    private final Arena arena;
    /** Null for host memory; else the key of the space the views are made in. */
    private final MemorySpace.Owner owner;
    private final MemoryBudget budget;
    /** Null: host memory from the arena; else a device backend's allocator. */
    private final DeviceAllocator device;
    private long bytes;
    private boolean closed;

    private Workspace(Arena arena, MemorySpace.Owner owner, MemoryBudget budget, DeviceAllocator device) {
        this.arena = arena;
        this.owner = owner;
        this.budget = java.util.Objects.requireNonNull(budget);
        this.device = device;
    }

    /** A host workspace outside any backend ({@link MemoryBudget#unmanaged()}) whose memory worker threads may use. */
    public static Workspace shared() {
        return new Workspace(Arena.ofShared(), null, MemoryBudget.unmanaged(), null);
    }

    /** A host workspace accounted to {@code budget} (a backend's). */
    public static Workspace shared(MemoryBudget budget) {
        return new Workspace(Arena.ofShared(), null, budget, null);
    }

    /**
     * A shared workspace whose matrices and vectors are views in the space of {@code owner} (memory the CPU can
     * address, e.g. the test suite's host-less backend): host code cannot touch their elements.
     */
    public static Workspace shared(MemorySpace.Owner owner, MemoryBudget budget) {
        return new Workspace(Arena.ofShared(), java.util.Objects.requireNonNull(owner), budget, null);
    }

    /**
     * A workspace of a device backend: memory from {@code allocator}, views in the space of {@code owner} (the host
     * cannot touch them), counted against {@code budget} (the device's), all freed when the workspace closes.
     */
    public static Workspace device(MemorySpace.Owner owner, MemoryBudget budget, DeviceAllocator allocator) {
        return new Workspace(Arena.ofShared(), java.util.Objects.requireNonNull(owner), budget,
                java.util.Objects.requireNonNull(allocator));
    }

    /** A workspace for the opening thread only (cheaper to close). */
    public static Workspace confined() {
        return new Workspace(Arena.ofConfined(), null, MemoryBudget.unmanaged(), null);
    }

    /** Where this workspace's matrices and vectors live. */
    public MemorySpace space() {
        return owner == null ? MemorySpace.HOST : owner.space();
    }

    private Matrix view(MemorySegment seg, long rows, long cols, Precision precision) {
        long ld = Math.max(1, rows);
        return owner == null ? new Matrix(seg, rows, cols, ld, precision) : owner.matrix(seg, rows, cols, ld, precision);
    }

    /** Raw zeroed memory, after checking the budget. {@code what} names it in an out-of-memory message. */
    public MemorySegment allocate(long byteSize, String what) {
        hostOnly();
        return zeroed(byteSize, what);
    }

    private void hostOnly() {
        if (owner != null) {
            throw new HostAccessException("raw memory of a workspace", owner.space());
        }
    }

    private synchronized MemorySegment zeroed(long byteSize, String what) {
        if (closed) {
            throw new IllegalStateException("workspace is closed");
        }
        if (byteSize < 0) {
            throw new IllegalArgumentException("negative size " + byteSize);
        }
        budget.require(byteSize, what);
        if (device != null) {
            return fromDevice(byteSize, true, what);
        }
        MemorySegment seg;
        try {
            seg = arena.allocate(Math.max(byteSize, 1), ALIGN);
        } catch (OutOfMemoryError e) {
            throw new InsufficientMemoryException(what + ": the system refused " + MemoryBudget.formatBytes(byteSize),
                    byteSize, budget.availableBytes());
        }
        bytes += byteSize;
        budget.acquired(byteSize);
        return seg.asSlice(0, byteSize);
    }

    /**
     * Memory that is not zero-filled, for buffers the caller overwrites completely before reading (a dense kernel
     * matrix): filling gigabytes with zeros first costs seconds. It is still owned by this workspace's arena
     * and freed when the workspace closes.
     */
    public MemorySegment allocateUninitialized(long byteSize, String what) {
        hostOnly();
        return uninitialized(byteSize, what);
    }

    private synchronized MemorySegment uninitialized(long byteSize, String what) {
        if (closed) {
            throw new IllegalStateException("workspace is closed");
        }
        budget.require(byteSize, what);
        if (device != null) {
            return fromDevice(byteSize, false, what);
        }
        long rounded = Math.max(ALIGN, (byteSize + ALIGN - 1) / ALIGN * ALIGN);
        MemorySegment raw;
        try {
            raw = (MemorySegment) ALIGNED_ALLOC.invokeExact(ALIGN, rounded);
        } catch (Throwable t) {
            throw new IllegalStateException("aligned_alloc failed", t);
        }
        if (raw.equals(MemorySegment.NULL)) {
            throw new InsufficientMemoryException(what + ": the system refused " + MemoryBudget.formatBytes(byteSize), byteSize,
                    budget.availableBytes());
        }
        MemorySegment seg = raw.reinterpret(byteSize, arena, Workspace::free);
        bytes += byteSize;
        budget.acquired(byteSize);
        return seg;
    }

    private MemorySegment fromDevice(long byteSize, boolean zeroed, String what) {
        MemorySegment seg = device.allocate(Math.max(byteSize, 1), zeroed, arena);
        if (seg == null) {
            throw new InsufficientMemoryException(what + ": the device refused " + MemoryBudget.formatBytes(byteSize), byteSize,
                    budget.availableBytes());
        }
        bytes += byteSize;
        budget.acquired(byteSize);
        return seg.asSlice(0, byteSize);
    }

    private static void free(MemorySegment s) {
        try {
            FREE.invokeExact(s);
        } catch (Throwable t) {
            throw new IllegalStateException("free failed", t);
        }
    }

    /** An uninitialised rows x cols column-major matrix (ld = rows); see {@link #allocateUninitialized}. */
    public Matrix uninitializedMatrix(long rows, long cols, Precision precision, String what) {
        long bytes = Math.multiplyExact(Math.multiplyExact(rows, cols), (long) precision.bytes());
        return view(uninitialized(bytes, what), rows, cols, precision);
    }

    /** A zeroed rows x cols column-major matrix (ld = rows). */
    public Matrix matrix(long rows, long cols, Precision precision, String what) {
        long elems = Math.multiplyExact(rows, cols);
        MemorySegment seg = zeroed(Math.multiplyExact(elems, (long) precision.bytes()), what);
        return view(seg, rows, cols, precision);
    }

    public Matrix matrix(long rows, long cols, String what) {
        return matrix(rows, cols, Precision.FP64, what);
    }

    /** A zeroed contiguous vector. */
    public Vector vector(long length, Precision precision, String what) {
        MemorySegment seg = zeroed(Math.multiplyExact(length, (long) precision.bytes()), what);
        return owner == null ? new Vector(seg, length, 1, precision) : owner.vector(seg, length, 1, precision);
    }

    public Vector vector(long length, String what) {
        return vector(length, Precision.FP64, what);
    }

    /** The budget this workspace's allocations count against. */
    public MemoryBudget budget() {
        return budget;
    }

    /** Bytes held by this workspace. */
    public synchronized long bytes() {
        return bytes;
    }

    /** The arena, for APIs that allocate on their own (e.g. reading an .npz entry straight into memory). */
    public Arena arena() {
        if (owner != null) {
            throw new HostAccessException("the arena of a workspace", owner.space());
        }
        return arena;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            arena.close();
            budget.released(bytes);
            bytes = 0;
        }
    }
}
