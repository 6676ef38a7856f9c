package org.gdml4j.linalg;

import java.util.List;

import org.gdml4j.nativ.CudaStatus;
import org.gdml4j.nativ.NativeLibraryException;
import org.gdml4j.testsupport.Gpus;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Backends}: device names, the backend each gives, and the refusals with the words a user needs. */
class BackendsTest {
    @Test
    void cpuInAnyCaseAndWithBlanksIsTheCpuBackend() {
        for (String name : List.of("cpu", "CPU", " Cpu ", "\tcpu\n")) {
            assertSame(CpuBackend.get(), Backends.select(name), name);
            assertEquals("cpu", Backends.parse(name).name(), name);
        }
        assertSame(CpuBackend.get(), Backends.select(Backends.DEFAULT_DEVICE));
    }

    /** A command's backend: a new CPU backend whose own budget carries the memory cap. */
    @Test
    void aCommandsBackendHasItsOwnMemoryBudget() {
        Backend capped = Backends.select(" cpu", 123L << 20);
        assertTrue(capped instanceof CpuBackend && capped != CpuBackend.get(), capped.name());
        assertEquals(123L << 20, capped.memory().userLimit());
        assertEquals(-1, Backends.select("cpu", -1).memory().userLimit());
    }

    @Test
    void cudaNamesAreParsedWithTheirGpuNumber() {
        assertEquals(new Backends.Device(Backends.Kind.CUDA, 0), Backends.parse("cuda"));
        assertEquals(new Backends.Device(Backends.Kind.CUDA, 0), Backends.parse("cuda:0"));
        assertEquals(new Backends.Device(Backends.Kind.CUDA, 1), Backends.parse(" CUDA:1 "));
        assertEquals("cuda:3", Backends.parse("cuda:3").name());
    }

    /** Without a usable GPU (no driver, no CUDA libraries, no device), every CUDA name is refused with the reason. */
    @Test
    void withoutAUsableGpuCudaIsRefusedWithTheReason() {
        CudaStatus gpu = Gpus.assumeNone("BackendsTest");
        for (String name : List.of("cuda", "cuda:0", "cuda:1", "CUDA:2")) {
            assertEquals(Backends.Kind.CUDA, Backends.parse(name).kind());
            String canonical = Backends.parse(name).name();
            String checked = assertThrows(NativeLibraryException.class, () -> Backends.check(name)).getMessage();
            String msg = assertThrows(NativeLibraryException.class, () -> Backends.select(name)).getMessage();
            assertEquals(checked, msg, "check refuses what select refuses");
            assertEquals(msg, assertThrows(NativeLibraryException.class, () -> Backends.select(name, 1L << 30)).getMessage());
            assertEquals("--device " + canonical + ": " + gpu.reason() + "; use --device cpu", msg);
        }
        String msg = assertThrows(NativeLibraryException.class, () -> Backends.select("cuda", "-Dgdml4j.device")).getMessage();
        assertTrue(msg.startsWith("-Dgdml4j.device cuda:0: ") && msg.endsWith("use -Dgdml4j.device cpu"), msg);
        assertEquals(1, Backends.devices().size(), "only the CPU is listed");
    }

    @Test
    void malformedGpuNumbersAreRefused() {
        for (String name : List.of("cuda:", "cuda:x", "cuda:-1", "cuda:1.5", "cuda: 1", "cuda:99999999999")) {
            String msg = assertThrows(IllegalArgumentException.class, () -> Backends.parse(name), name).getMessage();
            assertTrue(msg.contains(name.strip()) && msg.contains("cuda:0"), msg);
        }
    }

    @Test
    void anythingElseIsRefusedWithTheChoices() {
        for (String name : List.of("tpu", "gpu", "", " ", "cpu0", "cpu:0", "opencl")) {
            String msg = assertThrows(IllegalArgumentException.class, () -> Backends.select(name), name).getMessage();
            assertTrue(msg.startsWith("unknown --device '" + name.strip() + "'") && msg.contains("choose: cpu"), msg);
        }
        String msg = assertThrows(IllegalArgumentException.class, () -> Backends.select(null)).getMessage();
        assertTrue(msg.contains("choose: cpu"), msg);
    }

    @Test
    void theDevicesListTheCpuWithItsThreadsLibraryAndMemory() {
        List<Backends.DeviceInfo> devices = Backends.devices();
        assertEquals("cpu", devices.getFirst().name());
        assertEquals("cpu", devices.getFirst().kind());
        assertTrue(devices.getFirst().description().contains("threads"), devices.getFirst().description());
        assertTrue(devices.getFirst().memoryBytes() > 0);
        for (Backends.DeviceInfo d : devices) {
            Backends.select(d.name()); // every listed device can be chosen
        }
    }
}
