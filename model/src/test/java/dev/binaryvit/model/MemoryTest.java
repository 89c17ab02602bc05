package dev.binaryvit.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A loaded model keeps its binary weights at one bit each: no float copy of them survives loading.
 * The expected size is computed from the {@link WeightCatalogue}: binary weights (the query, key,
 * value, reduction and dense linears and the binary patch-merging convolutions) at 1 bit, every
 * other parameter as a float, BatchNorms folded to two floats per channel.
 */
class MemoryTest {

    /** The tensors whose values are only used through their signs (and one mean-|W| scale per row). */
    static final Pattern BINARY = Pattern.compile(
            "\\.(query|key|value|reduction|dense)\\.weight$|^vit\\.encoder\\.patch_embed\\d\\.proj\\.weight$");

    record Expected(long binaryBits, long floats, long binaryRows) {
        long bytes() {
            return binaryBits / 8 + 4 * floats;
        }
    }

    static Expected expected(BinaryVitConfig config) {
        long bits = 0, floats = 0, rows = 0;
        for (Map.Entry<String, long[]> e : WeightCatalogue.of(config).required().entrySet()) {
            String name = e.getKey();
            long n = 1;
            for (long d : e.getValue()) n *= d;
            if (BINARY.matcher(name).find() && !(config.someFp() && name.contains("patch_embed"))) {
                bits += n;
                rows += e.getValue()[0];
            } else if (!name.endsWith(".running_mean") && !name.endsWith(".running_var")) {
                floats += n;   // a BatchNorm's weight and bias become its folded scale and shift
            }
        }
        return new Expected(bits, floats, rows);
    }

    @Test
    void binaryVitSKeepsItsBinaryWeightsAtOneBit() {
        BinaryVitConfig s = BinaryVitConfig.small();
        Expected e = expected(s);
        // BinaryViT-S: about 21M binary weights (2.65 MB packed) and 0.9M floats (the classifier alone 512 x 1000)
        assertTrue(e.binaryBits() > 20_000_000 && e.binaryBits() < 23_000_000, "binary weights " + e.binaryBits());

        long before = usedAfterGc();
        BinaryVit model = BinaryVit.builtIn(1);
        long retained = usedAfterGc() - before;
        try {
            long params = model.parameterBytes();
            System.out.printf(Locale.ROOT, "BinaryViT-S: %,d binary weights (%.2f MB at 1 bit, %.1f MB as floats), "
                            + "%,d float parameters (%.2f MB): expected %.2f MB, parameterBytes() %.2f MB; "
                            + "retained heap of the loaded model %.1f MB (diagnostic)%n",
                    e.binaryBits(), e.binaryBits() / 8e6, e.binaryBits() * 4 / 1e6, e.floats(), e.floats() * 4 / 1e6,
                    e.bytes() / 1e6, params / 1e6, retained / 1e6);
            // Packing adds a float scale per row and per-channel epilogue vectors (a few percent); a float
            // copy of the binary weights would add 85 MB.
            assertTrue(params >= e.bytes() * 0.95 && params <= e.bytes() * 1.15,
                    "parameterBytes " + params + " vs expected " + e.bytes());
            assertTrue(retained < 40_000_000L, "retained heap of a loaded BinaryViT-S: " + retained + " bytes");
            model.forward(new float[model.imageFloats()], 1);
            System.out.printf(Locale.ROOT, "workspace after one image: %.1f MB%n", model.workspaceBytes() / 1e6);
        } finally {
            model.close();
        }
    }

    @Test
    void variantConfigsToo() throws Exception {
        for (String json : new String[] {
                VariantsTest.json(64, 4, new int[] {24, 48, 96, 192}, new int[] {1, 1, 1, 1}, new int[] {1, 2, 4, 8},
                        new int[] {4, 2, 1, 1}, 4, "\"num_labels\": 10"),
                VariantsTest.json(64, 4, new int[] {40, 80, 160, 320}, new int[] {2, 1, 1, 1}, new int[] {1, 2, 4, 8},
                        new int[] {1, 1, 1, 1}, 2, "\"some_fp\": true, \"avg_res3\": false, \"disable_layerscale\": true")}) {
            BinaryVitConfig c = BinaryVitConfig.fromJson(json);
            Expected e = expected(c);
            try (BinaryVit model = BinaryVit.create(c, SyntheticWeights.create(c, 1), 1)) {
                long params = model.parameterBytes();
                // small layers: the per-row scales and epilogue vectors weigh more, relatively
                assertTrue(params >= e.bytes() * 0.9 && params <= e.bytes() * 1.4,
                        c + ": parameterBytes " + params + " vs expected " + e.bytes());
                assertTrue(params < e.bytes() + e.binaryBits(), c + ": no float copy of the binary weights");
            }
        }
    }

    private static long usedAfterGc() {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }
}
