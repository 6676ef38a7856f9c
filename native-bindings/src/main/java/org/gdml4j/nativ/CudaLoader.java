package org.gdml4j.nativ;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.gdml4j.nativ.cuda.generated.Cuda;

/**
 * Loads the CUDA runtime, driver, cuBLAS and cuSOLVER (CUDA 13 sonames) from a configurable search path,
 * only when a GPU path asks for them. Directories in {@value #PATH_PROPERTY} / {@value #PATH_ENV}
 * (':' separated) come first, then the usual toolkit and Python-wheel locations, then the system ones.
 */
final class CudaLoader {
    static final String PATH_PROPERTY = "gdml4j.cuda.path";
    static final String PATH_ENV = "GDML4J_CUDA_PATH";

    /** Loaded in this order; each entry lists accepted sonames. Dependencies of cuSOLVER come before it. */
    private static final List<List<String>> GPU_LIBRARIES = List.of(
            List.of("libcuda.so.1"),
            List.of("libcublasLt.so.13"),
            List.of("libcublas.so.13"),
            List.of("libnvJitLink.so.13"),
            List.of("libcusparse.so.12"),
            List.of("libcusolver.so.12", "libcusolver.so.11"));

    private CudaLoader() {
    }

    static CudaStatus probe() {
        List<Path> dirs = new ArrayList<>();
        String user = System.getProperty(PATH_PROPERTY);
        if (user == null || user.isBlank()) {
            user = System.getenv(PATH_ENV);
        }
        dirs.addAll(LibraryLocator.splitPathList(user));
        dirs.addAll(LibraryLocator.cudaDirs());
        dirs.addAll(LibraryLocator.systemDirs());
        LibraryLocator locator = new LibraryLocator(dirs);
        List<Path> loaded = new ArrayList<>();
        String hint = " (set " + PATH_ENV + " or -D" + PATH_PROPERTY + " to the folders holding the CUDA 13 libraries)";

        Optional<Path> cudart = locator.find("libcudart.so.13");
        if (cudart.isEmpty()) {
            return new CudaStatus(false, "no CUDA 13 runtime (libcudart.so.13) found" + hint, 0, loaded);
        }
        try {
            System.load(cudart.get().toString());
            loaded.add(cudart.get());
        } catch (UnsatisfiedLinkError e) {
            return new CudaStatus(false, "cannot load " + cudart.get() + ": " + e.getMessage(), 0, loaded);
        }
        int count;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.JAVA_INT);
            int rc = Cuda.cudaGetDeviceCount(out);
            if (rc != 0) {
                String msg = Cuda.cudaGetErrorString(rc).reinterpret(512).getString(0);
                return new CudaStatus(false, "no usable GPU: cudaGetDeviceCount returned " + rc + " (" + msg + ")", 0, loaded);
            }
            count = out.get(ValueLayout.JAVA_INT, 0);
        }
        if (count == 0) {
            return new CudaStatus(false, "no GPU: cudaGetDeviceCount found 0 devices", 0, loaded);
        }
        for (List<String> names : GPU_LIBRARIES) {
            Optional<Path> p = locator.findAny(names);
            if (p.isEmpty()) {
                return new CudaStatus(false, count + " GPU(s) present but " + names + " not found" + hint, count, loaded);
            }
            try {
                System.load(p.get().toString());
                loaded.add(p.get());
            } catch (UnsatisfiedLinkError e) {
                return new CudaStatus(false, "cannot load " + p.get() + ": " + e.getMessage(), count, loaded);
            }
        }
        return new CudaStatus(true, count + " GPU(s), CUDA libraries from " + loaded.get(0).getParent(), count, loaded);
    }
}
