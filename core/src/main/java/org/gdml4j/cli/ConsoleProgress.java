package org.gdml4j.cli;

import java.io.PrintWriter;
import java.util.Locale;

import org.gdml4j.solve.Progress;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress on the terminal: a bar with rate and ETA (me.tongfei progressbar) when stderr is a terminal; when it
 * is not (CI logs, pipes), one line per 10 % so logs stay readable.
 */
final class ConsoleProgress implements Progress {
    private final PrintWriter err;
    private final boolean interactive;
    private ProgressBar bar;
    private String phase;
    private long total;
    private int lastDecile;
    private long startNanos;

    /** Bars go to the terminal (System.err) when there is one; line mode writes to {@code err}. */
    ConsoleProgress(PrintWriter err) {
        this.err = err;
        java.io.Console console = System.console();
        this.interactive = console != null && console.isTerminal();
    }

    @Override
    public synchronized void start(String phaseName, long totalSteps, String unit) {
        finish();
        phase = phaseName;
        total = Math.max(1, totalSteps);
        lastDecile = 0;
        startNanos = System.nanoTime();
        if (interactive) {
            bar = new ProgressBarBuilder().setTaskName(phaseName).setInitialMax(total).setUnit(" " + unit, 1)
                    .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(System.err)).setUpdateIntervalMillis(250)
                    .build();
        } else {
            err.printf(Locale.ROOT, "%s ...%n", phaseName);
            err.flush();
        }
    }

    @Override
    public synchronized void update(long done) {
        if (phase == null) {
            return;
        }
        if (bar != null) {
            bar.stepTo(Math.min(done, total));
            return;
        }
        int decile = (int) Math.min(10, done * 10 / total);
        // short phases print only their start and end lines
        if (decile > lastDecile && decile < 10 && System.nanoTime() - startNanos > 2_000_000_000L) {
            lastDecile = decile;
            err.printf(Locale.ROOT, "  %s: %d%% (%.1f s)%n", phase, decile * 10, (System.nanoTime() - startNanos) / 1e9);
            err.flush();
        }
    }

    @Override
    public synchronized void detail(String text) {
        if (bar != null) {
            bar.setExtraMessage(text);
        }
    }

    @Override
    public synchronized void finish() {
        if (phase == null) {
            return;
        }
        if (bar != null) {
            bar.stepTo(total);
            bar.close();
            bar = null;
        } else {
            err.printf(Locale.ROOT, "  %s: done in %.1f s%n", phase, (System.nanoTime() - startNanos) / 1e9);
            err.flush();
        }
        phase = null;
    }

    @Override
    public synchronized void note(String message) {
        err.println("gdml4j: " + message);
        err.flush();
    }
}
