package dev.binaryvit.bench;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

/**
 * One ONNX model in an ONNX Runtime session on the CPU, ready to time: all graph optimisations,
 * sequential execution, one inter-op thread and the given intra-op threads, and one input tensor
 * made once. The model must have exactly one input, a float32 image of BinaryViT-S's shape
 * {@code [1, 3, 224, 224]} (NCHW); a dynamic dimension takes the value at its place in that shape
 * (so a dynamic batch is 1). Anything else is refused with an {@link Unusable} whose message is one
 * line that names the file. ONNX Runtime lives in the bench module only.
 */
final class OnnxModel implements AutoCloseable {

    /** The image every contender is timed on: batch 1, 3 channels, 224 x 224, channels first. */
    static final long[] IMAGE = {1, 3, 224, 224};

    /** A model that cannot be timed, or ONNX Runtime that cannot run here; the message is one line. */
    static final class Unusable extends Exception {
        Unusable(String message) {
            super(message);
        }
    }

    private final Path file;
    private final int threads;
    private final OrtSession session;
    private final String inputName;
    private final String declaredShape;
    private final OnnxTensor input;
    private final Map<String, OnnxTensor> inputs;

    private OnnxModel(Path file, int threads, OrtSession session, String inputName, String declaredShape,
                      OnnxTensor input) {
        this.file = file;
        this.threads = threads;
        this.session = session;
        this.inputName = inputName;
        this.declaredShape = declaredShape;
        this.input = input;
        this.inputs = Map.of(inputName, input);
    }

    /** The ONNX Runtime environment (one per process), quiet below errors; fails if the natives do not load. */
    static OrtEnvironment environment() throws Unusable {
        try {
            return OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
        } catch (RuntimeException | LinkageError e) {
            throw new Unusable("ONNX Runtime does not run on this machine: " + oneLine(e));
        }
    }

    /** The ONNX Runtime version, e.g. {@code 1.29.0}. */
    static String version() throws Unusable {
        return environment().getVersion();
    }

    /**
     * Opens a model for timing with {@code threads} intra-op threads, checks its input, and makes the
     * input tensor (Gaussian noise, the same distribution as {@link ModelBenchmark}'s images).
     */
    static OnnxModel open(Path file, int threads) throws Unusable {
        String name = file.toString();
        if (!Files.exists(file)) {
            throw new Unusable(name + ": no such file");
        }
        if (!Files.isRegularFile(file)) {
            throw new Unusable(name + ": not a file");
        }
        if (!Files.isReadable(file)) {
            throw new Unusable(name + ": cannot read it (permission denied)");
        }
        OrtEnvironment env = environment();
        OrtSession session;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setInterOpNumThreads(1);
            options.setIntraOpNumThreads(threads);
            session = env.createSession(file.toString(), options);
        } catch (OrtException | RuntimeException e) {
            throw new Unusable(name + ": ONNX Runtime " + env.getVersion() + " cannot load it: " + oneLine(e));
        }
        try {
            Map<String, NodeInfo> info = session.getInputInfo();
            if (info.size() != 1) {
                throw new Unusable(name + ": the model has " + info.size() + " inputs (" + String.join(", ", info.keySet())
                        + "); only a model with one input, a float image " + Arrays.toString(IMAGE) + ", can be timed");
            }
            NodeInfo in = info.values().iterator().next();
            String what = name + ": input '" + in.getName() + "' is ";
            if (!(in.getInfo() instanceof TensorInfo t)) {
                throw new Unusable(what + "not a tensor (" + oneLine(in.getInfo().toString()) + "); a float image "
                        + Arrays.toString(IMAGE) + " is needed");
            }
            String declared = shapeText(t);
            if (t.type != OnnxJavaType.FLOAT) {
                throw new Unusable(what + t.type + " " + declared + ", not float32; a float image "
                        + Arrays.toString(IMAGE) + " is needed");
            }
            long[] shape = resolve(t.getShape());
            if (shape == null) {
                throw new Unusable(what + "float " + declared + ", not an image " + Arrays.toString(IMAGE)
                        + " (batch 1, 3 channels first, 224 x 224; a dynamic dimension counts as that value)");
            }
            OnnxTensor tensor = OnnxTensor.createTensor(env, noise(shape), shape);
            OnnxModel model = new OnnxModel(file, threads, session, in.getName(), declared, tensor);
            try {
                model.run();
            } catch (OrtException | RuntimeException e) {
                tensor.close(); // the session is closed below
                throw new Unusable(name + ": ONNX Runtime " + env.getVersion() + " cannot run it on a float "
                        + Arrays.toString(shape) + " input: " + oneLine(e));
            }
            return model;
        } catch (OrtException | RuntimeException e) {
            closeQuietly(session);
            throw new Unusable(name + ": ONNX Runtime " + env.getVersion() + " cannot read its inputs: " + oneLine(e));
        } catch (Unusable e) {
            closeQuietly(session);
            throw e;
        }
    }

    /**
     * The declared shape with each dynamic dimension (negative) replaced by {@link #IMAGE}'s value at
     * its place; null when the shape is not that of the image.
     */
    static long[] resolve(long[] declared) {
        if (declared.length != IMAGE.length) {
            return null;
        }
        long[] s = new long[IMAGE.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = declared[i] < 0 ? IMAGE[i] : declared[i];
            if (s[i] != IMAGE[i]) {
                return null;
            }
        }
        return s;
    }

    /** The declared shape, dynamic dimensions by name (or {@code ?}): {@code [batch, 3, 224, 224]}. */
    private static String shapeText(TensorInfo t) {
        long[] shape = t.getShape();
        String[] names = t.getDimensionNames();
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) {
                b.append(", ");
            }
            if (shape[i] >= 0) {
                b.append(shape[i]);
            } else {
                b.append(names != null && i < names.length && names[i] != null && !names[i].isEmpty() ? names[i] : "?");
            }
        }
        return b.append(']').toString();
    }

    private static FloatBuffer noise(long[] shape) {
        int n = Math.toIntExact(Arrays.stream(shape).reduce(1, (a, b) -> a * b));
        FloatBuffer f = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder()).asFloatBuffer();
        Random random = new Random(7);
        for (int i = 0; i < n; i++) {
            f.put(i, (float) random.nextGaussian());
        }
        return f;
    }

    /** One inference on the input made at open; the outputs are freed at once. */
    void run() throws OrtException {
        try (OrtSession.Result r = session.run(inputs)) {
            if (r.size() == 0) {
                throw new IllegalStateException("no outputs");
            }
        }
    }

    Path file() {
        return file;
    }

    int threads() {
        return threads;
    }

    String inputName() {
        return inputName;
    }

    /** The input's shape as the model declares it, dynamic dimensions by name. */
    String declaredShape() {
        return declaredShape;
    }

    /** The shape it is run at. */
    String shape() {
        return Arrays.toString(IMAGE);
    }

    @Override
    public void close() {
        input.close();
        closeQuietly(session);
    }

    private static void closeQuietly(OrtSession s) {
        try {
            s.close();
        } catch (OrtException | RuntimeException e) {
            // nothing left to do with a session that will not close
        }
    }

    /** The first line of a message (ONNX Runtime's can run to many lines), or the exception's class. */
    static String oneLine(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : oneLine(m);
    }

    private static String oneLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        return (nl < 0 ? t : t.substring(0, nl)).strip();
    }

    @Override
    public String toString() {
        return file.getFileName() + " (" + threads + " thread" + (threads == 1 ? "" : "s") + ")";
    }
}
