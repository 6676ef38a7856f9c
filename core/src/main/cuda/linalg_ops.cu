// gdml4j: the element-wise, structural and reduction operations of the CUDA backend (linalg/cuda/CudaBackend), the
// ones cuBLAS and cuSOLVER do not offer. Compiled to PTX by core/src/main/cuda/compile-ptx.sh; the PTX is committed
// as a resource and loaded with the driver API (cuModuleLoadData), so users need no CUDA compiler.
//
// Conventions: column-major matrices with a leading dimension, strided vectors (inc >= 1), 64-bit sizes and indices,
// grid-stride loops (any grid size is correct). Reductions are deterministic: a fixed grid writes one partial per
// block, and one block adds the partials in a fixed order, so a result does not depend on timing.

#include <cstdint>

typedef long long i64;

#define GRID_STRIDE(i, n) for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (i64)blockDim.x * gridDim.x)

// Threads per block of every reduction kernel here; the Java side launches them with exactly this many.
#define RED_THREADS 256

// ---------------------------------------------------------------- element-wise over strided vectors (FP64)

extern "C" __global__ void fill_d(i64 n, double *x, i64 incx, double value) {
    GRID_STRIDE(i, n) x[i * incx] = value;
}

extern "C" __global__ void fill_f(i64 n, float *x, i64 incx, double value) {
    GRID_STRIDE(i, n) x[i * incx] = (float)value;
}

// y <- alpha x + beta y (beta == 0 overwrites y, NaN in y included, as the CPU loop does)
extern "C" __global__ void axpby_d(i64 n, double alpha, const double *x, i64 incx, double beta, double *y, i64 incy) {
    GRID_STRIDE(i, n) y[i * incy] = beta == 0.0 ? alpha * x[i * incx] : alpha * x[i * incx] + beta * y[i * incy];
}

// z <- x * y (z may alias x or y: each element is read before it is written by the same thread)
extern "C" __global__ void multiply_d(i64 n, const double *x, i64 incx, const double *y, i64 incy, double *z, i64 incz) {
    GRID_STRIDE(i, n) z[i * incz] = x[i * incx] * y[i * incy];
}

// x <- x + c
extern "C" __global__ void add_scalar_d(i64 n, double c, double *x, i64 incx) {
    GRID_STRIDE(i, n) x[i * incx] += c;
}

// y <- y + alpha x*x
extern "C" __global__ void add_squares_d(i64 n, double alpha, const double *x, i64 incx, double *y, i64 incy) {
    GRID_STRIDE(i, n) {
        double v = x[i * incx];
        y[i * incy] += alpha * v * v;
    }
}

// x[idx[i]] <- value for i < count (indices uploaded by the caller)
extern "C" __global__ void set_elements_d(i64 count, double *x, i64 incx, const i64 *idx, double value) {
    GRID_STRIDE(i, count) x[idx[i] * incx] = value;
}

// ---------------------------------------------------------------- structural, over matrices

// dst <- src (rows x cols), converting precision; d = double, f = float (source first)
#define COPY2D(NAME, S, D)                                                                                          \
    extern "C" __global__ void NAME(i64 rows, i64 cols, const S *src, i64 lds, D *dst, i64 ldd) {                    \
        GRID_STRIDE(e, rows * cols) {                                                                               \
            i64 j = e / rows, i = e - j * rows;                                                                     \
            dst[i + j * ldd] = (D)src[i + j * lds];                                                                 \
        }                                                                                                           \
    }
COPY2D(copy2d_dd, double, double)
COPY2D(copy2d_ff, float, float)
COPY2D(copy2d_df, double, float)
COPY2D(copy2d_fd, float, double)

// b <- a^T (a: rows x cols, b: cols x rows), converting precision
#define TRANSPOSE(NAME, S, D)                                                                                       \
    extern "C" __global__ void NAME(i64 rows, i64 cols, const S *a, i64 lda, D *b, i64 ldb) {                        \
        GRID_STRIDE(e, rows * cols) {                                                                               \
            i64 i = e / cols, j = e - i * cols; /* consecutive threads: consecutive rows of b, coalesced writes */   \
            b[j + i * ldb] = (D)a[i + j * lda];                                                                     \
        }                                                                                                           \
    }
TRANSPOSE(transpose_dd, double, double)
TRANSPOSE(transpose_ff, float, float)
TRANSPOSE(transpose_df, double, float)
TRANSPOSE(transpose_fd, float, double)

// dst <- the lower (lower != 0) or upper triangle of src with the diagonal, zeros in the other strict triangle
extern "C" __global__ void triangle_d(int lower, i64 n, const double *src, i64 lds, double *dst, i64 ldd) {
    GRID_STRIDE(e, n * n) {
        i64 j = e / n, i = e - j * n;
        bool keep = lower ? i >= j : i <= j;
        dst[i + j * ldd] = keep ? src[i + j * lds] : 0.0;
    }
}

// the strict triangle opposite `from` <- the transpose of the `from` one (fromLower != 0: copy lower to upper)
extern "C" __global__ void symmetrize_d(int fromLower, i64 n, double *a, i64 lda) {
    GRID_STRIDE(e, n * n) {
        i64 j = e / n, i = e - j * n;
        if (fromLower ? i < j : i > j) a[i + j * lda] = a[j + i * lda];
    }
}

// dst[i, :] <- src[rows[i], :] for i < count (rows uploaded by the caller)
extern "C" __global__ void gather_rows_d(i64 count, i64 cols, const double *src, i64 lds, const i64 *rows, double *dst,
                                         i64 ldd) {
    GRID_STRIDE(e, count * cols) {
        i64 j = e / count, i = e - j * count;
        dst[i + j * ldd] = src[rows[i] + j * lds];
    }
}

// out[i] <- beta out[i] + sum_j w_j a_ij^2 (w == nullptr: weights 1), one thread per row, columns in order
extern "C" __global__ void row_squares_d(i64 rows, i64 cols, const double *a, i64 lda, const double *w, i64 incw,
                                         double beta, double *out, i64 inco) {
    GRID_STRIDE(i, rows) {
        double s = 0.0;
        for (i64 j = 0; j < cols; j++) {
            double v = a[i + j * lda];
            s += (w ? w[j * incw] : 1.0) * v * v;
        }
        out[i * inco] = beta == 0.0 ? s : beta * out[i * inco] + s;
    }
}

// ---------------------------------------------------------------- reductions

// Sums the RED_THREADS values of `s` into s[0] (fixed tree order).
__device__ void tree_sum(double *s) {
    for (int h = RED_THREADS / 2; h > 0; h >>= 1) {
        __syncthreads();
        if (threadIdx.x < h) s[threadIdx.x] += s[threadIdx.x + h];
    }
    __syncthreads();
}

// The largest of the RED_THREADS values of `s` into s[0], NaN largest (fixed tree order).
__device__ void tree_max(double *s) {
    for (int h = RED_THREADS / 2; h > 0; h >>= 1) {
        __syncthreads();
        if (threadIdx.x < h) {
            double o = s[threadIdx.x + h];
            if (isnan(o) || o > s[threadIdx.x]) s[threadIdx.x] = o;
        }
    }
    __syncthreads();
}

// out[j] <- beta out[j] + a[:, j] . b[:, j]: one block per column
extern "C" __global__ void column_dots_d(i64 rows, i64 cols, const double *a, i64 lda, const double *b, i64 ldb,
                                         double beta, double *out, i64 inco) {
    __shared__ double s[RED_THREADS];
    for (i64 j = blockIdx.x; j < cols; j += gridDim.x) {
        double acc = 0.0;
        for (i64 i = threadIdx.x; i < rows; i += RED_THREADS) acc += a[i + j * lda] * b[i + j * ldb];
        s[threadIdx.x] = acc;
        tree_sum(s);
        if (threadIdx.x == 0) out[j * inco] = beta == 0.0 ? s[0] : beta * out[j * inco] + s[0];
        __syncthreads();
    }
}

// kind 0: sum x_i, 1: sum x_i y_i, 2: max |x_i| (NaN wins). partial[blockIdx.x] <- this block's result.
extern "C" __global__ void reduce_partials_d(int kind, i64 n, const double *x, i64 incx, const double *y, i64 incy,
                                             double *partial) {
    __shared__ double s[RED_THREADS];
    double acc = 0.0;
    GRID_STRIDE(i, n) {
        double v = x[i * incx];
        if (kind == 0) acc += v;
        else if (kind == 1) acc += v * y[i * incy];
        else acc = (fabs(v) > acc || isnan(v)) && !isnan(acc) ? fabs(v) : acc;
    }
    s[threadIdx.x] = acc;
    if (kind == 2) {
        tree_max(s);
    } else {
        tree_sum(s);
    }
    if (threadIdx.x == 0) partial[blockIdx.x] = s[0];
}

// out[r] <- the reduction of partial[r * parts .. (r + 1) * parts) for r < count: one block per result
extern "C" __global__ void finish_partials_d(int kind, int count, int parts, const double *partial, double *out) {
    __shared__ double s[RED_THREADS];
    for (int r = blockIdx.x; r < count; r += gridDim.x) {
        double acc = 0.0;
        for (int p = threadIdx.x; p < parts; p += RED_THREADS) {
            double v = partial[(i64)r * parts + p];
            if (kind == 2) acc = (isnan(v) || v > acc) && !isnan(acc) ? v : acc;
            else acc += v;
        }
        s[threadIdx.x] = acc;
        if (kind == 2) {
            tree_max(s);
        } else {
            tree_sum(s);
        }
        if (threadIdx.x == 0) out[r] = s[0];
        __syncthreads();
    }
}

// Whether (v, i) comes before (w, j) in "largest first, NaN largest, lowest index on ties".
__device__ bool before(double v, i64 i, double w, i64 j) {
    if (j < 0) return i >= 0;
    if (i < 0) return false;
    bool vn = isnan(v), wn = isnan(w);
    if (vn != wn) return vn;
    if (!vn && v != w) return v > w;
    return i < j;
}

__device__ void tree_max_index(double *s, i64 *si) {
    for (int h = RED_THREADS / 2; h > 0; h >>= 1) {
        __syncthreads();
        if (threadIdx.x < h && before(s[threadIdx.x + h], si[threadIdx.x + h], s[threadIdx.x], si[threadIdx.x])) {
            s[threadIdx.x] = s[threadIdx.x + h];
            si[threadIdx.x] = si[threadIdx.x + h];
        }
    }
    __syncthreads();
}

// The largest element and its first index, per block (index -1: the block saw nothing)
extern "C" __global__ void max_index_partials_d(i64 n, const double *x, i64 incx, double *pv, i64 *pi) {
    __shared__ double s[RED_THREADS];
    __shared__ i64 si[RED_THREADS];
    double best = 0.0;
    i64 at = -1;
    GRID_STRIDE(i, n) {
        double v = x[i * incx];
        if (before(v, i, best, at)) {
            best = v;
            at = i;
        }
    }
    s[threadIdx.x] = best;
    si[threadIdx.x] = at;
    tree_max_index(s, si);
    if (threadIdx.x == 0) {
        pv[blockIdx.x] = s[0];
        pi[blockIdx.x] = si[0];
    }
}

// One block: the best of `parts` partials into out (value as a double, index as a double: exact below 2^53)
extern "C" __global__ void max_index_finish_d(int parts, const double *pv, const i64 *pi, double *out) {
    __shared__ double s[RED_THREADS];
    __shared__ i64 si[RED_THREADS];
    double best = 0.0;
    i64 at = -1;
    for (int p = threadIdx.x; p < parts; p += RED_THREADS) {
        if (before(pv[p], pi[p], best, at)) {
            best = pv[p];
            at = pi[p];
        }
    }
    s[threadIdx.x] = best;
    si[threadIdx.x] = at;
    tree_max_index(s, si);
    if (threadIdx.x == 0) {
        out[0] = s[0];
        out[1] = (double)si[0];
    }
}

// ---------------------------------------------------------------- FP32 matrix x FP64 vector, FP64 accumulation
// (cuBLAS has no mixed gemv; the preconditioner's FP32 basis is read once per product, the vectors stay FP64)

// op = N, first pass: partial[c * m + i] <- sum over columns j of chunk c of A_ij x_j; grid (ceil(m / 256), chunks)
extern "C" __global__ void gemv_n_f32_partial(i64 m, i64 n, const float *a, i64 lda, const double *x, i64 incx, i64 chunk,
                                              double *partial) {
    i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= m) return;
    i64 j0 = (i64)blockIdx.y * chunk;
    i64 j1 = j0 + chunk < n ? j0 + chunk : n;
    double acc = 0.0;
    for (i64 j = j0; j < j1; j++) acc += (double)a[i + j * lda] * x[j * incx];
    partial[(i64)blockIdx.y * m + i] = acc;
}

// op = N, second pass: y_i <- alpha sum_c partial[c * m + i] + beta y_i
extern "C" __global__ void gemv_n_finish(i64 m, int chunks, const double *partial, double alpha, double beta, double *y,
                                         i64 incy) {
    GRID_STRIDE(i, m) {
        double acc = 0.0;
        for (int c = 0; c < chunks; c++) acc += partial[(i64)c * m + i];
        y[i * incy] = beta == 0.0 ? alpha * acc : alpha * acc + beta * y[i * incy];
    }
}

// op = T: y_j <- alpha A[:, j] . x + beta y_j, one block per column (coalesced down the column)
extern "C" __global__ void gemv_t_f32(i64 m, i64 n, const float *a, i64 lda, const double *x, i64 incx, double alpha,
                                      double beta, double *y, i64 incy) {
    __shared__ double s[RED_THREADS];
    for (i64 j = blockIdx.x; j < n; j += gridDim.x) {
        double acc = 0.0;
        for (i64 i = threadIdx.x; i < m; i += RED_THREADS) acc += (double)a[i + j * lda] * x[i * incx];
        s[threadIdx.x] = acc;
        tree_sum(s);
        if (threadIdx.x == 0) y[j * incy] = beta == 0.0 ? alpha * s[0] : alpha * s[0] + beta * y[j * incy];
        __syncthreads();
    }
}
