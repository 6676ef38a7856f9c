package org.gdml4j.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The integration constant c and sGDML's sanity checks on the energies (docs/sgdml-formulas.md §6): the model's
 * energies come from integrating forces, so they must correlate with the reference energies with slope ≈ 1.
 * A negative slope suggests the labels were gradients instead of forces; a slope far from 1, a unit
 * mismatch between energies and forces; a poor correlation, inconsistent labels. The reference prints these
 * as warnings and still writes the model; so do we.
 */
public record EnergyCheck(double c, double slope, double correlation, List<String> warnings) {

    /** c = mean(E_ref − Ê₀) with Ê₀ the model's energies without constant, plus the fit E_ref ≈ slope·Ê₀ + b. */
    public static EnergyCheck of(double[] reference, double[] predictedWithoutC) {
        int n = reference.length;
        double meanRef = 0;
        double meanPred = 0;
        for (int i = 0; i < n; i++) {
            meanRef += reference[i];
            meanPred += predictedWithoutC[i];
        }
        meanRef /= n;
        meanPred /= n;
        double cov = 0;
        double varPred = 0;
        double varRef = 0;
        for (int i = 0; i < n; i++) {
            double dp = predictedWithoutC[i] - meanPred;
            double dr = reference[i] - meanRef;
            cov += dp * dr;
            varPred += dp * dp;
            varRef += dr * dr;
        }
        double slope = varPred > 0 ? cov / varPred : Double.NaN;
        double corr = varPred > 0 && varRef > 0 ? cov / Math.sqrt(varPred * varRef) : Double.NaN;
        List<String> warnings = new ArrayList<>();
        if (n >= 3 && Double.isFinite(slope)) {
            if (slope < 0) {
                warnings.add(String.format(Locale.ROOT, "energies and integrated forces are anti-correlated (slope %.2f):"
                        + " were gradients given instead of forces?", slope));
            } else if (Math.abs(slope - 1) > 0.1) {
                warnings.add(String.format(Locale.ROOT, "energies scale like %.2f x the integrated forces: are energies and"
                        + " forces in consistent units?", slope));
            }
            if (corr < 0.95) {
                warnings.add(String.format(Locale.ROOT, "energies correlate poorly with the integrated forces (r = %.3f):"
                        + " inconsistent energy and force labels?", corr));
            }
        }
        return new EnergyCheck(meanRef - meanPred, slope, corr, List.copyOf(warnings));
    }
}
