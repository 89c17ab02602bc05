package dev.binaryvit.model;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class EvalReportTest {

    static final List<String> NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal");

    /**
     * Six labels, six images classified and one failed, each worked out by hand:
     * <pre>
     * image label logits              prediction  top-5  reference           ref. prediction  max |diff|
     * a     0     5 1 0 0 0 0         0 right     yes    4 1 0 0 0 0         0 agrees         1
     * b     0     0 2 0 0 0 0         1 wrong     yes    0 2 0 0 0 .5        1 agrees         .5
     * c     1     1 1 0 0 0 0         0 (tie)     yes    1 1 0 0 0 0         0 agrees         0
     * d     2     0 0 -1 0 0 0        0 wrong     no (5 above it)  0 3 -1 0 0 0  1 differs    3 (logit 1)
     * e     2     0 0 9 0 0 0         2 right     yes    0 0 9 0 0 .25       2 agrees         .25
     * f     -     0 0 0 0 0 7         5           -      0 0 0 0 0 7         5 agrees         0
     * g     failed
     * </pre>
     * top-1 2/5, top-5 4/5, agreement 5/6, largest difference 3.
     */
    static EvalReport handMade() {
        EvalReport r = new EvalReport(6);
        r.add("a", 0, new float[] {5, 1, 0, 0, 0, 0}, new float[] {4, 1, 0, 0, 0, 0});
        r.add("b", 0, new float[] {0, 2, 0, 0, 0, 0}, new float[] {0, 2, 0, 0, 0, 0.5f});
        r.add("c", 1, new float[] {1, 1, 0, 0, 0, 0}, new float[] {1, 1, 0, 0, 0, 0});
        r.add("d", 2, new float[] {0, 0, -1, 0, 0, 0}, new float[] {0, 3, -1, 0, 0, 0});
        r.add("e", 2, new float[] {0, 0, 9, 0, 0, 0}, new float[] {0, 0, 9, 0, 0, 0.25f});
        r.add("f", -1, new float[] {0, 0, 0, 0, 0, 7}, new float[] {0, 0, 0, 0, 0, 7});
        r.fail("g.png", "cannot decode image g.png: broken");
        return r;
    }

    static String printed(EvalReport r, List<String> names, long nanos) {
        StringWriter s = new StringWriter();
        r.print(new PrintWriter(s), names, nanos);
        return s.toString();
    }

    @Test
    void theHandMadeCaseGivesTheHandComputedNumbers() {
        EvalReport r = handMade();
        assertEquals(6, r.classified());
        assertEquals(5, r.labelled());
        assertEquals(1, r.failed());
        assertEquals(2, r.top1Correct());
        assertEquals(4, r.top5Correct());
        assertEquals(0.4, r.top1(), 1e-12);
        assertEquals(0.8, r.top5(), 1e-12);
        assertEquals(List.of(2, 1, 2, 0), List.of(r.count(0), r.count(1), r.count(2), r.count(3)));
        assertEquals(List.of(1, 0, 1, 0), List.of(r.correct(0), r.correct(1), r.correct(2), r.correct(3)));
        int[][] want = new int[6][6];
        want[0][0] = 1;
        want[0][1] = 1;
        want[1][0] = 1;
        want[2][0] = 1;
        want[2][2] = 1;
        assertArrayEquals(want, r.confusion());
        assertEquals(6, r.compared());
        assertEquals(5, r.agreed());
        assertEquals(3.0, r.maxAbsDiff());
        assertEquals(3.0, r.imagesPerSecond(2_000_000_000L), 1e-12);
        assertEquals("eval: images=6 top1=0.4000 top5=0.8000 agree=5/6 images_per_s=3.0", r.summaryLine(2_000_000_000L));
    }

    @Test
    void theReportShowsTheTablesAndEndsWithTheSummaryLine() {
        String text = printed(handMade(), NAMES, 2_000_000_000L);
        List<String> lines = text.lines().toList();
        assertEquals("eval: images=6 top1=0.4000 top5=0.8000 agree=5/6 images_per_s=3.0", lines.getLast());
        assertTrue(text.endsWith("images_per_s=3.0" + System.lineSeparator()), text);
        assertTrue(lines.contains("Classified 6 images (1 failed) in 2.00 s: 3.0 images/s"), text);
        assertTrue(lines.contains("Accuracy over 5 labelled images: top-1 40.00% (2), top-5 80.00% (4)"), text);
        assertTrue(lines.contains("1 unlabelled image not counted."), text);
        // per class: only the classes with images
        assertTrue(lines.contains("  class           images  correct  top-1 %"), text);
        assertTrue(lines.contains("  0 T-shirt/top        2        1    50.00"), text);
        assertTrue(lines.contains("  1 Trouser            1        0     0.00"), text);
        assertTrue(lines.contains("  2 Pullover           2        1    50.00"), text);
        assertEquals(1, lines.stream().filter(l -> l.startsWith("  3 Dress")).count(), text);   // its matrix row only
        // the confusion matrix, every class, columns headed by index
        assertTrue(lines.contains("                 0 1 2 3 4 5"), text);
        assertTrue(lines.contains("  0 T-shirt/top  1 1 0 0 0 0"), text);
        assertTrue(lines.contains("  1 Trouser      1 0 0 0 0 0"), text);
        assertTrue(lines.contains("  2 Pullover     1 0 1 0 0 0"), text);
        assertTrue(lines.contains("  5 Sandal       0 0 0 0 0 0"), text);
        assertTrue(lines.contains("Reference: top-1 agrees on 5 of 6 images (83.33%);"
                + " largest |logit difference| 3.00000 (d, logit 1)"), text);
        assertTrue(lines.contains("Top-1 differs from the reference on 1 image: d"), text);
        assertTrue(lines.contains("Failed images (1):"), text);
        assertTrue(lines.contains("  cannot decode image g.png: broken"), text);   // the name not said twice
    }

    @Test
    void withoutAReferenceTheSummaryHasNoAgreement() {
        EvalReport r = new EvalReport(6);
        r.add("a", 1, new float[] {0, 1, 0, 0, 0, 0});
        r.add("b", 0, new float[] {0, 1, 0, 0, 0, 0});
        assertEquals("eval: images=2 top1=0.5000 top5=1.0000 images_per_s=810.4", r.summaryLine(2_468_000L));
        String text = printed(r, List.of(), 2_468_000L);
        assertFalse(text.contains("Reference"), text);
        assertTrue(text.contains("\n  0            1        0     0.00"), text);   // no names: the index alone
    }

    @Test
    void withFewerThanFiveLabelsTopFiveIsTopAll() {
        EvalReport r = new EvalReport(3);
        r.add("a", 2, new float[] {9, 8, -7});
        r.add("b", 0, new float[] {1, 2, 3});
        assertEquals(0, r.top1Correct());
        assertEquals(2, r.top5Correct());
        assertTrue(printed(r, List.of(), 1).contains("top-1 0.00% (0), top-3 100.00% (2)"));
    }

    @Test
    void argmaxTakesTheLowestIndexOfTiesAndNaNAboveAll() {
        assertEquals(1, EvalReport.argmax(new float[] {1, 3, 3}));
        assertEquals(0, EvalReport.argmax(new float[] {-0f, 0f}));
        assertEquals(0, EvalReport.argmax(new float[] {Float.NaN, Float.POSITIVE_INFINITY}));
        assertEquals(1, EvalReport.argmax(new float[] {Float.POSITIVE_INFINITY, Float.NaN, Float.NaN}));
        assertEquals(2, EvalReport.argmax(new float[] {Float.NEGATIVE_INFINITY, -5, 4}));
        // the rank orders the same way: ties by index, so exactly one logit has rank 0
        float[] x = {2, 5, 5, 1, 5, Float.NaN, 0};
        assertEquals(List.of(4, 1, 2, 5, 3, 0, 6), IntStream.range(0, x.length).map(c -> EvalReport.rank(x, c)).boxed().toList());
        assertEquals(5, EvalReport.argmax(x));
    }

    @Test
    void differencesWithNaNAreNaNUnlessBothAre() {
        EvalReport r = new EvalReport(3);
        r.add("a", -1, new float[] {Float.NaN, Float.POSITIVE_INFINITY, 1}, new float[] {Float.NaN, Float.POSITIVE_INFINITY, 1.5f});
        assertEquals(0.5, r.maxAbsDiff());
        r.add("b", -1, new float[] {Float.NaN, 0, 0}, new float[] {0, 0, 100});
        assertTrue(Double.isNaN(r.maxAbsDiff()));
        r.add("c", -1, new float[] {0, 0, 0}, new float[] {0, 0, 1000});
        assertTrue(Double.isNaN(r.maxAbsDiff()), "NaN stays the worst");
    }

    @Test
    void unlabelledImagesGiveNoAccuracy() {
        EvalReport r = new EvalReport(4);
        r.add("a", -1, new float[] {0, 1, 0, 0});
        String text = printed(r, List.of(), 0);
        assertTrue(text.contains("No labelled images: no accuracy."), text);
        assertEquals("eval: images=1 top1=nan top5=nan images_per_s=nan", text.lines().toList().getLast());
    }

    @Test
    void labelsBeyondTheModelCountAsWrong() {
        EvalReport r = new EvalReport(2);
        r.add("a", 5, new float[] {0, 1});
        r.add("b", 1, new float[] {0, 1});
        assertEquals(2, r.labelled());
        assertEquals(1, r.outside());
        assertEquals(0.5, r.top1());
        assertTrue(printed(r, List.of(), 1).contains("1 labelled image has a label beyond the model's 2 outputs (counted as wrong)."));
    }

    @Test
    void badRowsAreRefused() {
        EvalReport r = new EvalReport(3);
        assertThrows(IllegalArgumentException.class, () -> r.add("a", 0, new float[2]));
        assertThrows(IllegalArgumentException.class, () -> r.add("a", 0, new float[3], new float[4]));
        assertThrows(IllegalArgumentException.class, () -> r.add("a", -2, new float[3]));
        assertThrows(IllegalArgumentException.class, () -> new EvalReport(0));
        assertEquals(0, r.classified());
    }

    @Test
    void manyFailuresAreListedUpToTwentyThenCounted() {
        EvalReport r = new EvalReport(2);
        for (int i = 0; i < 25; i++) r.fail("img" + i + ".png", "unreadable");
        List<String> lines = printed(r, List.of(), 1).lines().toList();
        assertTrue(lines.contains("Failed images (25):"));
        assertTrue(lines.contains("  img0.png: unreadable"));
        assertTrue(lines.contains("  img19.png: unreadable"));
        assertFalse(lines.contains("  img20.png: unreadable"));
        assertTrue(lines.contains("  ... and 5 more"));
        assertEquals("eval: images=0 top1=nan top5=nan images_per_s=0.0", lines.getLast());
    }

    @Test
    void manyClassesGiveTheWorstClassesAndTheFrequentConfusions() {
        EvalReport r = new EvalReport(100);
        for (int c = 0; c < 100; c++) {
            float[] right = new float[100];
            right[c] = 1;
            r.add("r" + c, c, right);
            if (c % 10 == 0) {
                float[] wrong = new float[100];
                wrong[(c + 1) % 100] = 1;
                r.add("w" + c, c, wrong);
            }
        }
        List<String> names = IntStream.range(0, 100).mapToObj(c -> "class number " + c + ", with a synonym").toList();
        String text = printed(r, names, 1);
        assertTrue(text.contains("Per class, the 20 of lowest top-1 accuracy of 100:"), text);
        assertTrue(text.contains("\n   0 class number 0         2        1    50.00"), text);   // indices right-aligned
        assertFalse(text.contains("Confusion matrix"), text);
        assertTrue(text.contains("Most frequent confusions (of 10 pairs; 100 classes are too many for a matrix):"), text);
        assertTrue(text.contains("  1 x 10 class number 10 -> 11 class number 11"), text);
        assertTrue(text.contains("\n  10 class number 10        2        1    50.00"), text);
    }

    @Test
    void classNamesAreShortened() {
        assertEquals("tench", EvalReport.abbreviate("tench, Tinca tinca"));
        assertEquals("Ankle boot", EvalReport.abbreviate("Ankle boot"));
        assertEquals("a very long class ..", EvalReport.abbreviate("a very long class name indeed"));
        assertEquals(20, EvalReport.abbreviate("a very long class name indeed").length());
        assertEquals("7 Sneaker", EvalReport.classLabel(7, List.of("0", "1", "2", "3", "4", "5", "6", "Sneaker")));
        assertEquals("3", EvalReport.classLabel(3, List.of("0", "1", "2", "3")));   // MNIST's digit names add nothing
        assertEquals("12", EvalReport.classLabel(12, List.of("a")));
    }

    @Test
    void numbersUseADecimalPointInEveryLocale() {
        Locale saved = Locale.getDefault();
        try {
            Locale.setDefault(Locale.GERMANY);
            assertEquals("eval: images=6 top1=0.4000 top5=0.8000 agree=5/6 images_per_s=3.0", handMade().summaryLine(2_000_000_000L));
            assertTrue(printed(handMade(), NAMES, 2_000_000_000L).contains("in 2.00 s"));
        } finally {
            Locale.setDefault(saved);
        }
    }

    @Test
    void threadsMayAddToOneReport() throws InterruptedException {
        EvalReport r = new EvalReport(10);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                float[] logits = new float[10];
                logits[3] = 1;
                for (int i = 0; i < 20_000; i++) r.add("x", 3, logits, logits);
            }));
        }
        for (Thread t : threads) t.join();
        assertEquals(40_000, r.classified());
        assertEquals(40_000, r.correct(3));
        assertEquals(40_000, r.agreed());
    }

    @Test
    void progressIsNothingWithoutATerminal() {
        EvalReport.Progress.NONE.step();
        EvalReport.Progress.NONE.close();
        // Surefire's forked JVM has pipes, not a terminal, for its standard streams.
        assumeTrue(System.console() == null || !System.console().isTerminal(), "running in a terminal");
        try (EvalReport.Progress p = EvalReport.Progress.terminal("eval", 10)) {
            assertSame(EvalReport.Progress.NONE, p);
            p.step();
        }
    }

    @Test
    void anEmptyReportPrintsTheSummaryAlone() {
        String text = printed(new EvalReport(5), List.of(), 1_000_000);
        assertEquals(Arrays.asList("Classified 0 images in 0.00 s: 0.0 images/s", "No labelled images: no accuracy.",
                "eval: images=0 top1=nan top5=nan images_per_s=0.0"), text.lines().toList());
    }
}
