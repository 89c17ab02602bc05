package dev.binaryvit.model;

import dev.binaryvit.model.TorchUnpickler.Namespace;
import dev.binaryvit.model.TorchUnpickler.StorageRef;
import dev.binaryvit.model.TorchUnpickler.TensorRef;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A PyTorch checkpoint as {@code torch.save} writes it since PyTorch 1.6: a zip archive holding
 * {@code <folder>/data.pkl}, the pickled object, and one raw little-endian storage per
 * {@code <folder>/data/<key>}. Reads the BinaryViT (DeiT) training checkpoints ({@code checkpoint.pth},
 * {@code best.pth}: a dict of {@code model}, {@code optimizer}, {@code lr_scheduler}, {@code epoch},
 * {@code scaler}, {@code args}), bare state dicts ({@code .pth}) and Hugging Face
 * {@code pytorch_model.bin} files.
 *
 * <p>Unpickling runs code in Python, so, as {@code torch.load(weights_only=True)} does, only tensor
 * rebuilders, storage classes, {@code OrderedDict}, {@code argparse.Namespace} and plain containers
 * are accepted; any other global is refused before anything of it is made. Every other problem —
 * not a zip, the legacy pre-1.6 format, a truncated or corrupt archive (CRC-32 included), a
 * malformed pickle, a missing or short storage, a view reaching outside its storage, an unknown
 * dtype, no tensors — raises a {@link CheckpointException} naming the file and, where one is
 * involved, the tensor. Sizes read from the file are checked before anything is allocated for them.
 *
 * <p>Only the state dict's tensors are read from their storages; the optimizer's and scheduler's
 * entries are unpickled (they are in the same pickle) and then dropped without reading their data.
 */
public final class TorchCheckpoint {

    /** The largest {@code data.pkl} read; a BinaryViT training checkpoint's is well under 1 MB. */
    static final long MAX_PICKLE_BYTES = 256L << 20;
    /** Floats that views may materialise beyond the file's storage bytes (see Storages). */
    private static final long VIEW_SLACK = 1L << 24;
    /** The pickled magic number that starts a legacy (pre-1.6, non-zip) torch.save file. */
    private static final byte[] LEGACY_MAGIC = {0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19};

    private final Safetensors tensors;
    private final Map<String, Object> args;
    private final OptionalLong epoch;

    private TorchCheckpoint(Safetensors tensors, Map<String, Object> args, OptionalLong epoch) {
        this.tensors = tensors;
        this.args = args;
        this.epoch = epoch;
    }

    /**
     * Reads a checkpoint file.
     *
     * @throws CheckpointException if it is not a readable checkpoint (the message names the file)
     * @throws IOException         if it cannot be read
     */
    public static TorchCheckpoint read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            String where = file + ": ";
            return parse(TorchZip.source(ch, where), where);
        }
    }

    /** Reads the bytes of a checkpoint; {@code name} (may be null) names it in error messages. */
    public static TorchCheckpoint read(byte[] bytes, String name) throws CheckpointException {
        try {
            return parse(TorchZip.source(bytes), name == null ? "" : name + ": ");
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException e) {
            throw new CheckpointException(e.getMessage(), e);   // not reached: an array source does no I/O
        }
    }

    /**
     * The state dict, every tensor widened to float with the dtype it was saved with ({@code F32},
     * {@code F16}, {@code BF16}, {@code F64}, {@code I64}, {@code I32}, {@code I16}, {@code I8},
     * {@code U8}, {@code BOOL}), views made contiguous, in the pickle's order. It is the checkpoint's
     * {@code "model"} dict, else its {@code "state_dict"}, else the top level when that maps names to
     * tensors; a {@code module.} prefix on every name (DataParallel) is removed.
     */
    public Safetensors tensors() {
        return tensors;
    }

    /**
     * The training arguments (the fields of the pickled {@code argparse.Namespace}, or the
     * {@code "args"} dict) as Boolean, Long (BigInteger beyond 64 bits), Double, String, List, Map,
     * Set, byte[] or null; a tensor among them as a description string. Empty if there are none.
     */
    public Map<String, Object> args() {
        return args;
    }

    /** The {@code "epoch"} entry, when the checkpoint has an integer one. */
    public OptionalLong epoch() {
        return epoch;
    }

    @Override
    public String toString() {
        return "TorchCheckpoint[" + tensors.names().size() + " tensors, epoch " + epoch + "]";
    }

    // ---------------------------------------------------------------- the archive

    private static TorchCheckpoint parse(TorchZip.Source src, String where) throws IOException {
        long size = src.size();
        if (size == 0) throw new CheckpointException(where + "file is empty");
        byte[] head = new byte[(int) Math.min(size, 32)];
        src.read(0, head, 0, head.length);
        if (isLegacy(head)) {
            throw new CheckpointException(where + "legacy torch.save format (PyTorch before 1.6), which this reader does not"
                    + " read; re-save it with torch.save(obj, f) under a recent PyTorch");
        }
        if (head.length < 4 || head[0] != 'P' || head[1] != 'K') {
            throw new CheckpointException(where + "not a PyTorch checkpoint: not a zip archive"
                    + " (torch.save writes one since PyTorch 1.6)");
        }
        TorchZip zip = TorchZip.open(src, where);

        // The folder is the file's stem when it was saved ("checkpoint/", "archive/"): find it from data.pkl.
        List<String> pickles = zip.entries().keySet().stream()
                .filter(n -> n.endsWith("/data.pkl") && n.indexOf('/') == n.length() - 9).toList();
        if (pickles.isEmpty()) throw new CheckpointException(where + "no <folder>/data.pkl entry: not a torch.save archive");
        if (pickles.size() > 1) throw new CheckpointException(where + "several data.pkl entries " + pickles);
        String folder = pickles.get(0).substring(0, pickles.get(0).length() - 8);

        TorchZip.Entry order = zip.entries().get(folder + "byteorder");
        if (order != null) {
            String o = new String(zip.read(order, 16), StandardCharsets.US_ASCII).strip();
            if (o.equals("big")) {
                throw new CheckpointException(where + "saved on a big-endian machine (byteorder 'big'); this reader reads"
                        + " little-endian storages only");
            }
            if (!o.equals("little")) throw new CheckpointException(where + "unknown byteorder '" + o + "'");
        }

        Object root;
        try {
            root = TorchUnpickler.unpickle(zip.read(zip.entries().get(pickles.get(0)), MAX_PICKLE_BYTES), where);
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException | RuntimeException | StackOverflowError e) {
            // The library reports a bad pickle with whatever exception its code happens to hit.
            String why = e.getMessage() == null ? "" : e.getMessage().strip().replaceAll("\\s+", " ");
            why = why.isEmpty() ? "" : ": " + (why.length() > 200 ? why.substring(0, 200) + "..." : why);
            throw new CheckpointException(where + pickles.get(0) + " is not a valid pickle ("
                    + e.getClass().getSimpleName() + why + ")", e);
        }
        if (!(root instanceof Map<?, ?> top)) {
            throw new CheckpointException(where + "the pickled object has type " + kind(root)
                    + ", not dict (save a model's state_dict(), not the model)");
        }

        Map<?, ?> state = stateDict(top, where);
        Map<String, TensorRef> refs = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : state.entrySet()) {
            if (!(e.getKey() instanceof String name)) {
                throw new CheckpointException(where + "state dict key " + (e.getKey() instanceof Number ? e.getKey() + " " : "")
                        + "has type " + kind(e.getKey()) + ", not str");
            }
            if (!(e.getValue() instanceof TensorRef t)) {
                throw new CheckpointException(where + "state dict entry '" + name + "' has type " + kind(e.getValue()) + ", not tensor");
            }
            refs.put(name, t);
        }
        boolean dataParallel = refs.keySet().stream().allMatch(n -> n.startsWith("module."));
        Storages storages = new Storages(zip, folder, where);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, TensorRef> e : refs.entrySet()) {
            String name = dataParallel ? e.getKey().substring("module.".length()) : e.getKey();
            tensors.put(name, storages.tensor(name, e.getValue()));
        }

        Object a = top.get("args");
        Map<String, Object> args = new LinkedHashMap<>();
        Map<?, ?> fields = a instanceof Namespace ns ? ns.fields() : a instanceof Map<?, ?> m ? m : Map.of();
        int[] budget = {1_000_000};
        for (Map.Entry<?, ?> e : fields.entrySet()) args.put(String.valueOf(e.getKey()), plain(e.getValue(), 0, budget, where));
        Object ep = top.get("epoch");
        OptionalLong epoch = ep instanceof Integer || ep instanceof Long
                ? OptionalLong.of(((Number) ep).longValue()) : OptionalLong.empty();
        return new TorchCheckpoint(Safetensors.of(tensors, Map.of("format", "pt")), Collections.unmodifiableMap(args), epoch);
    }

    private static boolean isLegacy(byte[] head) {
        if (head.length == 0 || head[0] != (byte) 0x80) return false;   // a pickle's PROTO opcode
        for (int i = 0; i + LEGACY_MAGIC.length <= head.length; i++) {
            if (Arrays.equals(head, i, i + LEGACY_MAGIC.length, LEGACY_MAGIC, 0, LEGACY_MAGIC.length)) return true;
        }
        return false;
    }

    private static Map<?, ?> stateDict(Map<?, ?> top, String where) throws CheckpointException {
        for (String key : List.of("model", "state_dict")) {
            if (top.get(key) instanceof Map<?, ?> m) {
                if (m.isEmpty()) throw new CheckpointException(where + "state dict '" + key + "' holds no tensors");
                return m;
            }
        }
        if (!top.isEmpty() && top.values().stream().allMatch(v -> v instanceof TensorRef)) return top;
        List<String> keys = top.keySet().stream().limit(10).map(k -> k instanceof String s ? s : kind(k)).toList();
        throw new CheckpointException(where + "no tensors: no 'model' or 'state_dict' dict, and the top level is not a"
                + " dict of tensors (keys " + keys + ")");
    }

    // ---------------------------------------------------------------- tensors

    /** The storages of one archive, each read once, however many tensors view it. */
    private static final class Storages {
        private final TorchZip zip;
        private final String folder, where;
        private final Map<String, byte[]> read = new HashMap<>();
        /** Floats still allowed; see the constructor. */
        private long budget;

        Storages(TorchZip zip, String folder, String where) {
            this.zip = zip;
            this.folder = folder;
            this.where = where;
            // Views of one storage (tied weights, expand()) may materialise more floats than it has
            // bytes; bounding the total by the storage bytes plus slack stops a small forged file from
            // asking for gigabytes of overlapping views, while letting real checkpoints through.
            long bytes = 0;
            for (TorchZip.Entry e : zip.entries().values()) if (e.name().startsWith(folder + "data/")) bytes += e.size();
            this.budget = bytes + VIEW_SLACK;
        }

        Tensor tensor(String name, TensorRef t) throws IOException {
            String what = where + "tensor '" + name + "': ";
            StorageRef s = t.storage();
            long[] shape = t.size(), stride = t.stride();
            String view = "size " + Arrays.toString(shape) + " and stride " + Arrays.toString(stride);
            if (shape.length != stride.length) throw new CheckpointException(what + view + " differ in rank");
            long count = 1, last = t.offset();
            try {
                for (int d = 0; d < shape.length; d++) {
                    if (shape[d] < 0 || stride[d] < 0) throw new CheckpointException(what + "negative size or stride");
                    count = Math.multiplyExact(count, shape[d]);
                    if (shape[d] > 0) last = Math.addExact(last, Math.multiplyExact(shape[d] - 1, stride[d]));
                }
            } catch (ArithmeticException e) {
                throw new CheckpointException(what + view + " overflow");
            }
            if (count > Safetensors.MAX_ELEMENTS) {
                throw new CheckpointException(what + "has " + count + " elements, more than a Java array holds ("
                        + Safetensors.MAX_ELEMENTS + ")");
            }
            if (count > 0 && (t.offset() < 0 || last >= s.numel())) {
                throw new CheckpointException(what + "storage offset " + t.offset() + ", " + view + " reach element " + last
                        + ", outside its storage '" + s.key() + "' of " + s.numel() + " elements");
            }
            if ((budget -= count) < 0) {
                throw new CheckpointException(what + "the tensors so far need more floats than the file's storages have bytes;"
                        + " refusing overlapping views this large");
            }
            byte[] bytes = storage(s, what);
            ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            float[] out = new float[(int) count];
            // Walk the view in row-major order: pos is the storage index of element i.
            long[] index = new long[shape.length];
            long pos = t.offset();
            for (int i = 0; i < out.length; i++) {
                out[i] = element(bb, (int) pos, s.type());
                for (int d = shape.length - 1; d >= 0; d--) {
                    pos += stride[d];
                    if (++index[d] < shape[d]) break;
                    pos -= stride[d] * shape[d];
                    index[d] = 0;
                }
            }
            return new Tensor(name, s.type().dtype, shape, out);
        }

        private byte[] storage(StorageRef s, String what) throws IOException {
            byte[] b = read.get(s.key());
            if (b == null) {
                String name = folder + "data/" + s.key();
                TorchZip.Entry e = zip.entries().get(name);
                if (e == null) throw new CheckpointException(what + "storage entry '" + name + "' is missing from the archive");
                b = zip.read(e, Long.MAX_VALUE);
                read.put(s.key(), b);
            }
            if (s.numel() < 0 || s.numel() > b.length / s.type().bytes) {
                throw new CheckpointException(what + "storage '" + folder + "data/" + s.key() + "' has " + b.length
                        + " bytes, too few for its " + s.numel() + " elements of " + s.type().dtype);
            }
            return b;
        }
    }

    private static float element(ByteBuffer bb, int i, TorchUnpickler.StorageType type) {
        return switch (type) {
            case FloatStorage -> bb.getFloat(4 * i);
            case HalfStorage -> Float.float16ToFloat(bb.getShort(2 * i));
            case BFloat16Storage -> Safetensors.bf16ToFloat(bb.getShort(2 * i));
            case DoubleStorage -> (float) bb.getDouble(8 * i);
            case LongStorage -> (float) bb.getLong(8 * i);
            case IntStorage -> (float) bb.getInt(4 * i);
            case ShortStorage -> bb.getShort(2 * i);
            case CharStorage -> bb.get(i);
            case ByteStorage -> Byte.toUnsignedInt(bb.get(i));
            case BoolStorage -> bb.get(i) != 0 ? 1f : 0f;
        };
    }

    // ---------------------------------------------------------------- args

    /** A pickled value as plain Java; depth and node count are bounded (a pickle can share and nest without end). */
    private static Object plain(Object o, int depth, int[] budget, String where) throws CheckpointException {
        if (depth > 64 || --budget[0] < 0) throw new CheckpointException(where + "args are nested too deeply or too large");
        return switch (o) {
            case null -> null;
            case Integer i -> i.longValue();
            case BigInteger b -> b.bitLength() < 64 ? (Object) b.longValue() : b;
            case Float f -> f.doubleValue();
            case Boolean _, Long _, Double _, String _, byte[] _ -> o;
            case Namespace ns -> plain(ns.fields(), depth, budget, where);
            case Object[] tuple -> plain(Arrays.asList(tuple), depth, budget, where);
            case Map<?, ?> m -> {
                Map<Object, Object> r = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    r.put(plain(e.getKey(), depth + 1, budget, where), plain(e.getValue(), depth + 1, budget, where));
                }
                yield Collections.unmodifiableMap(r);
            }
            case Collection<?> c -> {
                List<Object> r = new ArrayList<>();
                for (Object x : c) r.add(plain(x, depth + 1, budget, where));
                yield c instanceof List<?> ? Collections.unmodifiableList(r) : Collections.unmodifiableSet(new LinkedHashSet<>(r));
            }
            case TensorRef t -> "tensor of " + t.storage().type().dtype + " " + Arrays.toString(t.size());
            default -> String.valueOf(o);
        };
    }

    private static String kind(Object o) {
        return switch (o) {
            case null -> "None";
            case Map<?, ?> _ -> "dict";
            case String _ -> "str";
            case Integer _, Long _, BigInteger _ -> "int";
            case Double _ -> "float";
            case Boolean _ -> "bool";
            case byte[] _ -> "bytes";
            case List<?> _ -> "list";
            case Object[] _ -> "tuple";
            case TensorRef _ -> "tensor";
            case Namespace _ -> "argparse.Namespace";
            default -> o.getClass().getSimpleName();
        };
    }
}
