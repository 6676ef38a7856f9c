package org.gdml4j.linalg;

/**
 * The memory and the dense operations the solvers and the kernel need, on {@link Matrix}/{@link Vector} views of
 * memory this backend owns. {@link CpuBackend} implements it with OpenBLAS/LAPACK (through the generated bindings)
 * and Vector API loops; a device backend follows the same contract with its memory off the host.
 *
 * <p>Rules every caller keeps, so that the same algorithm code runs on any backend:
 * <ul>
 * <li>Memory comes from {@link #workspace()}; its elements are touched only by backend operations. Data crosses
 * to and from the host only through the counted transfers ({@code upload}, {@code download}, {@code getElement},
 * {@code setElement}); algorithm code moves only scalars and vectors of size k (or smaller) that way, plus O(n)
 * inputs and results once per solve.</li>
 * <li>All operands of one call share a precision unless a method says otherwise; mixed FP32/FP64 products are a
 * capability ({@link #mixedPrecision()}) that a backend may lack.</li>
 * </ul>
 * Matrices are column-major. LAPACK failures are returned, not thrown, where the caller has a recovery (a failed
 * Cholesky gets a jitter ladder); bad shapes are bugs of the caller and throw {@link IllegalArgumentException}.
 */
public interface Backend {

    enum Trans { NO, YES }

    enum Uplo { LOWER, UPPER }

    enum Side { LEFT, RIGHT }

    enum Diag { NON_UNIT, UNIT }

    /** Result of a pivoted Cholesky: {@code piv[i]} (0-based) is the original index of pivot i. */
    record PivotedCholesky(int rank, int[] piv, int info) {
    }

    /** The largest value of a vector and where it is (the first such index). */
    record IndexedValue(long index, double value) {
    }

    String name();

    // ---- memory and transfers ----

    /** Where this backend's matrices and vectors live. */
    MemorySpace space();

    /** A new workspace in this backend's memory, usable by its worker threads; closing it frees everything in it. */
    Workspace workspace();

    /** The budget of this backend's memory: what {@link #workspace()} allocations count against, and what plans ask. */
    MemoryBudget memory();

    /**
     * For backends whose memory the host CPU can address: how implementations that compute on the CPU themselves (the
     * CPU kernel operator, the predictor) reach it. Empty for a device. Algorithm code never uses it.
     */
    java.util.Optional<HostCompute> hostCompute();

    /** Host views of a backend's memory, and the backend that computes on them (BLAS on host memory). */
    interface HostCompute {
        /** A host view of a matrix of this backend's memory (no copy). */
        Matrix view(Matrix m);

        /** A host view of a vector of this backend's memory (no copy). */
        Vector view(Vector v);

        /** The backend for host memory (views and host workspaces): the CPU backend. */
        Backend host();
    }

    /** dst ← src (host array to this backend's memory); counted. */
    void upload(double[] src, Vector dst);

    /** dst ← src (this backend's memory to a host array); counted. */
    void download(Vector src, double[] dst);

    /** dst ← src for a matrix in host memory; counted. */
    void upload(Matrix host, Matrix dst);

    /** host ← src into a matrix in host memory; counted. */
    void download(Matrix src, Matrix host);

    /** One element to the host (a scalar download); counted. */
    double getElement(Vector x, long i);

    /** One element from the host (a scalar upload); counted. */
    void setElement(Vector x, long i, double value);

    /** Bytes moved between the host and this backend's memory by the transfers above, since it was created. */
    long transferredBytes();

    // ---- BLAS level 1 ----

    double dot(Vector x, Vector y);

    /** y ← αx + y. */
    void axpy(double alpha, Vector x, Vector y);

    /** x ← αx. */
    void scal(double alpha, Vector x);

    double nrm2(Vector x);

    /** y ← x; converts when the precisions differ. */
    void copy(Vector x, Vector y);

    // ---- BLAS level 2 ----

    /** y ← α op(A) x + βy, all operands in one precision (see {@link #mixedPrecision()} for FP32 A with FP64 vectors). */
    void gemv(Trans trans, double alpha, Matrix a, Vector x, double beta, Vector y);

    /** y ← α A x + βy for symmetric A, reading only its {@code uplo} triangle (diagonal included). */
    void symv(Uplo uplo, double alpha, Matrix a, Vector x, double beta, Vector y);

    /** x ← op(A)⁻¹ x with A triangular. */
    void trsv(Uplo uplo, Trans trans, Diag diag, Matrix a, Vector x);

    // ---- BLAS level 3 ----

    /** C ← α op(A) op(B) + βC. */
    void gemm(Trans transA, Trans transB, double alpha, Matrix a, Matrix b, double beta, Matrix c);

    /** C ← α op(A) op(A)ᵀ + βC on the {@code uplo} triangle of C (trans = YES: C ← α AᵀA + βC). */
    void syrk(Uplo uplo, Trans trans, double alpha, Matrix a, double beta, Matrix c);

    /** B ← α op(A)⁻¹ B (side LEFT) or α B op(A)⁻¹ (side RIGHT), A triangular. */
    void trsm(Side side, Uplo uplo, Trans trans, Diag diag, double alpha, Matrix a, Matrix b);

    // ---- LAPACK ----

    /** Cholesky in place on the {@code uplo} triangle. Returns 0, or the 1-based order of the failing leading minor. */
    int potrf(Uplo uplo, Matrix a);

    /** Pivoted Cholesky (LAPACK dpstrf) in place, stopping when the residual pivot falls below {@code tol}. */
    PivotedCholesky pstrf(Uplo uplo, Matrix a, double tol);

    /** Symmetric eigendecomposition in place: eigenvalues ascending into w, eigenvectors into the columns of A. Returns info. */
    int syevd(Uplo uplo, Matrix a, Vector w);

    /**
     * Thin singular value decomposition A = U diag(s) Vᵀ (LAPACK gesdd, divide and conquer): A (m x n) is destroyed,
     * s gets min(m, n) values in descending order, U is m x min(m, n), Vᵀ is min(m, n) x n. Returns info (0 = ok).
     */
    int gesdd(Matrix a, Vector s, Matrix u, Matrix vt);

    /** Householder QR in place (LAPACK geqrf); tau has min(rows, cols) elements. */
    void geqrf(Matrix a, Vector tau);

    /** Forms the thin Q (rows x cols) in place from {@link #geqrf}'s output (LAPACK orgqr). */
    void orgqr(Matrix a, Vector tau);

    // ---- element-wise (SIMD loops on the CPU) ----

    /** B ← Aᵀ, converting between precisions: a copy of A by rows (row i of A becomes column i of B). */
    void transpose(Matrix a, Matrix b);

    /** y ← αx + βy. */
    void axpby(double alpha, Vector x, double beta, Vector y);

    /** z ← x ∘ y (element-wise product); z may alias x or y. */
    void multiply(Vector x, Vector y, Vector z);

    /** x ← v for every element. */
    void fill(Vector x, double value);

    double sum(Vector x);

    /** max |x_i| (0 for an empty vector; NaN if any element is NaN). */
    double maxAbs(Vector x);

    // ---- structural operations (what algorithm code would otherwise do element by element on the host) ----

    /** dst ← src (same shape), converting between precisions. */
    void copy(Matrix src, Matrix dst);

    /**
     * dst ← the {@code uplo} triangle of src (diagonal included), zeros in the other strict triangle (square
     * matrices of one size; src may be dst, which then only clears the other triangle).
     */
    void triangle(Uplo uplo, Matrix src, Matrix dst);

    /** The strict triangle opposite {@code from} ← the transpose of the {@code from} one: a full symmetric matrix. */
    void symmetrize(Uplo from, Matrix a);

    /** x ← x + c (each element; e.g. a shift of a matrix's diagonal view). */
    void add(double c, Vector x);

    /** y ← y + α x∘x. */
    void addSquares(double alpha, Vector x, Vector y);

    /** The largest element and its first index (NaN counts as larger than any number); x must not be empty. */
    IndexedValue maxIndex(Vector x);

    /** dst[i, :] ← src[rows[i], :] (rows from the host: one per row of dst). */
    void gatherRows(Matrix src, long[] rows, Matrix dst);

    /** x[indices[i]] ← value for i < count (indices from the host: at most k of them). */
    void setElements(Vector x, long[] indices, int count, double value);

    /** out ← β out + (Σ_j w_j a_ij²)_i, row by row (w = null: all weights 1); out has a.rows() elements. */
    void rowSquares(Matrix a, Vector weights, double beta, Vector out);

    /** out ← β out + (a[:, j]·b[:, j])_j, column by column; out has a.cols() elements. */
    void columnDots(Matrix a, Matrix b, double beta, Vector out);

    /** out[i] ← x[i]·y[i] for every pair, in one call (one synchronisation on a device; e.g. CG's reductions). */
    void dots(Vector[] x, Vector[] y, double[] out);

    // ---- capabilities ----

    /** FP32 matrices with FP64 vectors and FP64 accumulation (for a single-precision factor), where offered. */
    java.util.Optional<MixedPrecision> mixedPrecision();

    /**
     * Products of an FP32 matrix with FP64 vectors, accumulating in FP64. BLAS and cuBLAS have no such routine; a
     * backend without it makes callers keep their factors in FP64 (the documented fallback: same iterations, twice
     * the factor's memory and bandwidth).
     */
    interface MixedPrecision {
        /** y ← α op(A) x + βy with A FP32 and x, y contiguous FP64. */
        void gemv(Trans trans, double alpha, Matrix a, Vector x, double beta, Vector y);

        /**
         * One Gram–Schmidt step against a tall basis stored by rows as A = Bᵀ (k x n, FP32): z ← z − Aᵀt (skipped when
         * t is null), then w ← A z, reading A once for both (a fused re-projection); vectors contiguous FP64.
         */
        void projectOut(Matrix a, Vector t, Vector z, Vector w);
    }
}
