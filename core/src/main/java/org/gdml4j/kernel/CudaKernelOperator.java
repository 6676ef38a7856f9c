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
 * <p>The explicit entries (columns, diagonal, blocks, the dense matrix) and the model arrays still come from the CPU
 * kernel through {@link StagedKernelOperator}: a preconditioner build asks for them once.
 *
 * <p>Chosen with {@code -Dgdml4j.cuda.kernel=device}; the default stays the staged product until this one has been
 * checked on a GPU ({@code CudaKernelProductTest}, {@code perf/gpu-check}).
 */
final class CudaKernelOperator implements KernelOperator {
    /** The property that picks this operator for CUDA backends ({@code device}) over the staged one ({@code staged}). */
    static final String PROPERTY = "gdml4j.cuda.kernel";

    private final CudaBackend be;
    private final StagedKernelOperator staged;
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

    CudaKernelOperator(CudaBackend be, GdmlKernel host) {
        this.be = be;
        this.staged = new StagedKernelOperator(be, host);
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
            staged.close();
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
        return staged.size();
    }

    @Override
    public int blockSize() {
        return staged.blockSize();
    }

    @Override
    public int molecules() {
        return m;
    }

    @Override
    public int descriptorLength() {
        return d;
    }

    @Override
    public void columns(long[] indices, Matrix view) {
        staged.columns(indices, view);
    }

    @Override
    public void diagonal(Vector out) {
        staged.diagonal(out);
    }

    @Override
    public void diagonalBlock(int i, Matrix out) {
        staged.diagonalBlock(i, out);
    }

    @Override
    public void assemble(Matrix view, IntConsumer progress) {
        staged.assemble(view, progress);
    }

    @Override
    public double[] trainingDescriptors() {
        return staged.trainingDescriptors();
    }

    @Override
    public double[] descriptorAlphas(double[] alphas) {
        return staged.descriptorAlphas(alphas);
    }

    @Override
    public long bytes() {
        return staged.bytes() + ws.bytes();
    }

    @Override
    public void close() {
        ws.close();
        staged.close();
    }
}
