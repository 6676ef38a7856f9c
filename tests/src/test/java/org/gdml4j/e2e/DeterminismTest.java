package org.gdml4j.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import org.gdml4j.testsupport.TestData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The same task, options, seed and thread count give a bit-identical model file, for every solver and preconditioner
 * (issue #13: five PCG runs gave five models). Each pair of runs is two fresh JVMs, one with C2 (the default) and one
 * that never leaves C1, where the Vector API runs its Java fallback: the old code's kernel used the Vector API's EXP and
 * lane reductions, whose last bits change when C2 compiles a loop at a run-dependent moment, so this pair differed
 * for every preconditioner. With two threads, the racy order of the FP32 factor's partial sums is covered as well.
 */
class DeterminismTest {
    @TempDir
    static Path shared;
    static Path task;

    @BeforeAll
    static void task() {
        task = shared.resolve("ethanol-60.npz");
        Cli.Result r = Cli.run("create", TestData.dataset("rmd17_ethanol").toString(), "-n", "60", "--seed", "3", "-o", task.toString());
        assertEquals(0, r.exit(), r.err());
    }

    static Stream<Arguments> solvers() {
        return Stream.of(Arguments.of("closed-form", List.of("--solver", "closed-form")),
                Arguments.of("leverage fp32", List.of("--solver", "pcg", "--precond", "leverage")),
                Arguments.of("leverage fp64", List.of("--solver", "pcg", "--precond", "leverage", "--precond-precision", "fp64")),
                Arguments.of("uniform", List.of("--solver", "pcg", "--precond", "uniform")),
                Arguments.of("cholesky", List.of("--solver", "pcg", "--precond", "cholesky", "--precond-precision", "fp64")),
                Arguments.of("eigen", List.of("--solver", "pcg", "--precond", "eigen")),
                Arguments.of("rank-k-leverage", List.of("--solver", "pcg", "--precond", "rank-k-leverage")),
                Arguments.of("block-jacobi", List.of("--solver", "pcg", "--precond", "block-jacobi", "--max-iter", "300",
                        "--allow-unconverged")),
                Arguments.of("atom-jacobi", List.of("--solver", "pcg", "--precond", "atom-jacobi", "--max-iter", "300",
                        "--allow-unconverged")),
                Arguments.of("none", List.of("--solver", "pcg", "--precond", "none", "--max-iter", "300", "--allow-unconverged")));
    }

    private String solve(Path dir, String name, List<String> options, String... jvm) throws IOException {
        Path model = dir.resolve(name + ".npz");
        List<String> args = new ArrayList<>(List.of("solve", task.toString(), "-o", model.toString(), "--threads", "2", "-q"));
        args.addAll(options);
        CliProcess p = CliProcess.gdml4j(args.toArray(String[]::new));
        for (String o : jvm) {
            p.jvmOption(o);
        }
        Cli.Result r = p.run(Duration.ofMinutes(3));
        assertEquals(0, r.exit(), r.err());
        return sha256(model);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("solvers")
    void compiledAndInterpretedRunsWriteTheSameBits(String name, List<String> options, @TempDir Path dir) throws IOException {
        String c2 = solve(dir, "c2", options);
        String c1 = solve(dir, "c1", options, "-XX:TieredStopAtLevel=1");
        System.out.println("[determinism] " + name + ": " + c2);
        assertEquals(c2, c1, name + ": a run in C1 only (Vector API fallback) must write the same model as a run with C2");
    }

    static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
