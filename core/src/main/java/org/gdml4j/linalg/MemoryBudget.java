package org.gdml4j.linalg;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A budget for the memory of one backend: the user's {@code --max-memory} (if set) minus what has been allocated
 * through it and is still held, capped by what the system can still give (physical memory, cgroup limit). Every
 * large allocation goes through a {@link Workspace}, which asks {@link #require} first, so a plan that does not fit
 * fails up front with the bytes needed and available instead of thrashing or being killed later. Each backend owns
 * one (a device's would be sized by its device memory); host workspaces made outside any backend (file reading,
 * tests) share {@link #unmanaged()}, which has no cap of its own.
 */
public final class MemoryBudget {
    private static final MemoryBudget UNMANAGED = new MemoryBudget(-1);
    private final AtomicLong live = new AtomicLong();
    private final long userLimit;
    /** Null for host memory (the system's headroom); else a device's free and total bytes, and its name. */
    private final DeviceMemory device;

    /** What a device reports of its memory. */
    public interface DeviceMemory {
        /** Bytes the device can still allocate. */
        long freeBytes();

        /** The device's memory in all. */
        long totalBytes();

        /** For messages, e.g. "cuda:0 (NVIDIA H200)". */
        String name();
    }

    private MemoryBudget(long userLimit, DeviceMemory device) {
        this.userLimit = userLimit > 0 ? userLimit : -1;
        this.device = device;
    }

    private MemoryBudget(long userLimit) {
        this(userLimit, null);
    }

    /** A budget for a device's memory with the user's cap (a value ≤ 0 means none). */
    public static MemoryBudget device(long userLimit, DeviceMemory memory) {
        return new MemoryBudget(userLimit, java.util.Objects.requireNonNull(memory));
    }

    /** A budget for host memory with the user's cap ({@code --max-memory}); a value ≤ 0 means none. */
    public static MemoryBudget host(long userLimit) {
        return new MemoryBudget(userLimit);
    }

    /** The budget of host workspaces made outside any backend: only the system's memory limits it. */
    public static MemoryBudget unmanaged() {
        return UNMANAGED;
    }

    /** The device this budget asks for free memory, or null for host memory. */
    DeviceMemory device() {
        return device;
    }

    /** The user's cap in bytes, or −1 for none. */
    public long userLimit() {
        return userLimit;
    }

    /** Bytes held right now through workspaces of this budget. */
    public long liveBytes() {
        return live.get();
    }

    /** Bytes that may still be allocated: min(system headroom, user cap − live). */
    public long availableBytes() {
        long sys = device != null ? device.freeBytes() : SystemMemory.read().obtainableBytes();
        return userLimit > 0 ? Math.min(sys, Math.max(0, userLimit - live.get())) : sys;
    }

    /**
     * Checks that {@code bytes} more fit; otherwise throws {@link InsufficientMemoryException} naming
     * {@code what}, the bytes needed and available, and which limit binds.
     */
    public void require(long bytes, String what) {
        if (bytes <= 0) {
            return;
        }
        SystemMemory sys = device != null ? null : SystemMemory.read();
        long sysAvail = device != null ? device.freeBytes() : sys.obtainableBytes();
        long held = live.get();
        long userAvail = userLimit > 0 ? Math.max(0, userLimit - held) : Long.MAX_VALUE;
        long avail = Math.min(sysAvail, userAvail);
        if (bytes > avail) {
            String which = userAvail < sysAvail
                    ? "--max-memory " + formatBytes(userLimit) + ", of which gdml4j already holds " + formatBytes(held)
                    : device != null ? "device " + device.name() + ": " + formatBytes(sysAvail) + " free of " + formatBytes(device.totalBytes())
                    : "system: " + formatBytes(sys.availableBytes()) + " available of " + formatBytes(sys.totalBytes())
                            + (sys.cgroupLimit().isPresent() ? ", cgroup limit " + formatBytes(sys.cgroupLimit().getAsLong()) : "");
            throw new InsufficientMemoryException(what + " needs " + formatBytes(bytes) + " but only " + formatBytes(avail)
                    + " is available (" + which + ")", bytes, avail);
        }
    }

    void acquired(long bytes) {
        live.addAndGet(bytes);
    }

    void released(long bytes) {
        live.addAndGet(-bytes);
    }

    /** Parses sizes like {@code 12g}, {@code 512M}, {@code 1.5GB}, {@code 1000000} (bytes; k/m/g/t are powers of 1024). */
    public static long parseBytes(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (s.endsWith("ib")) {
            s = s.substring(0, s.length() - 2);
        } else if (s.endsWith("b")) {
            s = s.substring(0, s.length() - 1);
        }
        long mult = 1;
        if (!s.isEmpty()) {
            switch (s.charAt(s.length() - 1)) {
                case 'k' -> mult = 1L << 10;
                case 'm' -> mult = 1L << 20;
                case 'g' -> mult = 1L << 30;
                case 't' -> mult = 1L << 40;
                default -> mult = 1;
            }
            if (mult != 1) {
                s = s.substring(0, s.length() - 1);
            }
        }
        double v;
        try {
            v = Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new org.gdml4j.error.InvalidInputException("not a memory size: '" + text + "' (examples: 12g, 512m, 1.5g)");
        }
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new org.gdml4j.error.InvalidInputException("memory size must be positive: '" + text + "'");
        }
        return (long) Math.ceil(v * mult);
    }

    /** Human-readable bytes in decimal units (GB = 10^9), as in the plans we print. */
    public static String formatBytes(long bytes) {
        if (bytes < 0) {
            return "unlimited";
        }
        double b = bytes;
        if (b >= 1e12) {
            return String.format(Locale.ROOT, "%.2f TB", b / 1e12);
        } else if (b >= 1e9) {
            return String.format(Locale.ROOT, "%.2f GB", b / 1e9);
        } else if (b >= 1e6) {
            return String.format(Locale.ROOT, "%.1f MB", b / 1e6);
        } else if (b >= 1e3) {
            return String.format(Locale.ROOT, "%.1f kB", b / 1e3);
        }
        return bytes + " B";
    }
}
