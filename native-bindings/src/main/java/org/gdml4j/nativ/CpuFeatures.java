package org.gdml4j.nativ;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The instruction-set flags of this CPU, read from {@code /proc/cpuinfo} (Linux).
 *
 * <p>Used to decide, before OpenBLAS is loaded, whether its AVX-512 ("SkylakeX") kernels may be
 * selected: on a CPU without AVX-512 they die with SIGILL, so the check must be exact.
 */
public record CpuFeatures(String modelName, Set<String> flags) {

    /** The flags OpenBLAS's SkylakeX kernels rely on (AVX-512 foundation, DQ, BW, VL, CD). */
    private static final Set<String> SKYLAKEX_FLAGS = Set.of("avx512f", "avx512dq", "avx512bw", "avx512vl", "avx512cd");

    private static volatile CpuFeatures current;

    /** The features of the CPU this process runs on (cached). Unknown (no flags) where /proc is unreadable. */
    public static CpuFeatures current() {
        CpuFeatures c = current;
        if (c == null) {
            c = read(Path.of("/proc/cpuinfo"));
            current = c;
        }
        return c;
    }

    static CpuFeatures read(Path cpuinfo) {
        try {
            return parse(Files.readString(cpuinfo));
        } catch (IOException | RuntimeException e) {
            return new CpuFeatures("unknown", Set.of());
        }
    }

    /** Parses the first processor block of a {@code /proc/cpuinfo} text. */
    static CpuFeatures parse(String cpuinfo) {
        String model = "unknown";
        Set<String> flags = new TreeSet<>();
        for (String line : cpuinfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            if (key.equals("model name") && model.equals("unknown")) {
                model = value;
            } else if (key.equals("flags") && flags.isEmpty()) {
                for (String f : value.split("\\s+")) {
                    if (!f.isEmpty()) {
                        flags.add(f.toLowerCase(Locale.ROOT));
                    }
                }
            }
        }
        return new CpuFeatures(model, Set.copyOf(flags));
    }

    /** True when every flag the AVX-512 (SkylakeX) kernels of OpenBLAS need is present. */
    public boolean hasAvx512() {
        return flags.containsAll(SKYLAKEX_FLAGS);
    }

    public boolean hasAvx2() {
        return flags.contains("avx2") && flags.contains("fma");
    }

    /** A short list of the SIMD flags that matter for us, for {@code gdml4j info}. */
    public String simdSummary() {
        StringBuilder sb = new StringBuilder();
        for (String f : flags) {
            if (f.startsWith("avx") || f.equals("fma") || f.startsWith("sse4")) {
                sb.append(sb.isEmpty() ? "" : " ").append(f);
            }
        }
        return sb.isEmpty() ? "(none reported)" : sb.toString();
    }
}
