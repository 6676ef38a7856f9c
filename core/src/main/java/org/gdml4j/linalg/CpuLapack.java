package org.gdml4j.linalg;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.gdml4j.nativ.blas.generated.Blas;

/**
 * LAPACK through its Fortran interface (any LAPACK exports these; LAPACKE is optional in many builds).
 * Fortran passes every scalar by reference and appends the hidden lengths of CHARACTER arguments
 * (size_t, value 1 here), as lapack.h declares them. Workspace sizes come from LAPACK's own queries
 * (lwork = -1) and large work arrays go through the {@link MemoryBudget}.
 */
final class CpuLapack {
    /** {@code -Dgdml4j.qr=lapack}: LAPACK's own dgeqrf/dorgqr at every size (same-day baselines for perf/bench solve and qr). */
    private static final boolean LAPACK_QR = "lapack".equals(System.getProperty("gdml4j.qr"));

    private CpuLapack() {
    }

    static int potrf(Backend.Uplo uplo, Matrix a) {
        requireSquareFp64(a, "potrf");
        if (a.rows() == 0) {
            return 0;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(ValueLayout.JAVA_INT);
            if (a.precision() == Precision.FP64) {
                Blas.dpotrf_(ch(arena, uplo), i32(arena, a.rows()), a.segment(), i32(arena, a.ld()), info, 1L);
            } else {
                Blas.spotrf_(ch(arena, uplo), i32(arena, a.rows()), a.segment(), i32(arena, a.ld()), info, 1L);
            }
            return checkInfo(info, "potrf");
        }
    }

    static Backend.PivotedCholesky pstrf(Backend.Uplo uplo, Matrix a, double tol) {
        requireSquareFp64(a, "pstrf");
        int n = Shapes.dim(a.rows());
        if (n == 0) {
            return new Backend.PivotedCholesky(0, new int[0], 0);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment piv = arena.allocate(ValueLayout.JAVA_INT, n);
            MemorySegment rank = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment work = arena.allocate(ValueLayout.JAVA_DOUBLE, 2L * n);
            MemorySegment info = arena.allocate(ValueLayout.JAVA_INT);
            Blas.dpstrf_(ch(arena, uplo), i32(arena, n), a.segment(), i32(arena, a.ld()), piv, rank,
                    arena.allocateFrom(ValueLayout.JAVA_DOUBLE, tol), work, info, 1L);
            int inf = info.get(ValueLayout.JAVA_INT, 0);
            if (inf < 0) {
                throw new IllegalArgumentException("pstrf: argument " + (-inf) + " is invalid");
            }
            int[] p = piv.toArray(ValueLayout.JAVA_INT);
            for (int i = 0; i < n; i++) {
                p[i] -= 1; // Fortran indices are 1-based
            }
            return new Backend.PivotedCholesky(rank.get(ValueLayout.JAVA_INT, 0), p, inf);
        }
    }

    static int syevd(Backend.Uplo uplo, Matrix a, Vector w) {
        requireSquareFp64(a, "syevd");
        int n = Shapes.dim(a.rows());
        if (w.length() != n || !w.isContiguous() || w.precision() != Precision.FP64) {
            throw new IllegalArgumentException("syevd: w must be a contiguous FP64 vector of length " + n);
        }
        if (n == 0) {
            return 0;
        }
        try (Arena arena = Arena.ofConfined(); Workspace ws = Workspace.confined()) {
            MemorySegment jobz = arena.allocateFrom(ValueLayout.JAVA_BYTE, (byte) 'V');
            MemorySegment info = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment qwork = arena.allocate(ValueLayout.JAVA_DOUBLE);
            MemorySegment qiwork = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment minus1 = i32(arena, -1);
            Blas.dsyevd_(jobz, ch(arena, uplo), i32(arena, n), a.segment(), i32(arena, a.ld()), w.segment(), qwork, minus1,
                    qiwork, minus1, info, 1L, 1L);
            checkInfo(info, "syevd (workspace query)");
            long lwork = (long) qwork.get(ValueLayout.JAVA_DOUBLE, 0);
            int liwork = qiwork.get(ValueLayout.JAVA_INT, 0);
            MemorySegment work = ws.allocate(lwork * 8, "syevd workspace");
            MemorySegment iwork = ws.allocate((long) liwork * 4, "syevd integer workspace");
            Blas.dsyevd_(jobz, ch(arena, uplo), i32(arena, n), a.segment(), i32(arena, a.ld()), w.segment(), work,
                    i32(arena, lwork), iwork, i32(arena, liwork), info, 1L, 1L);
            return checkInfo(info, "syevd");
        }
    }

    static int gesdd(Matrix a, Vector s, Matrix u, Matrix vt) {
        requireFp64(a, "gesdd");
        long m = a.rows();
        long n = a.cols();
        long k = Math.min(m, n);
        if (s.length() != k || !s.isContiguous() || u.rows() != m || u.cols() != k || vt.rows() != k || vt.cols() != n) {
            throw new IllegalArgumentException("gesdd: " + a + " needs s of " + k + ", U " + m + " x " + k + ", Vt " + k + " x " + n);
        }
        if (k == 0) {
            return 0;
        }
        try (Arena arena = Arena.ofConfined(); Workspace ws = Workspace.confined()) {
            MemorySegment jobz = arena.allocateFrom(ValueLayout.JAVA_BYTE, (byte) 'S');
            MemorySegment info = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment q = arena.allocate(ValueLayout.JAVA_DOUBLE);
            MemorySegment iwork = ws.allocate(8 * k * 4, "gesdd integer workspace");
            MemorySegment mm = i32(arena, m);
            MemorySegment nn = i32(arena, n);
            Blas.dgesdd_(jobz, mm, nn, a.segment(), i32(arena, a.ld()), s.segment(), u.segment(), i32(arena, u.ld()), vt.segment(),
                    i32(arena, vt.ld()), q, i32(arena, -1), iwork, info, 1L);
            checkInfo(info, "gesdd (workspace query)");
            long lwork = Math.max(1, (long) q.get(ValueLayout.JAVA_DOUBLE, 0));
            MemorySegment work = ws.allocate(lwork * 8, "gesdd workspace");
            Blas.dgesdd_(jobz, mm, nn, a.segment(), i32(arena, a.ld()), s.segment(), u.segment(), i32(arena, u.ld()), vt.segment(),
                    i32(arena, vt.ld()), work, i32(arena, lwork), iwork, info, 1L);
            return checkInfo(info, "gesdd");
        }
    }

    /** Householder QR: {@link BlockedQr} once there are enough columns for its large blocks, else LAPACK. */
    static void geqrf(Backend be, Matrix a, Vector tau) {
        requireFp64(a, "geqrf");
        if (Math.min(a.rows(), a.cols()) >= 2L * BlockedQr.NB && !LAPACK_QR) { // both paths check tau
            BlockedQr.geqrf(be, a, tau, BlockedQr.NB);
        } else {
            lapackGeqrf(a, tau);
        }
    }

    /** LAPACK's own dgeqrf (reference LAPACK in OpenBLAS: blocks of 32). */
    static void lapackGeqrf(Matrix a, Vector tau) {
        requireFp64(a, "geqrf");
        long k = Math.min(a.rows(), a.cols());
        if (tau.length() != k || !tau.isContiguous()) {
            throw new IllegalArgumentException("geqrf: tau must be contiguous of length " + k);
        }
        if (k == 0) {
            return;
        }
        try (Arena arena = Arena.ofConfined(); Workspace ws = Workspace.confined()) {
            MemorySegment info = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment q = arena.allocate(ValueLayout.JAVA_DOUBLE);
            MemorySegment m = i32(arena, a.rows());
            MemorySegment n = i32(arena, a.cols());
            MemorySegment lda = i32(arena, a.ld());
            Blas.dgeqrf_(m, n, a.segment(), lda, tau.segment(), q, i32(arena, -1), info);
            checkInfo(info, "geqrf (workspace query)");
            long lwork = Math.max(1, (long) q.get(ValueLayout.JAVA_DOUBLE, 0));
            MemorySegment work = ws.allocate(lwork * 8, "geqrf workspace");
            Blas.dgeqrf_(m, n, a.segment(), lda, tau.segment(), work, i32(arena, lwork), info);
            checkInfo(info, "geqrf");
        }
    }

    /** Q from geqrf's output: {@link BlockedQr} once there are enough reflectors for its large blocks, else LAPACK. */
    static void orgqr(Backend be, Matrix a, Vector tau) {
        requireFp64(a, "orgqr");
        if (tau.length() >= 2L * BlockedQr.NB && !LAPACK_QR) { // both paths check the shapes
            BlockedQr.orgqr(be, a, tau, BlockedQr.NB);
        } else {
            lapackOrgqr(a, tau);
        }
    }

    /** LAPACK's own dorgqr (reference LAPACK in OpenBLAS: blocks of 32). */
    static void lapackOrgqr(Matrix a, Vector tau) {
        requireFp64(a, "orgqr");
        if (a.cols() > a.rows() || tau.length() > a.cols()) {
            throw new IllegalArgumentException("orgqr: need rows >= cols >= len(tau), got " + a + " and " + tau);
        }
        if (a.cols() == 0) {
            return;
        }
        try (Arena arena = Arena.ofConfined(); Workspace ws = Workspace.confined()) {
            MemorySegment info = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment q = arena.allocate(ValueLayout.JAVA_DOUBLE);
            MemorySegment m = i32(arena, a.rows());
            MemorySegment n = i32(arena, a.cols());
            MemorySegment k = i32(arena, tau.length());
            MemorySegment lda = i32(arena, a.ld());
            Blas.dorgqr_(m, n, k, a.segment(), lda, tau.segment(), q, i32(arena, -1), info);
            checkInfo(info, "orgqr (workspace query)");
            long lwork = Math.max(1, (long) q.get(ValueLayout.JAVA_DOUBLE, 0));
            MemorySegment work = ws.allocate(lwork * 8, "orgqr workspace");
            Blas.dorgqr_(m, n, k, a.segment(), lda, tau.segment(), work, i32(arena, lwork), info);
            checkInfo(info, "orgqr");
        }
    }

    private static int checkInfo(MemorySegment info, String routine) {
        int v = info.get(ValueLayout.JAVA_INT, 0);
        if (v < 0) {
            throw new IllegalArgumentException(routine + ": argument " + (-v) + " is invalid");
        }
        return v;
    }

    private static MemorySegment i32(Arena arena, long v) {
        return arena.allocateFrom(ValueLayout.JAVA_INT, Shapes.dim(v < 0 ? -v : v) * (v < 0 ? -1 : 1));
    }

    private static MemorySegment ch(Arena arena, Backend.Uplo uplo) {
        return arena.allocateFrom(ValueLayout.JAVA_BYTE, (byte) (uplo == Backend.Uplo.LOWER ? 'L' : 'U'));
    }

    private static void requireSquareFp64(Matrix a, String routine) {
        if (!a.isSquare()) {
            throw new IllegalArgumentException(routine + " needs a square matrix, got " + a);
        }
        if (!routine.equals("potrf")) {
            requireFp64(a, routine);
        }
    }

    private static void requireFp64(Matrix a, String routine) {
        if (a.precision() != Precision.FP64) {
            throw new IllegalArgumentException(routine + " is implemented for FP64 only, got " + a);
        }
    }
}
