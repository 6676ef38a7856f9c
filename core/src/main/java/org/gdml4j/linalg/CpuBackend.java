package org.gdml4j.linalg;

import org.gdml4j.nativ.BlasInfo;
import org.gdml4j.nativ.NativeLibraries;
import org.gdml4j.nativ.blas.generated.Blas;

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

    // ---- level 1 ----

    @Override
    public double dot(Vector x, Vector y) {
        sameLength(x, y);
        if (x.precision() == Precision.FP32 && y.precision() == Precision.FP32) {
            return Blas.cblas_dsdot(dim(x.length()), x.segment(), inc(x), y.segment(), inc(y));
        }
        fp64(x, y);
        return Blas.cblas_ddot(dim(x.length()), x.segment(), inc(x), y.segment(), inc(y));
    }

    @Override
    public void axpy(double alpha, Vector x, Vector y) {
        sameLength(x, y);
        if (samePrecision32(x, y)) {
            Blas.cblas_saxpy(dim(x.length()), (float) alpha, x.segment(), inc(x), y.segment(), inc(y));
            return;
        }
        fp64(x, y);
        Blas.cblas_daxpy(dim(x.length()), alpha, x.segment(), inc(x), y.segment(), inc(y));
    }

    @Override
    public void scal(double alpha, Vector x) {
        if (x.precision() == Precision.FP32) {
            Blas.cblas_sscal(dim(x.length()), (float) alpha, x.segment(), inc(x));
        } else {
            Blas.cblas_dscal(dim(x.length()), alpha, x.segment(), inc(x));
        }
    }

    @Override
    public double nrm2(Vector x) {
        if (x.precision() == Precision.FP32) {
            return Blas.cblas_snrm2(dim(x.length()), x.segment(), inc(x));
        }
        return Blas.cblas_dnrm2(dim(x.length()), x.segment(), inc(x));
    }

    @Override
    public void copy(Vector x, Vector y) {
        sameLength(x, y);
        if (x.precision() != y.precision()) {
            for (long i = 0; i < x.length(); i++) {
                y.set(i, x.get(i));
            }
        } else if (x.precision() == Precision.FP32) {
            Blas.cblas_scopy(dim(x.length()), x.segment(), inc(x), y.segment(), inc(y));
        } else {
            Blas.cblas_dcopy(dim(x.length()), x.segment(), inc(x), y.segment(), inc(y));
        }
    }

    // ---- level 2 ----

    @Override
    public void gemv(Trans trans, double alpha, Matrix a, Vector x, double beta, Vector y) {
        gemvShape(trans, a, x, y);
        if (a.precision() == Precision.FP32 && x.precision() == Precision.FP32 && y.precision() == Precision.FP32) {
            Blas.cblas_sgemv(Blas.CblasColMajor(), op(trans), dim(a.rows()), dim(a.cols()), (float) alpha, a.segment(), dim(a.ld()),
                    x.segment(), inc(x), (float) beta, y.segment(), inc(y));
            return;
        }
        fp64(a, x, y);
        Blas.cblas_dgemv(Blas.CblasColMajor(), op(trans), dim(a.rows()), dim(a.cols()), alpha, a.segment(), dim(a.ld()),
                x.segment(), inc(x), beta, y.segment(), inc(y));
    }

    static void gemvShape(Trans trans, Matrix a, Vector x, Vector y) {
        long m = trans == Trans.NO ? a.rows() : a.cols();
        long n = trans == Trans.NO ? a.cols() : a.rows();
        if (x.length() != n || y.length() != m) {
            throw new IllegalArgumentException("gemv: " + (trans == Trans.NO ? "A" : "Aᵀ") + " " + a + " times " + x + " into " + y);
        }
    }

    @Override
    public java.util.Optional<MixedPrecision> mixedPrecision() {
        return java.util.Optional.of(mixed);
    }

    @Override
    public void symv(Uplo uplo, double alpha, Matrix a, Vector x, double beta, Vector y) {
        if (!a.isSquare() || x.length() != a.rows() || y.length() != a.rows()) {
            throw new IllegalArgumentException("symv: " + a + " times " + x + " into " + y);
        }
        fp64(a, x, y);
        Blas.cblas_dsymv(Blas.CblasColMajor(), uplo(uplo), dim(a.rows()), alpha, a.segment(), dim(a.ld()), x.segment(), inc(x),
                beta, y.segment(), inc(y));
    }

    @Override
    public void trsv(Uplo uplo, Trans trans, Diag diag, Matrix a, Vector x) {
        if (!a.isSquare() || x.length() != a.rows()) {
            throw new IllegalArgumentException("trsv: " + a + " with " + x);
        }
        if (a.precision() == Precision.FP32 && x.precision() == Precision.FP32) {
            Blas.cblas_strsv(Blas.CblasColMajor(), uplo(uplo), op(trans), diag(diag), dim(a.rows()), a.segment(), dim(a.ld()),
                    x.segment(), inc(x));
            return;
        }
        fp64(a, x);
        Blas.cblas_dtrsv(Blas.CblasColMajor(), uplo(uplo), op(trans), diag(diag), dim(a.rows()), a.segment(), dim(a.ld()),
                x.segment(), inc(x));
    }

    // ---- level 3 ----

    @Override
    public void gemm(Trans transA, Trans transB, double alpha, Matrix a, Matrix b, double beta, Matrix c) {
        long m = transA == Trans.NO ? a.rows() : a.cols();
        long k = transA == Trans.NO ? a.cols() : a.rows();
        long kb = transB == Trans.NO ? b.rows() : b.cols();
        long n = transB == Trans.NO ? b.cols() : b.rows();
        if (k != kb || c.rows() != m || c.cols() != n) {
            throw new IllegalArgumentException("gemm: op(A) " + m + "x" + k + ", op(B) " + kb + "x" + n + ", C " + c);
        }
        if (m == 0 || n == 0) {
            return;
        }
        if (all32(a, b, c)) {
            Blas.cblas_sgemm(Blas.CblasColMajor(), op(transA), op(transB), dim(m), dim(n), dim(k), (float) alpha, a.segment(),
                    dim(a.ld()), b.segment(), dim(b.ld()), (float) beta, c.segment(), dim(c.ld()));
            return;
        }
        fp64(a, b, c);
        Blas.cblas_dgemm(Blas.CblasColMajor(), op(transA), op(transB), dim(m), dim(n), dim(k), alpha, a.segment(), dim(a.ld()),
                b.segment(), dim(b.ld()), beta, c.segment(), dim(c.ld()));
    }

    @Override
    public void syrk(Uplo uplo, Trans trans, double alpha, Matrix a, double beta, Matrix c) {
        long n = trans == Trans.NO ? a.rows() : a.cols();
        if (!c.isSquare() || c.rows() != n) {
            throw new IllegalArgumentException("syrk: " + a + " into " + c);
        }
        if (n == 0) {
            return;
        }
        if (!all32(a, c)) {
            fp64(a, c);
        }
        long colBytes = a.ld() * a.precision().bytes();
        long panelBytes = settings.syrkPanelBytes();
        long panel = Math.max(1, panelBytes / colBytes); // columns of A per panel
        if (a.spanBytes() <= panelBytes || a.cols() <= panel) {
            syrkCall(uplo, trans, alpha, a, beta, c);
        } else if (trans == Trans.NO) {
            // C = Σ_p A_p A_pᵀ over column panels of A
            for (long done = 0; done < a.cols(); done += panel) {
                long w = Math.min(panel, a.cols() - done);
                syrkCall(uplo, trans, alpha, a.columns(done, w), done == 0 ? beta : 1.0, c);
            }
        } else {
            // C = AᵀA by blocks: C_ii = A_iᵀA_i (syrk), off-diagonal blocks of the stored triangle by gemm
            for (long i = 0; i < n; i += panel) {
                long wi = Math.min(panel, n - i);
                Matrix ai = a.columns(i, wi);
                syrkCall(uplo, trans, alpha, ai, beta, c.block(i, i, wi, wi));
                for (long j = i + wi; j < n; j += panel) {
                    long wj = Math.min(panel, n - j);
                    Matrix aj = a.columns(j, wj);
                    if (uplo == Uplo.LOWER) {
                        gemm(Trans.YES, Trans.NO, alpha, aj, ai, beta, c.block(j, i, wj, wi));
                    } else {
                        gemm(Trans.YES, Trans.NO, alpha, ai, aj, beta, c.block(i, j, wi, wj));
                    }
                }
            }
        }
    }

    private static void syrkCall(Uplo uplo, Trans trans, double alpha, Matrix a, double beta, Matrix c) {
        int n = dim(c.rows());
        int k = dim(trans == Trans.NO ? a.cols() : a.rows());
        if (a.precision() == Precision.FP32) {
            Blas.cblas_ssyrk(Blas.CblasColMajor(), uplo(uplo), op(trans), n, k, (float) alpha, a.segment(), dim(a.ld()),
                    (float) beta, c.segment(), dim(c.ld()));
        } else {
            Blas.cblas_dsyrk(Blas.CblasColMajor(), uplo(uplo), op(trans), n, k, alpha, a.segment(), dim(a.ld()), beta,
                    c.segment(), dim(c.ld()));
        }
    }

    @Override
    public void trsm(Side side, Uplo uplo, Trans trans, Diag diag, double alpha, Matrix a, Matrix b) {
        long na = side == Side.LEFT ? b.rows() : b.cols();
        if (!a.isSquare() || a.rows() != na) {
            throw new IllegalArgumentException("trsm: " + a + " with " + b);
        }
        if (b.rows() == 0 || b.cols() == 0) {
            return;
        }
        int s = side == Side.LEFT ? Blas.CblasLeft() : Blas.CblasRight();
        if (all32(a, b)) {
            Blas.cblas_strsm(Blas.CblasColMajor(), s, uplo(uplo), op(trans), diag(diag), dim(b.rows()), dim(b.cols()), (float) alpha,
                    a.segment(), dim(a.ld()), b.segment(), dim(b.ld()));
            return;
        }
        fp64(a, b);
        Blas.cblas_dtrsm(Blas.CblasColMajor(), s, uplo(uplo), op(trans), diag(diag), dim(b.rows()), dim(b.cols()), alpha,
                a.segment(), dim(a.ld()), b.segment(), dim(b.ld()));
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
        sameLength(x, y);
        VectorOps.axpby(alpha, x, beta, y);
    }

    @Override
    public void multiply(Vector x, Vector y, Vector z) {
        sameLength(x, y);
        sameLength(x, z);
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
        if (x.length != y.length || out.length != x.length) {
            throw new IllegalArgumentException("dots: " + x.length + " and " + y.length + " vectors into " + out.length + " results");
        }
        for (int i = 0; i < x.length; i++) {
            out[i] = dot(x[i], y[i]);
        }
    }

    // ---- helpers ----

    /** A dimension, leading dimension or increment for the 32-bit (LP64) BLAS interface. */
    static int dim(long v) {
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("dimension " + v + " exceeds the 32-bit BLAS/LAPACK interface (max "
                    + Integer.MAX_VALUE + ")");
        }
        return (int) v;
    }

    private static int inc(Vector v) {
        return dim(v.inc());
    }

    private static int op(Trans t) {
        return t == Trans.NO ? Blas.CblasNoTrans() : Blas.CblasTrans();
    }

    private static int uplo(Uplo u) {
        return u == Uplo.LOWER ? Blas.CblasLower() : Blas.CblasUpper();
    }

    private static int diag(Diag d) {
        return d == Diag.UNIT ? Blas.CblasUnit() : Blas.CblasNonUnit();
    }

    private static void sameLength(Vector x, Vector y) {
        if (x.length() != y.length()) {
            throw new IllegalArgumentException("length mismatch: " + x + " vs " + y);
        }
    }

    private static boolean samePrecision32(Vector x, Vector y) {
        return x.precision() == Precision.FP32 && y.precision() == Precision.FP32;
    }

    private static boolean all32(Matrix... ms) {
        for (Matrix m : ms) {
            if (m.precision() != Precision.FP32) {
                return false;
            }
        }
        return true;
    }

    private static void fp64(Object... operands) {
        for (Object o : operands) {
            Precision p = o instanceof Matrix m ? m.precision() : ((Vector) o).precision();
            if (p != Precision.FP64) {
                throw new IllegalArgumentException("mixed precisions are not supported here: " + java.util.Arrays.toString(operands));
            }
        }
    }
}
