package org.gdml4j.linalg;

import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MatrixViewTest {
    @Test
    void viewsShareMemoryAndNeverCopy() {
        try (Workspace ws = Workspace.confined()) {
            Matrix m = ws.matrix(5, 4, "m");
            Matrix b = m.block(1, 1, 3, 2);
            assertEquals(5, b.ld());
            b.set(2, 1, 42);
            assertEquals(42, m.get(3, 2));
            m.column(2).set(4, 7);
            assertEquals(7, m.get(4, 2));
            m.row(3).set(0, -1);
            assertEquals(-1, m.get(3, 0));
            m.diagonal().set(3, 9);
            assertEquals(9, m.get(3, 3));
            assertEquals(4, m.diagonal().length());
            assertThrows(IllegalStateException.class, b::asVector);
            assertEquals(20, m.asVector().length());
            assertThrows(IndexOutOfBoundsException.class, () -> m.block(3, 0, 3, 1));
        }
    }

    @Test
    void a63000SquareMatrixIsDescribable() {
        long n = 63_000;
        MemorySegment huge = MemorySegment.NULL.reinterpret(n * n * 8); // described, never touched
        Matrix k = Matrix.wrap(huge, n, n, n, Precision.FP64);
        assertEquals(31_752_000_000L, k.spanBytes());
        Matrix corner = k.block(n - 10, n - 10, 10, 10);
        assertEquals(n, corner.ld());
        assertEquals(10, corner.column(9).length());
    }

    @Test
    void blasRejectsDimensionsBeyondInt() {
        assertThrows(IllegalArgumentException.class, () -> Shapes.dim(3_000_000_000L));
        assertEquals(7, Shapes.dim(7));
    }

    @Test
    void zeroSizedShapesAreFine() {
        try (Workspace ws = Workspace.confined()) {
            Matrix a = ws.matrix(4, 0, "a");
            Matrix b = ws.matrix(0, 3, "b");
            Matrix c = ws.matrix(4, 3, "c");
            c.set(1, 1, 5);
            CpuBackend.get().gemm(Backend.Trans.NO, Backend.Trans.NO, 1, a, b, 2, c); // k = 0: C ← βC
            assertEquals(10, c.get(1, 1));
            assertTrue(a.spanBytes() == 0);
        }
    }
}
