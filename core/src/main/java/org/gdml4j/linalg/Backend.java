package org.gdml4j.linalg;

/**
 * The dense operations the solvers and the kernel need, on off-heap {@link Matrix}/{@link Vector} views.
 * {@link CpuBackend} implements it with OpenBLAS/LAPACK (through the generated bindings) and Vector API
 * loops; a CUDA implementation follows the same contract. Matrices are column-major; all operands of one
 * call share a precision unless a method says otherwise. LAPACK failures are returned, not thrown, where
 * the caller has a recovery (a failed Cholesky gets a jitter ladder); bad shapes throw
 * {@link IllegalArgumentException}.
 */
public interface Backend {

    enum Trans { NO, YES }

    enum Uplo { LOWER, UPPER }

    enum Side { LEFT, RIGHT }

    enum Diag { NON_UNIT, UNIT }

    /** Result of a pivoted Cholesky: {@code piv[i]} (0-based) is the original index of pivot i. */
    record PivotedCholesky(int rank, int[] piv, int info) {
    }

    String name();

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

    /**
     * y ← α op(A) x + βy. A may be FP32 with contiguous FP64 x and y: the products then accumulate in FP64 (a
     * single-precision factor with double-precision vectors).
     */
    void gemv(Trans trans, double alpha, Matrix a, Vector x, double beta, Vector y);

    /**
     * One Gram–Schmidt step against a tall basis stored by rows as A = Bᵀ (k x n): z ← z − Aᵀt (skipped when t is
     * null), then w ← A z. FP32 A with FP64 vectors reads A once for both (a fused re-projection); other
     * precisions may take two passes.
     */
    void projectOut(Matrix a, Vector t, Vector z, Vector w);

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
}
