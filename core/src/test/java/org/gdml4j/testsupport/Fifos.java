package org.gdml4j.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;

/** Named pipes for tests of what gdml4j refuses to write to. */
public final class Fifos {
    private Fifos() {
    }

    /** A fifo made by mkfifo(1) at {@code path}; the test is skipped, with the reason printed, where there is none. */
    public static Path make(Path path) {
        try {
            Process p = new ProcessBuilder("mkfifo", path.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0 || !Files.exists(path)) {
                System.out.println("[skipped] mkfifo failed: " + out);
                Assumptions.abort("mkfifo failed: " + out);
            }
            return path;
        } catch (IOException | InterruptedException e) {
            System.out.println("[skipped] no mkfifo here: " + e);
            Assumptions.abort("no mkfifo here: " + e);
            return null;
        }
    }
}
