package org.gdml4j.solve;


import org.gdml4j.linalg.Backend;
import org.gdml4j.linalg.Vector;

/** The mutable state of one PCG solve (see {@link Pcg}), and its conversion to and from a {@link PcgSnapshot}. */
final class PcgState {
    final Backend be;
    final SolveReport report;
    final LinearOperator a;
    final double lambda;
    final Vector y;
    final Vector x;
    final Vector r;
    final Vector z;
    final Vector d;
    final Vector q;
    final Pcg.Options opt;
    double target;
    double normY;
    double rz;
    double rnorm;
    double trueNorm;
    double normEstimate; // largest Rayleigh quotient seen: a lower bound of ‖A + λI‖
    long iterations;
    int restarts;
    int growths;
    boolean stagnationNoted;
    final double[] changes;
    /** The fused reductions of one step (two dot products per call). */
    final double[] dots = new double[2];
    /** Operands of the fused reductions: (d·q, d·d) and (r·z, r·r). */
    final Vector[] dqLeft;
    final Vector[] dqRight;
    final Vector[] rzLeft;
    final Vector[] rzRight;
    int changeCount;
    int changePos;

    PcgState(Backend be, SolveReport report, LinearOperator a, double lambda, Vector y, Vector x, Vector r, Vector z, Vector d, Vector q,
            Pcg.Options opt) {
        this.be = be;
        this.report = report;
        this.a = a;
        this.lambda = lambda;
        this.y = y;
        this.x = x;
        this.r = r;
        this.z = z;
        this.d = d;
        this.q = q;
        this.opt = opt;
        this.changes = new double[Math.max(1, opt.window())];
        this.dqLeft = new Vector[] {d, d};
        this.dqRight = new Vector[] {q, d};
        this.rzLeft = new Vector[] {r, r};
        this.rzRight = new Vector[] {z, r};
    }

    /** A copy of everything the next iterations depend on (taken at the top of an iteration). */
    PcgSnapshot snapshot() {
        return new PcgSnapshot(iterations, restarts, growths, stagnationNoted, rz, rnorm, normEstimate, changes.clone(), changeCount,
                changePos, toArray(x), toArray(r), toArray(d), report.residualHistory(), report.events(), report.seconds());
    }

    /** Puts a snapshot's state back; the report gets the history it had. */
    void restore(PcgSnapshot s) {
        if (s.x().length != x.length()) {
            throw new IllegalArgumentException("the snapshot is for n = " + s.x().length + ", this solve has n = " + x.length());
        }
        if (s.changes().length != changes.length) {
            throw new IllegalArgumentException("the snapshot's stagnation window has " + s.changes().length + " entries, this solve "
                    + changes.length);
        }
        iterations = s.iterations();
        restarts = s.restarts();
        growths = s.growths();
        stagnationNoted = s.stagnationNoted();
        rz = s.rz();
        rnorm = s.rnorm();
        normEstimate = s.normEstimate();
        System.arraycopy(s.changes(), 0, changes, 0, changes.length);
        changeCount = s.changeCount();
        changePos = s.changePos();
        fromArray(s.x(), x);
        fromArray(s.r(), r);
        fromArray(s.d(), d);
        report.addHistory(s.residuals(), s.events(), s.seconds());
    }

    /** An explicit download: a checkpoint is the one place where the whole iterate comes to the host. */
    private double[] toArray(Vector v) {
        double[] out = new double[Math.toIntExact(v.length())];
        be.download(v, out);
        return out;
    }

    private void fromArray(double[] src, Vector v) {
        be.upload(src, v);
    }
}
