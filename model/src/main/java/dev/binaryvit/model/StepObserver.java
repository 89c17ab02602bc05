package dev.binaryvit.model;

/**
 * Called after every step of a forward pass with its output and its time. The output array is the
 * model's scratch buffer, valid only during the call: copy what you keep.
 */
@FunctionalInterface
public interface StepObserver {

    /** {@code output[0 .. length)} is the step's output ({@code [batch][tokens][channels]}, or logits after the head). */
    void stepDone(Step step, float[] output, int length, long nanos);

    /** Observes nothing. */
    StepObserver NONE = (step, output, length, nanos) -> { };
}
