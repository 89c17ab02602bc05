package dev.binaryvit.model;

/**
 * A deliberately plain, slow BinaryViT forward pass in double precision, one image at a time,
 * written from {@code BINARYVIT.md} for the tests of the model's input side only: it proves that
 * the weight catalogue names and shapes mean what the official model means (it reproduces the
 * fixture's logits) and that {@link SyntheticWeights} give finite, non-constant logits. It is not
 * the library's forward pass and is not optimised.
 *
 * <p>Activations are {@code [tokens][channels]}, tokens row-major on the grid. {@code sign} is
 * PyTorch's (0 for 0), as in the reference run.
 */
final class NaiveForward {
    private final BinaryVitConfig cfg;
    private final Weights w;

    NaiveForward(Weights w) {
        this.cfg = w.config();
        this.w = w;
    }

    /** Logits of one image {@code [3][size][size]}; {@code hidden}, if not null, receives the input of every layer and the encoder output. */
    double[] logits(float[] image, double[][][] hidden) {
        double[][] h = embeddings(image);
        for (int layer = 0; layer < cfg.numLayers(); layer++) {
            if (hidden != null) hidden[layer] = h;
            h = step(layer, h);
        }
        if (hidden != null) hidden[cfg.numLayers()] = h;
        return head(h);
    }

    /** {@code hidden.0} of one image: the embeddings, {@code [tokens][C0]}. */
    double[][] embed(float[] image) {
        return embeddings(image);
    }

    /**
     * Encoder layer {@code layer} applied to {@code hidden.layer}, followed by the patch merging when
     * the layer ends a stage (not the last): {@code hidden.(layer+1)}, as {@code verify} numbers them.
     */
    double[][] step(int layer, double[][] h) {
        int s = cfg.stageOfLayer(layer);
        double[][] out = layer(h, layer, s);
        boolean lastOfStage = layer == cfg.numLayers() - 1 || cfg.stageOfLayer(layer + 1) != s;
        return lastOfStage && s < 3 ? patchMerge(out, s + 1) : out;
    }

    /** Logits from the encoder output {@code hidden.(layers)} of one image. */
    double[] head(double[][] h) {
        int c3 = cfg.hiddenSize(3);
        h = bn(h, "vit.layernorm", cfg.layerNormEps());
        double[] pooled = new double[c3];
        for (double[] t : h) for (int c = 0; c < c3; c++) pooled[c] += t[c] / h.length;
        float[] wc = w.get("classifier.weight");
        float[] bc = w.get("classifier.bias");
        double[] out = new double[cfg.numLabels()];
        for (int o = 0; o < out.length; o++) {
            double acc = bc[o];
            for (int c = 0; c < c3; c++) acc += wc[o * c3 + c] * pooled[c];
            out[o] = acc;
        }
        return out;
    }

    private double[][] embeddings(float[] image) {
        int p = cfg.patchSize(), g = cfg.grid(0), c0 = cfg.hiddenSize(0), size = cfg.imageSize(), ch = cfg.numChannels();
        float[] wt = w.get("vit.embeddings.patch_embeddings.projection.weight");
        float[] b = w.get("vit.embeddings.patch_embeddings.projection.bias");
        double[][] h = new double[g * g][c0];
        for (int y = 0; y < g; y++) {
            for (int x = 0; x < g; x++) {
                for (int o = 0; o < c0; o++) {
                    double acc = b[o];
                    for (int c = 0; c < ch; c++)
                        for (int ky = 0; ky < p; ky++)
                            for (int kx = 0; kx < p; kx++)
                                acc += wt[((o * ch + c) * p + ky) * p + kx] * image[(c * size + y * p + ky) * size + x * p + kx];
                    h[y * g + x][o] = acc;
                }
            }
        }
        h = bn(h, "vit.embeddings.norm", cfg.layerNormEps());
        return add(h, w.get("vit.embeddings.position_embeddings"));
    }

    private double[][] layer(double[][] h, int l, int s) {
        String pre = WeightCatalogue.layerPrefix(l), a = pre + "attention.attention.";
        double eps = cfg.layerNormEps();
        int n = h.length, c = cfg.hiddenSize(s), r = cfg.reductionRatio(s), g = cfg.grid(s);
        double[][] hn = bn(h, pre + "layernorm_before", eps);
        double[][] q0 = add(bn(binaryLinear(shift(hn, a + "moveq"), a + "query"), a + "normq", eps), hn);
        double[][] kv = hn;
        if (r > 1) {
            kv = avgPool(hn, g, r);
            kv = rprelu(add(bn(binaryLinear(shift(kv, a + "mover"), a + "reduction"), a + "norm_r", eps), kv), a + "rprelur");
        }
        double[][] k1 = rprelu(add(bn(binaryLinear(shift(kv, a + "movek"), a + "key"), a + "normk", eps), kv), a + "rpreluk");
        double[][] v1 = rprelu(add(bn(binaryLinear(shift(kv, a + "movev"), a + "value"), a + "normv", eps), kv), a + "rpreluv");
        double[][] q1 = rprelu(q0, a + "rpreluq");
        double[][] qb = sign(shift(q1, a + "moveq2")), kb = sign(shift(k1, a + "movek2")), vb = sign(shift(v1, a + "movev2"));
        double clip = w.scalar(a + "att_prob_clip");
        int heads = cfg.heads(s), d = c / heads, m = kb.length;
        double[][] ctx = new double[n][c];
        double[] p = new double[m];
        for (int hd = 0; hd < heads; hd++) {
            for (int i = 0; i < n; i++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < m; j++) {
                    double dot = 0;
                    for (int e = hd * d; e < (hd + 1) * d; e++) dot += qb[i][e] * kb[j][e];
                    p[j] = dot / Math.sqrt(d);
                    max = Math.max(max, p[j]);
                }
                double sum = 0;
                for (int j = 0; j < m; j++) sum += p[j] = Math.exp(p[j] - max);
                for (int j = 0; j < m; j++) {
                    double pb = clip * Math.min(1, Math.max(0, Math.rint(p[j] / sum / clip)));
                    if (pb != 0) for (int e = hd * d; e < (hd + 1) * d; e++) ctx[i][e] += pb * vb[j][e];
                }
            }
        }
        if (r > 1) {
            k1 = upsample(k1, g, r);
            v1 = upsample(v1, g, r);
        }
        double[][] att = rprelu(add(add(add(bn(ctx, a + "norm_context", eps), q1), k1), v1), a + "rprelu_context");
        String o = pre + "attention.output.";
        double[][] out = rprelu(add(bn(binaryLinear(shift(att, o + "move"), o + "dense"), o + "norm", eps), att), o + "rprelu");
        if (cfg.layerScale()) out = layerScale(out, o + "layerscale");
        double[][] h2 = add(out, h);
        double[][] hn2 = bn(h2, pre + "layernorm_after", eps);
        String im = pre + "intermediate.";
        int inter = cfg.intermediateSize(s);
        double[][] tiled = new double[n][inter];
        for (int t = 0; t < n; t++) for (int j = 0; j < inter; j++) tiled[t][j] = hn2[t][j % c];
        double[][] mid = rprelu(add(bn(binaryLinear(shift(hn2, im + "move"), im + "dense"), im + "norm", eps), tiled), im + "rprelu");
        String op = pre + "output.";
        int ratio = inter / c;
        double[][] pooled = new double[n][c];
        for (int t = 0; t < n; t++)
            for (int j = 0; j < c; j++) {
                double acc = 0;
                for (int q = 0; q < ratio; q++) acc += mid[t][j * ratio + q];
                pooled[t][j] = acc / ratio;
            }
        double[][] u = rprelu(add(bn(binaryLinear(shift(mid, op + "move"), op + "dense"), op + "norm", eps), pooled), op + "rprelu");
        if (cfg.layerScale()) u = layerScale(u, op + "layerscale");
        double[][] res = add(u, h2);
        if (cfg.avgRes3()) {
            res = add(res, layerScale(strip(hn2, g, 3, true), pre + "layerscale_h3"));
            res = add(res, layerScale(strip(hn2, g, 3, false), pre + "layerscale_w3"));
        }
        if (cfg.avgRes5()) {
            res = add(res, layerScale(strip(hn2, g, 5, true), pre + "layerscale_h5"));
            res = add(res, layerScale(strip(hn2, g, 5, false), pre + "layerscale_w5"));
        }
        return res;
    }

    private double[][] patchMerge(double[][] x, int k) {
        String pm = WeightCatalogue.patchMergePrefix(k);
        int c1 = cfg.hiddenSize(k - 1), c2 = cfg.hiddenSize(k), g = cfg.grid(k - 1), g2 = g / 2;
        double[][] xn = bn(x, pm + "norm0", 1e-5);
        float[] wt = w.get(pm + "proj.weight");
        double[][] y = new double[g2 * g2][c2];
        if (!cfg.someFp()) {
            double[][] xs = sign(shift(xn, pm + "move"));
            for (int o = 0; o < c2; o++) {
                double scale = 0;
                for (int i = 0; i < c1 * 4; i++) scale += Math.abs(wt[o * c1 * 4 + i]);
                scale /= c1 * 4;
                for (int Y = 0; Y < g2; Y++)
                    for (int X = 0; X < g2; X++) {
                        double acc = 0;
                        for (int c = 0; c < c1; c++)
                            for (int ky = 0; ky < 2; ky++)
                                for (int kx = 0; kx < 2; kx++)
                                    acc += xs[(2 * Y + ky) * g + 2 * X + kx][c] * Math.signum(wt[((o * c1 + c) * 2 + ky) * 2 + kx]);
                        y[Y * g2 + X][o] = scale * acc;
                    }
            }
            double[][] pooled = avgPool(xn, g, 2);
            double[][] res = new double[g2 * g2][c2];
            for (int t = 0; t < res.length; t++) for (int j = 0; j < c2; j++) res[t][j] = pooled[t][j % c1];
            y = rprelu(add(bn(y, pm + "norm", 1e-5), res), pm + "rprelu");
        } else {
            for (int o = 0; o < c2; o++)
                for (int Y = 0; Y < g2; Y++)
                    for (int X = 0; X < g2; X++) {
                        double acc = 0;
                        for (int c = 0; c < c1; c++)
                            for (int ky = 0; ky < 2; ky++)
                                for (int kx = 0; kx < 2; kx++)
                                    acc += xn[(2 * Y + ky) * g + 2 * X + kx][c] * wt[((o * c1 + c) * 2 + ky) * 2 + kx];
                        y[Y * g2 + X][o] = acc;
                    }
            y = bn(y, pm + "norm", 1e-5);
        }
        return add(y, w.get(pm + "position_embeddings"));
    }

    // ---------------------------------------------------------------- operators

    /** QuantizeLinear: scale[o] = mean|W[o]|, signs of the row-centred weights, signs of the input; plus the optional bias. */
    private double[][] binaryLinear(double[][] x, String name) {
        float[] wt = w.get(name + ".weight");
        float[] bias = w.catalogue().isOptional(name + ".bias") ? w.optional(name + ".bias") : null;
        int in = x[0].length, out = wt.length / in;
        byte[] sw = new byte[wt.length];
        double[] scale = new double[out];
        for (int o = 0; o < out; o++) {
            double mean = 0, abs = 0;
            for (int i = 0; i < in; i++) {
                mean += wt[o * in + i];
                abs += Math.abs(wt[o * in + i]);
            }
            mean /= in;
            scale[o] = abs / in;
            for (int i = 0; i < in; i++) sw[o * in + i] = (byte) Math.signum(wt[o * in + i] - mean);
        }
        double[][] y = new double[x.length][out];
        byte[] sx = new byte[in];
        for (int t = 0; t < x.length; t++) {
            for (int i = 0; i < in; i++) sx[i] = (byte) Math.signum(x[t][i]);
            for (int o = 0; o < out; o++) {
                int acc = 0;
                for (int i = 0; i < in; i++) acc += sx[i] * sw[o * in + i];
                y[t][o] = scale[o] * acc + (bias == null ? 0 : bias[o]);
            }
        }
        return y;
    }

    private double[][] bn(double[][] x, String name, double eps) {
        float[] g = w.get(name + ".weight"), b = w.get(name + ".bias"), mu = w.get(name + ".running_mean"), var = w.get(name + ".running_var");
        double[][] y = new double[x.length][x[0].length];
        for (int t = 0; t < x.length; t++)
            for (int c = 0; c < x[0].length; c++)
                y[t][c] = (x[t][c] - mu[c]) / Math.sqrt(var[c] + eps) * g[c] + b[c];
        return y;
    }

    private double[][] rprelu(double[][] x, String name) {
        float[] m1 = w.get(name + ".move1"), m2 = w.get(name + ".move2"), a = w.get(name + ".prelu.weight");
        double[][] y = new double[x.length][x[0].length];
        for (int t = 0; t < x.length; t++)
            for (int c = 0; c < x[0].length; c++) {
                double v = x[t][c] - m1[c];
                y[t][c] = (v >= 0 ? v : a[c] * v) + m2[c];
            }
        return y;
    }

    private double[][] layerScale(double[][] x, String name) {
        float[] alpha = w.get(name + ".alpha"), move = w.get(name + ".move");
        double[][] y = new double[x.length][x[0].length];
        for (int t = 0; t < x.length; t++) for (int c = 0; c < x[0].length; c++) y[t][c] = x[t][c] * alpha[c] + move[c];
        return y;
    }

    private double[][] shift(double[][] x, String name) {
        return add(x, w.get(name));
    }

    private static double[][] add(double[][] x, float[] perChannelOrFull) {
        int c = x[0].length;
        boolean full = perChannelOrFull.length == x.length * c;
        double[][] y = new double[x.length][c];
        for (int t = 0; t < x.length; t++) for (int j = 0; j < c; j++) y[t][j] = x[t][j] + perChannelOrFull[full ? t * c + j : j];
        return y;
    }

    private static double[][] add(double[][] x, double[][] z) {
        double[][] y = new double[x.length][x[0].length];
        for (int t = 0; t < x.length; t++) for (int j = 0; j < x[0].length; j++) y[t][j] = x[t][j] + z[t][j];
        return y;
    }

    private static double[][] sign(double[][] x) {
        double[][] y = new double[x.length][x[0].length];
        for (int t = 0; t < x.length; t++) for (int j = 0; j < x[0].length; j++) y[t][j] = Math.signum(x[t][j]);
        return y;
    }

    private static double[][] avgPool(double[][] x, int g, int r) {
        int g2 = g / r, c = x[0].length;
        double[][] y = new double[g2 * g2][c];
        for (int Y = 0; Y < g2; Y++)
            for (int X = 0; X < g2; X++)
                for (int dy = 0; dy < r; dy++)
                    for (int dx = 0; dx < r; dx++)
                        for (int j = 0; j < c; j++) y[Y * g2 + X][j] += x[(Y * r + dy) * g + X * r + dx][j] / (r * r);
        return y;
    }

    private static double[][] upsample(double[][] x, int g, int r) {
        int g2 = g / r;
        double[][] y = new double[g * g][];
        for (int yy = 0; yy < g; yy++) for (int xx = 0; xx < g; xx++) y[yy * g + xx] = x[(yy / r) * g2 + xx / r];
        return y;
    }

    /** AvgPool2d with a (k,1) kernel (vertical) or (1,k) (horizontal), stride 1, zero padding counted. */
    private static double[][] strip(double[][] x, int g, int k, boolean vertical) {
        int c = x[0].length, half = (k - 1) / 2;
        double[][] y = new double[x.length][c];
        for (int yy = 0; yy < g; yy++)
            for (int xx = 0; xx < g; xx++)
                for (int d = -half; d <= half; d++) {
                    int sy = vertical ? yy + d : yy, sx = vertical ? xx : xx + d;
                    if (sy < 0 || sy >= g || sx < 0 || sx >= g) continue;
                    for (int j = 0; j < c; j++) y[yy * g + xx][j] += x[sy * g + sx][j] / k;
                }
        return y;
    }
}
