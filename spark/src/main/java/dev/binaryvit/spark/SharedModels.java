package dev.binaryvit.spark;

import dev.binaryvit.model.BinaryVit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The models of this JVM (an executor, or the driver in local mode), one per model directory and
 * thread count, loaded by the first task that needs it and then shared by every task the JVM runs:
 * a model's weights are loaded and packed once, not once per task or partition. A model serves any
 * number of calling threads (its forward passes take turns, each on its own threads), and lives as
 * long as the JVM: executors are long-lived, and a closed model would fail the next task.
 */
final class SharedModels {

    /** Which model: a directory (null: the bundled one) on so many threads. */
    record Key(String modelDir, int threads) {}

    private static final ConcurrentMap<Key, BinaryVit> MODELS = new ConcurrentHashMap<>();

    private SharedModels() {}

    /** The model for {@code key}, loaded now if this JVM has not loaded it yet (other tasks wait for it). */
    static BinaryVit get(Key key) {
        return MODELS.computeIfAbsent(key, SharedModels::load);
    }

    /** How many models this JVM holds (for tests: one per key, however many tasks ran). */
    static int loaded() {
        return MODELS.size();
    }

    private static BinaryVit load(Key key) {
        if (key.modelDir() == null) return BinaryVit.bundled(key.threads());
        try {
            return BinaryVit.load(Path.of(key.modelDir()), key.threads());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the model " + key.modelDir() + " on this executor: "
                    + e.getMessage(), e);
        }
    }
}
