package org.gdml4j.nativ;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.gdml4j.nativ.blas.generated.Blas;

/**
 * Finds and loads the native libraries once per process, and owns the one thread count that both
 * the BLAS library and gdml4j's own Java workers use (so the two never oversubscribe the cores).
 *
 * <p>BLAS/LAPACK: the library named by {@value #BLAS_PROPERTY} (system property) or {@value #BLAS_ENV}
 * (environment), a list of shared libraries separated by ':' and loaded in order (e.g. Debian's OpenBLAS
 * plus its LAPACKE, or {@code libmkl_rt.so}); otherwise the OpenBLAS that Maven bundles. Any library
 * exporting CBLAS and the Fortran LAPACK symbols works. Before the bundled OpenBLAS is loaded on a CPU with
 * AVX-512, {@code OPENBLAS_CORETYPE=SkylakeX} is put into the environment unless the user set it:
 * OpenBLAS's autodetection picks its AVX2 (Haswell) kernels on AMD Zen 4/5, and the AVX-512 ones nearly
 * double dgemm there (docs/native-notes.md §3).
 *
 * <p>The generated bindings ({@code org.gdml4j.nativ.*.generated}) resolve symbols through the class
 * loader's lookup, i.e. in whatever this class loaded; nothing else should call {@link System#load}.
 */
public final class NativeLibraries {
    public static final String BLAS_PROPERTY = "gdml4j.blas";
    public static final String BLAS_ENV = "GDML4J_BLAS";
    public static final String THREADS_PROPERTY = "gdml4j.threads";
    public static final String THREADS_ENV = "GDML4J_THREADS";
    public static final String CORETYPE_ENV = "OPENBLAS_CORETYPE";
    public static final String THREAD_TIMEOUT_ENV = "OPENBLAS_THREAD_TIMEOUT";
    /**
     * {@code auto}: leave the kernel choice to OpenBLAS's autodetection (for benchmarks comparing both);
     * any other value is used as {@code OPENBLAS_CORETYPE} unless the environment already sets one.
     */
    public static final String CORETYPE_PROPERTY = "gdml4j.openblas.coretype";
    static final String AVX512_CORETYPE = "SkylakeX";
    private static final String HOW_TO_CHOOSE = BLAS_ENV + " (or -D" + BLAS_PROPERTY + ")";

    /** Symbols every BLAS/LAPACK we accept must export. */
    static final List<String> REQUIRED_SYMBOLS = List.of("cblas_dgemm", "cblas_dgemv", "cblas_dsyrk", "cblas_dtrsm",
            "cblas_ddot", "cblas_daxpy", "cblas_dnrm2", "cblas_sgemv", "cblas_sgemm", "dpotrf_", "dpstrf_", "dsyevd_",
            "dgeqrf_", "dorgqr_", "dtrtrs_", "dgesdd_");

    private static BlasInfo blasInfo;
    private static NativeLibraryException blasFailure;
    private static CudaStatus cudaStatus;
    /** 0 until first asked for: a bad setting must surface as a message where it is used, not in class initialisation. */
    private static volatile int threads;

    private NativeLibraries() {
    }

    /** Loads the BLAS/LAPACK library on first call; later calls return the same result (or the same error). */
    public static synchronized BlasInfo blas() {
        if (blasInfo != null) {
            return blasInfo;
        }
        if (blasFailure != null) {
            throw blasFailure;
        }
        try {
            blasInfo = loadBlas();
            return blasInfo;
        } catch (NativeLibraryException e) {
            blasFailure = e;
            throw e;
        }
    }

    /**
     * Why loading BLAS/LAPACK failed in this process, if it did. A class whose static initialiser needed BLAS and
     * failed is reported by the JVM the next time only as {@code NoClassDefFoundError: Could not initialize class},
     * without the original exception; callers that must explain it to the user ask here.
     */
    public static synchronized Optional<NativeLibraryException> blasFailure() {
        return Optional.ofNullable(blasFailure);
    }

    /** The thread count shared by BLAS and gdml4j's workers. */
    public static int threads() {
        int t = threads;
        if (t == 0) {
            synchronized (NativeLibraries.class) {
                if (threads == 0) {
                    threads = defaultThreads();
                }
                t = threads;
            }
        }
        return t;
    }

    /**
     * Folders where gdml4j may keep per-user files between runs (the unpacked OpenBLAS, the machine's measured speed),
     * most preferred first: {@code gdml4j.native.cache}, else {@code $XDG_CACHE_HOME/gdml4j} or {@code ~/.cache/gdml4j},
     * then one under the temporary folder.
     */
    public static java.util.List<java.nio.file.Path> cacheFolders() {
        return BundledOpenBlas.cacheRoots();
    }

    /** Sets the shared thread count (the CLI's {@code --threads}); applies to BLAS at once if it is loaded. */
    public static synchronized void setThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("thread count must be at least 1, got " + n);
        }
        threads = n;
        if (blasInfo != null) {
            applyBlasThreads(n);
        }
    }

    /** Probes CUDA once (lazily: only when a GPU path asks). Never throws: an unusable GPU is a status. */
    public static synchronized CudaStatus cuda() {
        if (cudaStatus == null) {
            cudaStatus = CudaLoader.probe();
        }
        return cudaStatus;
    }

    static int defaultThreads() {
        String v = System.getProperty(THREADS_PROPERTY);
        if (v == null || v.isBlank()) {
            v = System.getenv(THREADS_ENV);
        }
        int cores = Runtime.getRuntime().availableProcessors();
        if (v == null || v.isBlank()) {
            return cores;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new NativeLibraryException("invalid thread count '" + v + "' in " + THREADS_PROPERTY + "/" + THREADS_ENV
                + ": expected an integer >= 1");
    }

    private static BlasInfo loadBlas() {
        String property = System.getProperty(BLAS_PROPERTY);
        boolean fromProperty = property != null && !property.isBlank();
        String user = fromProperty ? property : System.getenv(BLAS_ENV);
        String origin = fromProperty ? "-D" + BLAS_PROPERTY : BLAS_ENV;
        // Threads other BLAS builds read from the environment at load time; ours is applied after loading too.
        Posix.setenv("OMP_NUM_THREADS", Integer.toString(threads()), false);
        List<Path> files = new ArrayList<>();
        String source;
        String kernelNote;
        shortenThreadTimeout();
        boolean userSet = user != null && !user.isBlank();
        String setting = origin + "=" + user;
        if (userSet) {
            LibraryLocator locator = new LibraryLocator(LibraryLocator.systemDirs());
            for (String name : user.split(":")) {
                if (name.isBlank()) {
                    continue;
                }
                Path p = locator.find(name.trim()).orElseThrow(() -> new NativeLibraryException(
                        setting + ": " + locator.whyNotFound(name.trim()) + ". Set " + HOW_TO_CHOOSE + " to the path of an"
                                + " installed BLAS/LAPACK library (e.g. /usr/lib/x86_64-linux-gnu/libopenblas.so.0 or MKL's"
                                + " libmkl_rt.so), or unset it to use the OpenBLAS bundled with gdml4j."));
                load(p, "the BLAS/LAPACK library named by " + setting);
                files.add(p);
            }
            source = "user library (" + setting + ")";
            kernelNote = coretypeNote(false);
        } else {
            if (!BundledOpenBlas.present()) {
                throw new NativeLibraryException("no BLAS/LAPACK library: the bundled OpenBLAS (org.bytedeco:openblas,"
                        + " linux-x86_64) is not on the class path and " + BLAS_ENV + " is not set. Set " + BLAS_ENV
                        + "=/path/to/libopenblas.so.0 (or MKL's libmkl_rt.so) or run from the gdml4j jar.");
            }
            boolean chose = chooseAvx512Kernels();
            Path lib = extractBundled();
            load(lib, "the bundled OpenBLAS");
            files.add(lib);
            source = "bundled OpenBLAS " + BundledOpenBlas.version();
            kernelNote = coretypeNote(chose);
        }
        List<String> missing = new ArrayList<>();
        for (String s : REQUIRED_SYMBOLS) {
            if (symbol(s).isEmpty()) {
                missing.add(s);
            }
        }
        if (!missing.isEmpty()) {
            throw missingSymbols(userSet ? setting : null, files, missing);
        }
        applyBlasThreads(threads());
        String corename = null;
        String config = null;
        if (symbol("openblas_get_corename").isPresent()) {
            corename = Blas.openblas_get_corename().reinterpret(256).getString(0).trim();
            config = Blas.openblas_get_config().reinterpret(1024).getString(0).trim();
        }
        return new BlasInfo(source, List.copyOf(files), corename, config, kernelNote);
    }

    /**
     * The message for libraries that loaded but are not (all of) a BLAS/LAPACK, e.g. {@code GDML4J_BLAS=libz.so.1}: it
     * names the setting and the files, and lists the missing functions unless none is there at all (16 names say less
     * than "this is not a BLAS").
     *
     * @param setting {@code GDML4J_BLAS=...} (or the -D form) when the user chose the libraries, null for the bundled one
     */
    static NativeLibraryException missingSymbols(String setting, List<Path> files, List<String> missing) {
        String libs = String.join(":", files.stream().map(Path::toString).toList());
        String what = missing.size() == REQUIRED_SYMBOLS.size()
                ? " is not a BLAS/LAPACK library: it lacks every function gdml4j needs (such as cblas_dgemm and dpotrf_)"
                : " lacks part of BLAS/LAPACK: " + String.join(", ", missing);
        String fix = "; set " + HOW_TO_CHOOSE + " to a library with CBLAS and the Fortran LAPACK symbols (e.g."
                + " /usr/lib/x86_64-linux-gnu/libopenblas.so.0 or MKL's libmkl_rt.so)"
                + (setting != null ? ", or unset it to use the OpenBLAS bundled with gdml4j" : "");
        return new NativeLibraryException((setting != null ? setting + ": " : "the bundled OpenBLAS ") + libs + what + fix);
    }

    /**
     * Puts {@code OPENBLAS_CORETYPE=SkylakeX} into the process environment when the CPU has AVX-512 and the
     * user has not chosen a kernel type. Returns whether it did.
     */
    static boolean chooseAvx512Kernels() {
        String prop = System.getProperty(CORETYPE_PROPERTY);
        if (Posix.getenv(CORETYPE_ENV) != null || "auto".equalsIgnoreCase(prop)) {
            return false;
        }
        if (prop != null && !prop.isBlank()) {
            Posix.setenv(CORETYPE_ENV, prop.trim(), false);
            return false;
        }
        if (!CpuFeatures.current().hasAvx512()) {
            return false;
        }
        Posix.setenv(CORETYPE_ENV, AVX512_CORETYPE, false);
        return true;
    }

    /**
     * Puts {@code OPENBLAS_THREAD_TIMEOUT=4} into the process environment unless the user set it. OpenBLAS's idle
     * workers spin for 2^28 cycles (≈ 0.1 s) after each call by default, taking a core from gdml4j's own Java threads
     * (kernel and mixed-precision loops) that run between BLAS calls; with 2^4 they sleep at once. On aspirin M = 500
     * this made the FP32 preconditioner apply 0.79x as long and left the FP64 solve unchanged (perf/README.md).
     * Other BLAS libraries ignore the variable.
     */
    static void shortenThreadTimeout() {
        if (Posix.getenv(THREAD_TIMEOUT_ENV) == null) {
            Posix.setenv(THREAD_TIMEOUT_ENV, "4", false);
        }
    }

    private static String coretypeNote(boolean chose) {
        if (chose) {
            return "chosen by gdml4j: the CPU has AVX-512";
        }
        String user = Posix.getenv(CORETYPE_ENV);
        if (user != null) {
            return "set by the user: " + CORETYPE_ENV + "=" + user;
        }
        return CpuFeatures.current().hasAvx512() ? "autodetected" : "autodetected; the CPU has no AVX-512";
    }

    private static Path extractBundled() {
        List<String> errors = new ArrayList<>();
        for (Path root : BundledOpenBlas.cacheRoots()) {
            try {
                return BundledOpenBlas.extract(root);
            } catch (IOException | SecurityException e) {
                errors.add(root + ": " + e.getMessage());
            }
        }
        throw new NativeLibraryException("cannot unpack the bundled OpenBLAS into a cache folder (" + String.join("; ", errors)
                + "). Set -Dgdml4j.native.cache=/a/writable/folder, or " + BLAS_ENV + " to an installed BLAS/LAPACK.");
    }

    static void load(Path p, String what) {
        try {
            System.load(p.toAbsolutePath().toString());
        } catch (UnsatisfiedLinkError | SecurityException e) {
            throw new NativeLibraryException("cannot load " + what + " from " + p + ": " + e.getMessage()
                    + ". Point " + BLAS_ENV + " (or -D" + BLAS_PROPERTY + ") at a working CBLAS+LAPACK shared library.", e);
        }
    }

    /** A symbol in the libraries loaded so far (or the C library). */
    static Optional<MemorySegment> symbol(String name) {
        return SymbolLookup.loaderLookup().or(Linker.nativeLinker().defaultLookup()).find(name);
    }

    /** OpenBLAS, MKL and BLIS each have their own thread setter; a library without one keeps OMP_NUM_THREADS. */
    private static void applyBlasThreads(int n) {
        Linker linker = Linker.nativeLinker();
        try {
            Optional<MemorySegment> openblas = symbol("openblas_set_num_threads");
            if (openblas.isPresent()) {
                Blas.openblas_set_num_threads(n);
                return;
            }
            Optional<MemorySegment> mkl = symbol("MKL_Set_Num_Threads");
            if (mkl.isPresent()) {
                MethodHandle h = linker.downcallHandle(mkl.get(), FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT));
                h.invokeExact(n);
                return;
            }
            Optional<MemorySegment> blis = symbol("bli_thread_set_num_threads");
            if (blis.isPresent()) {
                MethodHandle h = linker.downcallHandle(blis.get(), FunctionDescriptor.ofVoid(ValueLayout.JAVA_LONG));
                h.invokeExact((long) n);
            }
        } catch (Throwable t) {
            throw new NativeLibraryException("cannot set the BLAS thread count to " + n + ": " + t, t);
        }
    }

    /** For tests: the current process environment value of a variable (not the JVM's startup copy). */
    static String processEnv(String name) {
        return Posix.getenv(name);
    }
}
