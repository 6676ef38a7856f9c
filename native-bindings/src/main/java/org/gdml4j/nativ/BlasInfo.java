package org.gdml4j.nativ;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link NativeLibraries#blas()} loaded.
 *
 * @param source     where the library came from ("bundled OpenBLAS 0.3.31-1.5.13" or the user's setting)
 * @param files      the files loaded, in order
 * @param corename   OpenBLAS's active kernel type ({@code openblas_get_corename()}), or null for another BLAS
 * @param config     OpenBLAS's build configuration ({@code openblas_get_config()}), or null
 * @param kernelNote how the kernel type was chosen (by us for AVX-512, by the user, or autodetected)
 */
public record BlasInfo(String source, List<Path> files, String corename, String config, String kernelNote) {

    public boolean isOpenBlas() {
        return corename != null;
    }

    /** One line for logs and {@code gdml4j info}. */
    public String describe() {
        String kernels = corename == null ? "" : ", kernels " + corename + " (" + kernelNote + ")";
        return source + kernels + ", " + NativeLibraries.threads() + " threads";
    }
}
