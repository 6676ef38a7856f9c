package org.gdml4j.linalg;

import org.gdml4j.linalg.Backend.Trans;
import org.gdml4j.linalg.Backend.Uplo;

/**
 * Householder QR (what LAPACK's dgeqrf and dorgqr compute) with blocks of {@link #NB} reflectors, so that nearly all
 * of their 2mk² flops each are matrix products with an inner dimension of NB. Reference LAPACK, which OpenBLAS ships
 * for both routines, uses blocks of 32: on the 2-core benchmark machine dorgqr ran at ≈ 0.47x and dgeqrf at ≈ 0.5x
 * the dgemm rate, together about 260 s of the 346 s preconditioner build at aspirin M = 1000 (n = 63,000, the rule's
 * k = 5,833; stack samples).
 *
 * <p>Both use the compact WY form of a block of reflectors (LAPACK Working Note on block Householder): H_i ⋯ H_{i+ib−1}
 * = I − V T Vᵀ, V unit lower trapezoidal, T upper triangular as dlarft forms it (T_jj = τ_j, T[0:j, j] =
 * −τ_j T[0:j, 0:j] VᵀV[0:j, j]).
 * <ul>
 * <li>QR: each panel of NB columns is factorised the same way with blocks of {@link #PANEL_NB} (LAPACK's dgeqrf would
 * factorise an n x 128 panel unblocked, BLAS 2 over the whole panel), the smallest panels by LAPACK; then the
 * trailing columns get Hᵀ = I − V Tᵀ Vᵀ by three products: C ← C − V (Tᵀ (Vᵀ C)).</li>
 * <li>Q (dorgqr's backward accumulation): Q = H₁H₂⋯H_k [I; 0]. From the last block to the first, the block's own
 * columns are set to [I; 0] and C ← C − V (T (Vᵀ C)) is applied to rows i.. of columns i..; unlike dorgqr the
 * block's own columns go through the same products instead of an unblocked loop (BLAS 2 work growing with NB).</li>
 * </ul>
 */
final class BlockedQr {
    /** Reflectors per block: large enough for dgemm-rate products, small enough that V (m x NB) stays modest. */
    static final int NB = 128;
    /** Columns per sub-panel when a panel is itself factorised blocked. */
    static final int PANEL_NB = 32;

    private BlockedQr() {
    }

    /** dgeqrf: a (m x n) ← R above its diagonal and the reflectors below it; tau gets min(m, n) scalars. */
    static void geqrf(Backend be, Matrix a, Vector tau, int nb) {
        long m = a.rows();
        long n = a.cols();
        int k = Math.toIntExact(Math.min(m, n));
        if (tau.length() != k || nb < 1) {
            throw new IllegalArgumentException("geqrf: tau must have min(rows, cols) = " + k + " elements and nb >= 1, got " + tau);
        }
        try (BlockReflector h = new BlockReflector(be, m, n, Math.min(nb, k))) {
            for (int i = 0; i < k; i += nb) {
                int ib = Math.min(nb, k - i);
                long rows = m - i;
                Matrix panel = a.block(i, i, rows, ib);
                if (ib > PANEL_NB) { // a wide panel in LAPACK would run unblocked (its crossover is 128 columns)
                    geqrf(be, panel, tau.slice(i, ib), PANEL_NB);
                } else {
                    CpuLapack.lapackGeqrf(panel, tau.slice(i, ib));
                }
                if (i + ib < n) {
                    h.load(a, tau, i, ib);
                    h.apply(Trans.YES, a.block(i, i + ib, rows, n - i - ib)); // Hᵀ on the trailing columns
                }
            }
        }
    }

    /** a (m x n) holds dgeqrf's reflectors below its diagonal and receives Q; tau has k ≤ n ≤ m scalars. */
    static void orgqr(Backend be, Matrix a, Vector tau, int nb) {
        long m = a.rows();
        long n = a.cols();
        int k = Math.toIntExact(tau.length());
        if (n > m || k > n || nb < 1) {
            throw new IllegalArgumentException("orgqr: need rows >= cols >= len(tau) and nb >= 1, got " + a + ", " + tau + ", nb " + nb);
        }
        unitColumns(be, a, k, n); // columns beyond the reflectors start as unit vectors
        if (k == 0) {
            return;
        }
        try (BlockReflector h = new BlockReflector(be, m, n, Math.min(nb, k))) {
            for (int i = (k - 1) / nb * nb; i >= 0; i -= nb) {
                int ib = Math.min(nb, k - i);
                h.load(a, tau, i, ib);
                unitColumns(be, a, i, i + ib); // the block's own columns: zero above row i, [I; 0] from it
                h.apply(Trans.NO, a.block(i, i, m - i, n - i));
            }
        }
    }

    /** Columns [from, to) of a ← the unit vectors e_j. */
    private static void unitColumns(Backend be, Matrix a, long from, long to) {
        for (long j = from; j < to; j++) {
            Vector col = a.column(j);
            be.fill(col, 0.0);
            col.set(j, 1.0);
        }
    }

    /** Scratch for one block of reflectors H = I − V T Vᵀ and its application to a block of columns. */
    private static final class BlockReflector implements AutoCloseable {
        private final Backend be;
        private final Workspace ws = Workspace.confined();
        private final Matrix vBuf;
        private final Matrix tBuf;
        private final Matrix sBuf;
        private final Matrix wBuf;
        private final Matrix twBuf;
        private Matrix v;
        private Matrix t;

        /** For blocks of at most nb reflectors of an m-row matrix applied to at most n columns. */
        BlockReflector(Backend be, long m, long n, int nb) {
            this.be = be;
            vBuf = ws.uninitializedMatrix(Math.max(1, m), Math.max(1, nb), Precision.FP64, "block reflector V");
            tBuf = ws.matrix(Math.max(1, nb), Math.max(1, nb), "block reflector T");
            sBuf = ws.matrix(Math.max(1, nb), Math.max(1, nb), "VᵀV");
            wBuf = ws.matrix(Math.max(1, nb), Math.max(1, n), "VᵀC");
            twBuf = ws.matrix(Math.max(1, nb), Math.max(1, n), "op(T) VᵀC");
        }

        /** V and T of the reflectors i..i+ib of a (rows i..m), read before a's columns are overwritten. */
        void load(Matrix a, Vector tau, int i, int ib) {
            v = vBuf.block(0, 0, a.rows() - i, ib);
            takeReflectors(a, i, ib, v);
            t = tBuf.block(0, 0, ib, ib);
            triangularFactor(be, v, tau, i, sBuf.block(0, 0, ib, ib), t);
        }

        /** C ← C − V op(T) (Vᵀ C): H (trans NO) or Hᵀ (trans YES) applied to C (rows i..m of the loaded block). */
        void apply(Trans trans, Matrix c) {
            long ib = v.cols();
            Matrix w = wBuf.block(0, 0, ib, c.cols());
            Matrix tw = twBuf.block(0, 0, ib, c.cols());
            be.gemm(Trans.YES, Trans.NO, 1.0, v, c, 0.0, w);
            be.gemm(trans, Trans.NO, 1.0, t, w, 0.0, tw);
            be.gemm(Trans.NO, Trans.NO, -1.0, v, tw, 1.0, c);
        }

        @Override
        public void close() {
            ws.close();
        }
    }

    /** V ← the reflectors i..i+ib of a with their implicit unit diagonal and zeros above it (rows i..m). */
    private static void takeReflectors(Matrix a, int i, int ib, Matrix v) {
        long rows = v.rows();
        for (int c = 0; c < ib; c++) {
            Vector dst = v.column(c);
            Vector src = a.column(i + c);
            for (int r = 0; r < c; r++) {
                dst.set(r, 0.0);
            }
            dst.set(c, 1.0);
            for (long r = c + 1; r < rows; r++) {
                dst.set(r, src.get(i + r));
            }
        }
    }

    /** T of H = I − V T Vᵀ = H_i ⋯ H_{i+ib−1} (dlarft, forward, columnwise), from S = VᵀV; entries below the diagonal 0. */
    private static void triangularFactor(Backend be, Matrix v, Vector tau, int i, Matrix s, Matrix t) {
        int ib = Math.toIntExact(v.cols());
        be.syrk(Uplo.UPPER, Trans.YES, 1.0, v, 0.0, s);
        double[] x = new double[ib];
        for (int j = 0; j < ib; j++) {
            double tj = tau.get(i + j);
            for (int r = 0; r < ib; r++) {
                t.set(r, j, 0.0);
            }
            t.set(j, j, tj);
            if (tj == 0.0) {
                continue;
            }
            for (int r = 0; r < j; r++) {
                x[r] = s.get(r, j);
            }
            for (int r = 0; r < j; r++) { // T[0:j, j] = −τ_j T[0:j, 0:j] x, T upper triangular
                double acc = 0;
                for (int q = r; q < j; q++) {
                    acc += t.get(r, q) * x[q];
                }
                t.set(r, j, -tj * acc);
            }
        }
    }
}
