package org.gdml4j.train;

/**
 * Energies (one per geometry) and forces (count x atoms x 3, C order, atom-major xyz) predicted by a model.
 */
public record Predictions(int count, int atoms, double[] energies, double[] forces) {
    public double force(int geometry, int atom, int xyz) {
        return forces[(geometry * atoms + atom) * 3 + xyz];
    }
}
