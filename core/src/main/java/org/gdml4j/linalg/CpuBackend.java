package org.gdml4j.linalg;

import org.gdml4j.nativ.BlasInfo;
import org.gdml4j.nativ.NativeLibraries;

/**
 * {@link Backend} on the CPU: CBLAS and LAPACK through the jextract bindings (whichever library
 * {@link NativeLibraries} loaded), element-wise passes with the Vector API ({@link VectorOps}). An instance carries
 * its {@link Settings} and its own {@link MemoryBudget}; BLAS's thread count is process-wide (OpenBLAS has one), so
 * creating a backend with a thread count sets it for the process.
 */
public final class CpuBackend implements Backend {
    /**
     * What one CPU backend is configured with.
     *
     * @param threads        threads for BLAS and gdml4j's workers (0: leave the process's setting as it is)
     * @param memoryLimit    the user's cap on the memory this backend allocates ({@code --max-memory}; ≤ 0: none)
     * @param syrkPanelBytes syrk calls on larger operands are split into column panels of A spanning at most this many
     *                       bytes: multithreaded OpenBLAS dsyrk has been seen to segfault on operands over 4 GiB
     *                       (docs/native-notes.md §4); tests lower it to exercise the split on small matrices
     */
    public record Settings(int threads, long memoryLimit, long syrkPanelBytes) {
        public Settings {
            if (threads < 0 || syrkPanelBytes < 8) {
                throw new IllegalArgumentException("bad CPU backend settings: threads " + threads + ", syrk panel " + syrkPanelBytes);
            }
        }

        public static Settings defaults() {
            return new Settings(0, -1, 1L << 31);
        }

        public Settings withThreads(int t) {
            return new Settings(t, memoryLimit, syrkPanelBytes);
        }

        public Settings withMemoryLimit(long bytes) {
            return new Settings(threads, bytes, syrkPanelBytes);
        }

        public Settings withSyrkPanelBytes(long bytes) {
            return new Settings(threads, memoryLimit, bytes);
        }
    }

    /** Holder: the default instance loads BLAS when first asked for, not when the class loads. */
    private static final class Default {
        static final CpuBackend INSTANCE = new CpuBackend(Settings.defaults());
    }

    private final BlasInfo library;
    private final Settings settings;
    private final MemoryBudget budget;
    private final java.util.concurrent.atomic.AtomicLong transferred = new java.util.concurrent.atomic.AtomicLong();
    private final MixedPrecision mixed = new CpuMixedPrecision();
    /** Host memory is already host memory: views are the matrices themselves. */
    private final HostCompute hostCompute = new HostCompute() {
        @Override
        public Matrix view(Matrix m) {
            if (!m.space().hostAccessible()) {
                throw new IllegalArgumentException(m + " is not memory of the CPU backend");
            }
            return m;
        }

        @Override
        public Vector view(Vector v) {
            if (!v.space().hostAccessible()) {
                throw new IllegalArgumentException(v + " is not memory of the CPU backend");
            }
            return v;
        }

        @Override
        public Backend host() {
            return CpuBackend.this;
        }
    };

    private CpuBackend(Settings settings) {
        this.library = NativeLibraries.blas();
        this.settings = settings;
        this.budget = MemoryBudget.host(settings.memoryLimit());
        if (settings.threads() > 0) {
            NativeLibraries.setThreads(settings.threads());
        }
    }

    /**
     * The CPU backend with default settings (no memory cap, the process's threads); loads BLAS/LAPACK on first use (a
     * missing library surfaces as a clear message here).
     */
    public static CpuBackend get() {
        return Default.INSTANCE;
    }

    /** A CPU backend with its own settings and memory budget. */
    public static CpuBackend create(Settings settings) {
        return new CpuBackend(settings);
    }

    public Settings settings() {
        return settings;
    }

    public BlasInfo library() {
        return library;
    }

    @Override
    public String name() {
        return "cpu (" + library.describe() + ")";
    }

    // ---- memory and transfers ----

    @Override
    public MemorySpace space() {
        return MemorySpace.HOST;
    }

    @Override
    public Workspace workspace() {
        return Workspace.shared(budget);
    }

    @Override
    public MemoryBudget memory() {
        return budget;
    }

    @Override
    public java.util.Optional<HostCompute> hostCompute() {
        return java.util.Optional.of(hostCompute);
    }

    @Override
    public void upload(double[] src, Vector dst) {
        if (src.length != dst.length()) {
            throw new IllegalArgumentException("upload: " + src.length + " values into " + dst);
        }
        if (dst.isContiguous() && dst.precision() == Precision.FP64) {
            java.lang.foreign.MemorySegment.copy(src, 0, dst.segment(), java.lang.foreign.ValueLayout.JAVA_DOUBLE_UNALIGNED, 0, src.length);
        } else {
            dst.fill(src);
        }
        transferred.addAndGet(8L * src.length);
    }

    @Override
    public void download(Vector src, double[] dst) {
        if (dst.length != src.length()) {
            throw new IllegalArgumentException("download: " + src + " into " + dst.length + " values");
        }
        if (src.isContiguous() && src.precision() == Precision.FP64) {
            java.lang.foreign.MemorySegment.copy(src.segment(), java.lang.foreign.ValueLayout.JAVA_DOUBLE_UNALIGNED, 0, dst, 0, dst.length);
        } else {
            for (int i = 0; i < dst.length; i++) {
                dst[i] = src.get(i);
            }
        }
        transferred.addAndGet(8L * dst.length);
    }

    @Override
    public void upload(Matrix host, Matrix dst) {
        HostStructuralOps.copy(host, dst);
        transferred.addAndGet(host.rows() * host.cols() * host.precision().bytes());
    }

    @Override
    public void download(Matrix src, Matrix host) {
        HostStructuralOps.copy(src, host);
        transferred.addAndGet(src.rows() * src.cols() * src.precision().bytes());
    }

    @Override
    public double getElement(Vector x, long i) {
        transferred.addAndGet(8);
        return x.get(i);
    }

    @Override
    public void setElement(Vector x, long i, double value) {
        transferred.addAndGet(8);
        x.set(i, value);
    }

    @Override
    public long transferredBytes() {
        return transferred.get();
    }

    // ---- BLAS (CpuBlas) ----

    @Override
    public double dot(Vector x, Vector y) {
        return CpuBlas.dot(x, y);
    }

    @Override
    public void axpy(double alpha, Vector x, Vector y) {
        CpuBlas.axpy(alpha, x, y);
    }

    @Override
    public void scal(double alpha, Vector x) {
        CpuBlas.scal(alpha, x);
    }

    @Override
    public double nrm2(Vector x) {
        return CpuBlas.nrm2(x);
    }

    @Override
    public void copy(Vector x, Vector y) {
        CpuBlas.copy(x, y);
    }

    @Override
    public void gemv(Trans trans, double alpha, Matrix a, Vector x, double beta, Vector y) {
        CpuBlas.gemv(trans, alpha, a, x, beta, y);
    }

    @Override
    public void symv(Uplo uplo, double alpha, Matrix a, Vector x, double beta, Vector y) {
        CpuBlas.symv(uplo, alpha, a, x, beta, y);
    }

    @Override
    public void trsv(Uplo uplo, Trans trans, Diag diag, Matrix a, Vector x) {
        CpuBlas.trsv(uplo, trans, diag, a, x);
    }

    @Override
    public void gemm(Trans transA, Trans transB, double alpha, Matrix a, Matrix b, double beta, Matrix c) {
        CpuBlas.gemm(transA, transB, alpha, a, b, beta, c);
    }

    @Override
    public void syrk(Uplo uplo, Trans trans, double alpha, Matrix a, double beta, Matrix c) {
        CpuBlas.syrk(uplo, trans, alpha, a, beta, c, settings.syrkPanelBytes());
    }

    @Override
    public void trsm(Side side, Uplo uplo, Trans trans, Diag diag, double alpha, Matrix a, Matrix b) {
        CpuBlas.trsm(side, uplo, trans, diag, alpha, a, b);
    }

    @Override
    public java.util.Optional<MixedPrecision> mixedPrecision() {
        return java.util.Optional.of(mixed);
    }

    // ---- LAPACK ----

    @Override
    public int potrf(Uplo uplo, Matrix a) {
        return CpuLapack.potrf(uplo, a);
    }

    @Override
    public PivotedCholesky pstrf(Uplo uplo, Matrix a, double tol) {
        return CpuLapack.pstrf(uplo, a, tol);
    }

    @Override
    public int syevd(Uplo uplo, Matrix a, Vector w) {
        return CpuLapack.syevd(uplo, a, w);
    }

    @Override
    public int gesdd(Matrix a, Vector s, Matrix u, Matrix vt) {
        return CpuLapack.gesdd(a, s, u, vt);
    }

    @Override
    public void geqrf(Matrix a, Vector tau) {
        CpuLapack.geqrf(this, a, tau);
    }

    @Override
    public void orgqr(Matrix a, Vector tau) {
        CpuLapack.orgqr(this, a, tau);
    }

    // ---- element-wise ----

    @Override
    public void axpby(double alpha, Vector x, double beta, Vector y) {
        Shapes.sameLength(x, y);
        VectorOps.axpby(alpha, x, beta, y);
    }

    @Override
    public void multiply(Vector x, Vector y, Vector z) {
        Shapes.sameLength(x, y);
        Shapes.sameLength(x, z);
        VectorOps.multiply(x, y, z);
    }

    @Override
    public void transpose(Matrix a, Matrix b) {
        Transpose.into(a, b);
    }

    @Override
    public void fill(Vector x, double value) {
        VectorOps.fill(x, value);
    }

    @Override
    public double sum(Vector x) {
        return VectorOps.sum(x);
    }

    @Override
    public double maxAbs(Vector x) {
        return VectorOps.maxAbs(x);
    }

    // ---- structural ----

    @Override
    public void copy(Matrix src, Matrix dst) {
        HostStructuralOps.copy(src, dst);
    }

    @Override
    public void triangle(Uplo uplo, Matrix src, Matrix dst) {
        HostStructuralOps.triangle(uplo, src, dst);
    }

    @Override
    public void symmetrize(Uplo from, Matrix a) {
        HostStructuralOps.symmetrize(from, a);
    }

    @Override
    public void add(double c, Vector x) {
        HostStructuralOps.add(c, x);
    }

    @Override
    public void addSquares(double alpha, Vector x, Vector y) {
        HostStructuralOps.addSquares(alpha, x, y);
    }

    @Override
    public IndexedValue maxIndex(Vector x) {
        return HostStructuralOps.maxIndex(x);
    }

    @Override
    public void gatherRows(Matrix src, long[] rows, Matrix dst) {
        HostStructuralOps.gatherRows(src, rows, dst);
    }

    @Override
    public void setElements(Vector x, long[] indices, int count, double value) {
        HostStructuralOps.setElements(x, indices, count, value);
    }

    @Override
    public void rowSquares(Matrix a, Vector weights, double beta, Vector out) {
        HostStructuralOps.rowSquares(a, weights, beta, out);
    }

    @Override
    public void columnDots(Matrix a, Matrix b, double beta, Vector out) {
        HostStructuralOps.columnDots(a, b, beta, out);
    }

    @Override
    public void dots(Vector[] x, Vector[] y, double[] out) {
        Shapes.dots(x, y, out);
        for (int i = 0; i < x.length; i++) {
            out[i] = dot(x[i], y[i]);
        }
    }
}
