package org.gdml4j.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Parallel;
import org.gdml4j.linalg.Precision;
import org.gdml4j.linalg.Vector;

/**
 * The explicit entries of the kernel (columns, the diagonal, diagonal blocks, the dense matrix), written straight into
 * host memory from {@link KernelBlocks}'s SIMD blocks: one lane per row molecule, each worker piece with its scratch
 * slot of the shared {@link BlockScratch.Pool}. {@link GdmlKernel} checks shapes and indices before it calls here.
 */
final class KernelEntries {
    private final KernelBlocks blocks;
    private final BlockScratch.Pool pool;
    private final int m;
    private final int n3;
    /** The diagonal blocks of lane group {@link #selfGroup} ([lane][column · 3N + row]); see {@link #diagonalBlock}. */
    private double[][] selfBlocks;
    private int selfGroup = -1;

    KernelEntries(KernelBlocks blocks, BlockScratch.Pool pool, int molecules, int blockSize) {
        this.blocks = blocks;
        this.pool = pool;
        this.m = molecules;
        this.n3 = blockSize;
    }

    /**
     * Columns indices[start, end) (all of molecule j) into the same columns of {@code view}, for every row
     * molecule: parallel over groups of {@link LaneGroups#lanes()} row molecules, each piece with its own scratch.
     */
    void moleculeColumns(int j, long[] indices, int start, int end, Matrix view) {
        LaneGroups lg = blocks.groups();
        int lanes = lg.lanes();
        boolean perP = end - start > KernelBlocks.SUMMED_COLUMNS;
        boolean fullR = end - start > KernelBlocks.FEW_COLUMNS;
        MemorySegment out = view.segment();
        boolean fp32 = view.precision() == Precision.FP32;
        long ld = view.ld();
        long col0 = (long) j * n3;
        int pieces = pool.pieces(lg.groups(), 2);
        Parallel.forChunks(lg.groups(), pieces, (piece, lo, hi) -> {
            BlockScratch s = pool.slot(piece);
            blocks.loadColumnMolecule(s, j);
            for (int g = (int) lo; g < hi; g++) {
                blocks.rowGroup(s, g, perP, fullR, false);
                for (int c = start; c < end; c++) {
                    blocks.column(s, g, (int) (indices[c] - col0), perP, fullR, false);
                    s.store(out, fp32, c * ld + (long) g * lanes * n3, 0, lg.valid(g), n3, 1);
                }
            }
        });
    }

    /**
     * K_ii into {@code out} (3N x 3N host view). The blocks of all molecules of i's lane group are computed together
     * (each lane its own row and column molecule, one vector op per step for all of them) and kept until another
     * group is asked for: block-Jacobi asks for i = 0, 1, 2, ...
     */
    void diagonalBlock(int i, Matrix out) {
        LaneGroups lg = blocks.groups();
        int g = i / lg.lanes();
        if (selfGroup != g) {
            if (selfBlocks == null) {
                selfBlocks = new double[lg.lanes()][n3 * n3];
            }
            boolean fullR = n3 > KernelBlocks.FEW_COLUMNS;
            pool.pieces(1, 1);
            BlockScratch s = pool.slot(0);
            selfGroup = -1; // until complete
            blocks.rowGroup(s, g, true, fullR, true);
            for (int c = 0; c < n3; c++) {
                blocks.column(s, g, c, true, fullR, true);
                for (int l = 0; l < lg.valid(g); l++) {
                    s.storeLane(l, selfBlocks[l], c * n3);
                }
            }
            selfGroup = g;
        }
        double[] block = selfBlocks[i - g * lg.lanes()];
        MemorySegment os = out.segment();
        for (int c = 0; c < n3; c++) {
            if (out.precision() == Precision.FP32) {
                for (int r = 0; r < n3; r++) {
                    os.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, c * out.ld() + r, (float) block[c * n3 + r]);
                }
            } else {
                MemorySegment.copy(block, c * n3, os, ValueLayout.JAVA_DOUBLE_UNALIGNED, c * out.ld() * 8, n3);
            }
        }
    }

    /** diag(K) into {@code out} (host view of length n, any stride, FP64 or FP32). */
    void diagonal(Vector out) {
        LaneGroups lg = blocks.groups();
        long step = (long) lg.lanes() * n3 * out.inc();
        MemorySegment os = out.segment();
        boolean fp32 = out.precision() == Precision.FP32;
        long inc = out.inc();
        int pieces = pool.pieces(lg.groups(), 2);
        Parallel.forChunks(lg.groups(), pieces, (piece, lo, hi) -> {
            BlockScratch s = pool.slot(piece);
            for (int g = (int) lo; g < hi; g++) {
                blocks.diagonal(s, g);
                s.store(os, fp32, g * step, 0, lg.valid(g), n3 * inc, inc);
            }
        });
    }

    /**
     * The dense K into {@code view} (n x n host view), both triangles: blocks K_ij with i ≥ j are computed (the
     * symmetrised kernel of a group satisfies K_ji = K_ijᵀ) and mirrored. {@code progress} (may be null) receives the
     * number of finished column molecules.
     */
    void assemble(Matrix view, IntConsumer progress) {
        LaneGroups lg = blocks.groups();
        int lanes = lg.lanes();
        boolean fullR = n3 > KernelBlocks.FEW_COLUMNS;
        MemorySegment out = view.segment();
        boolean fp32 = view.precision() == Precision.FP32;
        long ld = view.ld();
        AtomicInteger done = new AtomicInteger();
        // interleaved assignment of column molecules balances the triangular work
        int workers = pool.pieces(m, 1);
        Parallel.forChunks(workers, workers, (piece, lo, hi) -> {
            BlockScratch s = pool.slot(piece);
            for (long wk = lo; wk < hi; wk++) {
                for (int j = (int) wk; j < m; j += workers) {
                    blocks.loadColumnMolecule(s, j);
                    for (int g = j / lanes; g < lg.groups(); g++) {
                        blocks.rowGroup(s, g, true, fullR, false);
                        int i0 = g * lanes;
                        int from = Math.max(0, j - i0); // lanes of row molecules i ≥ j
                        int to = lg.valid(g);
                        int mirrorFrom = Math.max(from, j + 1 - i0); // i > j: K_ji = K_ijᵀ
                        for (int c = 0; c < n3; c++) {
                            long colRow = (long) j * n3 + c;
                            blocks.column(s, g, c, true, fullR, false);
                            s.store(out, fp32, colRow * ld + (long) (i0 + from) * n3, from, to, n3, 1);
                            if (mirrorFrom < to) {
                                s.store(out, fp32, colRow + (long) (i0 + mirrorFrom) * n3 * ld, mirrorFrom, to, n3 * ld, ld);
                            }
                        }
                    }
                    if (progress != null) {
                        progress.accept(done.incrementAndGet());
                    }
                }
            }
        });
    }
}
