package org.gdml4j.train;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import org.gdml4j.io.AtomicFile;
import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.Backend.Trans;
import org.gdml4j.linalg.Matrix;
import org.gdml4j.linalg.Workspace;
import org.gdml4j.nativ.NativeLibraries;

/**
 * This machine's dense rate (a dgemm of 1024, ~2 GFLOP) and memory bandwidth (a 64 MB dgemv), to turn flop and byte
 * counts into the time estimates of a plan and into {@code --solver auto}'s choice.
 *
 * <p>Measured once per machine, thread count and BLAS, then kept in {@code machine-speed.properties} in gdml4j's cache
 * folder ({@link NativeLibraries#cacheFolders()}) and read from there. A choice made from a fresh timing would flip
 * between runs whenever the two predictions are close (a shared machine's timings vary by 10–20 %), and the same
 * inputs must give the same model (issue #13). Delete the file to measure again; where no cache folder is writable
 * the speed is measured in every process.
 */
public final class MachineSpeed {
    static final String FILE = "machine-speed.properties";

    /** Profiles already known in this process, by {@link #profileKey}: {GFLOP/s, bytes/s}. A memo, not a setting. */
    private static final java.util.Map<String, double[]> KNOWN = new java.util.concurrent.ConcurrentHashMap<>();
    /** Where each known profile came from or went, by {@link #profileKey}, for the plan to say (issue #16). */
    private static final java.util.Map<String, String> SOURCE = new java.util.concurrent.ConcurrentHashMap<>();
    /** The CPU's model name: read once, it cannot change while the process runs. */
    private static final String CPU = cpuModel();

    private MachineSpeed() {
    }

    /** GFLOP/s of a square dgemm with the current threads. */
    public static double gemmGflops(Backend be) {
        return ensure(be)[0];
    }

    /** Bytes/s of a dgemv streaming a 64 MB matrix (memory-bound, like the preconditioner apply). */
    public static double bandwidthBytesPerSecond(Backend be) {
        return ensure(be)[1];
    }

    /** Seconds for {@code flops} at {@code efficiency} (0..1] of the measured dgemm rate. */
    public static double seconds(Backend be, double flops, double efficiency) {
        return flops / (gemmGflops(be) * 1e9 * efficiency);
    }

    /** Where the rates came from: the cache file they were read from or stored in, or that they were measured in this process only. */
    public static String source(Backend be) {
        ensure(be);
        return SOURCE.getOrDefault(profileKey(be), "measured in this process");
    }

    private static synchronized double[] ensure(Backend be) {
        String k = profileKey(be);
        double[] known = KNOWN.get(k);
        if (known != null) {
            return known;
        }
        for (Path folder : NativeLibraries.cacheFolders()) {
            double[] stored = read(folder.resolve(FILE), k);
            if (stored != null) {
                KNOWN.put(k, stored);
                SOURCE.put(k, "probe cached in " + folder.resolve(FILE));
                return stored;
            }
        }
        double g = measureGemm(be);
        double b = measureBandwidth(be);
        SOURCE.put(k, "probe measured now; no writable cache folder, so measured again by the next run");
        for (Path folder : NativeLibraries.cacheFolders()) {
            if (write(folder, k, g, b)) {
                SOURCE.put(k, "probe measured now and cached in " + folder.resolve(FILE));
                break; // else measured again by the next process: no folder takes the profile
            }
        }
        double[] measured = {g, b};
        KNOWN.put(k, measured);
        return measured;
    }

    /** One profile per thread count, CPU model and BLAS kernels: any of them changes both rates. */
    static String profileKey(Backend be) {
        return (NativeLibraries.threads() + "t." + be.name() + "." + CPU).replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8)) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or hidden: the architecture is the best we have
        }
        return System.getProperty("os.arch", "unknown");
    }

    /** {gflops, bandwidth} of profile {@code k} in {@code file}, or null. */
    private static double[] read(Path file, String k) {
        try {
            if (!Files.isRegularFile(file)) {
                return null;
            }
            Properties p = new Properties();
            p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
            String g = p.getProperty(k + ".gflops");
            String b = p.getProperty(k + ".bandwidth");
            if (g == null || b == null) {
                return null;
            }
            double[] v = {Double.parseDouble(g), Double.parseDouble(b)};
            return v[0] > 0 && v[1] > 0 && Double.isFinite(v[0]) && Double.isFinite(v[1]) ? v : null;
        } catch (IOException | RuntimeException e) {
            return null; // a damaged profile is measured again and rewritten
        }
    }

    private static boolean write(Path folder, String k, double g, double b) {
        try {
            Files.createDirectories(folder);
            Path file = folder.resolve(FILE);
            Properties p = new Properties();
            if (Files.isRegularFile(file)) {
                p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
            }
            p.setProperty(k + ".gflops", Double.toString(g));
            p.setProperty(k + ".bandwidth", Double.toString(b));
            p.setProperty(k + ".measured", Long.toString(System.currentTimeMillis() / 1000));
            AtomicFile.write(file, out -> p.store(out, "gdml4j: this machine's measured speed per thread count and BLAS;"
                    + " delete to measure again"));
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static double measureGemm(Backend be) {
        int n = 1024;
        try (Workspace ws = be.workspace()) {
            Matrix a = ws.matrix(n, n, "speed probe");
            Matrix c = ws.matrix(n, n, "speed probe");
            be.fill(a.asVector(), 0.5);
            double best = Double.MAX_VALUE;
            for (int r = 0; r < 3; r++) {
                long t0 = System.nanoTime();
                be.gemm(Trans.NO, Trans.NO, 1.0, a, a, 0.0, c);
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            }
            return 2.0 * n * n * n / best / 1e9;
        }
    }

    private static double measureBandwidth(Backend be) {
        int rows = 4096;
        int cols = 2048;
        try (Workspace ws = be.workspace()) {
            Matrix a = ws.matrix(rows, cols, "bandwidth probe");
            org.gdml4j.linalg.Vector x = ws.vector(cols, "x");
            org.gdml4j.linalg.Vector y = ws.vector(rows, "y");
            be.fill(x, 1.0);
            double best = Double.MAX_VALUE;
            for (int r = 0; r < 4; r++) {
                long t0 = System.nanoTime();
                be.gemv(Trans.NO, 1.0, a, x, 0.0, y);
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            }
            return (double) rows * cols * 8 / best;
        }
    }
}
