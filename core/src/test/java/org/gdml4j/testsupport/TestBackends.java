package org.gdml4j.testsupport;

import java.util.ArrayList;
import java.util.List;

import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.Backends;
import org.gdml4j.linalg.CpuBackend;
import org.gdml4j.nativ.CudaStatus;
import org.gdml4j.nativ.NativeLibraries;

/**
 * Every backend the contract tests run on: the CPU backend, the host-less test backend (its memory refuses host
 * access), and the CUDA backend of GPU 0 where one is usable (otherwise the reason is printed once, and the tests run
 * on the others). Parametrised tests take their backends from here, as FALKON's tests take their devices.
 */
public final class TestBackends {
    private static boolean told;

    private TestBackends() {
    }

    public static synchronized List<Backend> all() {
        List<Backend> out = new ArrayList<>(List.of(CpuBackend.get(), new HostlessBackend()));
        CudaStatus gpu = NativeLibraries.cuda();
        if (gpu.available()) {
            out.add(Backends.select("cuda:0"));
        } else if (!told) {
            told = true;
            System.out.println("TestBackends: the CUDA backend is skipped: " + gpu.reason());
        }
        return out;
    }
}
