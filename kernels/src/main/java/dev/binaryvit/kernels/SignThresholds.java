package dev.binaryvit.kernels;

/**
 * The packed-sign epilogue without a residual as two integer thresholds per channel on the
 * mismatch count {@code pop} ({@code dot = K - 2 pop}): bit m is 1 iff
 * {@code pop >= popAtLeast[m] || pop <= popAtMost[m]}. With a layer scale or norm of negative
 * slope the V turns into a peak, which two such thresholds cannot describe: the check below then
 * rejects it and the float path runs. Without a residual the epilogue value depends on the dot
 * product alone, and it is V-shaped in it (a monotone affine map, then RPReLU, which is monotone on
 * each side of its kink, even under float rounding), so the dots whose value plus shift is
 * {@code >= 0} are the two ends of the range. The thresholds are found by evaluating the reference
 * formula at every possible dot, then checked to reproduce it exactly; a channel set they cannot
 * describe (NaN parameters, say) yields no thresholds and the float epilogue runs instead.
 */
final class SignThresholds {

    final int bits;
    final int[] popAtLeast;
    final int[] popAtMost;

    private SignThresholds(int bits, int[] popAtLeast, int[] popAtMost) {
        this.bits = bits;
        this.popAtLeast = popAtLeast;
        this.popAtMost = popAtMost;
    }

    /** The thresholds for K = {@code bits}, or null when some channel is not of this form. */
    static SignThresholds of(Epilogue e, int bits, int paddedChannels) {
        int[] atLeast = new int[paddedChannels];
        int[] atMost = new int[paddedChannels];
        boolean[] positive = new boolean[bits + 1]; // index i is dot = 2i - K, pop = K - i
        for (int m = 0; m < e.channels(); m++) {
            for (int i = 0; i <= bits; i++) {
                float v = e.norm(m, e.layerScale(m, e.rprelu(m, e.affine(m, 2 * i - bits))));
                positive[i] = v + e.shift(m) >= 0f;
            }
            int low = -1;
            while (low < bits && positive[low + 1]) {
                low++;
            }
            int high = bits + 1;
            while (high > 0 && positive[high - 1]) {
                high--;
            }
            for (int i = 0; i <= bits; i++) {
                if (positive[i] != (i <= low || i >= high)) {
                    return null;
                }
            }
            atLeast[m] = bits - low;   // i <= low  <=>  pop >= K - low
            atMost[m] = bits - high;   // i >= high <=>  pop <= K - high
        }
        return new SignThresholds(bits, atLeast, atMost);
    }
}
