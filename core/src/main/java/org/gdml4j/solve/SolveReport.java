package org.gdml4j.solve;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a solve did: outcome, iterations and residuals, where the time went, memory, and every notable step
 * (jitter retries, restarts, fallbacks). Printed as a table for people and as JSON for machines.
 */
public final class SolveReport {
    /** How a solve ended. */
    public enum Outcome { CONVERGED, NOT_CONVERGED, BREAKDOWN, FAILED }

    private final String solver;
    private Outcome outcome = Outcome.FAILED;
    private long iterations;
    private double trueResidual = Double.NaN;
    private double finalJitter;
    private long peakBytes;
    private long peakResident = -1;
    private final List<Double> residualHistory = new ArrayList<>();
    private final Map<String, Double> seconds = new LinkedHashMap<>();
    private final Map<String, Object> facts = new LinkedHashMap<>();
    private final List<String> events = new ArrayList<>();

    public SolveReport(String solver) {
        this.solver = solver;
    }

    public String solver() {
        return solver;
    }

    public Outcome outcome() {
        return outcome;
    }

    public SolveReport outcome(Outcome o) {
        this.outcome = o;
        return this;
    }

    public long iterations() {
        return iterations;
    }

    public SolveReport iterations(long it) {
        this.iterations = it;
        return this;
    }

    /** ‖y − (A + λI)x‖ / ‖y‖ computed from scratch at the end (not the recursive residual). */
    public double trueResidual() {
        return trueResidual;
    }

    public SolveReport trueResidual(double r) {
        this.trueResidual = r;
        return this;
    }

    /** Diagonal jitter added on top of λ to make the factorisation succeed (0 if none was needed). */
    public double finalJitter() {
        return finalJitter;
    }

    public SolveReport finalJitter(double j) {
        this.finalJitter = j;
        return this;
    }

    public long peakBytes() {
        return peakBytes;
    }

    public SolveReport peakBytes(long b) {
        this.peakBytes = Math.max(this.peakBytes, b);
        return this;
    }

    /** The process's peak resident memory when the solve ended (VmHWM), or -1. */
    public long peakResident() {
        return peakResident;
    }

    public SolveReport peakResident(long bytes) {
        this.peakResident = bytes;
        return this;
    }

    /** Relative residuals per iteration (iterative solvers). */
    public List<Double> residualHistory() {
        return residualHistory;
    }

    public void addResidual(double r) {
        residualHistory.add(r);
    }

    /** Appends an earlier part of the same solve's history (as a checkpoint kept it): residuals, events and time buckets. */
    public SolveReport addHistory(List<Double> residuals, List<String> earlierEvents, Map<String, Double> times) {
        residualHistory.addAll(residuals);
        events.addAll(earlierEvents);
        times.forEach(this::addSeconds);
        return this;
    }

    /** Adds {@code s} seconds to the time bucket {@code phase} (e.g. "assembly", "factorisation", "matvec"). */
    public void addSeconds(String phase, double s) {
        seconds.merge(phase, s, Double::sum);
    }

    public Map<String, Double> seconds() {
        return seconds;
    }

    public double totalSeconds() {
        return seconds.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    /** A named fact (k requested, k used, factor bytes, seed, ...). */
    public SolveReport fact(String name, Object value) {
        facts.put(name, value);
        return this;
    }

    public Map<String, Object> facts() {
        return facts;
    }

    public void event(String message) {
        events.add(message);
    }

    public List<String> events() {
        return events;
    }

    /**
     * Folds a later phase of the same solve into this report (e.g. PCG continued after a fallback): iterations,
     * residual history, times and events add up; the later outcome and residual win.
     */
    public SolveReport absorb(SolveReport later) {
        iterations += later.iterations;
        residualHistory.addAll(later.residualHistory);
        later.seconds.forEach(this::addSeconds);
        events.addAll(later.events);
        facts.putAll(later.facts);
        outcome = later.outcome;
        trueResidual = later.trueResidual;
        peakBytes = Math.max(peakBytes, later.peakBytes);
        return this;
    }

    /** A two-column table for the terminal. */
    public String toTable() {
        StringBuilder sb = new StringBuilder();
        row(sb, "solver", solver);
        row(sb, "outcome", outcome.name().toLowerCase(Locale.ROOT).replace('_', ' '));
        if (iterations > 0) {
            row(sb, "iterations", Long.toString(iterations));
        }
        if (!Double.isNaN(trueResidual)) {
            row(sb, "true residual", String.format(Locale.ROOT, "%.3e (relative to ‖y‖)", trueResidual));
        }
        if (finalJitter > 0) {
            row(sb, "diagonal jitter", String.format(Locale.ROOT, "%.1e", finalJitter));
        }
        for (Map.Entry<String, Object> f : facts.entrySet()) {
            row(sb, f.getKey(), String.valueOf(f.getValue()));
        }
        for (Map.Entry<String, Double> t : seconds.entrySet()) {
            row(sb, "time: " + t.getKey(), String.format(Locale.ROOT, "%.2f s", t.getValue()));
        }
        row(sb, "time: total", String.format(Locale.ROOT, "%.2f s", totalSeconds()));
        if (peakBytes > 0) {
            row(sb, "memory (planned)", String.format(Locale.ROOT, "%.2f GB of buffers at the peak (the JVM comes on top)", peakBytes / 1e9));
        }
        if (peakResident > 0) {
            row(sb, "memory (peak resident)", String.format(Locale.ROOT, "%.2f GB (process VmHWM)", peakResident / 1e9));
        }
        for (String e : events) {
            row(sb, "note", e);
        }
        return sb.toString();
    }

    private static void row(StringBuilder sb, String k, String v) {
        sb.append(String.format(Locale.ROOT, "  %-24s %s%n", k, v));
    }

    /** One JSON object (a single line) with everything in the report. */
    public String toJson() {
        StringBuilder sb = new StringBuilder("{");
        Json.field(sb, "solver", solver);
        Json.field(sb, "outcome", outcome.name());
        Json.field(sb, "iterations", iterations);
        Json.field(sb, "true_residual", trueResidual);
        Json.field(sb, "final_jitter", finalJitter);
        Json.field(sb, "peak_bytes", peakBytes);
        Json.field(sb, "peak_resident_bytes", peakResident);
        Json.field(sb, "seconds", seconds);
        Json.field(sb, "facts", facts);
        Json.field(sb, "events", events);
        Json.field(sb, "residual_history", residualHistory);
        sb.setLength(sb.length() - 1);
        return sb.append('}').toString();
    }
}
