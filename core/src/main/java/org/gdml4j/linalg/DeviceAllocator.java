package org.gdml4j.linalg;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * How a device backend gets its memory (e.g. cudaMalloc and cudaMemset, freed by cudaFree). The segment returned
 * stands for the device allocation (its address and size); the host never dereferences it, which the workspace's
 * {@link MemorySpace} enforces. Its lifetime is tied to {@code arena}: the allocator attaches the free as the
 * segment's clean-up ({@code MemorySegment.reinterpret(size, arena, cleanup)}), so closing the workspace frees it.
 */
@FunctionalInterface
public interface DeviceAllocator {
    /**
     * {@code bytes} of device memory, zero-filled when {@code zeroed}; null when the device refuses (the workspace
     * then reports the shortage with the budget's numbers).
     */
    MemorySegment allocate(long bytes, boolean zeroed, Arena arena);
}
