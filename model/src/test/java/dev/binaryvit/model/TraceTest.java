package dev.binaryvit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-operator trace and the per-step hook report every step and kernel call of a forward pass. */
class TraceTest {

    @Test
    void aTracedForwardReportsEveryStepAndItsKernelCalls() throws Exception {
        try (BinaryVit model = BinaryVit.load(Fixtures.tiny())) {
            float[] images = new float[model.imageFloats()];
            float[] logits = new float[model.config().numLabels()];
            List<String> steps = new ArrayList<>();
            Trace trace = Trace.recording();
            model.forward(images, 1, logits, (step, output, length, nanos) -> steps.add(step.name()), trace);
            assertEquals(List.of("embeddings", "layer.0", "patch_embed1", "layer.1", "patch_embed2", "layer.2",
                    "layer.3", "patch_embed3", "layer.4", "head"), steps);
            List<Trace.Op> ops = trace.ops();
            assertTrue(ops.stream().allMatch(op -> steps.contains(op.step()) && op.nanos() >= 0), ops.toString());
            for (String gemm : new String[] {"query", "key", "value", "output", "mlp"}) {
                assertEquals(model.layers(), ops.stream().filter(op -> op.name().equals(gemm)).count(), gemm);
            }
            assertEquals(2, ops.stream().filter(op -> op.name().equals("reduction")).count(), "stages 0 and 1 reduce");
            Trace.Op mlp = ops.stream().filter(op -> op.step().equals("layer.0") && op.name().equals("mlp")).findFirst().orElseThrow();
            assertEquals(Trace.Kind.MLP, mlp.kind());
            assertEquals(List.of(3136, 16, 64, 4), java.util.Arrays.stream(mlp.dims()).boxed().toList()); // n, c, i, pool
            trace.clear();
            model.forward(images, 1, logits, StepObserver.NONE, Trace.OFF);
            assertEquals(0, trace.ops().size());
            assertEquals(0, Trace.OFF.ops().size());
        }
    }

    @Test
    void aLayerRunAloneRecordsTheSameCallsAsInThePassAndTheSameOutput() throws Exception {
        try (BinaryVit model = BinaryVit.load(Fixtures.tiny())) {
            float[] images = ForwardPropertiesTest.randomImages(1, model.imageFloats(), 3);
            Trace inPass = Trace.recording();
            model.forward(images, 1, new float[model.config().numLabels()], StepObserver.NONE, inPass);
            float[] h = model.embed(images, 1);
            for (int i = 0; i < model.layers(); i++) {
                Trace alone = Trace.recording();
                float[] next = model.layer(i, h, 1, alone);
                assertArrayEquals(model.layer(i, h, 1), next, "layer " + i);
                List<String> expected = inPass.ops().stream().filter(op -> alone.ops().stream()
                        .anyMatch(a -> a.step().equals(op.step()))).map(op -> op.step() + "/" + op.name()).toList();
                assertEquals(expected, alone.ops().stream().map(op -> op.step() + "/" + op.name()).toList());
                String step = "layer." + i;
                assertTrue(alone.ops().stream().anyMatch(op -> op.step().equals(step)), step);
                h = next;
            }
        }
    }
}
