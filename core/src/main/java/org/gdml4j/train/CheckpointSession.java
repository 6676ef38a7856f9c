package org.gdml4j.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.gdml4j.error.InvalidInputException;
import org.gdml4j.nativ.NativeLibraries;
import org.gdml4j.precond.PreconditionerBuilder.Recipe;
import org.gdml4j.solve.PcgSnapshot;
import org.gdml4j.solve.Progress;

/**
 * The checkpoints of one PCG solve: finds and checks the checkpoint to resume from before any work starts, then takes
 * PCG's snapshots at the chosen interval, each written atomically with what is needed to rebuild the preconditioner
 * in use. The caller removes the file once the model is safely written (until then it is the way back).
 */
final class CheckpointSession implements PcgSnapshot.Sink {
    private final Path file;
    private final long everyNanos;
    private final PcgCheckpoint.Fingerprint fingerprint;
    private final PcgCheckpoint resumable;
    private long last = System.nanoTime();
    private int attempt = 1;
    private Recipe recipe;
    private PcgCheckpoint.Earlier earlier;
    private String warning;

    private CheckpointSession(SolveOptions.Checkpointing c, PcgCheckpoint.Fingerprint fp, PcgCheckpoint resumable) {
        this.file = c.file();
        this.everyNanos = c.everySeconds() > 0 ? (long) (c.everySeconds() * 1e9) : Long.MAX_VALUE;
        this.fingerprint = fp;
        this.resumable = resumable;
    }

    /**
     * Opens the session; with {@code resume}, reads the checkpoint if there is one and refuses, with one message, a
     * checkpoint of another task or other options. Without a checkpoint file, {@code --resume} starts from the beginning
     * (a requeued job runs the same command whether or not its first run got far enough to write one).
     */
    static CheckpointSession open(SolveOptions.Checkpointing c, PcgCheckpoint.Fingerprint fp, Progress progress) {
        PcgCheckpoint found = null;
        String warning = null;
        if (c.resume()) {
            if (Files.exists(c.file())) {
                found = PcgCheckpoint.read(c.file());
                List<String> diff = PcgCheckpoint.differences(fp, found.fingerprint());
                if (!diff.isEmpty()) {
                    throw new InvalidInputException(c.file() + ": this checkpoint belongs to " + String.join(" and ", diff)
                            + "; resume with the command that wrote it, or remove it (or leave out --resume) to start afresh");
                }
                if (found.threads() != NativeLibraries.threads()) {
                    warning = String.format(Locale.ROOT, "the checkpoint was written with %d threads, this run has %d: the model"
                            + " agrees with an uninterrupted run to rounding, not bit for bit", found.threads(), NativeLibraries.threads());
                }
            } else {
                progress.note("no checkpoint at " + c.file() + ": starting from the beginning");
            }
        }
        CheckpointSession s = new CheckpointSession(c, fp, found);
        s.warning = warning;
        return s;
    }

    /** The checked checkpoint to continue from, or null. */
    PcgCheckpoint resumable() {
        return resumable;
    }

    /** A warning for the report (resumed with another thread count), or null. */
    String warning() {
        return warning;
    }

    Path file() {
        return file;
    }

    /** Snapshots from now on belong to {@code attemptNumber}, whose preconditioner is {@code r}. */
    void begin(int attemptNumber, Recipe r, PcgCheckpoint.Earlier before) {
        attempt = attemptNumber;
        recipe = r;
        earlier = before;
        last = System.nanoTime();
    }

    /** The preconditioner grew, ending with {@code columns}. */
    void grown(long[] columns) {
        recipe = recipe.grown(columns);
    }

    @Override
    public boolean due() {
        return recipe != null && System.nanoTime() - last >= everyNanos;
    }

    @Override
    public void save(PcgSnapshot snapshot) {
        new PcgCheckpoint(fingerprint, recipe, attempt, snapshot, earlier, NativeLibraries.threads()).write(file);
        last = System.nanoTime();
    }
}
