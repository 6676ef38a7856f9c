package org.gdml4j.train;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Mean absolute and root-mean-square error over all components (sGDML reports forces this way). */
public record ErrorStats(long count, double mae, double rmse) {

    /** Errors of {@code predicted} against the first predicted.length values of {@code reference}. */
    public static ErrorStats of(double[] predicted, MemorySegment reference) {
        double abs = 0;
        double sq = 0;
        for (int i = 0; i < predicted.length; i++) {
            double d = predicted[i] - reference.getAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, i);
            abs += Math.abs(d);
            sq += d * d;
        }
        int n = Math.max(1, predicted.length);
        return new ErrorStats(predicted.length, abs / n, Math.sqrt(sq / n));
    }

    public static ErrorStats of(double[] predicted, double[] reference) {
        return of(predicted, MemorySegment.ofArray(reference));
    }
}
