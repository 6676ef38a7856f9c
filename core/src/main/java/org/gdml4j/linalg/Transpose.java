package org.gdml4j.linalg;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * B ← Aᵀ with precision conversion, in square tiles so that both the strided reads and the strided writes stay
 * within a few cache lines per row; column tiles of A (row tiles of B) are split across workers.
 */
final class Transpose {
    private static final int TILE = 64;
    private static final ValueLayout.OfFloat F4 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfDouble D8 = ValueLayout.JAVA_DOUBLE_UNALIGNED;

    private Transpose() {
    }

    static void into(Matrix a, Matrix b) {
        if (b.rows() != a.cols() || b.cols() != a.rows()) {
            throw new IllegalArgumentException("transpose: " + a + " into " + b);
        }
        long rows = a.rows();
        long cols = a.cols();
        MemorySegment as = a.segment();
        MemorySegment bs = b.segment();
        long lda = a.ld();
        long ldb = b.ld();
        boolean a64 = a.precision() == Precision.FP64;
        boolean b64 = b.precision() == Precision.FP64;
        long tiles = (cols + TILE - 1) / TILE;
        Parallel.forRange(tiles, Parallel.shareable(as, bs) ? 1 : Math.max(1, tiles), (lo, hi) -> {
            for (long tj = lo; tj < hi; tj++) {
                long j0 = tj * TILE;
                long j1 = Math.min(cols, j0 + TILE);
                for (long i0 = 0; i0 < rows; i0 += TILE) {
                    long i1 = Math.min(rows, i0 + TILE);
                    for (long i = i0; i < i1; i++) {
                        for (long j = j0; j < j1; j++) {
                            long src = i + j * lda;
                            double v = a64 ? as.getAtIndex(D8, src) : as.getAtIndex(F4, src);
                            long dst = j + i * ldb;
                            if (b64) {
                                bs.setAtIndex(D8, dst, v);
                            } else {
                                bs.setAtIndex(F4, dst, (float) v);
                            }
                        }
                    }
                }
            }
        });
    }
}
