package org.gdml4j.solve;

/**
 * Where long-running work reports what it is doing. The CLI shows bars with an ETA; the library default
 * ({@link #NONE}) is silent. Implementations must tolerate calls from worker threads.
 */
public interface Progress {
    /** A phase starts; {@code total} steps in {@code unit} (e.g. "columns", "GFLOP", "iterations"). */
    void start(String phase, long total, String unit);

    /** {@code done} of the current phase's steps are finished (monotone). */
    void update(long done);

    /** Extra text for the current phase (e.g. the current residual). */
    default void detail(String text) {
    }

    /** The current phase is finished. */
    void finish();

    /** A notable event for the log (a retry, a fallback, a restart). */
    default void note(String message) {
    }

    Progress NONE = new Progress() {
        @Override
        public void start(String phase, long total, String unit) {
        }

        @Override
        public void update(long done) {
        }

        @Override
        public void finish() {
        }
    };
}
