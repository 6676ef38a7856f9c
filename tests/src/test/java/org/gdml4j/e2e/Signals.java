package org.gdml4j.e2e;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Real signals for real child processes: {@code kill -s NAME PID}, and children that do not inherit an ignored SIGINT. */
final class Signals {
    private Signals() {
    }

    /** The exit status a process gets from gdml4j's handler for {@code name}: 128 + the signal's number. */
    static int exitStatus(String name) {
        return switch (name) {
            case "HUP" -> 129;
            case "INT" -> 130;
            case "TERM" -> 143;
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** Sends SIG{@code name} to {@code pid} with the system's kill. */
    static void send(long pid, String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-s", name, Long.toString(pid)).redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new AssertionError("kill -s " + name + " " + pid + " failed: " + new String(kill.getInputStream().readAllBytes()));
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run kill", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * A command to start a child through so that SIGINT and SIGHUP reach it: a process started in the background of a
     * non-interactive shell (as a CI runner may start this test JVM) ignores SIGINT, one started under {@code nohup}
     * ignores SIGHUP, children inherit that, and the JVM keeps an ignored signal ignored, as it must.
     * {@code env --default-signal=INT,HUP} (coreutils 8.31+) undoes it; empty when neither is ignored here.
     */
    static List<String> withDefaultSigint() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("SigIgn:")) {
                    BigInteger mask = new BigInteger(line.substring(7).trim(), 16);
                    List<String> ignored = new java.util.ArrayList<>(); // bit n-1 is signal n
                    if (mask.testBit(1)) {
                        ignored.add("INT");
                    }
                    if (mask.testBit(0)) {
                        ignored.add("HUP");
                    }
                    return ignored.isEmpty() ? List.of() : List.of("env", "--default-signal=" + String.join(",", ignored));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux: assume the default disposition
        }
        return List.of();
    }
}
