package org.gdml4j.testsupport;

import java.util.List;

import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.CpuBackend;

/**
 * Every backend the contract tests run on: the CPU backend and the host-less test backend (its memory refuses host
 * access), and a device backend where one is built and usable. Parametrised tests take their backends from here, as
 * FALKON's tests take their devices.
 */
public final class TestBackends {
    private TestBackends() {
    }

    public static List<Backend> all() {
        return List.of(CpuBackend.get(), new HostlessBackend());
    }
}
