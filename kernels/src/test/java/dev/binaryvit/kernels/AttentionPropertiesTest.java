package dev.binaryvit.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The vector attention against its reference over generated shapes (d from 1 to 130 bits, tails
 * in the keys, channels and words) and data: equal to the bit, except where a key's
 * {@code p / clip} is within 1e-6 relative of 0.5, which is counted. Tagged so that the 256- and
 * 128-bit surefire executions run it again on those paths.
 */
@Tag("vector-width")
class AttentionPropertiesTest {

    private static final Attention VECTOR = Attention.active();
    private static final Attention REFERENCE = Attention.reference();

    private static final AtomicLong HEADS_COMPARED = new AtomicLong();
    private static final AtomicLong BORDERLINE_HEADS = new AtomicLong();
    private static final AtomicLong BORDERLINE_DIFFERENCES = new AtomicLong();

    @AfterAll
    static void report() {
        System.out.println("AttentionPropertiesTest at " + Kernels.description() + ": "
                + HEADS_COMPARED.get() + " (image, query, head) compared, " + BORDERLINE_HEADS.get()
                + " of them borderline (a p / clip within 1e-6 relative of 0.5), "
                + BORDERLINE_DIFFERENCES.get() + " differed (only borderline ones may)");
    }

    @Test
    void theActiveImplementationIsTheVectorOne() {
        assertTrue(Kernels.vectorized(), "tests run with jdk.incubator.vector: " + Kernels.description());
    }

    @Test
    void vectorEqualsTheReferenceExceptAtBorderlineKeys() {
        qt().withExamples(120).forAll(AttentionCase.dims(3, 8, 130, 300, 300), longs().all())
                .checkAssert((s, seed) -> {
                    // Keep the reference's work (batch * n * nkv * channels) modest.
                    int n = (int) Math.max(1, Math.min(s.n(), 3_000_000L / ((long) s.batch() * s.nkv() * s.heads() * s.d())));
                    AttentionCase c = AttentionCase.random(new Random(seed), s.batch(), n, s.nkv(), s.heads(), s.d());
                    compare(c);
                });
    }

    @Test
    void vectorEqualsTheReferenceOnBinaryVitShapes() {
        // d = 64 as in every head of BinaryViT-S, token counts of its stages (queries cut short).
        int[][] shapes = {{64, 49, 1}, {64, 49, 2}, {196, 196, 4}, {49, 49, 8}, {100, 64, 2}, {30, 65, 3}};
        Random random = new Random(11);
        for (int[] s : shapes) {
            for (int rep = 0; rep < 3; rep++) {
                compare(AttentionCase.random(random, 1 + rep % 2, s[0], s[1], s[2], 64));
            }
        }
    }

    @Test
    void vectorEqualsTheReferenceWithThousandsOfKeys() {
        // Past 16383 keys the fixed-point denominator uses fewer fraction bits so the sum fits a long.
        Random random = new Random(13);
        for (int[] s : new int[][] {{3000, 64, 2}, {3137, 24, 1}, {20000, 16, 1}, {40000, 64, 1}, {5000, 130, 1}}) {
            AttentionCase c = AttentionCase.random(random, 1, 3, s[0], s[2], s[1]);
            compare(c);
            compare(c.withClip(0.02f / s[0]));
        }
    }

    @Test
    void vectorEqualsTheReferenceOverClipsFromNoneToAllKept() {
        qt().withExamples(60).forAll(AttentionCase.dims(1, 4, 100, 40, 200), integers().between(-30, 1), longs().all())
                .checkAssert((s, clipExponent, seed) -> {
                    Random random = new Random(seed);
                    float clip = (float) Math.pow(10, clipExponent + random.nextDouble());
                    compare(AttentionCase.random(random, s).withClip(clip));
                });
    }

    @Test
    void aClipOfZeroOrBelowGivesAZeroContextInBothPaths() {
        // A trained att_prob_clip can end at or below zero: BiT's round(p / clip).clamp(0, 1) * clip is
        // then 0 for every key (none kept, or kept with the value 0), and so is the context.
        qt().withExamples(40).forAll(AttentionCase.dims(1, 4, 100, 40, 200), integers().between(-8, 1), longs().all())
                .checkAssert((s, clipExponent, seed) -> {
                    Random random = new Random(seed);
                    float clip = random.nextInt(4) == 0 ? (random.nextBoolean() ? 0f : -0f)
                            : -(float) Math.pow(10, clipExponent + random.nextDouble());
                    AttentionCase c = AttentionCase.random(random, s).withClip(clip);
                    float[] expected = c.run(REFERENCE);
                    assertArrayEquals(expected, c.run(VECTOR), 0f, c.toString());
                    for (float v : expected) {
                        assertEquals(0f, v, 0f, "the context of " + c);
                    }
                });
    }

    @Test
    void aClipOfTwiceAProbabilityDropsThatKeyInBothPaths() {
        // p / clip == 0.5f exactly is not kept (torch.round(0.5) == 0): the tie, decided the same way.
        Random random = new Random(5);
        for (int rep = 0; rep < 50; rep++) {
            AttentionCase c = AttentionCase.random(random, 1, 1, 1 + random.nextInt(60), 1, 1 + random.nextInt(64));
            float[] e = new float[c.nkv];
            float sqrtD = (float) Math.sqrt(c.d);
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < c.nkv; j++) {
                e[j] = (c.d - 2 * c.pop(0, 0, j, 0)) / sqrtD;
                max = Math.max(max, e[j]);
            }
            double sum = 0;
            for (int j = 0; j < c.nkv; j++) {
                e[j] = (float) Math.exp(e[j] - max);
                sum += e[j];
            }
            float top = 1f / (float) sum; // the largest probability, as both paths compute it
            AttentionCase tie = c.withClip(2f * top);
            assertTrue(tie.borderline(0, 0, 0), "the detector sees the tie: " + tie);
            float[] expected = tie.run(REFERENCE);
            assertArrayEquals(expected, tie.run(VECTOR), 0f, tie.toString());
            for (float v : expected) {
                assertEquals(0f, v, "no key is kept when the best one sits exactly at 0.5: " + tie);
            }
        }
    }

    private static void compare(AttentionCase c) {
        float[] expected = c.run(REFERENCE);
        float[] actual = c.run(VECTOR);
        HEADS_COMPARED.addAndGet((long) c.batch * c.n * c.heads);
        BORDERLINE_HEADS.addAndGet(c.borderlineHeads());
        BORDERLINE_DIFFERENCES.addAndGet(c.assertEqualExceptBorderline(expected, actual, "vector vs reference"));
    }
}
