package org.gdml4j.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.MemoryBudget;
import org.gdml4j.linalg.Parallel;
import org.gdml4j.linalg.Vector;
import org.gdml4j.linalg.Workspace;

/**
 * The n x n force-force sGDML kernel (n = 3·N·M) of M training geometries with P permutation symmetries and
 * a Matérn-5/2 base kernel of length scale σ, in the PSD sign (docs/sgdml-formulas.md §3). Row/column index
 * 3N·i + 3·a + t (molecule, atom, Cartesian), the order of {@code F_train.ravel()}.
 *
 * <p>It is never formed for iterative use: {@link #apply} costs O(M²·P·D) through {@link KernelSums} (three
 * GEMM-shaped steps: J v per molecule, the permuted sums, Jᵀ u per molecule). Columns, the diagonal and the
 * dense matrix come from {@link KernelBlocks} and are written straight into the caller's views.
 * The kernel owns its buffers (a {@link Workspace}); close it to free them. Not thread-safe: one caller at a
 * time (it parallelises internally with {@link Parallel} workers and multithreaded BLAS).
 */
public final class GdmlKernel implements KernelOperator {
    private static final ValueLayout.OfDouble D8 = ValueLayout.JAVA_DOUBLE_UNALIGNED;

    /** Host views of the caller's memory, and the host BLAS for this kernel's own buffers. */
    private final Backend.HostCompute hc;
    private final Backend be;
    private final Workspace ws;
    private final Descriptors desc;
    private final Symmetries sym;
    private final Matern52 matern;
    private final KernelSums sums;
    private final BlockScratch.Pool pool;
    private final KernelEntries entries;
    private final int m;
    private final int n3;
    private final Matrix w;
    private final Matrix u;
    private KernelSums.QueryPlan plan;
    private long cacheLimit = -1;

    private GdmlKernel(Backend.HostCompute hc, Workspace ws, Descriptors desc, Symmetries sym, double sigma) {
        this.hc = hc;
        this.be = hc.host();
        this.ws = ws;
        this.desc = desc;
        this.sym = sym;
        this.matern = new Matern52(sigma);
        this.m = desc.count();
        this.n3 = 3 * desc.atoms();
        this.sums = new KernelSums(be, ws, desc.x(), sym, sigma);
        KernelBlocks blocks = new KernelBlocks(desc, sym, matern);
        this.pool = new BlockScratch.Pool(blocks::scratch);
        this.entries = new KernelEntries(blocks, pool, m, n3);
        this.w = ws.matrix(desc.dim(), m, "kernel product buffer");
        this.u = ws.matrix(desc.dim(), m, "kernel product buffer");
    }

    /**
     * A kernel over {@code count} training geometries stored C-order (count, atoms, 3) in {@code positions}.
     *
     * @throws IllegalArgumentException for σ ≤ 0, symmetries of another size, coinciding atoms
     */
    public static GdmlKernel create(Backend be, MemorySegment positions, int count, int atoms, Symmetries sym, double sigma) {
        if (count < 1) {
            throw new IllegalArgumentException("a kernel needs at least one training geometry");
        }
        if (sym.atoms() != atoms) {
            throw new IllegalArgumentException("symmetries are for " + sym.atoms() + " atoms, geometries have " + atoms);
        }
        new Matern52(sigma); // validates σ before any allocation
        // this is the CPU implementation: it works on host views of the backend's memory and keeps its own buffers
        // (descriptors, permuted copies, coefficient caches) in host memory
        Backend.HostCompute hc = be.hostCompute().orElseThrow(() -> new UnsupportedOperationException(
                "no kernel operator for the " + be.name() + " backend"));
        Workspace ws = hc.host().workspace();
        try {
            Descriptors desc = Descriptors.compute(ws, positions, count, atoms);
            return new GdmlKernel(hc, ws, desc, sym, sigma);
        } catch (RuntimeException e) {
            ws.close();
            throw e;
        }
    }

    /** The CPU backend this kernel computes with (host memory). */
    Backend hostBackend() {
        return be;
    }

    /** n = 3·N·M. */
    public long size() {
        return (long) n3 * m;
    }

    public Descriptors descriptors() {
        return desc;
    }

    public Symmetries symmetries() {
        return sym;
    }

    public double sigma() {
        return matern.sigma();
    }

    /** Caps the bytes the product may keep for cached coefficients (default: a quarter of what is available). */
    public void setCacheLimit(long bytes) {
        this.cacheLimit = bytes;
        this.plan = null;
    }

    /** Bytes the kernel holds now (descriptors, permuted copies, caches). */
    public long bytes() {
        return ws.bytes();
    }

    /** Whether {@link #apply} keeps its coefficient tiles (else it recomputes them in tiles per product). */
    public boolean productCached() {
        return plan().cached();
    }

    private KernelSums.QueryPlan plan() {
        if (plan == null) {
            long limit = cacheLimit >= 0 ? cacheLimit : be.memory().availableBytes() / 4;
            plan = sums.plan(ws, desc.x(), limit);
        }
        return plan;
    }

    /** out ← K v (both of length n, contiguous FP64; out must not alias v). */
    public void apply(Vector v, Vector out) {
        v = hc.view(v);
        out = hc.view(out);
        long n = size();
        if (v.length() != n || out.length() != n || !v.isContiguous() || !out.isContiguous()) {
            throw new IllegalArgumentException("apply needs contiguous vectors of length " + n + ", got " + v + " and " + out);
        }
        jacobianProducts(seg(v), w);
        int pieces = pool.pieces(m, 64);
        sums.setWeights(w);
        sums.sums(plan(), u, null);
        MemorySegment us = seg(u);
        MemorySegment os = seg(out);
        Parallel.forChunks(m, pieces, (piece, lo, hi) -> {
            double[] scratch = pool.slot(piece).jv;
            for (long i = lo; i < hi; i++) {
                desc.jacobianTransposeTimes((int) i, us, i * u.ld(), os, i * n3, scratch);
            }
        });
    }

    /** w[:, j] ← J_j v_j for every training molecule j (v: n values in host memory; w: D x M), by worker pieces. */
    private void jacobianProducts(MemorySegment v, Matrix w) {
        MemorySegment ws = seg(w);
        Parallel.forChunks(m, pool.pieces(m, 64), (piece, lo, hi) -> {
            double[] scratch = pool.slot(piece).jv;
            for (long j = lo; j < hi; j++) {
                desc.jacobianTimes((int) j, v, j * n3, ws, j * w.ld(), scratch);
            }
        });
    }

    /** Out ← K V for a block of vectors (n x k each). */
    public void apply(Matrix v, Matrix out) {
        if (v.cols() != out.cols()) {
            throw new IllegalArgumentException("apply: " + v + " into " + out);
        }
        for (long c = 0; c < v.cols(); c++) {
            apply(v.column(c), out.column(c));
        }
    }

    /**
     * Writes the kernel columns {@code indices} (sorted ascending, distinct, each in [0, n)) into the columns of
     * {@code view} (n x indices.length, FP64 or FP32), in order. Columns are grouped per training molecule,
     * so the molecule's data is visited once per group.
     */
    public void columns(long[] indices, Matrix view) {
        view = hc.view(view);
        long n = size();
        if (view.rows() != n || view.cols() != indices.length) {
            throw new IllegalArgumentException("columns: need an " + n + " x " + indices.length + " view, got " + view);
        }
        for (int c = 0; c < indices.length; c++) {
            if (indices[c] < 0 || indices[c] >= n || (c > 0 && indices[c] <= indices[c - 1])) {
                throw new IllegalArgumentException("column indices must be sorted, distinct and in [0, " + n + "): "
                        + "problem at position " + c + " (" + indices[c] + ")");
            }
        }
        int start = 0;
        while (start < indices.length) {
            int j = (int) (indices[start] / n3);
            int end = start;
            while (end < indices.length && indices[end] / n3 == j) {
                end++;
            }
            entries.moleculeColumns(j, indices, start, end, view);
            start = end;
        }
    }

    /** Column i of K into out (length n). */
    public void column(long i, Vector out) {
        out = hc.view(out);
        if (out.length() != size() || !out.isContiguous()) {
            throw new IllegalArgumentException("column: need a contiguous vector of length " + size() + ", got " + out);
        }
        columns(new long[] {i}, Matrix.wrap(seg(out), size(), 1, size(), out.precision()));
    }

    /**
     * The diagonal block K_ii (3N x 3N, FP64 or FP32) of training molecule i into {@code out}, O(P·D·N). The blocks of
     * all molecules of i's lane group are computed together (each lane its own row and column molecule, one vector op
     * per step for all of them) and kept until another group is asked for: block-Jacobi asks for i = 0, 1, 2, ...
     */
    public void diagonalBlock(int i, Matrix out) {
        out = hc.view(out);
        if (out.rows() != n3 || out.cols() != n3) {
            throw new IllegalArgumentException("diagonalBlock: need a " + n3 + " x " + n3 + " view, got " + out);
        }
        Objects.checkIndex(i, m);
        entries.diagonalBlock(i, out);
    }

    @Override
    public int molecules() {
        return m;
    }

    @Override
    public int descriptorLength() {
        return desc.dim();
    }

    /** Scratch slots made so far: one per worker piece, on first use (tests check that calls reuse them). */
    int scratchSlots() {
        return pool.made();
    }

    /** 3N: the number of rows and columns per training molecule. */
    public int blockSize() {
        return n3;
    }

    /** diag(K) into out (length n, any stride, FP64 or FP32), O(M·P·D). */
    public void diagonal(Vector out) {
        out = hc.view(out);
        if (out.length() != size()) {
            throw new IllegalArgumentException("diagonal: need length " + size() + ", got " + out);
        }
        entries.diagonal(out);
    }

    /**
     * Writes the dense K into {@code view} (n x n, FP64 or FP32), both triangles. Blocks K_ij with i ≥ j are computed
     * (the symmetrised kernel of a group satisfies K_ji = K_ijᵀ) and mirrored. {@code progress} (may be null)
     * receives the number of finished column molecules.
     */
    public void assemble(Matrix view, java.util.function.IntConsumer progress) {
        view = hc.view(view);
        long n = size();
        if (view.rows() != n || view.cols() != n) {
            throw new IllegalArgumentException("assemble: need an " + n + " x " + n + " view, got " + view);
        }
        entries.assemble(view, progress);
    }

    private static MemorySegment seg(Matrix x) {
        return x.segment();
    }

    private static MemorySegment seg(Vector x) {
        return x.segment();
    }

    /** The training descriptors x_j as a D x M column-major host array (the model's R_desc, transposed). */
    public double[] trainingDescriptors() {
        return desc.x().asVector().toArray();
    }

    /**
     * J_j α_j for every training molecule j as a D x M column-major host array (the model's R_d_desc_alpha,
     * transposed), from coefficients α (length n, host).
     */
    public double[] descriptorAlphas(double[] alphas) {
        if (alphas.length != size()) {
            throw new IllegalArgumentException("descriptorAlphas: need " + size() + " coefficients, got " + alphas.length);
        }
        int d = desc.dim();
        double[] out = new double[m * d];
        try (Workspace tmp = be.workspace()) {
            Vector a = tmp.vector(size(), "alphas").fill(alphas);
            Matrix v = tmp.matrix(d, m, "R_d_desc_alpha");
            jacobianProducts(seg(a), v);
            MemorySegment.copy(seg(v), D8, 0, out, 0, out.length);
        }
        return out;
    }

    @Override
    public void close() {
        plan = null;
        ws.close();
    }
}
