package org.gdml4j.linalg;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;

import org.gdml4j.nativ.NativeLibraries;

/**
 * gdml4j's own worker threads, as many as {@link NativeLibraries#threads()} (the one thread count shared with
 * BLAS). Convention that keeps the two from oversubscribing the cores: BLAS is called from the calling
 * thread only (it parallelises internally); work split here does element-wise passes and other
 * non-BLAS loops.
 */
public final class Parallel {
    /** A thread that never runs: memory it may access is accessible by any worker (not confined to one thread). */
    private static final Thread OUTSIDER = new Thread(() -> { });
    private static ForkJoinPool pool;
    private static int poolSize;

    private Parallel() {
    }

    /** A range body: processes indices [start, end). */
    @FunctionalInterface
    public interface RangeBody {
        void run(long start, long end);
    }

    /**
     * Whether workers may touch these segments: false if any is confined to the calling thread (memory from
     * {@link Workspace#confined()} or {@code Arena.ofConfined()}), in which case callers run inline.
     */
    public static boolean shareable(java.lang.foreign.MemorySegment... segments) {
        for (java.lang.foreign.MemorySegment m : segments) {
            if (!m.isAccessibleBy(OUTSIDER)) {
                return false;
            }
        }
        return true;
    }

    /** Number of workers now. */
    public static int threads() {
        return NativeLibraries.threads();
    }

    /**
     * Runs {@code body} over [0, n) split into contiguous chunks of at least {@code minChunk} indices, at most
     * one chunk per worker (or {@code chunks} if given larger). Runs inline when one chunk suffices.
     */
    public static void forRange(long n, long minChunk, RangeBody body) {
        int t = threads();
        long chunks = Math.min(t, Math.max(1, n / Math.max(1, minChunk)));
        forChunks(n, (int) chunks, body);
    }

    /** A range body that also learns its piece's position (0 ≤ index < pieces), e.g. to own one slot of partial sums. */
    @FunctionalInterface
    public interface IndexedRangeBody {
        void run(int index, long start, long end);
    }

    /** Runs {@code body} over [0, n) in exactly {@code chunks} near-equal contiguous pieces (fewer if n is small). */
    public static void forChunks(long n, int chunks, RangeBody body) {
        forChunks(n, chunks, (IndexedRangeBody) (index, start, end) -> body.run(start, end));
    }

    /**
     * As {@link #forChunks(long, int, RangeBody)}, telling each piece its position. Partial results kept per position
     * and combined in position order do not depend on which worker ran which piece, nor when.
     */
    public static void forChunks(long n, int chunks, IndexedRangeBody body) {
        if (n <= 0) {
            return;
        }
        int c = (int) Math.max(1, Math.min(chunks, n));
        if (c == 1) {
            body.run(0, 0, n);
            return;
        }
        ForkJoinPool p = pool();
        List<Future<?>> futures = new ArrayList<>(c);
        for (int i = 0; i < c; i++) {
            int index = i;
            long start = n * i / c;
            long end = n * (i + 1) / c;
            futures.add(p.submit(() -> body.run(index, start, end)));
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException re) {
                    throw re;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(cause);
            }
        }
    }

    private static synchronized ForkJoinPool pool() {
        int t = threads();
        if (pool == null || poolSize != t) {
            if (pool != null) {
                pool.shutdown();
            }
            pool = new ForkJoinPool(t, p -> {
                var w = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
                w.setName("gdml4j-worker-" + w.getPoolIndex());
                w.setDaemon(true);
                return w;
            }, null, false);
            poolSize = t;
        }
        return pool;
    }
}
