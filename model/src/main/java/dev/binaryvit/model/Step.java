package dev.binaryvit.model;

/** One step of the forward pass, as the per-step hook reports it. */
public record Step(Kind kind, int index, String name) {

    /** What a step is. */
    public enum Kind { EMBEDDINGS, LAYER, MERGE, HEAD }

    static Step embeddings() {
        return new Step(Kind.EMBEDDINGS, 0, "embeddings");
    }

    static Step layer(int i) {
        return new Step(Kind.LAYER, i, "layer." + i);
    }

    static Step merge(int stage) {
        return new Step(Kind.MERGE, stage, "patch_embed" + (stage + 1));
    }

    static Step head() {
        return new Step(Kind.HEAD, 0, "head");
    }
}
