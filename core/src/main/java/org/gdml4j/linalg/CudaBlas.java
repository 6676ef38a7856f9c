package org.gdml4j.linalg;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.gdml4j.linalg.Backend.Diag;
import org.gdml4j.linalg.Backend.Side;
import org.gdml4j.linalg.Backend.Trans;
import org.gdml4j.linalg.Backend.Uplo;
import org.gdml4j.nativ.cuda.generated.Cuda;

/**
 * The cuBLAS and cuSOLVER calls of {@link CudaBackend}, on raw device pointers with shapes already checked. Scalars
 * (α, β, results) pass through a per-thread block of host memory (cuBLAS pointer mode "host"); cuSOLVER's workspace
 * and info word live in {@link CudaScratch}, and the info word is downloaded once per factorisation.
 */
final class CudaBlas {
    private final CudaDevice device;
    private final CudaScratch scratch;
    /** α, β and a result, per thread (cuBLAS reads them before the call returns; results need a sync). */
    private final ThreadLocal<MemorySegment> scalars = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(32, 8));

    CudaBlas(CudaDevice device, CudaScratch scratch) {
        this.device = device;
        this.scratch = scratch;
    }

    private MemorySegment alpha(double a, Precision p) {
        MemorySegment s = scalars.get();
        if (p == Precision.FP32) {
            s.set(ValueLayout.JAVA_FLOAT, 0, (float) a);
        } else {
            s.set(ValueLayout.JAVA_DOUBLE, 0, a);
        }
        return s.asSlice(0, 8);
    }

    private MemorySegment beta(double b, Precision p) {
        MemorySegment s = scalars.get();
        if (p == Precision.FP32) {
            s.set(ValueLayout.JAVA_FLOAT, 8, (float) b);
        } else {
            s.set(ValueLayout.JAVA_DOUBLE, 8, b);
        }
        return s.asSlice(8, 8);
    }

    private static int op(Trans t) {
        return t == Trans.NO ? Cuda.CUBLAS_OP_N() : Cuda.CUBLAS_OP_T();
    }

    private static int fill(Uplo u) {
        return u == Uplo.LOWER ? Cuda.CUBLAS_FILL_MODE_LOWER() : Cuda.CUBLAS_FILL_MODE_UPPER();
    }

    private static int diag(Diag d) {
        return d == Diag.UNIT ? Cuda.CUBLAS_DIAG_UNIT() : Cuda.CUBLAS_DIAG_NON_UNIT();
    }

    private static int side(Side s) {
        return s == Side.LEFT ? Cuda.CUBLAS_SIDE_LEFT() : Cuda.CUBLAS_SIDE_RIGHT();
    }

    private static void ok(int rc, String call) {
        CudaDevice.cublasCheck(rc, call);
    }

    // ---- level 1 ----

    double dot(int n, MemorySegment x, int incx, MemorySegment y, int incy) {
        MemorySegment r = scalars.get().asSlice(16, 8);
        ok(Cuda.cublasDdot_v2(device.cublas(), n, x, incx, y, incy, r), "cublasDdot");
        device.synchronize();
        return r.get(ValueLayout.JAVA_DOUBLE, 0);
    }

    double nrm2(int n, MemorySegment x, int incx, Precision p) {
        MemorySegment r = scalars.get().asSlice(16, 8);
        if (p == Precision.FP32) {
            ok(Cuda.cublasSnrm2_v2(device.cublas(), n, x, incx, r), "cublasSnrm2");
            device.synchronize();
            return r.get(ValueLayout.JAVA_FLOAT, 0);
        }
        ok(Cuda.cublasDnrm2_v2(device.cublas(), n, x, incx, r), "cublasDnrm2");
        device.synchronize();
        return r.get(ValueLayout.JAVA_DOUBLE, 0);
    }

    void axpy(int n, double a, MemorySegment x, int incx, MemorySegment y, int incy, Precision p) {
        if (p == Precision.FP32) {
            ok(Cuda.cublasSaxpy_v2(device.cublas(), n, alpha(a, p), x, incx, y, incy), "cublasSaxpy");
        } else {
            ok(Cuda.cublasDaxpy_v2(device.cublas(), n, alpha(a, p), x, incx, y, incy), "cublasDaxpy");
        }
    }

    void scal(int n, double a, MemorySegment x, int incx, Precision p) {
        if (p == Precision.FP32) {
            ok(Cuda.cublasSscal_v2(device.cublas(), n, alpha(a, p), x, incx), "cublasSscal");
        } else {
            ok(Cuda.cublasDscal_v2(device.cublas(), n, alpha(a, p), x, incx), "cublasDscal");
        }
    }

    void copy(int n, MemorySegment x, int incx, MemorySegment y, int incy, Precision p) {
        if (p == Precision.FP32) {
            ok(Cuda.cublasScopy_v2(device.cublas(), n, x, incx, y, incy), "cublasScopy");
        } else {
            ok(Cuda.cublasDcopy_v2(device.cublas(), n, x, incx, y, incy), "cublasDcopy");
        }
    }

    // ---- level 2 ----

    void gemv(Trans t, int m, int n, double a, MemorySegment am, int lda, MemorySegment x, int incx, double b, MemorySegment y,
            int incy, Precision p) {
        if (p == Precision.FP32) {
            ok(Cuda.cublasSgemv_v2(device.cublas(), op(t), m, n, alpha(a, p), am, lda, x, incx, beta(b, p), y, incy), "cublasSgemv");
        } else {
            ok(Cuda.cublasDgemv_v2(device.cublas(), op(t), m, n, alpha(a, p), am, lda, x, incx, beta(b, p), y, incy), "cublasDgemv");
        }
    }

    void symv(Uplo u, int n, double a, MemorySegment am, int lda, MemorySegment x, int incx, double b, MemorySegment y, int incy) {
        ok(Cuda.cublasDsymv_v2(device.cublas(), fill(u), n, alpha(a, Precision.FP64), am, lda, x, incx, beta(b, Precision.FP64), y,
                incy), "cublasDsymv");
    }

    void trsv(Uplo u, Trans t, Diag d, int n, MemorySegment am, int lda, MemorySegment x, int incx, Precision p) {
        if (p == Precision.FP32) {
            ok(Cuda.cublasStrsv_v2(device.cublas(), fill(u), op(t), diag(d), n, am, lda, x, incx), "cublasStrsv");
        } else {
            ok(Cuda.cublasDtrsv_v2(device.cublas(), fill(u), op(t), diag(d), n, am, lda, x, incx), "cublasDtrsv");
        }
    }

    // ---- level 3 ----

    void gemm(Trans ta, Trans tb, int m, int n, int k, double a, MemorySegment am, int lda, MemorySegment bm, int ldb, double b,
            MemorySegment c, int ldc, Precision p) {
        if (p == Precision.FP32) {
            ok(Cuda.cublasSgemm_v2(device.cublas(), op(ta), op(tb), m, n, k, alpha(a, p), am, lda, bm, ldb, beta(b, p), c, ldc),
                    "cublasSgemm");
        } else {
            ok(Cuda.cublasDgemm_v2(device.cublas(), op(ta), op(tb), m, n, k, alpha(a, p), am, lda, bm, ldb, beta(b, p), c, ldc),
                    "cublasDgemm");
        }
    }

    void syrk(Uplo u, Trans t, int n, int k, double a, MemorySegment am, int lda, double b, MemorySegment c, int ldc, Precision p) {
        if (p == Precision.FP32) {
            ok(Cuda.cublasSsyrk_v2(device.cublas(), fill(u), op(t), n, k, alpha(a, p), am, lda, beta(b, p), c, ldc), "cublasSsyrk");
        } else {
            ok(Cuda.cublasDsyrk_v2(device.cublas(), fill(u), op(t), n, k, alpha(a, p), am, lda, beta(b, p), c, ldc), "cublasDsyrk");
        }
    }

    void trsm(Side s, Uplo u, Trans t, Diag d, int m, int n, double a, MemorySegment am, int lda, MemorySegment bm, int ldb,
            Precision p) {
        if (p == Precision.FP32) {
            ok(Cuda.cublasStrsm_v2(device.cublas(), side(s), fill(u), op(t), diag(d), m, n, alpha(a, p), am, lda, bm, ldb),
                    "cublasStrsm");
        } else {
            ok(Cuda.cublasDtrsm_v2(device.cublas(), side(s), fill(u), op(t), diag(d), m, n, alpha(a, p), am, lda, bm, ldb),
                    "cublasDtrsm");
        }
    }

    // ---- cuSOLVER (FP64) ----

    private MemorySegment lwork() {
        return scalars.get().asSlice(24, 4);
    }

    /** Work memory of {@code doubles} doubles followed by the info word; the info word is its last 8 bytes. */
    private MemorySegment workWithInfo(long doubles) {
        return scratch.work(8 * doubles + 8);
    }

    private int info(MemorySegment work, long doubles) {
        return (int) scratch.downloadInt(work.asSlice(8 * doubles, 4));
    }

    synchronized int potrf(Uplo u, int n, MemorySegment a, int lda) {
        MemorySegment h = device.cusolver();
        CudaDevice.solverCheck(Cuda.cusolverDnDpotrf_bufferSize(h, fill(u), n, a, lda, lwork()), "cusolverDnDpotrf_bufferSize");
        int lw = lwork().get(ValueLayout.JAVA_INT, 0);
        MemorySegment w = workWithInfo(lw);
        CudaDevice.solverCheck(Cuda.cusolverDnDpotrf(h, fill(u), n, a, lda, w, lw, w.asSlice(8L * lw, 4)), "cusolverDnDpotrf");
        return info(w, lw);
    }

    synchronized int syevd(Uplo u, int n, MemorySegment a, int lda, MemorySegment values) {
        MemorySegment h = device.cusolver();
        int job = Cuda.CUSOLVER_EIG_MODE_VECTOR();
        CudaDevice.solverCheck(Cuda.cusolverDnDsyevd_bufferSize(h, job, fill(u), n, a, lda, values, lwork()), "cusolverDnDsyevd_bufferSize");
        int lw = lwork().get(ValueLayout.JAVA_INT, 0);
        MemorySegment w = workWithInfo(lw);
        CudaDevice.solverCheck(Cuda.cusolverDnDsyevd(h, job, fill(u), n, a, lda, values, w, lw, w.asSlice(8L * lw, 4)), "cusolverDnDsyevd");
        return info(w, lw);
    }

    synchronized void geqrf(int m, int n, MemorySegment a, int lda, MemorySegment tau) {
        MemorySegment h = device.cusolver();
        CudaDevice.solverCheck(Cuda.cusolverDnDgeqrf_bufferSize(h, m, n, a, lda, lwork()), "cusolverDnDgeqrf_bufferSize");
        int lw = lwork().get(ValueLayout.JAVA_INT, 0);
        MemorySegment w = workWithInfo(lw);
        CudaDevice.solverCheck(Cuda.cusolverDnDgeqrf(h, m, n, a, lda, tau, w, lw, w.asSlice(8L * lw, 4)), "cusolverDnDgeqrf");
        int info = info(w, lw);
        if (info != 0) {
            throw new IllegalArgumentException("cusolverDnDgeqrf: argument " + (-info) + " is invalid");
        }
    }

    synchronized void orgqr(int m, int n, int k, MemorySegment a, int lda, MemorySegment tau) {
        MemorySegment h = device.cusolver();
        CudaDevice.solverCheck(Cuda.cusolverDnDorgqr_bufferSize(h, m, n, k, a, lda, tau, lwork()), "cusolverDnDorgqr_bufferSize");
        int lw = lwork().get(ValueLayout.JAVA_INT, 0);
        MemorySegment w = workWithInfo(lw);
        CudaDevice.solverCheck(Cuda.cusolverDnDorgqr(h, m, n, k, a, lda, tau, w, lw, w.asSlice(8L * lw, 4)), "cusolverDnDorgqr");
        int info = info(w, lw);
        if (info != 0) {
            throw new IllegalArgumentException("cusolverDnDorgqr: argument " + (-info) + " is invalid");
        }
    }
}
