package org.gdml4j.cli;

import java.io.PrintWriter;
import java.util.Locale;

import org.gdml4j.linalg.Backends;
import org.gdml4j.linalg.MemoryBudget;
import org.gdml4j.linalg.Simd;
import org.gdml4j.linalg.SystemMemory;
import org.gdml4j.nativ.BlasInfo;
import org.gdml4j.nativ.CpuFeatures;
import org.gdml4j.nativ.CudaStatus;
import org.gdml4j.nativ.NativeLibraries;

import jdk.incubator.vector.DoubleVector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code gdml4j info}: what this machine offers gdml4j (JDK, SIMD, BLAS library and kernels, memory, GPU) and the
 * devices {@code --device} can choose.
 */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show the JDK, CPU features, BLAS library, memory, GPU and the devices --device can choose.")
final class InfoCommand implements Runnable {
    @Mixin
    ResourceOptions resources;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        resources.apply();
        PrintWriter out = spec.commandLine().getOut();
        CpuFeatures cpu = CpuFeatures.current();
        out.printf(Locale.ROOT, "gdml4j      %s%n", VersionProvider.version());
        out.printf(Locale.ROOT, "JDK         %s %s (%s)%n", System.getProperty("java.vm.name"), Runtime.version(),
                System.getProperty("java.home"));
        out.printf(Locale.ROOT, "CPU         %s, %d cores available%n", cpu.modelName(), Runtime.getRuntime().availableProcessors());
        out.printf(Locale.ROOT, "SIMD        %s; Vector API %s%s%n", cpu.simdSummary(), Simd.describe(),
                Simd.DOUBLE.vectorBitSize() < DoubleVector.SPECIES_PREFERRED.vectorBitSize()
                        ? " (narrowed by -D" + Simd.BITS_PROPERTY + " from " + DoubleVector.SPECIES_PREFERRED.vectorBitSize() + "-bit)" : "");
        BlasInfo blas = NativeLibraries.blas(); // the library the CPU backend computes with
        out.printf(Locale.ROOT, "BLAS        %s%n", blas.source());
        for (var f : blas.files()) {
            out.printf(Locale.ROOT, "            %s%n", f);
        }
        if (blas.isOpenBlas()) {
            out.printf(Locale.ROOT, "kernels     %s (%s)%n", blas.corename(), blas.kernelNote());
            out.printf(Locale.ROOT, "config      %s%n", blas.config());
        }
        out.printf(Locale.ROOT, "threads     %d (BLAS and gdml4j workers)%n", NativeLibraries.threads());
        SystemMemory mem = SystemMemory.read();
        out.printf(Locale.ROOT, "memory      %s total, %s available%s%s%n", MemoryBudget.formatBytes(mem.totalBytes()),
                MemoryBudget.formatBytes(mem.availableBytes()),
                mem.cgroupLimit().isPresent() ? ", cgroup limit " + MemoryBudget.formatBytes(mem.cgroupLimit().getAsLong()) : "",
                resources.backend().memory().userLimit() > 0
                        ? ", --max-memory " + MemoryBudget.formatBytes(resources.backend().memory().userLimit()) : "");
        CudaStatus gpu = NativeLibraries.cuda();
        out.printf(Locale.ROOT, "GPU         %s%s%n", gpu.available() ? "yes: " : "no: ", gpu.reason());
        // what --device takes: one line per device this build can compute on
        String label = "devices";
        for (Backends.DeviceInfo d : Backends.devices()) {
            out.printf(Locale.ROOT, "%-12s%-8s %s; %s memory available%n", label, d.name(), d.description(),
                    MemoryBudget.formatBytes(d.memoryBytes()));
            label = "";
        }
    }
}
