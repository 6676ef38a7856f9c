package org.gdml4j.nativ;

import java.nio.file.Path;
import java.util.List;

/**
 * Whether a CUDA GPU can be used, and if not, why (for messages, {@code gdml4j info} and test skips).
 *
 * @param available   libraries loaded and at least one device answered
 * @param reason      why not, or a one-line description of what was found
 * @param deviceCount devices reported by {@code cudaGetDeviceCount} (0 when unknown)
 * @param loaded      library files loaded
 */
public record CudaStatus(boolean available, String reason, int deviceCount, List<Path> loaded) {
}
