package org.gdml4j.linalg;

import java.util.List;
import java.util.Locale;

import org.gdml4j.nativ.BlasInfo;
import org.gdml4j.nativ.CudaStatus;
import org.gdml4j.nativ.NativeLibraries;
import org.gdml4j.nativ.NativeLibraryException;

/**
 * The one place that turns a device name ({@code --device}, {@code -Dgdml4j.device}) into a {@link Backend}, and that
 * lists the devices this build can compute on ({@code gdml4j info}). Everything else asks here instead of naming a
 * backend class, so a new backend is added in this class alone.
 * <p>
 * Names: {@code cpu}, {@code cuda} and {@code cuda:N} (GPU N, from 0; {@code cuda} is GPU 0); case and surrounding
 * blanks do not matter; anything else is refused with the choices. A GPU that is absent, or whose driver or CUDA
 * libraries are missing, is a {@link NativeLibraryException} that says which (exit 1 in the tool): it is the machine's
 * state, not a mistake in the name.
 */
public final class Backends {
    /** The device every command uses unless told otherwise. */
    public static final String DEFAULT_DEVICE = "cpu";

    /** The choices, as the messages refusing a device name state them. */
    public static final String CHOICES = "cpu, cuda or cuda:N (GPU N, from 0)";

    /** One CUDA backend per GPU for {@link #select(String)}, made on first use and kept for the process. */
    private static final java.util.Map<Integer, CudaBackend> SHARED_GPUS = new java.util.concurrent.ConcurrentHashMap<>();

    /** How the CLI names the setting in its messages. */
    private static final String OPTION = "--device";

    private Backends() {
    }

    /** The kinds of device gdml4j knows by name. */
    public enum Kind {
        CPU, CUDA;

        /** The name's lower-case spelling ({@code cpu}, {@code cuda}). */
        public String spelling() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * A well-formed device name.
     *
     * @param kind  the kind of device
     * @param index the GPU ordinal of {@code cuda:N} (0 for {@code cuda}); -1 for the CPU, which has no index
     */
    public record Device(Kind kind, int index) {
        /** The canonical spelling: {@code cpu}, {@code cuda:0}, {@code cuda:1}, ... */
        public String name() {
            return kind == Kind.CPU ? "cpu" : kind.spelling() + ":" + index;
        }
    }

    /**
     * A device this build can compute on, for {@code gdml4j info}.
     *
     * @param name        the name {@code --device} takes (e.g. {@code cpu})
     * @param kind        {@code cpu} or {@code gpu}
     * @param description one line: threads and library (e.g. "2 threads, bundled OpenBLAS 0.3.31-1.5.13, kernels ZEN")
     * @param memoryBytes memory gdml4j may still allocate on it (the system's headroom; {@code --max-memory} caps a command's
     *                    share of it)
     */
    public record DeviceInfo(String name, String kind, String description, long memoryBytes) {
    }

    /**
     * Parses a device name; refuses (with {@link org.gdml4j.error.InvalidInputException}) one that is not {@code cpu}, {@code cuda} or
     * {@code cuda:N}. Loads nothing.
     */
    public static Device parse(String device) {
        return parse(device, OPTION);
    }

    /** {@link #parse(String)}, naming the setting {@code option} (e.g. {@code -Dgdml4j.device}) in its messages. */
    public static Device parse(String device, String option) {
        if (device == null) {
            throw new org.gdml4j.error.InvalidInputException(option + ": no device given (choose: " + CHOICES + ")");
        }
        String d = device.strip().toLowerCase(Locale.ROOT);
        if (d.equals("cpu")) {
            return new Device(Kind.CPU, -1);
        }
        if (d.equals("cuda")) {
            return new Device(Kind.CUDA, 0);
        }
        if (d.startsWith("cuda:")) {
            String index = d.substring("cuda:".length());
            if (!index.matches("[0-9]{1,6}")) {
                throw new org.gdml4j.error.InvalidInputException(option + " " + device.strip() + ": the GPU number after 'cuda:' must be a whole number"
                        + " from 0, as in cuda:0 or cuda:1");
            }
            return new Device(Kind.CUDA, Integer.parseInt(index));
        }
        throw new org.gdml4j.error.InvalidInputException("unknown " + option + " '" + device.strip() + "' (choose: " + CHOICES + ")");
    }

    /**
     * Parses a device name and refuses one this machine cannot compute on, without creating a backend: what
     * {@link #select} would refuse, refused before any work. For a GPU it loads the CUDA libraries and counts the
     * devices ({@link NativeLibraries#cuda()}); a bad name is an {@link org.gdml4j.error.InvalidInputException}, a GPU
     * that cannot be used a {@link NativeLibraryException}.
     */
    public static Device check(String device) {
        return check(device, OPTION);
    }

    /** {@link #check(String)}, naming the setting {@code option} (e.g. {@code -Dgdml4j.device}) in its messages. */
    public static Device check(String device, String option) {
        Device d = parse(device, option);
        return switch (d.kind()) {
            case CPU -> d;
            case CUDA -> {
                CudaDevice.requireUsable(d.index(), option);
                yield d;
            }
        };
    }

    /**
     * The process's shared backend of a device name, as {@code --device} takes it (for the CPU: {@link CpuBackend#get()},
     * default settings, no memory cap). Loads BLAS/LAPACK on first use (a missing library is a
     * {@link org.gdml4j.nativ.NativeLibraryException}).
     *
     * @throws org.gdml4j.error.InvalidInputException for a name that is not a device, or a device this build cannot compute on
     */
    public static Backend select(String device) {
        return select(device, OPTION);
    }

    /** {@link #select(String)}, naming the setting {@code option} (e.g. {@code -Dgdml4j.device}) in its messages. */
    public static Backend select(String device, String option) {
        Device d = check(device, option);
        return switch (d.kind()) {
            case CPU -> CpuBackend.get();
            case CUDA -> SHARED_GPUS.computeIfAbsent(d.index(), i -> CudaBackend.open(i, -1));
        };
    }

    /**
     * A backend of its own for one command: the device of {@code device} with a memory budget of its own, capped at
     * {@code memoryLimit} bytes ({@code --max-memory}; ≤ 0: only the system's memory limits it).
     *
     * @throws org.gdml4j.error.InvalidInputException for a name that is not a device, or a device this build cannot compute on
     */
    public static Backend select(String device, long memoryLimit) {
        Device d = check(device, OPTION);
        return switch (d.kind()) {
            case CPU -> CpuBackend.create(CpuBackend.Settings.defaults().withMemoryLimit(memoryLimit));
            case CUDA -> CudaBackend.open(d.index(), memoryLimit);
        };
    }

    /**
     * The devices this build can compute on, the default first, with the memory the system can still give each. Loads
     * BLAS/LAPACK (to describe the CPU backend).
     */
    public static List<DeviceInfo> devices() {
        CpuBackend cpu = CpuBackend.get();
        BlasInfo blas = cpu.library();
        String kernels = blas.corename() == null ? "" : ", kernels " + blas.corename();
        String text = NativeLibraries.threads() + " threads, " + blas.source() + kernels;
        List<DeviceInfo> out = new java.util.ArrayList<>();
        out.add(new DeviceInfo("cpu", "cpu", text, cpu.memory().availableBytes()));
        CudaStatus gpu = NativeLibraries.cuda();
        for (int i = 0; gpu.available() && i < gpu.deviceCount(); i++) {
            try (CudaDevice dev = CudaDevice.open(i)) {
                long[] mem = dev.memoryInfo();
                out.add(new DeviceInfo("cuda:" + i, "gpu", dev.name() + ", " + MemoryBudget.formatBytes(mem[1]) + ", " + dev.versions(),
                        mem[0]));
            }
        }
        return out;
    }
}
