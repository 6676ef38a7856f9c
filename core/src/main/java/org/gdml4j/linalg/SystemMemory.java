package org.gdml4j.linalg;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * What the operating system says about memory: physical memory ({@code /proc/meminfo}) and the limit of the
 * control group this process runs in (cgroup v2 {@code memory.max}/{@code memory.current}, or v1). Under
 * overcommit an allocation succeeds whether or not the pages exist, so these numbers, not allocation
 * success, decide whether a plan fits.
 */
public record SystemMemory(long totalBytes, long availableBytes, OptionalLong cgroupLimit, OptionalLong cgroupUsage) {

    /** Reads the current values (cheap: a few small files). */
    public static SystemMemory read() {
        long total = -1;
        long avail = -1;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    total = kib(line);
                } else if (line.startsWith("MemAvailable:")) {
                    avail = kib(line);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall back to the JVM's view below
        }
        if (total < 0) {
            total = jvmTotal();
        }
        if (avail < 0) {
            avail = total;
        }
        OptionalLong limit = firstNumber(Path.of("/sys/fs/cgroup/memory.max"),
                Path.of("/sys/fs/cgroup/memory/memory.limit_in_bytes"));
        OptionalLong usage = firstNumber(Path.of("/sys/fs/cgroup/memory.current"),
                Path.of("/sys/fs/cgroup/memory/memory.usage_in_bytes"));
        // cgroup v1 reports "no limit" as a huge page-aligned number
        if (limit.isPresent() && limit.getAsLong() >= (1L << 60)) {
            limit = OptionalLong.empty();
        }
        return new SystemMemory(total, avail, limit, usage);
    }

    /** Bytes this process could still obtain from the system: MemAvailable, capped by the cgroup headroom. */
    public long obtainableBytes() {
        long v = availableBytes;
        if (cgroupLimit.isPresent()) {
            long used = cgroupUsage.orElse(0);
            v = Math.min(v, Math.max(0, cgroupLimit.getAsLong() - used));
        }
        return v;
    }

    /** This process's peak resident set (VmHWM in /proc/self/status), or -1 where unknown. */
    public static long peakResidentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return kib(line);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }

    private static long kib(String line) {
        String[] parts = line.trim().split("\\s+");
        return Long.parseLong(parts[1]) * 1024L;
    }

    private static OptionalLong firstNumber(Path... candidates) {
        for (Path p : candidates) {
            try {
                String s = Files.readString(p).trim();
                if (s.equals("max")) {
                    return OptionalLong.empty();
                }
                return OptionalLong.of(Long.parseLong(s));
            } catch (IOException | RuntimeException e) {
                // try the next one
            }
        }
        return OptionalLong.empty();
    }

    private static long jvmTotal() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getTotalMemorySize();
        }
        return Runtime.getRuntime().maxMemory();
    }
}
