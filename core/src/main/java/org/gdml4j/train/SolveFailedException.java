package org.gdml4j.train;

import org.gdml4j.solve.SolveReport;

/** The solver could not produce a trustworthy solution; no model is written. The message says what to try. */
public final class SolveFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient SolveReport report;

    public SolveFailedException(String message, SolveReport report) {
        super(message);
        this.report = report;
    }

    public SolveReport report() {
        return report;
    }
}
