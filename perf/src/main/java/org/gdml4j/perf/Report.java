package org.gdml4j.perf;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs a group of JMH benchmarks and prints their results as rates (GFLOP/s, GB/s) and as ratios to the
 * baseline measured in the same run, the form perf/README.md records (the machine is shared and noisy, so
 * only same-run ratios compare). Usage: {@code java -cp perf/target/benchmarks.jar org.gdml4j.perf.Report
 * foundation [jmh options...]}.
 */
public final class Report {
    /** Work per operation of each benchmark (flops or bytes) and the unit of its rate. */
    record Work(String unit, double amount) {
    }

    private static final Map<String, Work> WORK = new LinkedHashMap<>();

    static {
        double n = BlasBench.GEMM_N;
        WORK.put("dgemmSelected", new Work("GFLOP/s", 2 * n * n * n));
        WORK.put("dgemmAutodetected", new Work("GFLOP/s", 2 * n * n * n));
        double p = BlasBench.POTRF_N;
        WORK.put("dpotrf", new Work("GFLOP/s", p * p * p / 3));
        WORK.put("dgemvBandwidth", new Work("GB/s", (double) BlasBench.GEMV_ROWS * BlasBench.GEMV_COLS * 8));
        WORK.put("geqrfLapack", new Work("GFLOP/s", QrBench.flops()));
        WORK.put("geqrfBlocked", new Work("GFLOP/s", QrBench.flops()));
        WORK.put("orgqrLapack", new Work("GFLOP/s", QrBench.flops()));
        WORK.put("orgqrBlocked", new Work("GFLOP/s", QrBench.flops()));
    }

    private Report() {
    }

    public static void main(String[] args) throws RunnerException, org.openjdk.jmh.runner.options.CommandLineOptionException {
        String group = args.length == 0 ? "foundation" : args[0];
        String include = switch (group) {
            case "foundation" -> BlasBench.class.getName();
            case "kernel" -> KernelBench.class.getName() + "|" + BlasBench.class.getName() + ".dgemmSelected";
            case "cholesky" -> CholeskyBench.class.getName() + "|" + BlasBench.class.getName() + ".dgemvBandwidth";
            case "qr" -> QrBench.class.getName() + "|" + BlasBench.class.getName() + ".dgemmSelected";
            case "blocks" -> KernelBlocksBench.class.getName();
            default -> throw new IllegalArgumentException("unknown group '" + group + "' (known: foundation, kernel, cholesky, qr, blocks)");
        };
        // further arguments are JMH's own (e.g. -p m=500 -wi 2 -i 3)
        Options cli = new org.openjdk.jmh.runner.options.CommandLineOptions(java.util.Arrays.copyOfRange(args, Math.min(1, args.length),
                args.length));
        Options opt = new OptionsBuilder().parent(cli).include(include).build();
        Collection<RunResult> results = new Runner(opt).run();
        print(results);
    }

    static void print(Collection<RunResult> results) {
        List<String[]> rows = new ArrayList<>();
        double baseline = Double.NaN;
        double bandwidth = Double.NaN;
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            String shortName = name.substring(name.lastIndexOf('.') + 1);
            // the best iteration is the ceiling (this machine is shared: slow ones measure the neighbours)
            double ms = r.getPrimaryResult().getStatistics().getMin();
            double mean = r.getPrimaryResult().getScore();
            Work w = WORK.get(shortName);
            if (shortName.equals("apply")) {
                int m = Integer.parseInt(r.getParams().getParam("m"));
                shortName = "kernel apply M=" + m;
                w = new Work("GFLOP/s nominal", KernelBench.nominalFlops(m));
            }
            if (shortName.equals("greedy")) {
                int m = Integer.parseInt(r.getParams().getParam("m"));
                double f = Double.parseDouble(r.getParams().getParam("fraction"));
                shortName = "pivoted Cholesky steps M=" + m + " k=" + CholeskyBench.columns(m, f);
                w = new Work("GB/s (Schur gemv bytes)", CholeskyBench.bytesStreamed(m, f));
            } else if (shortName.equals("kernelColumns")) {
                shortName = "the same number of single kernel columns";
            }
            double rate = w == null ? Double.NaN : w.amount() / (ms / 1e3) / 1e9;
            if (shortName.equals("dgemvBandwidth")) {
                bandwidth = rate;
            }
            if (shortName.equals("dgemmAutodetected") || (Double.isNaN(baseline) && shortName.equals("dgemmSelected"))) {
                baseline = rate;
            }
            rows.add(new String[] {shortName, fmt(ms) + " ms (mean " + fmt(mean) + ")",
                    w == null ? "" : fmt(rate) + " " + w.unit(), ""});
        }
        for (String[] row : rows) {
            if ((row[0].startsWith("dgemm") || row[0].startsWith("kernel") || row[0].startsWith("orgqr") || row[0].startsWith("geqrf")) && !Double.isNaN(baseline) && !row[2].isEmpty()) {
                double rate = Double.parseDouble(row[2].split(" ")[0]);
                row[3] = String.format(Locale.ROOT, "%.2fx same-run dgemm", rate / baseline);
            }
            if (row[0].startsWith("pivoted") && !Double.isNaN(bandwidth)) {
                double rate = Double.parseDouble(row[2].split(" ")[0]);
                row[3] = String.format(Locale.ROOT, "%.2fx same-run dgemv bandwidth", rate / bandwidth);
            }
        }
        System.out.println();
        System.out.println("| benchmark | best time per op | rate (best) | ratio |");
        System.out.println("|---|---|---|---|");
        for (String[] row : rows) {
            System.out.println("| " + String.join(" | ", row) + " |");
        }
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
    }
}
