package dev.binaryvit.model;

import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;
import net.razorvine.pickle.objects.ByteArrayConstructor;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The {@code data.pkl} of a torch.save archive unpickled the way {@code torch.load(weights_only=True)}
 * does it: a global outside a short allow-list (tensor rebuilders, storage classes, plain containers)
 * is refused when the pickle names it, before anything is constructed or called. Tensors come out
 * as {@link TensorRef}s, which say where the data is but read none of it; dicts keep their order.
 */
final class TorchUnpickler extends Unpickler {

    /** The typed storage classes of a persistent id, with the safetensors name of their dtype. */
    enum StorageType implements IObjectConstructor {
        FloatStorage("F32", 4), HalfStorage("F16", 2), BFloat16Storage("BF16", 2), DoubleStorage("F64", 8),
        LongStorage("I64", 8), IntStorage("I32", 4), ShortStorage("I16", 2), CharStorage("I8", 1),
        ByteStorage("U8", 1), BoolStorage("BOOL", 1);

        final String dtype;
        final int bytes;

        StorageType(String dtype, int bytes) {
            this.dtype = dtype;
            this.bytes = bytes;
        }

        @Override
        public Object construct(Object[] args) {
            throw new PickleException("torch." + name() + " called (a storage class belongs in a persistent id only)");
        }
    }

    /** {@code numel} elements of {@code type} in the archive entry {@code data/<key>}. */
    record StorageRef(String key, StorageType type, long numel) {}

    /** A tensor as {@code _rebuild_tensor_v2} describes it; validated only when it is read. */
    record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {}

    /** An {@code argparse.Namespace}: its attributes. */
    record Namespace(Map<String, Object> fields) {}

    private static final Map<String, IObjectConstructor> ALLOWED = new HashMap<>();

    static {
        for (StorageType t : StorageType.values()) ALLOWED.put("torch." + t.name(), t);
        ALLOWED.put("torch._utils._rebuild_tensor_v2", TorchUnpickler::rebuildTensor);
        IObjectConstructor parameter = args -> {
            if (args.length < 1 || !(args[0] instanceof TensorRef t)) throw new PickleException("_rebuild_parameter of a non-tensor");
            return t;
        };
        ALLOWED.put("torch._utils._rebuild_parameter", parameter);
        ALLOWED.put("torch._utils._rebuild_parameter_with_state", parameter);
        ALLOWED.put("collections.OrderedDict", TorchUnpickler::orderedDict);
        ALLOWED.put("argparse.Namespace", args -> new Namespace(new LinkedHashMap<>()));
        ALLOWED.put("torch.Size", args -> new ArrayList<>(args.length == 1 ? sequence(args[0], "torch.Size") : List.of()));
        ALLOWED.put("_codecs.encode", new ByteArrayConstructor());   // protocol 2 writes bytes as encode(str, 'latin1')
        for (String builtins : List.of("builtins.", "__builtin__.")) {
            ALLOWED.put(builtins + "bytearray", new ByteArrayConstructor());
            ALLOWED.put(builtins + "set", args -> new LinkedHashSet<>(args.length == 1 ? sequence(args[0], "set") : List.of()));
            ALLOWED.put(builtins + "frozenset", ALLOWED.get(builtins + "set"));
        }
    }

    /** A byte-array stream that can check a length before the library allocates for it. */
    private static final class Input extends ByteArrayInputStream {
        Input(byte[] b) {
            super(b);
        }

        /** Refuses a little-endian length prefix of {@code width} bytes that runs past the data. */
        void checkLength(int width) {
            if (count - pos < width) return;   // the library reports the end of the data
            long n = 0;
            for (int i = width - 1; i >= 0; i--) n = n << 8 | (buf[pos + i] & 0xff);
            if (width == 4) n = (int) n;        // 4-byte lengths are signed in the library
            if (n < 0 || n > count - pos - width) throw new PickleException("length " + n + " runs past the end of the data");
        }

        /** Refuses a text line longer than {@code max} bytes (BigInteger parses huge ones for minutes). */
        void checkLine(int max) {
            for (int i = pos; i < count && i <= pos + max; i++) if (buf[i] == '\n') return;
            if (count - pos > max) throw new PickleException("text number longer than " + max + " digits");
        }
    }

    private final String where;
    private Input in;

    private TorchUnpickler(String where) {
        this.where = where;
    }

    /**
     * Unpickles {@code pickle}. A refused global or an unknown storage class raises a
     * {@link CheckpointException} naming it; anything else wrong comes out of the library as an
     * {@link IOException} or a {@link RuntimeException}, which the caller reports as a malformed pickle.
     */
    static Object unpickle(byte[] pickle, String where) throws IOException {
        TorchUnpickler u = new TorchUnpickler(where);
        u.in = new Input(pickle);
        return u.load(u.in);
    }

    @Override
    protected Object dispatch(short key) throws IOException {
        switch (key) {
            case Opcodes.GLOBAL -> stack.add(global(PickleUtils.readline(input), PickleUtils.readline(input)));
            case Opcodes.STACK_GLOBAL -> {
                Object name = stack.pop(), module = stack.pop();
                if (!(module instanceof String m) || !(name instanceof String n)) {
                    throw new PickleException("STACK_GLOBAL of non-strings");
                }
                stack.add(global(m, n));
            }
            case Opcodes.INST -> {
                IObjectConstructor c = global(PickleUtils.readline(input), PickleUtils.readline(input));
                stack.add(c.construct(stack.pop_all_since_marker().toArray()));
            }
            // The library makes HashMaps and fills SETITEMS through one: keep the pickle's order instead.
            case Opcodes.EMPTY_DICT -> stack.add(new LinkedHashMap<>());
            case Opcodes.DICT -> stack.add(putPairs(new LinkedHashMap<>(), stack.pop_all_since_marker()));
            case Opcodes.SETITEMS -> {
                List<Object> items = stack.pop_all_since_marker();
                if (!(stack.peek() instanceof Map<?, ?> m)) throw new PickleException("SETITEMS on a non-dict");
                putPairs(m, items);
            }
            case Opcodes.BUILD -> build(stack.pop(), stack.peek());
            // Believe a length prefix only if that many bytes follow, so a forged one allocates nothing.
            case Opcodes.BINSTRING, Opcodes.BINUNICODE, Opcodes.BINBYTES, Opcodes.LONG4 -> {
                in.checkLength(4);
                super.dispatch(key);
            }
            case Opcodes.BINUNICODE8, Opcodes.BINBYTES8, Opcodes.BYTEARRAY8 -> {
                in.checkLength(8);
                super.dispatch(key);
            }
            case Opcodes.LONG -> {
                in.checkLine(10_000);
                super.dispatch(key);
            }
            default -> {
                return super.dispatch(key);
            }
        }
        return NO_RETURN_VALUE;
    }

    private IObjectConstructor global(String module, String name) throws CheckpointException {
        String global = module + "." + name;
        IObjectConstructor c = ALLOWED.get(global);
        if (c != null) return c;
        if (global.length() > 200) global = global.substring(0, 200) + "...";
        if (module.equals("torch") && name.endsWith("Storage")) {
            throw new CheckpointException(where + "unsupported storage class '" + global + "' (supported: "
                    + Arrays.toString(StorageType.values()) + ")");
        }
        throw new CheckpointException(where + "refusing to unpickle global '" + global
                + "' (not a tensor, storage or plain container)");
    }

    /** Persistent ids name storages: {@code ('storage', torch.FloatStorage, '0', 'cpu', numel)}. */
    @Override
    protected Object persistentLoad(Object pid) {
        if (pid instanceof Object[] t && t.length == 5 && "storage".equals(t[0]) && t[1] instanceof StorageType type
                && t[2] instanceof String key && t[4] instanceof Number numel && (numel instanceof Integer || numel instanceof Long)) {
            return new StorageRef(key, type, numel.longValue());
        }
        throw new PickleException("persistent id is not ('storage', <storage class>, key, location, numel)");
    }

    /** {@code _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])}. */
    private static Object rebuildTensor(Object[] a) {
        if (a.length < 4 || !(a[0] instanceof StorageRef s) || !(a[1] instanceof Integer || a[1] instanceof Long)) {
            throw new PickleException("_rebuild_tensor_v2 called without (storage, storage_offset, size, stride)");
        }
        return new TensorRef(s, ((Number) a[1]).longValue(), longs(a[2]), longs(a[3]));
    }

    private static long[] longs(Object o) {
        List<?> l = sequence(o, "size or stride");
        long[] v = new long[l.size()];
        for (int i = 0; i < v.length; i++) {
            if (!(l.get(i) instanceof Integer || l.get(i) instanceof Long)) {
                throw new PickleException("size or stride holds a " + kind(l.get(i)));
            }
            v[i] = ((Number) l.get(i)).longValue();
        }
        return v;
    }

    private static List<?> sequence(Object o, String what) {
        if (o instanceof Object[] t) return Arrays.asList(t);
        if (o instanceof List<?> l) return l;
        throw new PickleException(what + " of a " + kind(o));
    }

    /** {@code OrderedDict()}, or protocol 0's {@code OrderedDict([[k, v], ...])}. */
    private static Object orderedDict(Object[] args) {
        Map<Object, Object> m = new LinkedHashMap<>();
        if (args.length == 1) {
            for (Object pair : sequence(args[0], "OrderedDict items")) putPairs(m, sequence(pair, "OrderedDict item"));
        } else if (args.length > 1) {
            throw new PickleException("OrderedDict called with " + args.length + " arguments");
        }
        return m;
    }

    @SuppressWarnings("unchecked")
    private static Map<?, ?> putPairs(Map<?, ?> m, List<?> kv) {
        if (kv.size() % 2 != 0) throw new PickleException("odd number of dict items");
        for (int i = 0; i < kv.size(); i += 2) ((Map<Object, Object>) m).put(kv.get(i), kv.get(i + 1));
        return m;
    }

    /** BUILD sets attributes: a Namespace's fields; a state dict's {@code _metadata}, which is not needed. */
    private static void build(Object state, Object target) {
        if (target instanceof Namespace ns && state instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) ns.fields().put(String.valueOf(e.getKey()), e.getValue());
        } else if (!(target instanceof Map<?, ?> && state instanceof Map<?, ?>)) {
            throw new PickleException("BUILD of a " + kind(state) + " on a " + kind(target));
        }
    }

    private static String kind(Object o) {
        return o == null ? "None" : o instanceof IObjectConstructor ? "global" : o.getClass().getSimpleName();
    }
}
