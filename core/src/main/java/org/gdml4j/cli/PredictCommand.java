package org.gdml4j.cli;

import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.SequencedMap;
import java.util.concurrent.Callable;

import org.gdml4j.error.InvalidInputException;
import org.gdml4j.io.Dataset;
import org.gdml4j.io.Model;
import org.gdml4j.io.NpyArray;
import org.gdml4j.io.NpyArrays;
import org.gdml4j.io.NpzWriter;
import org.gdml4j.train.ErrorStats;
import org.gdml4j.train.FrameSelection;
import org.gdml4j.train.Predictions;
import org.gdml4j.train.Predictor;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code gdml4j predict MODEL.npz DATASET.npz}: energies and forces, and their errors against the labels. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Predict energies and forces of dataset frames with a model (ours or sGDML's) and report the errors.")
final class PredictCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL.npz")
    Path modelFile;

    @Parameters(index = "1", paramLabel = "DATASET.npz")
    Path datasetFile;

    @Option(names = "--idxs", paramLabel = "SEL", defaultValue = "all",
            description = "frames: all, start:stop[:step], a comma list, or @FILE (default: ${DEFAULT-VALUE})")
    String idxs;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT.npz", description = "write idxs, E, F predictions here (atomically)")
    Path output;

    @Mixin
    ResourceOptions resources;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        resources.apply();
        new CommandPaths().input("MODEL", modelFile).input("DATASET", datasetFile).output("-o", output).check();
        PrintWriter out = spec.commandLine().getOut();
        try (Arena arena = Arena.ofShared()) {
            Model model = Model.load(modelFile, arena);
            Dataset data = Dataset.load(datasetFile, arena);
            if (!Arrays.equals(model.z(), data.z())) {
                throw new InvalidInputException(modelFile + " is a model of atoms " + Arrays.toString(model.z()) + " but "
                        + datasetFile + " has atoms " + Arrays.toString(data.z())
                        + " (a different molecule, or the same atoms in another order)");
            }
            long[] frames = FrameSelection.parse(idxs, data.frames());
            int n3 = 3 * data.atoms();
            MemorySegment r = FrameSelection.gather(arena, data.positions().data(), frames, data.atoms());
            long t0 = System.nanoTime();
            Predictions p;
            try (Predictor predictor = Predictor.of(resources.backend(), model)) {
                p = predictor.predict(r, frames.length);
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            out.printf(Locale.ROOT, "predicted %d frames in %.2f s (%.0f frames/s)%n", frames.length, secs, frames.length / secs);
            String eUnit = data.eUnit() == null ? "" : " " + data.eUnit();
            String fUnit = data.eUnit() == null ? "" : " " + data.eUnit() + "/" + (data.rUnit() == null ? "Ang" : data.rUnit());
            if (!model.useE()) {
                // without energies in training the integration constant c was never fitted: the predicted energies
                // are off by an unknown constant, and an "error" against the labels would only measure that constant
                out.println("  energy  no error: the model was trained without energies (use_E False); its energies are"
                        + " relative, up to an unknown constant");
            } else if (data.hasEnergies()) {
                double[] all = data.energies();
                double[] ref = new double[frames.length];
                for (int i = 0; i < frames.length; i++) {
                    ref[i] = all[(int) frames[i]];
                }
                ErrorStats e = ErrorStats.of(p.energies(), ref);
                out.printf(Locale.ROOT, "  energy  MAE %.4f%s   RMSE %.4f%s%n", e.mae(), eUnit, e.rmse(), eUnit);
            }
            ErrorStats f = ErrorStats.of(p.forces(), FrameSelection.gather(arena, data.forces().data(), frames, data.atoms()));
            out.printf(Locale.ROOT, "  forces  MAE %.4f%s   RMSE %.4f%s%n", f.mae(), fUnit, f.rmse(), fUnit);
            if (output != null) {
                SequencedMap<String, NpyArray> entries = new LinkedHashMap<>();
                entries.put("idxs", NpyArrays.ofLongs(frames));
                entries.put("E", NpyArrays.ofDoubles(p.energies(), frames.length));
                entries.put("F", NpyArrays.ofDoubles(p.forces(), frames.length, data.atoms(), 3));
                NpzWriter.write(output, entries, NpzWriter.Compression.DEFLATED, modelFile, datasetFile);
                out.println("predictions written to " + output);
            }
            out.flush();
            return 0;
        }
    }

}
