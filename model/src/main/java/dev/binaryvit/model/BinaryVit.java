package dev.binaryvit.model;

import dev.binaryvit.kernels.Parallel;
import dev.binaryvit.model.Workspace.F;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loaded BinaryViT: a model directory (official config, safetensors or PyTorch checkpoint
 * weights, image preprocessing; see {@link ModelFiles}) in, logits out.
 *
 * <pre>{@code
 * try (BinaryVit model = BinaryVit.load(Path.of("binaryvit-fashion-mnist"), 2)) {
 *     for (Prediction p : model.classify(ImageIO.read(new File("shoe.png")), 5)) {
 *         System.out.println(p.label() + " " + p.probability());
 *     }
 * }
 * }</pre>
 *
 * Binary weights are packed once at load time (the float copies are dropped); scratch buffers are
 * kept and reused, so a forward pass allocates nothing once a batch size has been seen. One model
 * runs one forward pass at a time (calls are serialised); its threads work inside each kernel,
 * and the results do not depend on their number.
 *
 * <p>A model may be shared by any number of threads: each call gives the result it gives alone,
 * bit for bit, and the scratch memory does not grow with the number of calling threads (see
 * {@link #workspaceBytes()}). After {@link #close()}, every call that runs the model throws
 * {@code IllegalStateException("this model is closed")}.
 */
public final class BinaryVit implements AutoCloseable {

    private final BinaryVitConfig config;
    private final Preprocessor preprocessor;   // null when no image pipeline is known for the model
    private final Embeddings embeddings;
    private final EncoderLayer[] layers;
    private final PatchMerging[] mergings; // mergings[s] follows the last layer of stage s
    private final Head head;
    private final Parallel parallel;
    private final Ops ops;
    /** The scratch of the thread inside a call (calls are serialised): only used under the model's lock. */
    private final Workspace workspace = new Workspace();
    /**
     * For a batch shared out between threads: each of the model's worker threads its own scratch and
     * single-threaded kernels; the calling thread uses {@link #workspace}. Only the pool's threads - 1
     * workers ever get one: were calling threads to get one too, every thread that ever called would
     * keep a workspace as long as it lives (a server's pool of request threads: one each).
     */
    private final ThreadLocal<Workspace> threadWorkspaces = ThreadLocal.withInitial(this::newWorkerWorkspace);
    /** The workers' workspaces, for {@link #workspaceBytes()}: at most threads - 1. */
    private final List<Workspace> workerWorkspaces = new CopyOnWriteArrayList<>();
    /**
     * Set by {@link #close()} before it waits for a running call; every call checks it under the
     * lock first. Volatile: a call waiting for the lock sees it when it gets in.
     */
    private volatile boolean closed;
    /** The batch split over the threads, image by image; one job, as forward runs one call at a time. */
    private final ImagesJob imagesJob = new ImagesJob();
    private final Ops serialOps;
    // The steps of a forward pass, made once: reporting them allocates nothing.
    private static final Step EMBEDDINGS = Step.embeddings();
    private static final Step HEAD = Step.head();
    private final Step[] layerSteps;
    private final Step[] mergeSteps;
    private final List<String> unusedTensors;

    private BinaryVit(BinaryVitConfig config, Weights w, Preprocessor preprocessor, Ops ops, Parallel parallel) {
        this.config = config;
        this.preprocessor = preprocessor;
        this.embeddings = new Embeddings(config, w);
        this.layers = new EncoderLayer[config.numLayers()];
        for (int i = 0; i < layers.length; i++) {
            layers[i] = new EncoderLayer(config, w, i);
        }
        this.mergings = new PatchMerging[config.stages() - 1];
        for (int s = 0; s < mergings.length; s++) {
            mergings[s] = new PatchMerging(config, w, s);
        }
        this.head = new Head(config, w);
        this.layerSteps = new Step[layers.length];
        for (int i = 0; i < layers.length; i++) {
            layerSteps[i] = Step.layer(i);
        }
        this.mergeSteps = new Step[mergings.length];
        for (int s = 0; s < mergings.length; s++) {
            mergeSteps[s] = Step.merge(s);
        }
        this.ops = ops;
        this.serialOps = ops.withParallel(Parallel.SERIAL);
        this.parallel = parallel;
        this.unusedTensors = List.copyOf(w.unused());
    }

    /** Loads a model directory ({@link ModelFiles#read(Path)}) on one thread. */
    public static BinaryVit load(Path dir) throws IOException {
        return load(dir, 1);
    }

    /** Loads a model directory ({@link ModelFiles#read(Path)}), running on {@code threads} threads. */
    public static BinaryVit load(Path dir, int threads) throws IOException {
        return create(ModelFiles.read(dir), threads);
    }

    /** Loads a config file and a weight file (safetensors or PyTorch checkpoint), with the default preprocessing. */
    public static BinaryVit load(Path configFile, Path weightsFile, int threads) throws IOException {
        return create(ModelFiles.read(configFile, weightsFile, null), threads);
    }

    /** The model bundled in the library: BinaryViT trained on Fashion-MNIST (32 x 32 grey images, 10 classes). */
    public static BinaryVit bundled(int threads) {
        try {
            return create(ModelFiles.bundled(), threads);
        } catch (WeightsException e) {
            throw new IllegalStateException("the bundled weights do not match their own config", e);
        }
    }

    /** A model from files already read. */
    public static BinaryVit create(ModelFiles files, int threads) throws WeightsException {
        Weights w = Weights.check(files.tensors(), files.config());
        Parallel parallel = Parallel.of(threads);
        return new BinaryVit(files.config(), w, files.preprocessor(), Ops.active(parallel), parallel);
    }

    /**
     * A model from a config and its tensors, with the default preprocessing
     * ({@link ModelFiles#preprocessor()}). Throws {@link WeightsException} naming every missing or
     * ill-shaped tensor; tensors the config does not use are listed by {@link #unusedTensors()}.
     */
    public static BinaryVit create(BinaryVitConfig config, Safetensors tensors, int threads) throws WeightsException {
        return create(new ModelFiles(config, tensors, ModelFiles.defaultPreprocessor(config), "tensors"), threads);
    }

    /**
     * BinaryViT-S with built-in deterministic weights: real shapes and real work, meaningless
     * labels. For trying the library and measuring it without a checkpoint.
     */
    public static BinaryVit builtIn(int threads) {
        BinaryVitConfig config = BinaryVitConfig.small();
        try {
            return create(config, SyntheticWeights.create(config, 0), threads);
        } catch (WeightsException e) {
            throw new IllegalStateException("the built-in weights do not match their own config", e);
        }
    }

    /** {@link #builtIn} on the scalar reference kernels, one thread: the baseline of the benchmarks. */
    public static BinaryVit builtInOnReferenceKernels() {
        BinaryVitConfig config = BinaryVitConfig.small();
        try {
            return onReferenceKernels(config, SyntheticWeights.create(config, 0));
        } catch (WeightsException e) {
            throw new IllegalStateException("the built-in weights do not match their own config", e);
        }
    }

    /** The same model on the scalar reference kernels, single-threaded: a checking aid. */
    static BinaryVit onReferenceKernels(BinaryVitConfig config, Safetensors tensors) throws WeightsException {
        return new BinaryVit(config, Weights.check(tensors, config), ModelFiles.defaultPreprocessor(config),
                Ops.reference(), Parallel.SERIAL);
    }

    public BinaryVitConfig config() {
        return config;
    }

    /**
     * How a picture becomes this model's input: from the model's {@code preprocessor_config.json},
     * else ImageNet's evaluation pipeline for an RGB model.
     *
     * @throws IllegalStateException for a model of other than 3 channels without a preprocessor_config.json
     */
    public Preprocessor preprocessor() {
        if (preprocessor == null) {
            throw new IllegalStateException("this model takes " + config.numChannels() + "-channel images and came"
                    + " without a " + ModelFiles.PREPROCESSOR + ": put one in its model directory (or call forward with"
                    + " pixels prepared yourself)");
        }
        return preprocessor;
    }

    /** Number of encoder layers. */
    public int layers() {
        return layers.length;
    }

    /** Tensors in the weight file that this config does not use. */
    public List<String> unusedTensors() {
        return unusedTensors;
    }

    /** Threads the kernels run on. */
    public int threads() {
        return parallel.threads();
    }

    /** Floats per image of one pixel tensor: {@code channels * size * size}. */
    public int imageFloats() {
        return config.numChannels() * config.imageSize() * config.imageSize();
    }

    /** Logits {@code [batch][labels]} of images {@code [batch][channels][size][size]}, prepared by {@link #preprocessor()}. */
    public float[] forward(float[] images, int batch) {
        checkBatch(batch);
        float[] logits = new float[batch * config.numLabels()];
        forward(images, batch, logits, StepObserver.NONE);
        return logits;
    }

    /** As {@link #forward(float[], int)} into {@code logits}, reporting every step to {@code observer}. */
    public void forward(float[] images, int batch, float[] logits, StepObserver observer) {
        forward(images, batch, logits, observer, Trace.OFF);
    }

    /**
     * As {@link #forward(float[], int, float[], StepObserver)}, also timing every kernel call into
     * {@code trace}. A batch runs one image after the other, each through the whole network while
     * its activations fit the caches (a whole batch of stage-0 tensors does not); with several
     * threads and no observer or trace, the images are shared out between the threads instead, which
     * then need no synchronisation at all. With batch > 1, {@code observer} hears each step once per image.
     */
    public synchronized void forward(float[] images, int batch, float[] logits, StepObserver observer, Trace trace) {
        checkOpen();
        checkBatch(batch);
        long imagesNeeded = (long) batch * imageFloats();
        if (wrongLength(images, imagesNeeded)) {
            throw lengthError("images", images, imagesNeeded, "batch %d x %d x %d x %d",
                    batch, config.numChannels(), config.imageSize(), config.imageSize());
        }
        long logitsNeeded = (long) batch * config.numLabels();
        if (wrongLength(logits, logitsNeeded)) {
            throw lengthError("logits", logits, logitsNeeded, "batch %d x labels %d", batch, config.numLabels());
        }
        if (batch >= 2 && parallel.threads() > 1 && observer == StepObserver.NONE && trace == Trace.OFF) {
            parallel.run(batch, 1, imagesJob.set(images, logits));
        } else {
            try {
                for (int b = 0; b < batch; b++) {
                    image(ops, workspace, images, b, logits, observer, trace);
                }
            } finally {
                if (closed) {
                    parallel.close(); // the observer closed the model: its threads stop now that this call is done
                }
            }
        }
    }

    /** Whole images of a batch on each thread, each with its own workspace and serial kernels. */
    private final class ImagesJob extends Parallel.Job {
        private float[] images;
        private float[] logits;

        ImagesJob set(float[] images, float[] logits) {
            this.images = images;
            this.logits = logits;
            return this;
        }

        @Override
        public void run(int from, int to) {
            // The calling thread holds the model's lock: it has the model's own workspace to itself.
            Workspace own = Thread.holdsLock(BinaryVit.this) ? workspace : threadWorkspaces.get();
            for (int b = from; b < to; b++) {
                image(serialOps, own, images, b, logits, StepObserver.NONE, Trace.OFF);
            }
        }

        @Override
        protected void clear() {
            set(null, null);
        }
    }

    /** The whole network on image b of the batch. */
    private void image(Ops ops, Workspace workspace, float[] images, int b, float[] logits, StepObserver observer,
                       Trace trace) {
        float[] h = hidden(workspace, F.HIDDEN_A);
        trace.begin(EMBEDDINGS.name());
        long t0 = System.nanoTime();
        embeddings.forward(ops, workspace, trace, 1, images, b * imageFloats(), h);
        long t1 = System.nanoTime();
        observer.stepDone(EMBEDDINGS, h, hiddenLength(0, 1), t1 - t0);
        boolean inA = true;
        for (int i = 0; i < layers.length; i++) {
            float[] out = hidden(workspace, inA ? F.HIDDEN_B : F.HIDDEN_A);
            trace.begin(layerSteps[i].name());
            t0 = System.nanoTime();
            layers[i].forward(ops, workspace, trace, 1, h, out);
            t1 = System.nanoTime();
            observer.stepDone(layerSteps[i], out, layerLength(i, 1), t1 - t0);
            h = out;
            inA = !inA;
            int stage = config.stageOfLayer(i);
            if (isLastOfStage(i) && stage < mergings.length) {
                out = hidden(workspace, inA ? F.HIDDEN_B : F.HIDDEN_A);
                trace.begin(mergeSteps[stage].name());
                t0 = System.nanoTime();
                mergings[stage].forward(ops, workspace, trace, 1, h, out);
                t1 = System.nanoTime();
                observer.stepDone(mergeSteps[stage], out, hiddenLength(i + 1, 1), t1 - t0);
                h = out;
                inA = !inA;
            }
        }
        int labels = config.numLabels();
        trace.begin(HEAD.name());
        t0 = System.nanoTime();
        head.forward(ops, workspace, trace, 1, h, logits, b * labels);
        t1 = System.nanoTime();
        observer.stepDone(HEAD, logits, labels, t1 - t0);
    }

    /** The hidden state after the embeddings: {@code hidden.0}, {@code [batch][tokens][channels]}. */
    public synchronized float[] embed(float[] images, int batch) {
        checkOpen();
        checkBatch(batch);
        long needed = (long) batch * imageFloats();
        if (wrongLength(images, needed)) {
            throw lengthError("images", images, needed, "batch x channels x size x size");
        }
        float[] out = new float[hiddenLength(0, batch)];
        embeddings.forward(ops, workspace, Trace.OFF, batch, images, 0, out);
        return out;
    }

    /**
     * Encoder layer i, and the patch merging after it when it ends a stage, applied to
     * {@code hidden.i}: returns {@code hidden.(i+1)} (the official code's layer input numbering).
     */
    public float[] layer(int i, float[] hidden, int batch) {
        return layer(i, hidden, batch, Trace.OFF);
    }

    /**
     * {@link #layer(int, float[], int)}, recording its kernel calls in {@code trace} under the
     * layer's step name (and the merging's): a layer run on its own, for profiles that compare an
     * operator's time inside the whole pass with its time when only its layer runs.
     */
    public synchronized float[] layer(int i, float[] hidden, int batch, Trace trace) {
        checkOpen();
        if (i < 0 || i >= layers.length) {
            throw new IllegalArgumentException("layer " + i + " does not exist: the model has " + layers.length);
        }
        checkBatch(batch);
        long needed = hiddenLength(i, batch);
        if (wrongLength(hidden, needed)) {
            throw lengthError("hidden", hidden, needed, "hidden.%d of batch %d", i, batch);
        }
        float[] out = hidden(workspace, F.HIDDEN_B, batch);
        trace.begin(layerSteps[i].name());
        layers[i].forward(ops, workspace, trace, batch, hidden, out);
        int stage = config.stageOfLayer(i);
        if (isLastOfStage(i) && stage < mergings.length) {
            float[] merged = new float[hiddenLength(i + 1, batch)];
            trace.begin(mergeSteps[stage].name());
            mergings[stage].forward(ops, workspace, trace, batch, out, merged);
            return merged;
        }
        return Arrays.copyOf(out, layerLength(i, batch));
    }

    /** Logits {@code [batch][labels]} from the encoder output {@code hidden.(layers)}. */
    public synchronized float[] head(float[] hidden, int batch) {
        checkOpen();
        checkBatch(batch);
        long needed = hiddenLength(layers.length, batch);
        if (wrongLength(hidden, needed)) {
            throw lengthError("hidden", hidden, needed, "the encoder output of batch %d", batch);
        }
        float[] logits = new float[batch * config.numLabels()];
        head.forward(ops, workspace, Trace.OFF, batch, hidden, logits, 0);
        return logits;
    }

    /** The top {@code k} classes of one image, after the model's {@link #preprocessor()}. */
    public List<Prediction> classify(BufferedImage image, int k) {
        checkOpen(); // before the preprocessing (forward checks again, under the lock)
        float[] logits = forward(preprocessor().apply(image), 1);
        return top(logits, 0, k);
    }

    /** The top {@code k} classes of image {@code b} of a logits batch, with softmax probabilities. */
    public List<Prediction> top(float[] logits, int b, int k) {
        int labels = config.numLabels();
        if (logits == null || logits.length % labels != 0) {
            throw new IllegalArgumentException("logits has " + (logits == null ? "null" : logits.length + " floats")
                    + ", not a multiple of the " + labels + " labels");
        }
        if (b < 0 || b >= logits.length / labels) {
            throw new IllegalArgumentException("image " + b + " is not in a batch of " + logits.length / labels);
        }
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < labels; j++) {
            max = Math.max(max, logits[b * labels + j]);
        }
        double sum = 0;
        for (int j = 0; j < labels; j++) {
            sum += Math.exp(logits[b * labels + j] - max);
        }
        List<Prediction> all = new ArrayList<>(labels);
        for (int j = 0; j < labels; j++) {
            float logit = logits[b * labels + j];
            all.add(new Prediction(j, config.label(j).orElse("class " + j), logit,
                    (float) (Math.exp(logit - max) / sum)));
        }
        all.sort(Comparator.comparingDouble(Prediction::logit).reversed());
        return List.copyOf(all.subList(0, Math.min(k, labels)));
    }

    /** Bytes of parameters the model holds: packed binary weights and float parameters. */
    public long parameterBytes() {
        long total = embeddings.bytes() + head.bytes();
        for (EncoderLayer l : layers) {
            total += l.bytes();
        }
        for (PatchMerging m : mergings) {
            total += m.bytes();
        }
        return total;
    }

    /**
     * Bytes of scratch buffers the model holds: one set for the thread inside a call, sized for the
     * largest batch of {@link #embed}, {@link #layer} or {@link #head} and for one image of
     * {@link #forward}, and, once a batch has been shared out between the model's threads, one
     * image's set for each of its {@code threads() - 1} worker threads. It does not grow with the
     * number of threads that call the model. (The kernels also keep some scratch of their own, such
     * as an attention call's keys and values reordered, in every thread that has run them, shared by
     * all models and freed when that thread ends; it is not counted here.)
     */
    public synchronized long workspaceBytes() {
        long total = workspace.bytes();
        for (Workspace w : workerWorkspaces) {
            total += w.bytes();
        }
        return total;
    }

    /**
     * Stops the model's threads. A call already running completes (close waits for it); every
     * later call, and every call waiting for the one running, throws
     * {@code IllegalStateException("this model is closed")}. Closing again does nothing.
     */
    @Override
    public void close() {
        closed = true;
        if (Thread.holdsLock(this)) {
            return; // called from within this model's forward (by its observer): that call stops the threads when done
        }
        synchronized (this) {
            // No call is running now, so none can be left waiting for a worker that has stopped.
            parallel.close();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this model is closed");
        }
    }

    private Workspace newWorkerWorkspace() {
        Workspace w = new Workspace();
        workerWorkspaces.add(w);
        return w;
    }

    private boolean isLastOfStage(int i) {
        return i == layers.length - 1 || config.stageOfLayer(i + 1) != config.stageOfLayer(i);
    }

    /** Floats of {@code hidden.i} (the input of layer i; i = layers is the encoder output). */
    private int hiddenLength(int i, int batch) {
        int stage = i == layers.length ? config.stages() - 1 : config.stageOfLayer(i);
        return batch * config.grid(stage) * config.grid(stage) * config.hiddenSize(stage);
    }

    /** Floats of layer i's own output, before any patch merging. */
    private int layerLength(int i, int batch) {
        return hiddenLength(i, batch);
    }

    /** A hidden-state buffer of {@code workspace} that holds any stage's activations of {@code batch} images. */
    private float[] hidden(Workspace workspace, F buffer, int batch) {
        long largest = 0;
        for (int s = 0; s < config.stages(); s++) {
            largest = Math.max(largest, (long) config.grid(s) * config.grid(s) * config.hiddenSize(s));
        }
        return workspace.floats(buffer, largest * batch);
    }

    private float[] hidden(Workspace workspace, F buffer) {
        return hidden(workspace, buffer, 1);
    }

    private static void checkBatch(int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        }
    }

    /** Whether {@code array} is missing or does not hold exactly {@code needed} floats. */
    private static boolean wrongLength(float[] array, long needed) {
        return array == null || array.length != needed;
    }

    /**
     * The error for {@link #wrongLength}: names the array and the shape it should have ({@code shape}
     * formatted with {@code dims}). Built only on failure, so that right arguments allocate nothing.
     */
    private static IllegalArgumentException lengthError(String what, float[] array, long needed, String shape,
                                                        Object... dims) {
        if (array == null) {
            return new IllegalArgumentException(what + " is null");
        }
        return new IllegalArgumentException(what + " has " + array.length + " floats but needs " + needed + " ("
                + String.format(Locale.ROOT, shape, dims) + ")");
    }
}
