package dev.binaryvit.model;

/** RPReLU parameters: {@code y = x - move1; y = y >= 0 ? y : slope * y; y + move2}, per channel. */
record Rprelu(float[] move1, float[] slope, float[] move2) {

    static Rprelu load(Weights w, String prefix) {
        return new Rprelu(w.get(prefix + ".move1"), w.get(prefix + ".prelu.weight"), w.get(prefix + ".move2"));
    }
}
