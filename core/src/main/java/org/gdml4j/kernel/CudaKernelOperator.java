package org.gdml4j.kernel;

import java.util.function.IntConsumer;

import org.gdml4j.linalg.Backend.Trans;
import org.gdml4j.linalg.CudaBackend;
import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Vector;
import org.gdml4j.linalg.Workspace;

/**
 * The kernel operator on a GPU: the product K v resident on the device, in the GEMM formulation of
 * docs/sgdml-formulas.md §4 (the steps of {@link KernelSums} and {@link GdmlKernel#apply}): the Jacobian products,
 * the permuted copies, two cuBLAS GEMMs around one fused coefficient pass, and the transposed Jacobian products, as
 * gdml4j's CUDA kernels ({@code core/src/main/cuda/kernel_ops.cu}). The Matérn coefficients of the training set are
 * computed once and kept on the device (3·M·P·M doubles). A product moves nothing to or from the host.
 *
 * <p>The explicit entries (columns, the diagonal, diagonal blocks, the dense matrix) are computed on the device too,
 * one thread per entry straight from the definition (the kernel {@code kernel_entries}: O(P·D) per entry, the
 * formula of the CPU's scalar reference). The model arrays (descriptors, J α) come from the CPU kernel.
 *
 * <p>Chosen with {@code -Dgdml4j.cuda.kernel=device}; the default stays the staged product until this one has been
 * checked on a GPU ({@code CudaKernelProductTest}, {@code perf/gpu-check}).
 */
final class CudaKernelOperator implements KernelOperator {
    /** The property that picks this operator for CUDA backends ({@code device}) over the staged one ({@code staged}). */
    static final String PROPERTY = "gdml4j.cuda.kernel";

    private final CudaBackend be;
    /** The CPU kernel: the model arrays (descriptors, J α) come from it; everything else runs on the device. */
    private final GdmlKernel host;
    private final Workspace ws;
    private final int m;
    private final int d;
    private final int atoms;
    private final int p;
    private final Matrix x;
    private final Matrix jac;
    private final Matrix wxp;
    private final Matrix wp;
    private final Matrix ac;
    private final Matrix t;
    private final Matrix b;
    private final Matrix w;
    private final Matrix u;
    private final Vector first;
    private final Vector second;
    private final Vector maps;
    private final Vector s;
    private final Vector colsum;
    /** Column indices of the last {@link #columns} call, as doubles (grown as needed). */
    private Vector indices;

    CudaKernelOperator(CudaBackend be, GdmlKernel host) {
        this.be = be;
        this.host = host;
        this.ws = be.workspace();
        try {
            Descriptors desc = host.descriptors();
            Symmetries sym = host.symmetries();
            PairIndex pairs = desc.pairs();
            this.m = host.molecules();
            this.d = host.descriptorLength();
            this.atoms = pairs.atoms();
            this.p = sym.count();
            int mp = Math.multiplyExact(m, p);
            x = ws.matrix(d, m, "device training descriptors");
            be.upload(host.trainingDescriptors(), x.asVector());
            jac = ws.matrix(3L * d, m, "device Jacobians");
            be.upload(desc.jacobian(), jac);
            // index tables as doubles (small whole numbers, exact)
            first = table(pairs.firstArray());
            second = table(pairs.secondArray());
            int[] all = new int[p * d];
            for (int q = 0; q < p; q++) {
                System.arraycopy(sym.descriptorMap(q), 0, all, q * d, d);
            }
            maps = table(all);
            wxp = ws.matrix(d, 2L * mp, "device permuted descriptors and weights");
            wp = wxp.columns(0, mp);
            Matrix xp = wxp.columns(mp, mp);
            permute(x, xp);
            Vector norms = ws.vector(m, "device descriptor norms");
            be.columnDots(x, x, 0.0, norms);
            ac = ws.matrix(2L * mp, m, "device kernel coefficients");
            Matrix a = ac.block(0, 0, mp, m);
            t = ac.block(mp, 0, mp, m);
            b = ws.matrix(mp, m, "device kernel coefficients");
            be.gemm(Trans.YES, Trans.NO, 1.0, xp, x, 0.0, a);
            be.launch("matern_from_gram").i64(mp).i64(m).i32(p).ptr(a).i64(a.ld()).ptr(b).i64(b.ld()).ptr(norms)
                    .f64(host.sigma()).over((long) mp * m);
            w = ws.matrix(d, m, "device kernel product buffer");
            u = ws.matrix(d, m, "device kernel product buffer");
            s = ws.vector(m, "device kernel product buffer");
            colsum = ws.vector(m, "device kernel product buffer");
        } catch (RuntimeException e) {
            ws.close();
            host.close();
            throw e;
        }
    }

    private Vector table(int[] values) {
        double[] v = new double[values.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = values[i];
        }
        Vector out = ws.vector(v.length, "device index table");
        be.upload(v, out);
        return out;
    }

    /** dst[:, j·P + q] ← P_q src[:, j]. */
    private void permute(Matrix src, Matrix dst) {
        be.launch("permute_columns").i64(d).i64(m).i32(p).ptr(src).i64(src.ld()).ptr(maps).ptr(dst).i64(dst.ld())
                .over((long) d * m * p);
    }

    @Override
    public void apply(Vector v, Vector out) {
        long n = size();
        if (v.length() != n || out.length() != n || !v.isContiguous() || !out.isContiguous()) {
            throw new IllegalArgumentException("apply needs contiguous vectors of length " + n + ", got " + v + " and " + out);
        }
        be.launch("jacobian_times").i64(m).i64(d).i32(atoms).ptr(first).ptr(second).ptr(jac).i64(jac.ld()).ptr(v).ptr(w)
                .i64(w.ld()).over((long) d * m);
        permute(w, wp);
        be.columnDots(x, w, 0.0, s); // s_j = x_j · w_j
        be.gemm(Trans.YES, Trans.NO, 1.0, wp, x, 0.0, t); // T = W'ᵀ X
        be.launch("projections").i64(t.rows()).i64(m).i32(p).ptr(t).i64(t.ld()).ptr(b).i64(b.ld()).ptr(s).ptr(colsum)
                .grid(Math.min(m, 65535), 1); // C = b ∘ (T − s), column sums
        be.gemm(Trans.NO, Trans.NO, 1.0, wxp, ac, 0.0, u); // U = W'A + X'C
        be.launch("sub_scaled_columns").i64(d).i64(m).ptr(x).i64(x.ld()).ptr(colsum).ptr(u).i64(u.ld()).over((long) d * m);
        be.launch("jacobian_transpose_times").i64(m).i64(d).i32(atoms).ptr(jac).i64(jac.ld()).ptr(u).i64(u.ld()).ptr(out)
                .over(3L * atoms * m);
    }

    @Override
    public long size() {
        return host.size();
    }

    @Override
    public int blockSize() {
        return host.blockSize();
    }

    @Override
    public int molecules() {
        return m;
    }

    @Override
    public int descriptorLength() {
        return d;
    }

    /**
     * Entries (rr, cc) = K[rowBase + rr, col] into {@code out} at rr·inco + cc·ldo, col = colIdx[cc] (colIdx not
     * null), colBase + cc, or the row itself ({@code diag}).
     */
    private void entries(long rows, long cols, long rowBase, long colBase, Vector colIdx, boolean diag, CudaLaunchTarget out) {
        if (rows == 0 || cols == 0) {
            return;
        }
        var l = be.launch("kernel_entries").i64(rows).i64(cols).i64(rowBase).i64(colBase);
        (colIdx == null ? l.nullPtr() : l.ptr(colIdx)).i32(diag ? 1 : 0).i32(atoms).i64(d).i64(m).i32(p).ptr(x).i64(x.ld())
                .ptr(jac).i64(jac.ld()).ptr(maps).ptr(first).ptr(second).f64(host.sigma());
        out.bind(l).i64(out.inc()).i64(out.ld()).i32(out.fp32() ? 1 : 0).over(rows * cols);
    }

    /** Where {@link #entries} writes: a matrix (inc 1) or a strided vector (one column). */
    private record CudaLaunchTarget(Matrix matrix, Vector vector) {
        org.gdml4j.linalg.CudaLaunch.Params bind(org.gdml4j.linalg.CudaLaunch.Params l) {
            return matrix != null ? l.ptr(matrix) : l.ptr(vector);
        }

        long inc() {
            return matrix != null ? 1 : vector.inc();
        }

        long ld() {
            return matrix != null ? matrix.ld() : 0;
        }

        boolean fp32() {
            return (matrix != null ? matrix.precision() : vector.precision()) == org.gdml4j.linalg.Precision.FP32;
        }
    }

    @Override
    public void columns(long[] idx, Matrix view) {
        long n = size();
        if (view.rows() != n || view.cols() != idx.length) {
            throw new IllegalArgumentException("columns: need an " + n + " x " + idx.length + " view, got " + view);
        }
        double[] v = new double[idx.length];
        for (int c = 0; c < idx.length; c++) {
            java.util.Objects.checkIndex(idx[c], n);
            v[c] = idx[c];
        }
        if (indices == null || indices.length() < v.length) {
            indices = ws.vector(Math.max(v.length, 2 * (indices == null ? 0 : indices.length())), "device column indices");
        }
        Vector dst = indices.slice(0, v.length);
        be.upload(v, dst);
        entries(n, idx.length, 0, 0, dst, false, new CudaLaunchTarget(view, null));
    }

    @Override
    public void diagonal(Vector out) {
        if (out.length() != size()) {
            throw new IllegalArgumentException("diagonal: need length " + size() + ", got " + out);
        }
        entries(size(), 1, 0, 0, null, true, new CudaLaunchTarget(null, out));
    }

    @Override
    public void diagonalBlock(int i, Matrix out) {
        int n3 = blockSize();
        if (out.rows() != n3 || out.cols() != n3) {
            throw new IllegalArgumentException("diagonalBlock: need a " + n3 + " x " + n3 + " view, got " + out);
        }
        java.util.Objects.checkIndex(i, m);
        entries(n3, n3, (long) i * n3, (long) i * n3, null, false, new CudaLaunchTarget(out, null));
    }

    @Override
    public void assemble(Matrix view, IntConsumer progress) {
        long n = size();
        if (view.rows() != n || view.cols() != n) {
            throw new IllegalArgumentException("assemble: need an " + n + " x " + n + " view, got " + view);
        }
        int n3 = blockSize();
        int step = Math.max(1, (int) Math.min(m, (1L << 28) / Math.max(1, n * n3))); // column molecules per launch
        for (int j0 = 0; j0 < m; j0 += step) {
            int j1 = Math.min(m, j0 + step);
            entries(n, (long) (j1 - j0) * n3, 0, (long) j0 * n3, null, false,
                    new CudaLaunchTarget(view.columns((long) j0 * n3, (long) (j1 - j0) * n3), null));
            if (progress != null) {
                progress.accept(j1);
            }
        }
    }

    @Override
    public double[] trainingDescriptors() {
        return host.trainingDescriptors();
    }

    @Override
    public double[] descriptorAlphas(double[] alphas) {
        return host.descriptorAlphas(alphas);
    }

    @Override
    public long bytes() {
        return host.bytes() + ws.bytes();
    }

    @Override
    public void close() {
        ws.close();
        host.close();
    }
}
