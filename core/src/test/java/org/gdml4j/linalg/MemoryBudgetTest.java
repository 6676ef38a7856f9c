package org.gdml4j.linalg;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemoryBudgetTest {
    @Test
    void anAllocationBeyondPhysicalMemoryFailsUpFrontWithNumbers() {
        long tooMuch = SystemMemory.read().totalBytes() * 4;
        try (Workspace ws = Workspace.confined()) {
            InsufficientMemoryException e = assertThrows(InsufficientMemoryException.class,
                    () -> ws.matrix(tooMuch / 8 / 1000, 1000, "kernel matrix"));
            assertTrue(e.getMessage().startsWith("kernel matrix needs "), e.getMessage());
            assertTrue(e.getMessage().contains("available"), e.getMessage());
            assertTrue(e.needed() > e.available());
            assertEquals(0, ws.bytes());
        }
    }

    @Test
    void userLimitBindsAndCountsLiveWorkspaces() {
        CpuBackend capped = CpuBackend.create(CpuBackend.Settings.defaults().withMemoryLimit(10_000_000));
        MemoryBudget budget = capped.memory();
        try (Workspace ws = capped.workspace()) {
            ws.vector(1_000_000, "first"); // 8 MB
            assertEquals(8_000_000, budget.liveBytes());
            InsufficientMemoryException e = assertThrows(InsufficientMemoryException.class, () -> ws.vector(500_000, "second"));
            assertTrue(e.getMessage().contains("--max-memory"), e.getMessage());
            try (Workspace other = CpuBackend.get().workspace()) {
                other.vector(500_000, "another backend's budget"); // the cap belongs to one backend, not the process
            }
        }
        assertEquals(0, budget.liveBytes(), "closing the workspace releases its bytes");
    }

    @Test
    void uninitializedMemoryIsAccountedAndFreedWithItsWorkspace() {
        MemoryBudget budget = MemoryBudget.host(-1);
        try (Workspace ws = Workspace.shared(budget)) {
            Matrix m = ws.uninitializedMatrix(1000, 1000, Precision.FP64, "scratch");
            assertEquals(0, m.segment().address() % 64, "64-byte aligned");
            m.set(999, 999, 4.0);
            assertEquals(4.0, m.get(999, 999));
            assertEquals(8_000_000, budget.liveBytes());
        }
        assertEquals(0, budget.liveBytes());
    }

    @Test
    void parsesSizes() {
        assertEquals(12L << 30, MemoryBudget.parseBytes("12g"));
        assertEquals(512L << 20, MemoryBudget.parseBytes("512M"));
        assertEquals(3L << 29, MemoryBudget.parseBytes("1.5GB"));
        assertEquals(1000, MemoryBudget.parseBytes("1000"));
        assertThrows(IllegalArgumentException.class, () -> MemoryBudget.parseBytes("lots"));
        assertThrows(IllegalArgumentException.class, () -> MemoryBudget.parseBytes("-1g"));
        assertEquals("7.94 GB", MemoryBudget.formatBytes(7_938_000_000L));
    }

    @Test
    void systemMemoryIsPlausible() {
        SystemMemory m = SystemMemory.read();
        assertTrue(m.totalBytes() > 0);
        assertTrue(m.obtainableBytes() <= m.totalBytes() || m.cgroupLimit().isPresent());
    }

    /** A device's budget: what the device reports free, capped by the user's limit, and named in the refusal. */
    @Test
    void aDeviceBudgetAsksTheDevice() {
        long[] free = {6L << 30};
        MemoryBudget b = MemoryBudget.device(-1, new MemoryBudget.DeviceMemory() {
            @Override
            public long freeBytes() {
                return free[0];
            }

            @Override
            public long totalBytes() {
                return 8L << 30;
            }

            @Override
            public String name() {
                return "cuda:0 (test GPU)";
            }
        });
        assertEquals(6L << 30, b.availableBytes());
        b.require(5L << 30, "fits");
        free[0] = 1L << 30;
        InsufficientMemoryException e = assertThrows(InsufficientMemoryException.class, () -> b.require(2L << 30, "the factor"));
        assertTrue(e.getMessage().contains("the factor") && e.getMessage().contains("device cuda:0 (test GPU)")
                && e.getMessage().contains("free of 8"), e.getMessage());
        MemoryBudget capped = MemoryBudget.device(512L << 20, b.device());
        assertEquals(512L << 20, capped.availableBytes(), "the user's cap binds below the device's free memory");
    }
}
