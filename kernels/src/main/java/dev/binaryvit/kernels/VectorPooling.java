package dev.binaryvit.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Pooling on the Vector API, vectorised along the channels: every token is a row of c floats, so a
 * window sum is a sum of whole channel vectors, added in exactly the order {@link ReferencePooling}
 * adds its scalars, and divided (not multiplied by a reciprocal) by the same count. Each lane thus
 * performs the reference's float operations and the results agree bit for bit. The last vector of
 * a row of c channels is masked, so any c works.
 *
 * <p>The strip branches sum their 3 or 5 taps directly rather than keeping running sums along the
 * axis: with k &lt;= 5 that costs about as much (two to four adds per output against an add and a
 * subtract), it keeps the reference's order (running sums would round differently and drift with
 * the row length, and would depend on where a thread's rows start), and it lets
 * {@link #stripBranches} share the centre and the inner taps between the 3- and 5-tap sums.
 */
final class VectorPooling implements PoolingSupport {

    private static final VectorSpecies<Float> F = VectorShapes.FLOATS;
    private static final int LANES = F.length();
    /** The flat elementwise add, for an upsampling by 1. */
    private static final VectorElementwise ADD = new VectorElementwise();
    /** Lane l holds 2l: with {@code selectFrom(a, b)}, the even lanes of a then b. */
    private static final FloatVector EVEN = FloatVector.fromArray(F, lanes(0), 0);
    /** Lane l holds 2l + 1. */
    private static final FloatVector ODD = FloatVector.fromArray(F, lanes(1), 0);

    @Override
    public void avgPool(float[] x, int from, int to, int h, int w, int c, int k, float[] out) {
        int ho = h / k;
        int wo = w / k;
        float count = k * k;
        for (int g = from; g < to; g++) {
            int b = g / ho;
            int oy = g % ho;
            for (int ox = 0; ox < wo; ox++) {
                int first = ((b * h + oy * k) * w + ox * k) * c;
                int o = (g * wo + ox) * c;
                for (int ch = 0; ch < c; ch += LANES) {
                    VectorMask<Float> m = F.indexInRange(ch, c);
                    FloatVector sum = FloatVector.fromArray(F, x, first + ch, m);
                    for (int ky = 0; ky < k; ky++) {
                        int row = first + ky * w * c + ch;
                        for (int kx = ky == 0 ? 1 : 0; kx < k; kx++) {
                            sum = sum.add(FloatVector.fromArray(F, x, row + kx * c, m));
                        }
                    }
                    sum.div(count).intoArray(out, o + ch, m);
                }
            }
        }
    }

    /**
     * One branch, any odd k. For each grid row and channel vector the LayerScale parameters stay
     * in registers while x runs along the row; an output whose whole window lies in the grid adds
     * its taps without checks, one near the border adds only the taps inside (the reference's
     * skipping, in its order).
     */
    @Override
    public void stripPool(float[] x, int from, int to, int h, int w, int c, int k, boolean alongY, float[] alpha,
                          float[] move, float[] acc) {
        int p = (k - 1) / 2;
        int step = alongY ? w * c : c;
        int extent = alongY ? h : w;
        float[] a = alpha == null ? Constants.ones(c) : alpha;
        float[] mv = move == null ? Constants.zeros(c) : move;
        float divisor = k;
        for (int g = from; g < to; g++) {
            int y = g % h;
            int row = g * w * c;
            for (int ch = 0; ch < c; ch += LANES) {
                VectorMask<Float> m = F.indexInRange(ch, c);
                FloatVector alphaV = FloatVector.fromArray(F, a, ch, m);
                FloatVector moveV = FloatVector.fromArray(F, mv, ch, m);
                for (int xx = 0; xx < w; xx++) {
                    int pos = alongY ? y : xx;
                    int i = row + xx * c + ch;
                    FloatVector sum = FloatVector.fromArray(F, x, i, m);
                    if (pos >= p && pos + p < extent) {
                        for (int d = 1; d <= p; d++) {
                            sum = sum.add(FloatVector.fromArray(F, x, i - d * step, m))
                                    .add(FloatVector.fromArray(F, x, i + d * step, m));
                        }
                    } else {
                        for (int d = 1; d <= p; d++) {
                            if (pos - d >= 0) {
                                sum = sum.add(FloatVector.fromArray(F, x, i - d * step, m));
                            }
                            if (pos + d < extent) {
                                sum = sum.add(FloatVector.fromArray(F, x, i + d * step, m));
                            }
                        }
                    }
                    FloatVector.fromArray(F, acc, i, m).add(sum.div(divisor).fma(alphaV, moveV)).intoArray(acc, i, m);
                }
            }
        }
    }

    /**
     * One pass over x and acc for the four branches. For each grid row and each channel vector the
     * eight LayerScale parameters stay in registers while x sweeps along the row with a sliding
     * window of five centre vectors, so each output costs one new load along x, four along y and
     * the accumulator. The 3-tap sums are the centre plus the taps at distance 1, the 5-tap sums
     * continue from them with the taps at distance 2 (the reference's centre-out order); then acc
     * takes the four LayerScale'd means in the model's order h3, w3, h5, w5.
     *
     * <p>A tap outside the grid reads -0.0 (rows of y outside the grid read a row of -0.0) instead
     * of being skipped: {@code s + -0.0 == s} for every s, signed zeros included, so adding it is
     * bit for bit the reference's skipping, and the loop needs no border branches.
     */
    @Override
    public void stripBranches(float[] x, int from, int to, int h, int w, int c, float[] alphaH3, float[] moveH3,
                              float[] alphaW3, float[] moveW3, float[] alphaH5, float[] moveH5, float[] alphaW5,
                              float[] moveW5, float[] acc) {
        float[] aH3 = alphaH3 == null ? Constants.ones(c) : alphaH3;
        float[] aW3 = alphaW3 == null ? Constants.ones(c) : alphaW3;
        float[] aH5 = alphaH5 == null ? Constants.ones(c) : alphaH5;
        float[] aW5 = alphaW5 == null ? Constants.ones(c) : alphaW5;
        float[] mH3 = moveH3 == null ? Constants.zeros(c) : moveH3;
        float[] mW3 = moveW3 == null ? Constants.zeros(c) : moveW3;
        float[] mH5 = moveH5 == null ? Constants.zeros(c) : moveH5;
        float[] mW5 = moveW5 == null ? Constants.zeros(c) : moveW5;
        int wc = w * c;
        float[] padding = Constants.negativeZeros(wc);
        FloatVector pad = FloatVector.broadcast(F, -0f);
        for (int g = from; g < to; g++) {
            int y = g % h;
            int row = g * wc;
            // The four rows of y taps: x itself, or the padding row when outside the grid.
            float[] up1 = y >= 1 ? x : padding;
            float[] up2 = y >= 2 ? x : padding;
            float[] down1 = y + 1 < h ? x : padding;
            float[] down2 = y + 2 < h ? x : padding;
            int up1Row = y >= 1 ? row - wc : 0;
            int up2Row = y >= 2 ? row - 2 * wc : 0;
            int down1Row = y + 1 < h ? row + wc : 0;
            int down2Row = y + 2 < h ? row + 2 * wc : 0;
            for (int ch = 0; ch < c; ch += LANES) {
                VectorMask<Float> m = F.indexInRange(ch, c);
                FloatVector alphaH3v = FloatVector.fromArray(F, aH3, ch, m);
                FloatVector alphaW3v = FloatVector.fromArray(F, aW3, ch, m);
                FloatVector alphaH5v = FloatVector.fromArray(F, aH5, ch, m);
                FloatVector alphaW5v = FloatVector.fromArray(F, aW5, ch, m);
                FloatVector moveH3v = FloatVector.fromArray(F, mH3, ch, m);
                FloatVector moveW3v = FloatVector.fromArray(F, mW3, ch, m);
                FloatVector moveH5v = FloatVector.fromArray(F, mH5, ch, m);
                FloatVector moveW5v = FloatVector.fromArray(F, mW5, ch, m);
                // The window along x: left2, left1, centre, right1, right2.
                FloatVector left2 = pad;
                FloatVector left1 = pad;
                FloatVector centre = FloatVector.fromArray(F, x, row + ch, m);
                FloatVector right1 = w > 1 ? FloatVector.fromArray(F, x, row + c + ch, m) : pad;
                FloatVector right2 = w > 2 ? FloatVector.fromArray(F, x, row + 2 * c + ch, m) : pad;
                for (int xx = 0; xx < w; xx++) {
                    int off = xx * c + ch;
                    FloatVector h3 = centre.add(FloatVector.fromArray(F, up1, up1Row + off, m))
                            .add(FloatVector.fromArray(F, down1, down1Row + off, m));
                    FloatVector h5 = h3.add(FloatVector.fromArray(F, up2, up2Row + off, m))
                            .add(FloatVector.fromArray(F, down2, down2Row + off, m));
                    FloatVector w3 = centre.add(left1).add(right1);
                    FloatVector w5 = w3.add(left2).add(right2);
                    int i = row + off;
                    FloatVector v = FloatVector.fromArray(F, acc, i, m);
                    v = v.add(h3.div(3f).fma(alphaH3v, moveH3v));
                    v = v.add(w3.div(3f).fma(alphaW3v, moveW3v));
                    v = v.add(h5.div(5f).fma(alphaH5v, moveH5v));
                    v = v.add(w5.div(5f).fma(alphaW5v, moveW5v));
                    v.intoArray(acc, i, m);
                    left2 = left1;
                    left1 = centre;
                    centre = right1;
                    right1 = right2;
                    right2 = xx + 3 < w ? FloatVector.fromArray(F, x, i + 3 * c, m) : pad;
                }
            }
        }
    }

    /**
     * Groups never straddle rows (c is a multiple of r), so the rows are one flat run of groups.
     * For r = 2, 4 and 8 each block of {@code LANES} groups is r vectors, deinterleaved by
     * two-vector permutes into r vectors {@code T_i} holding channel i of every group (after
     * log2(r) even/odd splits), then summed {@code T_0 + T_1 + ... + T_(r-1)}: the reference's
     * order. Other r, and the groups after the last whole block, take the scalar loop.
     */
    @Override
    public void channelPool(float[] x, int from, int to, int c, int r, float[] out) {
        int groupsPerRow = c / r;
        poolGroups(x, from * c, out, from * groupsPerRow, (to - from) * groupsPerRow, r);
    }

    /**
     * {@code out[o + q] = mean(x[i + q*r .. i + q*r + r-1])} for q &lt; groups, summed in order: the
     * channel pool of consecutive rows, or of one row of values (the GEMM's pooled epilogue).
     */
    static void poolGroups(float[] x, int i, float[] out, int o, int groups, int r) {
        int bound = groups / LANES * LANES;
        // One loop per r, each in a method of its own: the unrolled pool8 body is too large for C2
        // to inline into a shared loop, and as a call per block it redid the permute indexes' checks
        // and waited on its own division every time.
        switch (r) {
            case 2 -> pool2(x, i, out, o, bound);
            case 4 -> pool4(x, i, out, o, bound);
            case 8 -> pool8(x, i, out, o, bound);
            default -> bound = 0;
        }
        for (int q = bound; q < groups; q++) { // the rest, one group at a time, as the reference does
            int first = i + q * r;
            float sum = x[first];
            for (int k = 1; k < r; k++) {
                sum += x[first + k];
            }
            out[o + q] = sum / r;
        }
    }

    // The vector pools multiply by 1/r where the reference divides by r: for a power of two both are
    // the exact quotient rounded once, so the same float, and a multiplication does not stall the loop.

    /** {@code out[o + q + l] = (x[i + 2(q + l)] + x[i + 2(q + l) + 1]) / 2} for q &lt; bound, in steps of LANES. */
    private static void pool2(float[] x, int i, float[] out, int o, int bound) {
        for (int q = 0; q < bound; q += LANES) {
            int at = i + q * 2;
            FloatVector v0 = FloatVector.fromArray(F, x, at);
            FloatVector v1 = FloatVector.fromArray(F, x, at + LANES);
            even(v0, v1).add(odd(v0, v1)).mul(0.5f).intoArray(out, o + q);
        }
    }

    /** {@code out[o + q + l] = (((x[g] + x[g + 1]) + x[g + 2]) + x[g + 3]) / 4} with g = i + 4(q + l). */
    private static void pool4(float[] x, int i, float[] out, int o, int bound) {
        for (int q = 0; q < bound; q += LANES) {
            int at = i + q * 4;
            FloatVector v0 = FloatVector.fromArray(F, x, at);
            FloatVector v1 = FloatVector.fromArray(F, x, at + LANES);
            FloatVector v2 = FloatVector.fromArray(F, x, at + 2 * LANES);
            FloatVector v3 = FloatVector.fromArray(F, x, at + 3 * LANES);
            FloatVector e0 = even(v0, v1); // elements 0 mod 2
            FloatVector e1 = even(v2, v3);
            FloatVector o0 = odd(v0, v1);  // elements 1 mod 2
            FloatVector o1 = odd(v2, v3);
            FloatVector t0 = even(e0, e1);  // 0 mod 4
            FloatVector t2 = odd(e0, e1);   // 2 mod 4
            FloatVector t1 = even(o0, o1);  // 1 mod 4
            FloatVector t3 = odd(o0, o1);   // 3 mod 4
            t0.add(t1).add(t2).add(t3).mul(0.25f).intoArray(out, o + q);
        }
    }

    /** {@code out[o + q + l]} = the sum of {@code x[g .. g + 7]} in order, divided by 8, with g = i + 8(q + l). */
    private static void pool8(float[] x, int i, float[] out, int o, int bound) {
        for (int q = 0; q < bound; q += LANES) {
            int at = i + q * 8;
            FloatVector v0 = FloatVector.fromArray(F, x, at);
            FloatVector v1 = FloatVector.fromArray(F, x, at + LANES);
            FloatVector v2 = FloatVector.fromArray(F, x, at + 2 * LANES);
            FloatVector v3 = FloatVector.fromArray(F, x, at + 3 * LANES);
            FloatVector v4 = FloatVector.fromArray(F, x, at + 4 * LANES);
            FloatVector v5 = FloatVector.fromArray(F, x, at + 5 * LANES);
            FloatVector v6 = FloatVector.fromArray(F, x, at + 6 * LANES);
            FloatVector v7 = FloatVector.fromArray(F, x, at + 7 * LANES);
            // Split 1: elements 0 and 1 mod 2.
            FloatVector e0 = even(v0, v1);
            FloatVector e1 = even(v2, v3);
            FloatVector e2 = even(v4, v5);
            FloatVector e3 = even(v6, v7);
            FloatVector o0 = odd(v0, v1);
            FloatVector o1 = odd(v2, v3);
            FloatVector o2 = odd(v4, v5);
            FloatVector o3 = odd(v6, v7);
            // Split 2: 0, 2 mod 4 from the even stream; 1, 3 mod 4 from the odd one.
            FloatVector m00 = even(e0, e1);
            FloatVector m01 = even(e2, e3);
            FloatVector m20 = odd(e0, e1);
            FloatVector m21 = odd(e2, e3);
            FloatVector m10 = even(o0, o1);
            FloatVector m11 = even(o2, o3);
            FloatVector m30 = odd(o0, o1);
            FloatVector m31 = odd(o2, o3);
            // Split 3: residues mod 8.
            FloatVector t0 = even(m00, m01);
            FloatVector t4 = odd(m00, m01);
            FloatVector t2 = even(m20, m21);
            FloatVector t6 = odd(m20, m21);
            FloatVector t1 = even(m10, m11);
            FloatVector t5 = odd(m10, m11);
            FloatVector t3 = even(m30, m31);
            FloatVector t7 = odd(m30, m31);
            t0.add(t1).add(t2).add(t3).add(t4).add(t5).add(t6).add(t7).mul(0.125f).intoArray(out, o + q);
        }
    }

    /** The even lanes of the pair (a, b) read as one vector of 2 * LANES lanes. */
    static FloatVector even(FloatVector a, FloatVector b) {
        return EVEN.selectFrom(a, b);
    }

    /** The odd lanes of the pair (a, b). */
    static FloatVector odd(FloatVector a, FloatVector b) {
        return ODD.selectFrom(a, b);
    }

    @Override
    public void upsampleNearest(float[] src, int from, int to, int hs, int ws, int c, int r, boolean add,
                                float[] out) {
        int h = hs * r;
        int w = ws * r;
        if (r == 1) { // the identity: rows [from, to) of src and out are one span, added or copied flat
            int i0 = from * w * c;
            int i1 = to * w * c;
            if (add) {
                ADD.add(out, src, i0, i1, out);
            } else {
                System.arraycopy(src, i0, out, i0, i1 - i0);
            }
            return;
        }
        for (int g = from; g < to; g++) {
            int b = g / h;
            int y = g % h;
            int srcRow = (b * hs + y / r) * ws * c;
            int outRow = g * w * c;
            for (int sx = 0; sx < ws; sx++) {
                int s = srcRow + sx * c;
                int o = outRow + sx * r * c;
                for (int ch = 0; ch < c; ch += LANES) {
                    VectorMask<Float> m = F.indexInRange(ch, c);
                    FloatVector v = FloatVector.fromArray(F, src, s + ch, m);
                    for (int dx = 0; dx < r; dx++) {
                        int i = o + dx * c + ch;
                        if (add) {
                            FloatVector.fromArray(F, out, i, m).add(v).intoArray(out, i, m);
                        } else {
                            v.intoArray(out, i, m);
                        }
                    }
                }
            }
        }
    }

    @Override
    public void globalAvgPool(float[] x, int from, int to, int n, int c, float[] out) {
        float count = n;
        for (int b = from; b < to; b++) {
            int first = b * n * c;
            for (int ch = 0; ch < c; ch += LANES) {
                VectorMask<Float> m = F.indexInRange(ch, c);
                FloatVector sum = FloatVector.fromArray(F, x, first + ch, m);
                for (int t = 1; t < n; t++) {
                    sum = sum.add(FloatVector.fromArray(F, x, first + t * c + ch, m));
                }
                sum.div(count).intoArray(out, b * c + ch, m);
            }
        }
    }

    private static float[] lanes(int offset) {
        float[] index = new float[LANES];
        for (int l = 0; l < LANES; l++) {
            index[l] = 2 * l + offset;
        }
        return index;
    }
}
