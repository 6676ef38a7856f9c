package org.gdml4j.testsupport;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * gdml4j's CUDA kernels ({@code core/src/main/cuda}) compiled as C++ for the CPU with the shim of
 * {@code core/src/test/cuda-emu} and run on host memory, so that tests check their formulas and index arithmetic
 * against the Java implementations on machines without a GPU. A launch runs its blocks one after another, each with
 * {@link #THREADS} real threads (the kernels' reductions synchronise them with a barrier). Argument types come from
 * the committed PTX (.u64, .u32, .f64), so a launch here passes what the device launch passes. Needs g++ (C++20);
 * {@link #load} says why not where it is missing.
 */
public final class CudaEmulation {
    /** Threads per block, as the CUDA backend launches them (RED_THREADS in the kernels). */
    public static final int THREADS = 256;
    private static Optional<CudaEmulation> loaded;
    private static String reason;

    private final SymbolLookup lookup;
    private final MethodHandle set;
    private final Map<String, MethodHandle> kernels = new HashMap<>();
    private final Map<String, List<Character>> params;
    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS, r -> {
        Thread t = new Thread(r, "cuda-emulation");
        t.setDaemon(true);
        return t;
    });

    private CudaEmulation(Path library, Map<String, List<Character>> params) {
        this.lookup = SymbolLookup.libraryLookup(library, Arena.global());
        Linker linker = Linker.nativeLinker();
        this.set = linker.downcallHandle(lookup.findOrThrow("emu_set"), FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        try {
            linker.downcallHandle(lookup.findOrThrow("emu_block_size"), FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT)).invoke(THREADS);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
        this.params = params;
    }

    /** The emulation, compiled once per JVM; empty (with {@link #unavailableReason}) where g++ cannot build it. */
    public static synchronized Optional<CudaEmulation> load() {
        if (loaded == null) {
            try {
                loaded = Optional.of(build());
            } catch (IOException | InterruptedException | RuntimeException e) {
                reason = e.getMessage();
                System.out.println("CudaEmulation: unavailable: " + reason);
                loaded = Optional.empty();
            }
        }
        return loaded;
    }

    public static synchronized String unavailableReason() {
        return reason;
    }

    private static CudaEmulation build() throws IOException, InterruptedException {
        Path root = TestData.root();
        Path dir = Files.createTempDirectory("gdml4j-cuda-emu");
        Path lib = dir.resolve("libgdml4j_cuda_emu.so");
        Path emu = root.resolve("core/src/test/cuda-emu");
        Process p = new ProcessBuilder("g++", "-std=c++20", "-O1", "-shared", "-fPIC", "-include", emu.resolve("emu.h").toString(),
                "-x", "c++", root.resolve("core/src/main/cuda/gdml4j.cu").toString(), "-x", "none", emu.resolve("emu.cpp").toString(),
                "-o", lib.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("g++ could not build the kernels for the CPU: " + log.strip());
        }
        String ptx = new String(CudaEmulation.class.getResourceAsStream("/org/gdml4j/linalg/cuda/gdml4j.ptx").readAllBytes(),
                StandardCharsets.US_ASCII);
        Map<String, List<Character>> params = new HashMap<>();
        Matcher entry = Pattern.compile("\\.entry\\s+(\\w+)\\(([^)]*)\\)").matcher(ptx);
        while (entry.find()) {
            List<Character> types = new ArrayList<>();
            Matcher t = Pattern.compile("\\.param\\s+\\.(u64|u32|f64)").matcher(entry.group(2));
            while (t.find()) {
                types.add(t.group(1).charAt(0) == 'f' ? 'd' : t.group(1).equals("u32") ? 'i' : 'l');
            }
            params.put(entry.group(1), types);
        }
        return new CudaEmulation(lib, params);
    }

    private MethodHandle kernel(String name) {
        return kernels.computeIfAbsent(name, k -> {
            List<Character> types = params.get(k);
            if (types == null) {
                throw new IllegalArgumentException("no kernel " + k + " in the PTX");
            }
            MemoryLayout[] layouts = new MemoryLayout[types.size()];
            for (int i = 0; i < layouts.length; i++) {
                layouts[i] = switch (types.get(i)) {
                    case 'd' -> ValueLayout.JAVA_DOUBLE;
                    case 'i' -> ValueLayout.JAVA_INT;
                    default -> ValueLayout.JAVA_LONG;
                };
            }
            return Linker.nativeLinker().downcallHandle(lookup.findOrThrow(k), FunctionDescriptor.ofVoid(layouts));
        });
    }

    /**
     * Runs {@code name} on a gx x gy grid of {@link #THREADS}-thread blocks. Arguments in the kernel's order: Long or
     * Integer for integers, Double, and MemorySegment (host memory, passed by address) or null for pointers.
     */
    public void launch(String name, int gx, int gy, Object... args) {
        MethodHandle k = kernel(name);
        List<Character> types = params.get(name);
        if (types.size() != args.length) {
            throw new IllegalArgumentException(name + " takes " + types.size() + " arguments, got " + args.length);
        }
        Object[] values = new Object[args.length];
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            values[i] = switch (types.get(i)) {
                case 'd' -> ((Number) a).doubleValue();
                case 'i' -> ((Number) a).intValue();
                default -> a == null ? 0L : a instanceof MemorySegment s ? s.address() : ((Number) a).longValue();
            };
        }
        try {
            for (int by = 0; by < gy; by++) {
                for (int bx = 0; bx < gx; bx++) {
                    int fbx = bx;
                    int fby = by;
                    List<Future<?>> block = new ArrayList<>();
                    for (int tx = 0; tx < THREADS; tx++) {
                        int ftx = tx;
                        block.add(pool.submit(() -> {
                            try {
                                set.invoke(ftx, fbx, fby, THREADS, gx, gy);
                                k.invokeWithArguments(values);
                            } catch (Throwable e) {
                                throw new IllegalStateException(e);
                            }
                            return null;
                        }));
                    }
                    for (Future<?> f : block) {
                        f.get(60, TimeUnit.SECONDS);
                    }
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("emulated " + name + " failed", e);
        }
    }
}
