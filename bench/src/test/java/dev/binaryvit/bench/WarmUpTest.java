package dev.binaryvit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The warm-up's stopping rule, on a simulated clock and JIT: each run advances the clock by its time. */
class WarmUpTest {

    /** A contender whose runs take {@code slowMs} until {@code fastAfterMs} of simulated time, then {@code fastMs}. */
    private static final class Simulated {
        long now;
        long jitMillis;
        final double slowMs;
        final double fastMs;
        final double fastAfterMs;
        /** Simulated JIT work: ms of compilation per ms of wall time until the contender turns fast. */
        final double jitShare;

        Simulated(double slowMs, double fastMs, double fastAfterMs, double jitShare) {
            this.slowMs = slowMs;
            this.fastMs = fastMs;
            this.fastAfterMs = fastAfterMs;
            this.jitShare = jitShare;
        }

        void run() {
            boolean fast = now / 1e6 >= fastAfterMs;
            double ms = fast ? fastMs : slowMs;
            now += Math.round(ms * 1e6);
            if (!fast) {
                jitMillis += Math.round(ms * jitShare);
            }
        }

        WarmUp warmUp() {
            return new WarmUp(() -> now, () -> jitMillis);
        }
    }

    @Test
    void aContenderThatTurnsFastIsWarmedUntilItsTimesSettle() {
        Simulated s = new Simulated(40, 12, 15_000, 1.0);
        WarmUp.Result r = s.warmUp().run(s::run, 8, 90);
        assertTrue(r.steady());
        assertEquals(12, r.lastMillis(), 1e-9);
        assertTrue(r.seconds() >= 16 && r.seconds() < 18, "two level windows after it turned fast: " + r.seconds());
    }

    @Test
    void aSteadyContenderStopsAtTheMinimum() {
        Simulated s = new Simulated(5, 5, 0, 0);
        WarmUp.Result r = s.warmUp().run(s::run, 3, 90);
        assertTrue(r.steady());
        assertTrue(r.seconds() >= 3 && r.seconds() < 4.1, "the first level window past the minimum: " + r.seconds());
    }

    @Test
    void aBusyJitKeepsTheWarmUpGoingEvenWhenTimesAreLevel() {
        Simulated s = new Simulated(5, 5, 10_000, 0.5); // level times, but the JIT compiles until 10 s
        WarmUp.Result r = new WarmUp(() -> s.now, () -> s.now / 1_000_000 < 10_000 ? s.now / 2_000_000 : 5_000)
                .run(s::run, 0, 90);
        assertTrue(r.steady());
        assertTrue(r.seconds() >= 10, "not before the JIT went quiet: " + r.seconds());
    }

    @Test
    void theCapEndsAWarmUpThatNeverSettlesAndSaysSo() {
        long[] now = {0};
        WarmUp w = new WarmUp(() -> now[0], () -> -1L);
        // alternating windows of 10 ms and 20 ms runs: never level
        WarmUp.Result r = w.run(() -> now[0] += (now[0] / 1_000_000_000L) % 2 == 0 ? 10_000_000L : 20_000_000L, 0, 30);
        assertFalse(r.steady());
        assertTrue(r.seconds() >= 30 && r.seconds() < 31.1, "ends at the cap: " + r.seconds());
        assertTrue(r.runs() > 0);
    }

    @Test
    void badLimitsAreRefused() {
        WarmUp w = new WarmUp(() -> 0, () -> -1L);
        assertThrows(IllegalArgumentException.class, () -> w.run(() -> { }, 5, 1));
        assertThrows(IllegalArgumentException.class, () -> w.run(() -> { }, Double.NaN, 1));
    }
}
