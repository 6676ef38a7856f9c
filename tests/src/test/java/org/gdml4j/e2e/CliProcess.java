package org.gdml4j.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code gdml4j} in a JVM of its own, on this test JVM's class path, for what an in-process {@link Cli#run}
 * cannot show: settings read once per process (the environment variables of native library loading), signals,
 * and the real exit status. The child gets exactly the JVM flags of the launcher script plus what the test adds;
 * nothing else of the test JVM's configuration is passed on.
 *
 * <pre>{@code
 * Cli.Result r = CliProcess.gdml4j("info").env("GDML4J_BLAS", "/no/such.so").run(Duration.ofSeconds(60));
 *
 * try (CliProcess.Running p = CliProcess.gdml4j("solve", task, "-o", model).start()) {
 *     p.awaitErr("plan:", Duration.ofSeconds(60));
 *     p.process().toHandle() ... // or Runtime.exec("kill -INT " + p.pid())
 *     Cli.Result r = p.waitFor(Duration.ofSeconds(60));
 * }
 * }</pre>
 */
final class CliProcess {
    /** The flags the {@code gdml4j} launcher script gives the JVM. */
    static final List<String> JVM_FLAGS = List.of("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED");
    private static final String MAIN = "org.gdml4j.cli.Main";

    private final List<String> args;
    private final List<String> jvmOptions = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<String> prefix = new ArrayList<>();
    private Path dir;

    private CliProcess(List<String> args) {
        this.args = List.copyOf(args);
    }

    /** {@code gdml4j ARGS...} in a new JVM (started by {@link #start} or {@link #run}). */
    static CliProcess gdml4j(String... args) {
        return new CliProcess(Arrays.asList(args));
    }

    /** Sets an environment variable of the child; {@code null} removes one the test JVM has. */
    CliProcess env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** An extra JVM option, e.g. {@code -Dgdml4j.threads=1} or {@code -Xmx512m}. */
    CliProcess jvmOption(String option) {
        jvmOptions.add(option);
        return this;
    }

    /** A command the JVM is started through, e.g. {@code env --default-signal=INT}. */
    CliProcess through(String... command) {
        prefix.addAll(Arrays.asList(command));
        return this;
    }

    /** The working folder of the child (default: the test JVM's). */
    CliProcess dir(Path folder) {
        this.dir = folder;
        return this;
    }

    /** The command line that {@link #start} runs. */
    List<String> command() {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(java);
        cmd.addAll(JVM_FLAGS);
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(MAIN);
        cmd.addAll(args);
        return cmd;
    }

    /** Starts the child; its stdout and stderr are collected as they come (see {@link Running#out()}). */
    Running start() {
        ProcessBuilder pb = new ProcessBuilder(command());
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        env.forEach((k, v) -> {
            if (v == null) {
                pb.environment().remove(k);
            } else {
                pb.environment().put(k, v);
            }
        });
        try {
            return new Running(pb.start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command().getFirst(), e);
        }
    }

    /** Starts the child and waits for it (killed, and the test failed, after {@code timeout}). */
    Cli.Result run(Duration timeout) {
        try (Running p = start()) {
            return p.waitFor(timeout);
        }
    }

    /** A started child. Closing it kills the process if it is still running (a failed test leaves none behind). */
    static final class Running implements AutoCloseable {
        private final Process process;
        private final StringBuffer out = new StringBuffer();
        private final StringBuffer err = new StringBuffer();
        private final Thread outReader;
        private final Thread errReader;

        private Running(Process process) {
            this.process = process;
            try {
                process.getOutputStream().close(); // gdml4j reads no input: give it an empty stdin, as `< /dev/null` would
            } catch (IOException e) {
                // nothing was written to it, so there is nothing to lose
            }
            this.outReader = drain(process.getInputStream(), out);
            this.errReader = drain(process.getErrorStream(), err);
        }

        /** Collects a stream on a thread of its own, so a chatty child never blocks on a full pipe. */
        private static Thread drain(InputStream in, StringBuffer into) {
            return Thread.ofPlatform().daemon().start(() -> {
                byte[] buf = new byte[8192];
                try (in) {
                    for (int n; (n = in.read(buf)) > 0; ) {
                        into.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                    }
                } catch (IOException e) {
                    // the process ended or was killed: what was read is kept
                }
            });
        }

        Process process() {
            return process;
        }

        long pid() {
            return process.pid();
        }

        /** Standard output so far. */
        String out() {
            return out.toString();
        }

        /** Standard error so far. */
        String err() {
            return err.toString();
        }

        /** Waits until stderr contains {@code text} (e.g. the line that says work has started); false if the child ended or time ran out. */
        boolean awaitErr(String text, Duration timeout) {
            long end = System.nanoTime() + timeout.toNanos();
            while (!err.toString().contains(text)) {
                if (!process.isAlive() || System.nanoTime() > end) {
                    return err.toString().contains(text);
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }

        /** Waits for the exit and returns it with everything printed; kills the child and fails after {@code timeout}. */
        Cli.Result waitFor(Duration timeout) {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError("gdml4j did not finish within " + timeout + "; stderr so far:\n" + err);
                }
                outReader.join(10_000);
                errReader.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for gdml4j", e);
            }
            return new Cli.Result(process.exitValue(), out.toString(), err.toString());
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }
}
