package org.gdml4j.train;

import java.util.List;

import org.gdml4j.io.Model;
import org.gdml4j.solve.SolveReport;

/** A solved task: the sGDML model, what the solver did, and warnings the user should see (energy checks). */
public record TrainResult(Model model, SolveReport report, List<String> warnings) {
}
