package org.gdml4j.linalg;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import org.gdml4j.nativ.cuda.generated.Cuda;

/**
 * {@link Backend} on one NVIDIA GPU: memory from {@code cudaMalloc} in a space of its own (the host cannot touch it),
 * cuBLAS and cuSOLVER for the dense operations ({@link CudaBlas}), and gdml4j's PTX kernels for the element-wise,
 * structural and reduction operations and the FP32 x FP64 products ({@link CudaOps}). All work is queued on one
 * stream; the calls that return values to the host (reductions, transfers, LAPACK info) wait for it.
 *
 * <p>Open with {@link #open}; {@link #close} frees the device's handles (workspaces free their own memory).
 * Not offered: {@code pstrf} and {@code gesdd} (no algorithm of gdml4j uses them), FP32 {@code dot}, and
 * {@code potrf}, {@code syevd}, QR in FP32; they throw {@link UnsupportedOperationException}.
 */
public final class CudaBackend implements Backend, AutoCloseable {
    private final CudaDevice device;
    private final MemorySpace.Owner owner;
    private final MemoryBudget budget;
    private final CudaScratch scratch;
    private final CudaLaunch launch;
    private final CudaOps ops;
    private final CudaBlas blas;
    private final AtomicLong transferred = new AtomicLong();
    private final DeviceAllocator allocator;
    private final long totalBytes;

    private CudaBackend(CudaDevice device, long memoryLimit) {
        this.device = device;
        this.owner = MemorySpace.create("cuda:" + device.ordinal());
        this.allocator = this::allocate;
        this.totalBytes = device.memoryInfo()[1];
        this.budget = MemoryBudget.device(memoryLimit, new MemoryBudget.DeviceMemory() {
            @Override
            public long freeBytes() {
                return device.memoryInfo()[0];
            }

            @Override
            public long totalBytes() {
                return totalBytes;
            }

            @Override
            public String name() {
                return "cuda:" + device.ordinal() + " (" + device.name() + ")";
            }
        });
        this.scratch = new CudaScratch(device, allocator);
        this.launch = new CudaLaunch(device, owner);
        this.ops = new CudaOps(launch, scratch);
        this.blas = new CudaBlas(device, scratch);
    }

    /**
     * The backend of GPU {@code ordinal}, with a memory cap ({@code --max-memory}; ≤ 0: the device's memory). A missing
     * driver, library or GPU is a {@link org.gdml4j.nativ.NativeLibraryException} saying which.
     */
    public static CudaBackend open(int ordinal, long memoryLimit) {
        return new CudaBackend(CudaDevice.open(ordinal), memoryLimit);
    }

    @Override
    public String name() {
        return "cuda:" + device.ordinal() + " (" + device.name() + ", " + MemoryBudget.formatBytes(totalBytes) + ")";
    }

    /** cudaMalloc (and cudaMemset when zeroed), freed by cudaFree when the workspace's arena closes; null if refused. */
    private MemorySegment allocate(long bytes, boolean zeroed, Arena arena) {
        device.makeCurrent();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            int rc = Cuda.cudaMalloc(out, bytes);
            if (rc != 0) {
                Cuda.cudaGetLastError(); // clear the sticky-free error so later calls do not report it
                return null;
            }
            MemorySegment p = out.get(ValueLayout.ADDRESS, 0);
            if (zeroed) {
                CudaDevice.check(Cuda.cudaMemset(p, 0, bytes), "cudaMemset");
            }
            return p.reinterpret(bytes, arena, seg -> {
                device.makeCurrent();
                Cuda.cudaFree(seg);
            });
        }
    }

    // ---- memory and transfers ----

    @Override
    public MemorySpace space() {
        return owner.space();
    }

    @Override
    public Workspace workspace() {
        return Workspace.device(owner, budget, allocator);
    }

    @Override
    public MemoryBudget memory() {
        return budget;
    }

    @Override
    public Optional<HostCompute> hostCompute() {
        return Optional.empty();
    }

    private MemorySegment d(Matrix m) {
        return owner.segment(m);
    }

    private MemorySegment d(Vector v) {
        return owner.segment(v);
    }

    @Override
    public synchronized void upload(double[] src, Vector dst) {
        if (src.length != dst.length()) {
            throw new IllegalArgumentException("upload: " + src.length + " values into " + dst);
        }
        MemorySegment host = scratch.staging(8L * src.length);
        MemorySegment.copy(src, 0, host, ValueLayout.JAVA_DOUBLE, 0, src.length);
        if (dst.isContiguous() && dst.precision() == Precision.FP64) {
            scratch.copy(d(dst), host, 8L * src.length, Cuda.cudaMemcpyHostToDevice());
        } else {
            MemorySegment tmp = scratch.partials(src.length);
            scratch.copy(tmp, host, 8L * src.length, Cuda.cudaMemcpyHostToDevice());
            ops.copy2d(1, src.length, tmp, 1, Precision.FP64, d(dst), dst.inc(), dst.precision());
        }
        transferred.addAndGet(8L * src.length);
    }

    @Override
    public synchronized void download(Vector src, double[] dst) {
        if (dst.length != src.length()) {
            throw new IllegalArgumentException("download: " + src + " into " + dst.length + " values");
        }
        MemorySegment from = d(src);
        if (!src.isContiguous() || src.precision() != Precision.FP64) {
            from = scratch.partials(dst.length);
            ops.copy2d(1, dst.length, d(src), src.inc(), src.precision(), from, 1, Precision.FP64);
        }
        MemorySegment host = scratch.staging(8L * dst.length);
        scratch.copy(host, from, 8L * dst.length, Cuda.cudaMemcpyDeviceToHost());
        MemorySegment.copy(host, ValueLayout.JAVA_DOUBLE, 0, dst, 0, dst.length);
        transferred.addAndGet(8L * dst.length);
    }

    @Override
    public synchronized void upload(Matrix host, Matrix dst) {
        Shapes.sameShape("upload", host, dst);
        if (host.precision() != dst.precision()) {
            throw new IllegalArgumentException("upload: " + host + " into " + dst + " (convert on the device after the upload)");
        }
        long w = host.rows() * (long) host.precision().bytes();
        if (w > 0 && host.cols() > 0) {
            device.makeCurrent();
            CudaDevice.check(Cuda.cudaMemcpy2D(d(dst), dst.ld() * dst.precision().bytes(), host.segment(), host.ld() * host.precision().bytes(),
                    w, host.cols(), Cuda.cudaMemcpyHostToDevice()), "cudaMemcpy2D");
        }
        transferred.addAndGet(host.rows() * host.cols() * host.precision().bytes());
    }

    @Override
    public synchronized void download(Matrix src, Matrix host) {
        Shapes.sameShape("download", src, host);
        if (host.precision() != src.precision()) {
            throw new IllegalArgumentException("download: " + src + " into " + host + " (convert on the device first)");
        }
        long w = src.rows() * (long) src.precision().bytes();
        if (w > 0 && src.cols() > 0) {
            device.synchronize();
            CudaDevice.check(Cuda.cudaMemcpy2D(host.segment(), host.ld() * host.precision().bytes(), d(src), src.ld() * src.precision().bytes(),
                    w, src.cols(), Cuda.cudaMemcpyDeviceToHost()), "cudaMemcpy2D");
        }
        transferred.addAndGet(src.rows() * src.cols() * src.precision().bytes());
    }

    @Override
    public double getElement(Vector x, long i) {
        java.util.Objects.checkIndex(i, x.length());
        double[] one = new double[1];
        download(x.slice(i, 1), one);
        return one[0];
    }

    @Override
    public void setElement(Vector x, long i, double value) {
        java.util.Objects.checkIndex(i, x.length());
        upload(new double[] {value}, x.slice(i, 1));
    }

    @Override
    public long transferredBytes() {
        return transferred.get();
    }

    // ---- BLAS level 1 ----

    @Override
    public double dot(Vector x, Vector y) {
        Shapes.sameLength(x, y);
        CudaBackendOps.fp64("dot", x.precision(), y.precision());
        return blas.dot(Shapes.dim(x.length()), d(x), Shapes.inc(x), d(y), Shapes.inc(y));
    }

    @Override
    public void axpy(double alpha, Vector x, Vector y) {
        Shapes.sameLength(x, y);
        CudaBackendOps.all32("axpy", x.precision(), y.precision()); // refuses mixed precisions
        blas.axpy(Shapes.dim(x.length()), alpha, d(x), Shapes.inc(x), d(y), Shapes.inc(y), x.precision());
    }

    @Override
    public void scal(double alpha, Vector x) {
        blas.scal(Shapes.dim(x.length()), alpha, d(x), Shapes.inc(x), x.precision());
    }

    @Override
    public double nrm2(Vector x) {
        return blas.nrm2(Shapes.dim(x.length()), d(x), Shapes.inc(x), x.precision());
    }

    @Override
    public void copy(Vector x, Vector y) {
        Shapes.sameLength(x, y);
        if (x.precision() == y.precision()) {
            blas.copy(Shapes.dim(x.length()), d(x), Shapes.inc(x), d(y), Shapes.inc(y), x.precision());
        } else {
            ops.copy2d(1, x.length(), d(x), x.inc(), x.precision(), d(y), y.inc(), y.precision());
        }
    }

    // The rest of the contract: CudaBackendOps (BLAS 2/3, LAPACK, element-wise, structural), split for size.
    private final CudaBackendOps rest = new CudaBackendOps(this);

    /**
     * A launch of one of gdml4j's own CUDA kernels ({@code core/src/main/cuda}) on this backend's stream, for device
     * implementations in other packages (the kernel operator): arguments in the kernel's order, this backend's
     * matrices and vectors by pointer.
     */
    public CudaLaunch.Params launch(String kernel) {
        return launch.start(kernel);
    }

    CudaOps ops() {
        return ops;
    }

    CudaBlas blas() {
        return blas;
    }

    MemorySegment seg(Matrix m) {
        return d(m);
    }

    MemorySegment seg(Vector v) {
        return d(v);
    }

    // ---- BLAS level 2 and 3, LAPACK ----

    @Override
    public void gemv(Trans trans, double alpha, Matrix a, Vector x, double beta, Vector y) {
        rest.gemv(trans, alpha, a, x, beta, y);
    }

    @Override
    public void symv(Uplo uplo, double alpha, Matrix a, Vector x, double beta, Vector y) {
        rest.symv(uplo, alpha, a, x, beta, y);
    }

    @Override
    public void trsv(Uplo uplo, Trans trans, Diag diag, Matrix a, Vector x) {
        rest.trsv(uplo, trans, diag, a, x);
    }

    @Override
    public void gemm(Trans transA, Trans transB, double alpha, Matrix a, Matrix b, double beta, Matrix c) {
        rest.gemm(transA, transB, alpha, a, b, beta, c);
    }

    @Override
    public void syrk(Uplo uplo, Trans trans, double alpha, Matrix a, double beta, Matrix c) {
        rest.syrk(uplo, trans, alpha, a, beta, c);
    }

    @Override
    public void trsm(Side side, Uplo uplo, Trans trans, Diag diag, double alpha, Matrix a, Matrix b) {
        rest.trsm(side, uplo, trans, diag, alpha, a, b);
    }

    @Override
    public int potrf(Uplo uplo, Matrix a) {
        return rest.potrf(uplo, a);
    }

    @Override
    public PivotedCholesky pstrf(Uplo uplo, Matrix a, double tol) {
        throw new UnsupportedOperationException("pstrf is not offered by the CUDA backend (cuSOLVER has no pivoted Cholesky)");
    }

    @Override
    public int syevd(Uplo uplo, Matrix a, Vector w) {
        return rest.syevd(uplo, a, w);
    }

    @Override
    public int gesdd(Matrix a, Vector s, Matrix u, Matrix vt) {
        throw new UnsupportedOperationException("gesdd is not offered by the CUDA backend");
    }

    @Override
    public void geqrf(Matrix a, Vector tau) {
        rest.geqrf(a, tau);
    }

    @Override
    public void orgqr(Matrix a, Vector tau) {
        rest.orgqr(a, tau);
    }

    // ---- element-wise and structural ----

    @Override
    public void transpose(Matrix a, Matrix b) {
        rest.transpose(a, b);
    }

    @Override
    public void axpby(double alpha, Vector x, double beta, Vector y) {
        rest.axpby(alpha, x, beta, y);
    }

    @Override
    public void multiply(Vector x, Vector y, Vector z) {
        rest.multiply(x, y, z);
    }

    @Override
    public void fill(Vector x, double value) {
        ops.fill(d(x), x.length(), x.inc(), x.precision(), value);
    }

    @Override
    public double sum(Vector x) {
        return rest.reduce(CudaOps.SUM, x, null);
    }

    @Override
    public double maxAbs(Vector x) {
        return rest.reduce(CudaOps.MAX_ABS, x, null);
    }

    @Override
    public void copy(Matrix src, Matrix dst) {
        rest.copy(src, dst);
    }

    @Override
    public void triangle(Uplo uplo, Matrix src, Matrix dst) {
        rest.triangle(uplo, src, dst);
    }

    @Override
    public void symmetrize(Uplo from, Matrix a) {
        rest.symmetrize(from, a);
    }

    @Override
    public void add(double c, Vector x) {
        rest.add(c, x);
    }

    @Override
    public void addSquares(double alpha, Vector x, Vector y) {
        rest.addSquares(alpha, x, y);
    }

    @Override
    public IndexedValue maxIndex(Vector x) {
        return rest.maxIndex(x);
    }

    @Override
    public void gatherRows(Matrix src, long[] rows, Matrix dst) {
        rest.gatherRows(src, rows, dst);
    }

    @Override
    public void setElements(Vector x, long[] indices, int count, double value) {
        rest.setElements(x, indices, count, value);
    }

    @Override
    public void rowSquares(Matrix a, Vector weights, double beta, Vector out) {
        rest.rowSquares(a, weights, beta, out);
    }

    @Override
    public void columnDots(Matrix a, Matrix b, double beta, Vector out) {
        rest.columnDots(a, b, beta, out);
    }

    @Override
    public void dots(Vector[] x, Vector[] y, double[] out) {
        rest.dots(x, y, out);
    }

    @Override
    public Optional<MixedPrecision> mixedPrecision() {
        return Optional.of(rest.mixed());
    }

    @Override
    public void close() {
        scratch.close();
        device.close();
    }
}
