package dev.binaryvit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The model against the official PyTorch code's run of {@code ../shared/fixtures/binaryvit-tiny}. */
class FixtureTest {

    static final Path DIR = Fixtures.tiny();

    private static BinaryVit model;
    private static VerifyCommand.Case reference;

    @BeforeAll
    static void load() throws Exception {
        model = BinaryVit.load(DIR);
        reference = VerifyCommand.Case.read(DIR.resolve("case.safetensors"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void logitsMatchTheOfficialModelEndToEnd() {
        float[] logits = model.forward(reference.input(), reference.batch());
        float[] expected = reference.logits();
        assertEquals(2, reference.batch());
        assertArrayEquals(expected, logits, 1e-4f, "both batch items, within 1e-4 of the float64 reference");
    }

    @Test
    void everyLayerMatchesWhenFedTheReferenceInput() {
        for (int i = 0; i < model.layers(); i++) {
            float[] out = model.layer(i, reference.hidden(i), reference.batch());
            VerifyCommand.Errors e = VerifyCommand.Errors.between(out, reference.hidden(i + 1));
            assertTrue(e.maxAbs() <= 1e-4, "layer " + i + " max abs error " + e.maxAbs());
        }
        float[] logits = model.head(reference.hidden(model.layers()), reference.batch());
        assertArrayEquals(reference.logits(), logits, 1e-4f, "head");
    }

    @Test
    void theEmbeddingsMatch() {
        float[] h0 = model.embed(reference.input(), reference.batch());
        assertArrayEquals(reference.hidden(0), h0, 1e-4f);
    }

    @Test
    void verifyPassesWithTheContractLastLine() {
        java.io.StringWriter text = new java.io.StringWriter();
        VerifyCommand.Report report = VerifyCommand.verify(model, reference);
        report.print(new java.io.PrintWriter(text, true));
        String[] lines = text.toString().strip().split("\n");
        String last = lines[lines.length - 1];
        assertTrue(report.pass(), text.toString());
        assertTrue(last.matches("verify: PASS layers=5 worst_layer_max_abs=\\S+ worst_layer_frac_over_1e-3=\\S+ "
                + "logits_max_abs=\\S+ top1_agree=2/2"), last);
    }
}
