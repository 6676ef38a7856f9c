package org.gdml4j.train;

import java.nio.file.Files;
import java.nio.file.Path;

import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.Backends;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The speed probe behind the cost model and {@code --solver auto}: positive rates, and a plan that says where they
 * came from; when it names a cache file, that file holds this machine's profile (issue #16: cached per machine and BLAS).
 */
class MachineSpeedTest {
    @Test
    void theRatesArePositiveAndTheirSourceIsNamed() throws Exception {
        Backend be = Backends.select("cpu");
        assertTrue(MachineSpeed.gemmGflops(be) > 0 && Double.isFinite(MachineSpeed.gemmGflops(be)));
        assertTrue(MachineSpeed.bandwidthBytesPerSecond(be) > 0 && Double.isFinite(MachineSpeed.bandwidthBytesPerSecond(be)));
        String source = MachineSpeed.source(be);
        int at = source.indexOf(MachineSpeed.FILE);
        if (at < 0) {
            assertTrue(source.contains("no writable cache folder"), source);
            return;
        }
        String path = source.substring(source.lastIndexOf(' ', at) + 1, at + MachineSpeed.FILE.length());
        String text = Files.readString(Path.of(path));
        String key = MachineSpeed.profileKey(be);
        assertTrue(text.contains(key + ".gflops") && text.contains(key + ".bandwidth"), "profile " + key + " not in " + path + ":\n" + text);
    }
}
