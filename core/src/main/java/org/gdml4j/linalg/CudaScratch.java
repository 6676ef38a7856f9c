package org.gdml4j.linalg;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.gdml4j.nativ.cuda.generated.Cuda;

/**
 * The small buffers behind {@link CudaBackend}'s operations: device memory for reduction partials, results, uploaded
 * indices and cuSOLVER's work, and host staging memory for transfers (native calls cannot read Java arrays). Each grows
 * to the largest request and is kept; callers use one buffer at a time per operation under the backend's lock, and
 * the stream orders the device work that reads them. Freed by {@link #close}.
 */
final class CudaScratch implements AutoCloseable {
    private final CudaDevice device;
    private final DeviceAllocator allocator;
    private final Arena arena = Arena.ofShared();
    private MemorySegment partials = MemorySegment.NULL;
    private MemorySegment results = MemorySegment.NULL;
    private MemorySegment indices = MemorySegment.NULL;
    private MemorySegment work = MemorySegment.NULL;
    private MemorySegment staging = MemorySegment.NULL;
    private final Arena stagingArena = Arena.ofShared();

    CudaScratch(CudaDevice device, DeviceAllocator allocator) {
        this.device = device;
        this.allocator = allocator;
    }

    /** At least {@code doubles} doubles of device memory for partial results. */
    synchronized MemorySegment partials(long doubles) {
        partials = grow(partials, 8 * doubles, "reduction partials");
        return partials;
    }

    /** At least {@code doubles} doubles of device memory for results to download. */
    synchronized MemorySegment results(long doubles) {
        results = grow(results, 8 * doubles, "reduction results");
        return results;
    }

    /** At least {@code bytes} of device work memory (cuSOLVER's workspace and its info word). */
    synchronized MemorySegment work(long bytes) {
        work = grow(work, bytes, "solver workspace");
        return work;
    }

    /** The first {@code count} of {@code values} uploaded as 64-bit integers; the device copy is returned. */
    synchronized MemorySegment indices(long[] values, int count) {
        indices = grow(indices, 8L * count, "indices");
        MemorySegment host = staging(8L * count);
        MemorySegment.copy(values, 0, host, ValueLayout.JAVA_LONG, 0, count);
        copy(indices, host, 8L * count, Cuda.cudaMemcpyHostToDevice());
        return indices;
    }

    /** {@code count} doubles from device memory (after all queued work). */
    synchronized double[] download(MemorySegment src, int count) {
        MemorySegment host = staging(8L * count);
        copy(host, src, 8L * count, Cuda.cudaMemcpyDeviceToHost());
        double[] out = new double[count];
        MemorySegment.copy(host, ValueLayout.JAVA_DOUBLE, 0, out, 0, count);
        return out;
    }

    /** One 32-bit integer from device memory (after all queued work): cuSOLVER's info word. */
    synchronized int downloadInt(MemorySegment src) {
        MemorySegment host = staging(4);
        copy(host, src, 4, Cuda.cudaMemcpyDeviceToHost());
        return host.get(ValueLayout.JAVA_INT, 0);
    }

    /** Host staging memory of at least {@code bytes} (reused: valid until the next call). */
    synchronized MemorySegment staging(long bytes) {
        if (staging.byteSize() < bytes) {
            staging = stagingArena.allocate(Math.max(bytes, 2 * staging.byteSize()), 64);
        }
        return staging.asSlice(0, bytes);
    }

    /** A synchronous copy on the device's stream (a download returns when the data is on the host). */
    void copy(MemorySegment dst, MemorySegment src, long bytes, int kind) {
        if (bytes == 0) {
            return;
        }
        device.makeCurrent();
        CudaDevice.check(Cuda.cudaMemcpyAsync(dst, src, bytes, kind, device.stream()), "cudaMemcpyAsync");
        device.synchronize();
    }

    private MemorySegment grow(MemorySegment current, long bytes, String what) {
        if (current.byteSize() >= bytes) {
            return current;
        }
        // the old buffer may still be read by queued work: keep it until close (scratch only grows a few times)
        MemorySegment seg = allocator.allocate(Math.max(bytes, 2 * current.byteSize()), false, arena);
        if (seg == null) {
            throw new InsufficientMemoryException(what + ": the device refused " + MemoryBudget.formatBytes(bytes), bytes, 0);
        }
        return seg;
    }

    @Override
    public synchronized void close() {
        device.synchronize();
        arena.close();
        stagingArena.close();
    }
}
