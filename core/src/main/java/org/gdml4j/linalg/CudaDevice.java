package org.gdml4j.linalg;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;

import org.gdml4j.nativ.CudaStatus;
import org.gdml4j.nativ.NativeLibraries;
import org.gdml4j.nativ.NativeLibraryException;
import org.gdml4j.nativ.cuda.generated.Cuda;

/**
 * One GPU as {@link CudaBackend} uses it: the device's primary context, one stream, one cuBLAS and one cuSOLVER handle
 * bound to that stream, and gdml4j's own kernels (the PTX resource {@value #PTX}, compiled from
 * {@code core/src/main/cuda}) loaded with the driver API. Everything runs in order on the one stream, so a download
 * after a sequence of operations sees all of them. Handles are released by {@link #close}.
 */
final class CudaDevice implements AutoCloseable {
    /** The PTX resource: {@code core/src/main/cuda/*.cu}, compiled by {@code core/src/main/cuda/compile-ptx.sh}. */
    static final String PTX = "/org/gdml4j/linalg/cuda/gdml4j.ptx";

    private final int ordinal;
    private final String name;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment stream;
    private final MemorySegment cublas;
    private final MemorySegment cusolver;
    private final MemorySegment module;
    private final Map<String, MemorySegment> functions = new HashMap<>();
    /** Whether the calling thread has made this device current (runtime and driver calls act on the current one). */
    private final ThreadLocal<Boolean> current = ThreadLocal.withInitial(() -> false);
    private boolean closed;

    private CudaDevice(int ordinal) {
        this.ordinal = ordinal;
        makeCurrent();
        check(Cuda.cudaFree(MemorySegment.NULL), "cudaFree(0) (creating the context)");
        this.name = deviceName(ordinal);
        MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
        check(Cuda.cudaStreamCreate(out), "cudaStreamCreate");
        this.stream = out.get(ValueLayout.ADDRESS, 0);
        cublasCheck(Cuda.cublasCreate_v2(out), "cublasCreate");
        this.cublas = out.get(ValueLayout.ADDRESS, 0);
        cublasCheck(Cuda.cublasSetStream_v2(cublas, stream), "cublasSetStream");
        cublasCheck(Cuda.cublasSetPointerMode_v2(cublas, Cuda.CUBLAS_POINTER_MODE_HOST()), "cublasSetPointerMode");
        solverCheck(Cuda.cusolverDnCreate(out), "cusolverDnCreate");
        this.cusolver = out.get(ValueLayout.ADDRESS, 0);
        solverCheck(Cuda.cusolverDnSetStream(cusolver, stream), "cusolverDnSetStream");
        byte[] ptx = ptx();
        MemorySegment image = arena.allocate(ptx.length + 1L);
        MemorySegment.copy(ptx, 0, image, ValueLayout.JAVA_BYTE, 0, ptx.length); // NUL-terminated: the driver reads text
        driverCheck(Cuda.cuModuleLoadData(out, image), "cuModuleLoadData (gdml4j's PTX)");
        this.module = out.get(ValueLayout.ADDRESS, 0);
        CudaOps.KERNELS.forEach(this::function); // a PTX that lacks one fails here, not in the middle of a solve
    }

    /**
     * GPU {@code ordinal}, ready to compute; a missing library, driver or GPU is a {@link NativeLibraryException} that
     * says what is missing ({@link #requireUsable}).
     */
    static CudaDevice open(int ordinal) {
        requireUsable(ordinal, "--device");
        return new CudaDevice(ordinal);
    }

    /**
     * Refuses GPU {@code ordinal} where it cannot be used: the CUDA libraries, driver or device are missing, or the
     * machine has fewer GPUs. One message for every caller, naming the setting {@code option} (e.g. {@code --device}).
     */
    static void requireUsable(int ordinal, String option) {
        CudaStatus status = NativeLibraries.cuda();
        String device = option + " cuda:" + ordinal + ": ";
        if (!status.available()) {
            throw new NativeLibraryException(device + status.reason() + "; use " + option + " cpu");
        }
        if (ordinal >= status.deviceCount()) {
            throw new NativeLibraryException(device + "this machine has " + status.deviceCount() + " GPU(s), cuda:0 to cuda:"
                    + (status.deviceCount() - 1));
        }
    }

    /** The PTX text of gdml4j's kernels. */
    static byte[] ptx() {
        try (InputStream in = CudaDevice.class.getResourceAsStream(PTX)) {
            if (in == null) {
                throw new NativeLibraryException("this build lacks its CUDA kernels (resource " + PTX + ")");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new NativeLibraryException("cannot read the CUDA kernels (" + PTX + "): " + e.getMessage());
        }
    }

    int ordinal() {
        return ordinal;
    }

    String name() {
        return name;
    }

    MemorySegment stream() {
        return stream;
    }

    /** The cuBLAS handle, with this device current on the calling thread. */
    MemorySegment cublas() {
        makeCurrent();
        return cublas;
    }

    /** The cuSOLVER handle, with this device current on the calling thread. */
    MemorySegment cusolver() {
        makeCurrent();
        return cusolver;
    }

    /** A kernel of gdml4j's PTX by name (looked up once). */
    synchronized MemorySegment function(String kernel) {
        return functions.computeIfAbsent(kernel, k -> {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment out = a.allocate(ValueLayout.ADDRESS);
                driverCheck(Cuda.cuModuleGetFunction(out, module, a.allocateFrom(k)), "cuModuleGetFunction " + k);
                return out.get(ValueLayout.ADDRESS, 0);
            }
        });
    }

    /** Makes this device current on the calling thread (once per thread: worker threads call in too). */
    void makeCurrent() {
        if (!current.get()) {
            check(Cuda.cudaSetDevice(ordinal), "cudaSetDevice " + ordinal);
            current.set(true);
        }
    }

    /** "driver 13.0, runtime 13.0", for {@code gdml4j info}. */
    String versions() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(ValueLayout.JAVA_INT);
            check(Cuda.cudaDriverGetVersion(v), "cudaDriverGetVersion");
            int driver = v.get(ValueLayout.JAVA_INT, 0);
            check(Cuda.cudaRuntimeGetVersion(v), "cudaRuntimeGetVersion");
            int runtime = v.get(ValueLayout.JAVA_INT, 0);
            return "driver " + driver / 1000 + "." + driver % 1000 / 10 + ", runtime " + runtime / 1000 + "." + runtime % 1000 / 10;
        }
    }

    /** Waits for everything queued on the stream. */
    void synchronize() {
        makeCurrent();
        check(Cuda.cudaStreamSynchronize(stream), "cudaStreamSynchronize");
    }

    /** Free and total memory of the device, in bytes. */
    long[] memoryInfo() {
        makeCurrent();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment free = a.allocate(ValueLayout.JAVA_LONG);
            MemorySegment total = a.allocate(ValueLayout.JAVA_LONG);
            check(Cuda.cudaMemGetInfo(free, total), "cudaMemGetInfo");
            return new long[] {free.get(ValueLayout.JAVA_LONG, 0), total.get(ValueLayout.JAVA_LONG, 0)};
        }
    }

    private static String deviceName(int ordinal) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment dev = a.allocate(ValueLayout.JAVA_INT);
            driverCheck(Cuda.cuInit(0), "cuInit");
            driverCheck(Cuda.cuDeviceGet(dev, ordinal), "cuDeviceGet");
            MemorySegment text = a.allocate(256);
            driverCheck(Cuda.cuDeviceGetName(text, 256, dev.get(ValueLayout.JAVA_INT, 0)), "cuDeviceGetName");
            return text.getString(0);
        }
    }

    /** A CUDA runtime call's status: 0, or a {@link CudaException} naming the call and the error. */
    static void check(int rc, String call) {
        if (rc != 0) {
            String msg = Cuda.cudaGetErrorString(rc).reinterpret(512).getString(0);
            throw new CudaException(call + " failed: " + msg + " (cudaError " + rc + ")");
        }
    }

    static void driverCheck(int rc, String call) {
        if (rc != 0) {
            String msg;
            try (Arena a = Arena.ofConfined()) {
                MemorySegment p = a.allocate(ValueLayout.ADDRESS);
                msg = Cuda.cuGetErrorString(rc, p) == 0 ? p.get(ValueLayout.ADDRESS, 0).reinterpret(512).getString(0) : "unknown";
            }
            throw new CudaException(call + " failed: " + msg + " (CUresult " + rc + ")");
        }
    }

    static void cublasCheck(int rc, String call) {
        if (rc != 0) {
            throw new CudaException(call + " failed: cublasStatus " + rc);
        }
    }

    static void solverCheck(int rc, String call) {
        if (rc != 0) {
            throw new CudaException(call + " failed: cusolverStatus " + rc);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        makeCurrent();
        Cuda.cudaStreamSynchronize(stream);
        Cuda.cuModuleUnload(module);
        Cuda.cusolverDnDestroy(cusolver);
        Cuda.cublasDestroy_v2(cublas);
        Cuda.cudaStreamDestroy(stream);
        arena.close();
    }

    /**
     * A CUDA call failed after the device was opened, reported with the call's name. Not a missing library (that is a
     * {@link NativeLibraryException} from {@link #open}); running out of device memory is an
     * {@link InsufficientMemoryException} from the allocation.
     */
    static final class CudaException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CudaException(String message) {
            super(message);
        }
    }
}
