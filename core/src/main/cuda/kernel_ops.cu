// gdml4j: the kernel product K v of kernel/CudaKernelOperator on the device, in the GEMM formulation of
// docs/sgdml-formulas.md §4 (the same steps as kernel/KernelSums on the CPU). cuBLAS does the two GEMMs; these
// kernels do the rest. Descriptor pairs are in PairIndex order: pair k = a(a-1)/2 + b joins atoms a > b, and the
// compressed Jacobian c_k = (r_a - r_b)/|r_a - r_b|^3 is stored as three planes (row t*D + k holds c_k[t]).
// Index tables (pair atoms, symmetry maps) arrive as doubles holding small whole numbers (exact).

// dst[:, j*p + q] <- P_q src[:, j]: dst[k, j*p + q] = src[map[q*d + k], j]
extern "C" __global__ void permute_columns(i64 d, i64 m, int p, const double *src, i64 lds, const double *map, double *dst,
                                           i64 ldd) {
    GRID_STRIDE(e, d * m * p) {
        i64 k = e % d, jq = e / d;
        i64 j = jq / p;
        int q = (int)(jq - j * p);
        dst[k + jq * ldd] = src[(i64)map[(i64)q * d + k] + j * lds];
    }
}

// w[:, j] <- J_j v_j: w_k = sum_t c_k[t] (v_b,t - v_a,t), v_j = v[j*3N .. (j+1)*3N) atom-major
extern "C" __global__ void jacobian_times(i64 m, i64 d, int atoms, const double *first, const double *second,
                                          const double *jac, i64 ldj, const double *v, double *w, i64 ldw) {
    GRID_STRIDE(e, d * m) {
        i64 k = e % d, j = e / d;
        const double *c = jac + j * ldj;
        const double *vj = v + j * 3 * (i64)atoms;
        int a = (int)first[k], b = (int)second[k];
        w[k + j * ldw] = c[k] * (vj[3 * b] - vj[3 * a]) + c[d + k] * (vj[3 * b + 1] - vj[3 * a + 1])
                         + c[2 * d + k] * (vj[3 * b + 2] - vj[3 * a + 2]);
    }
}

// out[i*3N + 3e + t] <- (J_i^T u_i)[3e + t] = sum_{k: b_k = e} u_k c_k[t] - sum_{k: a_k = e} u_k c_k[t]
extern "C" __global__ void jacobian_transpose_times(i64 m, i64 d, int atoms, const double *jac, i64 ldj, const double *u,
                                                    i64 ldu, double *out) {
    GRID_STRIDE(x, 3 * (i64)atoms * m) {
        i64 i = x / (3 * (i64)atoms);
        int r = (int)(x - i * 3 * (i64)atoms);
        int e = r / 3, t = r % 3;
        const double *c = jac + i * ldj + (i64)t * d;
        const double *ui = u + i * ldu;
        double s = 0.0;
        i64 k0 = (i64)e * (e - 1) / 2; // pairs (e, b), b < e: atom e is a
        for (int b = 0; b < e; b++) s -= ui[k0 + b] * c[k0 + b];
        for (int a = e + 1; a < atoms; a++) { // pairs (a, e), a > e: atom e is b
            i64 k = (i64)a * (a - 1) / 2 + e;
            s += ui[k] * c[k];
        }
        out[x] = s;
    }
}

// In place over the Gram tile g (rows = M*P training columns, cols = queries): a(rho2), and b(rho2) into bout, with
// rho2 = |x'_r|^2 + |x_q|^2 - 2 g (clamped at 0), s = sqrt(5 rho2), e = c1 exp(-s/sigma), c1 = 5/(3 sigma^4):
// a = e (sigma^2 + sigma s), b = 5 e (Matern52 in kernel/Matern52.java). norms: |x_j|^2 per molecule (row r: j = r/p).
extern "C" __global__ void matern_from_gram(i64 rows, i64 cols, int p, double *g, i64 ldg, double *bout, i64 ldb,
                                            const double *norms, double sigma) {
    double c1 = 5.0 / (3.0 * sigma * sigma * sigma * sigma);
    GRID_STRIDE(x, rows * cols) {
        i64 q = x / rows, r = x - q * rows;
        double rho2 = fmax(norms[r / p] + norms[q] - 2.0 * g[r + q * ldg], 0.0);
        double s = sqrt(5.0) * sqrt(rho2);
        double e = c1 * exp(-s / sigma);
        g[r + q * ldg] = e * (sigma * sigma + sigma * s);
        bout[r + q * ldb] = 5.0 * e;
    }
}

// Per query column q (one block each): t <- (t - s_train) * b over the rows (s_train[r] = s[r / p]), in place, and
// colsum[q] <- the sum of the new t (fixed tree order).
extern "C" __global__ void projections(i64 rows, i64 cols, int p, double *t, i64 ldt, const double *b, i64 ldb,
                                       const double *s, double *colsum) {
    __shared__ double acc[RED_THREADS];
    for (i64 q = blockIdx.x; q < cols; q += gridDim.x) {
        double sum = 0.0;
        for (i64 r = threadIdx.x; r < rows; r += RED_THREADS) {
            double c = (t[r + q * ldt] - s[r / p]) * b[r + q * ldb];
            t[r + q * ldt] = c;
            sum += c;
        }
        acc[threadIdx.x] = sum;
        tree_sum(acc);
        if (threadIdx.x == 0) colsum[q] = acc[0];
        __syncthreads();
    }
}

// u[:, q] <- u[:, q] - scale[q] x[:, q]
extern "C" __global__ void sub_scaled_columns(i64 d, i64 m, const double *x, i64 ldx, const double *scale, double *u, i64 ldu) {
    GRID_STRIDE(e, d * m) {
        i64 k = e % d, q = e / d;
        u[k + q * ldu] -= scale[q] * x[k + q * ldx];
    }
}

// J_i[k, (e, t)] of one molecule (c: its three Jacobian planes): +c_k[t] if e is pair k's smaller atom (second),
// -c_k[t] if its larger one (first), else 0.
__device__ double jac_entry(const double *c, i64 d, const double *first, const double *second, i64 k, int e, int t) {
    if ((int)second[k] == e) return c[t * d + k];
    return (int)first[k] == e ? -c[t * d + k] : 0.0;
}

// Explicit kernel entries K[row, col] straight from the definition (the scalar reference of the CPU's KernelBlocks):
//   K[r, c] = sum_p a_p (J_i^T J_j^(p))[r, c] - b_p (J_i^T d_p)[r] (J_j^(p)^T d_p)[c],  d_p = x_i - P_p x_j,
// with J_j^(p)[k, c] = J_j[q_p[k], c]. One thread per entry, O(P D) each. Entry (rr, cc) of the output is
// K[rowBase + rr, col] with col = colIdx[cc] (colIdx != null), colBase + cc, or the row itself (diag != 0); it is
// written at out[rr * inco + cc * ldo], as a float when f32 != 0.
extern "C" __global__ void kernel_entries(i64 rows, i64 cols, i64 rowBase, i64 colBase, const double *colIdx, int diag,
                                          int atoms, i64 d, i64 m, int p, const double *x, i64 ldx, const double *jac,
                                          i64 ldj, const double *maps, const double *first, const double *second,
                                          double sigma, void *out, i64 inco, i64 ldo, int f32) {
    double c1 = 5.0 / (3.0 * sigma * sigma * sigma * sigma);
    i64 n3 = 3 * (i64)atoms;
    GRID_STRIDE(e, rows * cols) {
        i64 cc = e / rows, rr = e - cc * rows;
        i64 row = rowBase + rr;
        i64 col = diag ? row : (colIdx ? (i64)colIdx[cc] : colBase + cc);
        i64 i = row / n3, j = col / n3;
        int er = (int)((row % n3) / 3), tr = (int)((row % n3) % 3);
        int ec = (int)((col % n3) / 3), tc = (int)((col % n3) % 3);
        const double *xi = x + i * ldx, *xj = x + j * ldx;
        const double *ci = jac + i * ldj, *cj = jac + j * ldj;
        double sum = 0.0;
        for (int q = 0; q < p; q++) {
            const double *map = maps + (i64)q * d;
            double rho2 = 0.0, first_ = 0.0, u = 0.0, r = 0.0;
            for (i64 k = 0; k < d; k++) {
                i64 qk = (i64)map[k];
                double dv = xi[k] - xj[qk];
                rho2 += dv * dv;
                double ji = jac_entry(ci, d, first, second, k, er, tr);
                double jj = jac_entry(cj, d, first, second, qk, ec, tc);
                first_ += ji * jj;
                u += ji * dv;
                r += jj * dv;
            }
            double s = sqrt(5.0) * sqrt(fmax(rho2, 0.0));
            double ex = exp(-s / sigma);
            sum += c1 * ex * (sigma * sigma + sigma * s) * first_ - 5.0 * c1 * ex * u * r;
        }
        i64 at = rr * inco + cc * ldo;
        if (f32) ((float *)out)[at] = (float)sum;
        else ((double *)out)[at] = sum;
    }
}
