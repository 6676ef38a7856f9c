package org.gdml4j.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.gdml4j.linalg.Backends;
import org.gdml4j.nativ.CudaStatus;
import org.gdml4j.testsupport.Gpus;
import org.gdml4j.testsupport.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --device} (issue #14) on every command that computes (solve, train, predict, validate, test; create and info
 * share the option with {@code --threads} and {@code --max-memory}): {@code cpu}
 * works and is named in the plan, the report and the JSON log; where no GPU is usable, {@code cuda} and
 * {@code cuda:N} are refused with one line naming the device and why (no driver, library or GPU), exit 1 (the
 * machine's state, not a bad option value), before any work and without writing a file; an unknown name is refused
 * with the choices, exit 2; {@code gdml4j info} lists the devices.
 */
class DeviceOptionTest {
    @TempDir
    Path dir;

    private final Path task = TestData.fixture("ethanol-sym-m30", "task.npz");
    private final Path model = TestData.fixture("ethanol-sym-m30", "model.npz");
    private final Path ethanol = TestData.dataset("rmd17_ethanol");

    // ---- cpu ----

    @Test
    void solveOnTheCpuNamesTheDeviceInThePlanTheReportAndTheLog() throws IOException {
        Path out = dir.resolve("model.npz");
        Path log = dir.resolve("log.jsonl");
        Cli.Result r = Cli.run("solve", task.toString(), "-o", out.toString(), "--device", " CPU ", "--log-json", log.toString(),
                "--threads", "2");
        assertEquals(0, r.exit(), r.err());
        assertTrue(Files.exists(out));
        assertTrue(r.err().contains("\n      device: cpu ("), "the plan names the device: " + r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.strip().startsWith("device") && l.contains("cpu (")), "the report names it: " + r.out());
        String plan = Files.readString(log).lines().filter(l -> l.contains("\"event\":\"plan\"")).findFirst().orElseThrow();
        assertTrue(plan.contains("\"device\":\"cpu\"") && plan.contains("\"backend\":\"cpu ("), plan);
        String report = Files.readString(log).lines().filter(l -> l.startsWith("{\"solver\"")).findFirst().orElseThrow();
        assertTrue(report.contains("\"device\":\"cpu ("), report);
    }

    @Test
    void trainOnTheCpuNamesTheDeviceInThePlanAndTheResultTable() {
        Path out = dir.resolve("ethanol.npz");
        Cli.Result r = Cli.run("train", ethanol.toString(), "-n", "30", "--n-valid", "10", "--n-test", "20", "-o", out.toString(),
                "--device", "cpu");
        assertEquals(0, r.exit(), r.err());
        assertTrue(Files.exists(out));
        assertTrue(r.err().contains("\n      device: cpu ("), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("  device ") && l.contains("cpu (")), r.out());
    }

    @Test
    void predictValidateAndTestRunOnTheCpu() throws IOException {
        Path pred = dir.resolve("pred.npz");
        Cli.Result p = Cli.run("predict", model.toString(), ethanol.toString(), "--idxs", "0:20", "-o", pred.toString(), "--device", "cpu");
        assertEquals(0, p.exit(), p.err());
        assertTrue(Files.exists(pred) && p.out().contains("predicted 20 frames"), p.out());
        Path copy = Files.copy(model, dir.resolve("model.npz"));
        Cli.Result v = Cli.run("validate", copy.toString(), ethanol.toString(), "--no-update", "--device", "cpu");
        assertEquals(0, v.exit(), v.err());
        assertTrue(v.out().contains("forces  MAE"), v.out());
        Cli.Result t = Cli.run("test", copy.toString(), ethanol.toString(), "-n", "20", "--device", "cpu");
        assertEquals(0, t.exit(), t.err());
        assertTrue(t.out().contains("test on 20 frames") && t.out().contains("errors recorded"), t.out());
    }

    // ---- devices this build cannot serve ----

    /** The machine's GPU state, as gdml4j sees it; the refusals below are tested where no GPU is usable. */
    private static CudaStatus gpu() {
        return Gpus.assumeNone("DeviceOptionTest");
    }

    @ParameterizedTest
    @ValueSource(strings = {"cuda", "cuda:1", "CUDA:0"})
    void withoutAGpuCudaIsRefusedByEveryComputingCommandWithoutWritingAFile(String device) throws IOException {
        CudaStatus gpu = gpu();
        String named = "--device " + Backends.parse(device).name() + ": " + gpu.reason();
        for (Cli.Result r : refusedEverywhere(device)) {
            String e = r.errorLine();
            assertEquals(1, r.exit(), r.err());
            assertTrue(e.contains(named) && e.endsWith("use --device cpu"), e);
        }
    }

    @Test
    void anUnknownDeviceIsRefusedWithTheChoices() throws IOException {
        for (Cli.Result r : refusedEverywhere("tpu")) {
            String e = r.errorLine();
            assertEquals(2, r.exit(), r.err());
            assertTrue(e.contains("--device 'tpu'") && e.contains("choose: cpu") && e.contains("cuda"), e);
        }
    }

    /**
     * Runs solve, train, predict, validate and test with {@code --device device}; checks that none printed a plan or
     * wrote a file (validate and test leave the model as it was) and returns their results.
     */
    private List<Cli.Result> refusedEverywhere(String device) throws IOException {
        Path copy = Files.copy(model, dir.resolve("model-" + device.replace(':', '-') + ".npz"));
        byte[] before = Files.readAllBytes(copy);
        Path out = dir.resolve("out.npz");
        Path log = dir.resolve("log.jsonl");
        List<List<String>> commands = List.of(
                List.of("solve", task.toString(), "-o", out.toString(), "--log-json", log.toString()),
                List.of("train", ethanol.toString(), "-n", "30", "-o", out.toString(), "--save-task", dir.resolve("task.npz").toString()),
                List.of("predict", copy.toString(), ethanol.toString(), "--idxs", "0:5", "-o", out.toString()),
                List.of("validate", copy.toString(), ethanol.toString()),
                List.of("test", copy.toString(), ethanol.toString(), "-n", "5"));
        List<Cli.Result> results = new ArrayList<>();
        for (List<String> c : commands) {
            List<String> args = new ArrayList<>(c);
            args.addAll(List.of("--device", device));
            Cli.Result r = Cli.run(args.toArray(String[]::new));
            System.out.println("[" + c.getFirst() + " --device " + device + "] exit " + r.exit() + ": " + r.err().strip());
            assertTrue(!r.err().contains("plan:") && r.out().isEmpty(), "refused before any work: " + r.out() + r.err());
            results.add(r);
        }
        assertArrayEquals(before, Files.readAllBytes(copy), "validate and test must leave the model as it was");
        try (var files = Files.list(dir)) {
            assertEquals(List.of(copy), files.toList(), "no output, log or temporary file is written");
        }
        Files.delete(copy);
        return results;
    }

    /** The real process: the exit status a job script sees, and one line on stderr. */
    @Test
    void aMissingGpuEndsTheProcessWithExit1() {
        CudaStatus gpu = gpu();
        Path out = dir.resolve("model.npz");
        Cli.Result r = CliProcess.gdml4j("solve", task.toString(), "-o", out.toString(), "--device", "cuda:1").run(Duration.ofMinutes(2));
        assertEquals(1, r.exit(), r.err());
        assertEquals(List.of("gdml4j: error: --device cuda:1: " + gpu.reason() + "; use --device cpu"),
                r.err().strip().lines().filter(l -> !l.startsWith("WARNING: Using incubator modules")).toList()); // the JVM's own line
        assertTrue(Files.notExists(out));
    }

    // ---- info and help ----

    @Test
    void infoListsTheCpuDevice() {
        Cli.Result r = Cli.run("info");
        assertEquals(0, r.exit(), r.err());
        String line = r.out().lines().filter(l -> l.startsWith("devices ")).findFirst().orElseThrow(() -> new AssertionError(r.out()));
        assertTrue(line.matches("devices {5}cpu {6}\\d+ threads, .+; .+ memory available"), line);
        assertTrue(r.out().contains("\nGPU "), "the rest of the output stays: " + r.out());
    }

    /** info and create share the resource options: a device this machine cannot serve is refused there too. */
    @Test
    void infoAndCreateRefuseADeviceThisMachineCannotServe() throws IOException {
        CudaStatus gpu = gpu();
        Cli.Result info = Cli.run("info", "--device", "cuda:1");
        assertEquals(1, info.exit(), info.err());
        assertTrue(info.errorLine().contains("--device cuda:1: " + gpu.reason()) && info.out().isEmpty(), info.out() + info.err());
        Path task = dir.resolve("task.npz");
        Cli.Result create = Cli.run("create", ethanol.toString(), "-n", "30", "-o", task.toString(), "--device", "tpu");
        assertEquals(2, create.exit(), create.err());
        assertTrue(create.errorLine().contains("--device 'tpu'"), create.err());
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), "no task written");
        }
        Cli.Result cpu = Cli.run("info", "--device", "cpu");
        assertEquals(0, cpu.exit(), cpu.err());
    }

    @Test
    void everyComputingCommandDocumentsTheOption() {
        for (String command : List.of("solve", "train", "predict", "validate", "test", "create", "info")) {
            Cli.Result r = Cli.run(command, "--help");
            assertEquals(0, r.exit(), r.err());
            String help = r.out().replaceAll("\\s+", " "); // picocli wraps the description
            assertTrue(help.contains("--device=DEVICE") && help.contains("cpu, cuda or cuda:N"), command + ": " + r.out());
        }
    }
}
