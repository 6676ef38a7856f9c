package org.gdml4j.linalg;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.gdml4j.nativ.cuda.generated.Cuda;

/**
 * Launches one of gdml4j's PTX kernels ({@code core/src/main/cuda}) on the device's stream: the arguments are packed
 * into a per-thread parameter block (every kernel argument takes one 8-byte slot; {@code int}s use its low half, which
 * is where a little-endian reader finds them) and handed to {@code cuLaunchKernel}. Nothing is allocated per launch.
 *
 * <pre>
 *   launch.start("axpby_d").i64(n).f64(alpha).ptr(x).i64(incx).f64(beta).ptr(y).i64(incy).over(n);
 * </pre>
 * Not thread-safe across threads sharing one builder: each thread gets its own ({@link ThreadLocal}).
 */
public final class CudaLaunch {
    /** Threads per block of every launch; the reduction kernels are written for exactly this many (RED_THREADS). */
    static final int THREADS = 256;
    /** The most blocks an element-wise launch uses; grid-stride loops cover the rest. */
    static final int MAX_BLOCKS = 8192;
    private static final int SLOTS = 24;

    private final CudaDevice device;
    private final MemorySpace.Owner owner;
    private final ThreadLocal<Params> params;

    CudaLaunch(CudaDevice device, MemorySpace.Owner owner) {
        this.device = device;
        this.owner = owner;
        this.params = ThreadLocal.withInitial(Params::new);
    }

    /** Starts the arguments of {@code kernel}. */
    Params start(String kernel) {
        Params p = params.get();
        p.kernel = kernel;
        p.count = 0;
        return p;
    }

    /** Blocks for {@code n} elements at {@link #THREADS} each, at least 1 and at most {@link #MAX_BLOCKS}. */
    static int blocksFor(long n) {
        return (int) Math.max(1, Math.min(MAX_BLOCKS, (n + THREADS - 1) / THREADS));
    }

    /** One thread's parameter block: the arguments in the kernel's order, then {@link #over} or {@link #grid}. */
    public final class Params {
        private final MemorySegment values = Arena.ofAuto().allocate(8L * SLOTS, 8);
        private final MemorySegment pointers = Arena.ofAuto().allocate(ValueLayout.ADDRESS, SLOTS);
        private String kernel;
        private int count;

        private Params() {
            for (int i = 0; i < SLOTS; i++) {
                pointers.setAtIndex(ValueLayout.ADDRESS, i, values.asSlice(8L * i, 8));
            }
        }

        public Params i64(long v) {
            values.set(ValueLayout.JAVA_LONG, 8L * next(), v);
            return this;
        }

        public Params i32(int v) {
            int slot = next();
            values.set(ValueLayout.JAVA_LONG, 8L * slot, 0L);
            values.set(ValueLayout.JAVA_INT, 8L * slot, v);
            return this;
        }

        public Params f64(double v) {
            values.set(ValueLayout.JAVA_DOUBLE, 8L * next(), v);
            return this;
        }

        /** A matrix of the backend's memory, by its device address (element (0, 0)). */
        public Params ptr(Matrix m) {
            return ptr(owner.segment(m));
        }

        /** A vector of the backend's memory, by its device address (element 0). */
        public Params ptr(Vector v) {
            return ptr(owner.segment(v));
        }

        /** A null pointer (an optional argument left out). */
        public Params nullPtr() {
            return ptr(MemorySegment.NULL);
        }

        /** A device pointer (the address of a segment of device memory, or NULL). */
        Params ptr(MemorySegment p) {
            values.set(ValueLayout.JAVA_LONG, 8L * next(), p.address());
            return this;
        }

        private int next() {
            if (count == SLOTS) {
                throw new IllegalStateException(kernel + ": more than " + SLOTS + " kernel arguments");
            }
            return count++;
        }

        /** Launches over {@code n} elements: a 1-D grid of {@link #blocksFor} blocks. */
        public void over(long n) {
            if (n > 0) {
                grid(blocksFor(n), 1);
            }
        }

        /** Launches a {@code gx} x {@code gy} grid of {@link #THREADS}-thread blocks. */
        public void grid(int gx, int gy) {
            MemorySegment f = device.function(kernel);
            device.makeCurrent();
            CudaDevice.driverCheck(Cuda.cuLaunchKernel(f, gx, gy, 1, THREADS, 1, 1, 0, device.stream(), pointers, MemorySegment.NULL),
                    "cuLaunchKernel " + kernel);
        }
    }
}
