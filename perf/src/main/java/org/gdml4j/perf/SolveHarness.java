package org.gdml4j.perf;


import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;


/**
 * Solves rMD17 aspirin with M training frames (first M of training split 1, σ = 10, λ = 1e-10, 6 symmetries) with
 * the given {@code gdml4j solve} options, each configuration in its own JVM: wall time from task file to model file,
 * the process's peak resident memory, the solver report's time split and iterations, and the force MAE on the
 * 1,000 frames of the rMD17 test split 1. Every solve runs on the device of {@code -Dgdml4j.device} (default cpu,
 * passed on as {@code --device} unless an option string gives its own).
 * Usage: {@code perf/bench solve M "--solver pcg --precond cholesky" ...}.
 */
public final class SolveHarness {
    private SolveHarness() {
    }

    public static void main(String[] args) throws Exception {
        int m = Integer.parseInt(args[0]);
        String device = PerfData.device();
        PerfData.backend(); // a device this build cannot serve is refused before the task is built
        Path jar = PerfData.repo().resolve("core/target/gdml4j.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException("build first: mvn -DskipTests package (needs " + jar + ")");
        }
        Path dir = Files.createTempDirectory("gdml4j-solve-");
        Path task = dir.resolve("task.npz");
        try (Arena arena = Arena.ofShared()) {
            PerfData.aspirinTask(arena, m).write(task);
        }
        System.out.printf(Locale.ROOT, "%n| aspirin M | options | wall (task → model) | iterations | time split | peak RSS | test force MAE |%n");
        System.out.println("|---|---|---|---|---|---|---|");
        for (int i = 1; i < args.length; i++) {
            Path model = dir.resolve("model-" + i + ".npz");
            Path log = dir.resolve("log-" + i + ".jsonl");
            List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "--add-modules",
                    "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"));
            // gdml4j.* properties given to the harness (e.g. -Dgdml4j.threads) reach each solve
            System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("gdml4j.") && !k.equals("gdml4j.repo"))
                    .sorted().forEach(k -> cmd.add("-D" + k + "=" + System.getProperty(k)));
            cmd.addAll(List.of("-jar", jar.toString(), "solve", task.toString(), "-o", model.toString(), "--log-json", log.toString(),
                    "--quiet"));
            List<String> options = Arrays.asList(args[i].trim().split("\\s+"));
            if (options.stream().noneMatch(o -> o.equals("--device") || o.startsWith("--device="))) {
                cmd.addAll(List.of("--device", device));
            }
            cmd.addAll(options);
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            int rc = p.waitFor();
            double wall = (System.nanoTime() - t0) / 1e9;
            if (rc != 0) {
                System.out.printf(Locale.ROOT, "| %d | `%s` | failed (%d) | | %s | | |%n", m, args[i], rc, out.strip().replace('\n', ' '));
                continue;
            }
            String rep = PerfData.solverReport(log);
            long peak = Long.parseLong(PerfData.find(rep, "\"peak_resident_bytes\":(-?\\d+)"));
            String iters = PerfData.find(rep, "\"iterations\":(\\d+)");
            String split = PerfData.find(rep, "\"seconds\":\\{([^}]*)\\}").replace("\"", "").replace(",", ", ");
            double mae = PerfData.aspirinTestForceMae(model);
            System.out.printf(Locale.ROOT, "| %d | `%s` | %.1f s | %s | %s | %.2f GB | %.3f |%n", m, args[i], wall, iters, split, peak / 1e9, mae);
            System.out.println("  report: " + PerfData.find(rep, "\"facts\":(\\{[^}]*\\})"));
        }
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(dir);
    }

}
