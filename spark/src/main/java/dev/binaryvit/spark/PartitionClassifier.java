package dev.binaryvit.spark;

import dev.binaryvit.model.BinaryVit;
import dev.binaryvit.model.ImageException;
import dev.binaryvit.model.Images;
import dev.binaryvit.model.Prediction;
import dev.binaryvit.model.Preprocessor;
import dev.binaryvit.model.StepObserver;
import java.io.Serial;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Classifies one partition: rows (path, content) in, one result row per input row out, in the same
 * order. The partition is consumed a batch at a time (never held whole): the images of a batch are
 * decoded and preprocessed in the task's thread, then run through the executor's shared model in
 * one forward pass. Nothing depends on the partition, the batch boundaries or the thread count
 * (the model's results do not), so any partitioning and any retry give the same rows.
 */
final class PartitionClassifier implements MapPartitionsFunction<Row, Row> {

    @Serial
    private static final long serialVersionUID = 1L;

    private final String modelDir;   // null: the bundled model
    private final BinaryVitSpark.Options options;

    PartitionClassifier(String modelDir, BinaryVitSpark.Options options) {
        this.modelDir = modelDir;
        this.options = options;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> input) {
        int threads = options.threads() > 0 ? options.threads() : ExecutorCores.get();
        BinaryVit model = SharedModels.get(new SharedModels.Key(modelDir, threads));
        return new Batches(input, model, options);
    }

    /** The result rows, computed a batch at a time as they are pulled. */
    private static final class Batches implements Iterator<Row> {
        private final Iterator<Row> input;
        private final BinaryVit model;
        private final Preprocessor preprocessor;
        private final BinaryVitSpark.Options options;
        private final int per;
        private final int labels;
        private final float[] pixels;
        private final float[] logits;
        private final ArrayDeque<Row> ready = new ArrayDeque<>();

        Batches(Iterator<Row> input, BinaryVit model, BinaryVitSpark.Options options) {
            this.input = input;
            this.model = model;
            this.preprocessor = model.preprocessor();
            this.options = options;
            this.per = model.imageFloats();
            this.labels = model.config().numLabels();
            this.pixels = new float[options.batch() * per];
            this.logits = new float[options.batch() * labels];
        }

        @Override
        public boolean hasNext() {
            if (ready.isEmpty() && input.hasNext()) classifyNextBatch();
            return !ready.isEmpty();
        }

        @Override
        public Row next() {
            if (!hasNext()) throw new NoSuchElementException();
            return ready.poll();
        }

        private void classifyNextBatch() {
            List<String> paths = new ArrayList<>(options.batch());
            String[] errors = new String[options.batch()];
            int decoded = 0;
            while (paths.size() < options.batch() && input.hasNext()) {
                Row row = input.next();
                String path = row.getString(0);
                int at = paths.size();
                paths.add(path);
                try {
                    preprocessor.apply(Images.decode((byte[]) row.get(1), path), pixels, decoded * per);
                    decoded++;
                } catch (ImageException | IllegalArgumentException e) {
                    if (options.failFast()) throw new UnreadableImageException(path, e);
                    errors[at] = e.getMessage();
                }
            }
            // forward takes arrays of exactly the batch: the full-batch buffers, or copies for a short last batch
            boolean full = decoded == options.batch();
            float[] out = full ? logits : new float[decoded * labels];
            if (decoded > 0) {
                model.forward(full ? pixels : Arrays.copyOf(pixels, decoded * per), decoded, out, StepObserver.NONE);
            }
            int b = 0;
            for (int i = 0; i < paths.size(); i++) {
                if (errors[i] != null) {
                    ready.add(RowFactory.create(paths.get(i), null, null, null, errors[i]));
                } else {
                    ready.add(resultRow(paths.get(i), model.top(out, b++, options.topK())));
                }
            }
        }

        private static Row resultRow(String path, List<Prediction> top) {
            Row[] classes = new Row[top.size()];
            for (int k = 0; k < classes.length; k++) {
                classes[k] = RowFactory.create(top.get(k).label(), top.get(k).probability());
            }
            Prediction best = top.getFirst();
            return RowFactory.create(path, best.label(), best.probability(), classes, null);
        }
    }
}
