package org.gdml4j.cli;

import org.gdml4j.error.InvalidInputException;

import picocli.CommandLine.Option;

/** Options of sGDML's create stage, shared by {@code create} and {@code train}. */
final class CreateOptions {
    @Option(names = {"-n", "--n-train"}, paramLabel = "M", description = "number of training frames (drawn stratified by energy)")
    Integer train;

    @Option(names = "--n-valid", paramLabel = "V", description = "validation frames (default: min(1000, frames left))")
    Integer valid;

    @Option(names = "--idxs-train", paramLabel = "SEL", description = "explicit training frames: a range start:stop[:step], a comma list, or @FILE")
    String idxsTrain;

    @Option(names = "--no-sym", description = "no permutation symmetries (plain GDML)")
    boolean noSym;

    @Option(names = "--sigma", paramLabel = "S", defaultValue = "10",
            description = "kernel length scale, or 'auto' to choose from --sigma-grid on the validation force error. Default: ${DEFAULT-VALUE}.")
    String sigma;

    @Option(names = "--sigma-grid", paramLabel = "A:STEP:B", defaultValue = "10:10:90",
            description = "the grid searched by --sigma auto (sGDML's default 10:10:90).")
    String sigmaGrid;

    /** The number of training frames asked for (-n, or the size of --idxs-train as far as it can be told), for file names. */
    String frameCount() {
        return train != null ? Integer.toString(train) : "-idxs";
    }

    /** The σ values to try: one number, or the grid for 'auto'. */
    double[] sigmas() {
        if (!sigma.equalsIgnoreCase("auto")) {
            return new double[] {parse(sigma, "--sigma")};
        }
        String[] p = sigmaGrid.split(":");
        if (p.length != 3) {
            throw new InvalidInputException("--sigma-grid must be start:step:stop, got " + sigmaGrid);
        }
        double a = parse(p[0], "--sigma-grid");
        double step = parse(p[1], "--sigma-grid");
        double b = parse(p[2], "--sigma-grid");
        int count = (int) Math.floor((b - a) / step + 1e-9) + 1;
        if (count < 1 || count > 1000) {
            throw new InvalidInputException("--sigma-grid " + sigmaGrid + " has no values");
        }
        double[] out = new double[count];
        for (int i = 0; i < count; i++) {
            out[i] = a + i * step;
        }
        return out;
    }

    private static double parse(String s, String option) {
        try {
            double v = Double.parseDouble(s.trim());
            if (!(v > 0) || Double.isInfinite(v)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new InvalidInputException(option + ": expected a positive number, got '" + s + "'");
        }
    }
}
