package dev.binaryvit.model;

import com.fasterxml.jackson.databind.json.JsonMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checkpoint reader on files written by PyTorch 1.13 ({@code checkpoints/make_checkpoints.py},
 * compared with the same tensors saved as safetensors), and on hostile files built here: pickles
 * naming dangerous globals, truncations, byte flips, missing and short storages, forged sizes.
 */
class TorchCheckpointTest {

    // ---------------------------------------------------------------- fixtures

    private static Path resource(String name) {
        try {
            return Path.of(TorchCheckpointTest.class.getResource("checkpoints/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] bytes(String name) throws IOException {
        return Files.readAllBytes(resource(name));
    }

    /** The fixture's tensors as make_checkpoints.py saved them in expected.safetensors ("fixture/name"). */
    private static void assertTensors(String fixture, Safetensors got) throws IOException {
        Safetensors expected = Safetensors.read(bytes("expected.safetensors"));
        List<String> names = expected.names().stream().filter(n -> n.startsWith(fixture + "/"))
                .map(n -> n.substring(fixture.length() + 1)).toList();
        assertFalse(names.isEmpty());
        assertEquals(names, List.copyOf(got.names()), "names in the pickle's order");
        for (String n : names) {
            Tensor want = expected.tensor(fixture + "/" + n), t = got.tensor(n);
            assertEquals(n, t.name());
            assertEquals(want.dtype(), t.dtype(), n);
            assertArrayEquals(want.shape(), t.shape(), n);
            assertArrayEquals(want.data(), t.data(), n);   // bit for bit: -0.0, subnormals, infinities
        }
    }

    @Test
    void readsABareStateDictOfEveryDtype() throws IOException {
        TorchCheckpoint c = TorchCheckpoint.read(resource("state_dict.pth"));
        assertTensors("state_dict", c.tensors());
        assertArrayEquals(new long[] {}, c.tensors().tensor("scalar").shape());
        assertArrayEquals(new float[] {2.5f}, c.tensors().tensor("scalar").data());
        assertEquals("I64", c.tensors().tensor("i64").dtype());
        assertArrayEquals(new float[] {7f, -3f, 0x1p40f}, c.tensors().tensor("i64").data());
        assertEquals(Map.of(), c.args());
        assertEquals(OptionalLong.empty(), c.epoch());
    }

    @Test
    void readsViewsTransposesAndSharedStorages() throws IOException {
        TorchCheckpoint c = TorchCheckpoint.read(resource("views.pth"));
        assertTensors("views", c.tensors());
        // w = arange(12).reshape(3, 4) / 8; t = w.t(); slice = w[1:, 1:3] (storage offset 5)
        assertArrayEquals(new float[] {0, 4 / 8f, 8 / 8f, 1 / 8f}, Arrays.copyOf(c.tensors().tensor("t").data(), 4));
        assertArrayEquals(new float[] {5 / 8f, 6 / 8f, 9 / 8f, 10 / 8f}, c.tensors().tensor("slice").data());
        assertArrayEquals(new float[] {0, 1, 2, 0, 1, 2}, c.tensors().tensor("expanded").data());
    }

    @Test
    void readsATrainingCheckpoint() throws IOException {
        TorchCheckpoint c = TorchCheckpoint.read(resource("training.pth"));
        assertTensors("training", c.tensors());
        assertEquals("I64", c.tensors().tensor("1.num_batches_tracked").dtype());
        assertEquals(OptionalLong.of(7), c.epoch());

        @SuppressWarnings("unchecked")
        Map<String, Object> json = JsonMapper.builder().build().readValue(bytes("expected_args.json"), Map.class);
        assertEquals(longs(json.get("args")), c.args());
        Map<String, Object> a = c.args();
        assertEquals("binaryvit_small", a.get("model"));
        assertEquals(true, a.get("replace_ln_bn"));
        assertEquals(false, a.get("avg_res5"));
        assertEquals(300L, a.get("epochs"));
        assertEquals(-7L, a.get("seed"));
        assertEquals(1L << 40, a.get("big"));
        assertEquals(5e-4, a.get("lr"));
        assertTrue(a.containsKey("teacher_model") && a.get("teacher_model") == null);
        assertEquals(List.of(0.485, 0.456, 0.406), a.get("mean"));
        assertEquals(List.of(0.9, 0.999), a.get("betas"));   // a tuple
        assertEquals(List.copyOf(((Map<?, ?>) json.get("args")).keySet()), List.copyOf(a.keySet()), "the Namespace's order");
    }

    /** JSON numbers as the reader gives integers: Long. */
    private static Object longs(Object o) {
        return switch (o) {
            case null -> null;
            case Integer i -> i.longValue();
            case List<?> l -> l.stream().map(TorchCheckpointTest::longs).toList();
            case Map<?, ?> m -> m.entrySet().stream().collect(LinkedHashMap::new,
                    (r, e) -> r.put(e.getKey(), longs(e.getValue())), Map::putAll);
            default -> o;
        };
    }

    @Test
    void readsArgsOfEveryPlainType() throws CheckpointException {
        String namespace = "cargparse\nNamespace\n)\u0081}(Vflag\n\u0088"
                + "Vraw\nc_codecs\nencode\n(Vab\u00ff\nVlatin1\ntR"          // protocol 2's bytes
                + "Vids\nc__builtin__\nset\n((I1\nI2\nltR"
                + "Vhuge\nL123456789012345678901234567890L\n"
                + "Vnested\n}Vk\nF0.5\ns"
                + "Vtuple\n(I1\nVa\nN\u0089t"
                + "Vsize\nctorch\nSize\n((I2\nI3\nttR"
                + "ub";
        TorchCheckpoint c = TorchCheckpoint.read(archive("}Vmodel\n}Vw\n" + tensor("FloatStorage", "0", 6, 0, new long[] {6}, new long[] {1})
                + "ssVepoch\nI12\nsVargs\n" + namespace + "s."), "args.pth");
        Map<String, Object> a = c.args();
        assertEquals(List.of("flag", "raw", "ids", "huge", "nested", "tuple", "size"), List.copyOf(a.keySet()));
        assertEquals(true, a.get("flag"));
        assertArrayEquals(new byte[] {'a', 'b', (byte) 0xff}, (byte[]) a.get("raw"));
        assertEquals(java.util.Set.of(1L, 2L), a.get("ids"));
        assertEquals(new java.math.BigInteger("123456789012345678901234567890"), a.get("huge"));
        assertEquals(Map.of("k", 0.5), a.get("nested"));
        assertEquals(Arrays.asList(1L, "a", null, false), a.get("tuple"));
        assertEquals(List.of(2L, 3L), a.get("size"));
        assertEquals(OptionalLong.of(12), c.epoch());
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, c.tensors().tensor("w").data());
    }

    @Test
    void stripsTheDataParallelPrefixOfAStateDictPickledWithProtocol4() throws IOException {
        TorchCheckpoint c = TorchCheckpoint.read(resource("module_prefix.pth"));
        assertTensors("module_prefix", c.tensors());
        assertEquals(List.of("weight", "bias"), List.copyOf(c.tensors().names()));
        assertEquals("F16", c.tensors().tensor("bias").dtype());
        assertEquals(OptionalLong.of(3), c.epoch());
    }

    @Test
    void readsAHuggingFacePytorchModelBin() throws IOException {
        byte[] b = bytes("pytorch_model.bin");
        assertTensors("pytorch_model", TorchCheckpoint.read(b, "pytorch_model.bin").tensors());   // folder "archive/"
        assertTensors("pytorch_model", TorchCheckpoint.read(b, null).tensors());
    }

    @Test
    void readsZip64EntryFields() throws IOException {
        Map<String, byte[]> e = entries("views.pth");
        assertTensors("views", TorchCheckpoint.read(zip(e, true), "zip64").tensors());
        assertTensors("views", TorchCheckpoint.read(zip(e, false), "plain").tensors());
    }

    @Test
    void refusesTheLegacyFormatWithAdvice() {
        CheckpointException e = assertThrows(CheckpointException.class, () -> TorchCheckpoint.read(resource("legacy.pth")));
        assertTrue(e.getMessage().startsWith(resource("legacy.pth") + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("legacy torch.save format (PyTorch before 1.6)") && e.getMessage().contains("torch.save(obj, f)"),
                e.getMessage());
    }

    // ---------------------------------------------------------------- hostile pickles

    @Test
    void refusesDangerousGlobalsBeforeRunningThem() throws IOException {
        Path pwned = Path.of(System.getProperty("java.io.tmpdir"), "pwned-" + UUID.randomUUID());
        String cmd = "touch " + pwned, expr = "__import__('os').system('" + cmd + "')";
        String[] pickles = {
                "cos\nsystem\n(S'" + cmd + "'\ntR.",                                       // protocol 0 GLOBAL, REDUCE
                "\u0080\u0004\u008c\u0008builtins\u008c\u0004eval\u0093\u008c" + (char) expr.length() + expr
                        + "\u0085R.",                                                        // protocol 4 STACK_GLOBAL
                "(S'" + cmd + "'\nisubprocess\nPopen\n.",                                    // INST
                "}Vw\n" + tensor("FloatStorage", "0", 6, 0, new long[] {6}, new long[] {1})
                        + "sVx\ncposix\nsystem\n(S'" + cmd + "'\ntRs.",                      // behind a valid tensor
        };
        String[] globals = {"os.system", "builtins.eval", "subprocess.Popen", "posix.system"};
        for (int i = 0; i < pickles.length; i++) {
            int k = i;
            CheckpointException e = assertThrows(CheckpointException.class,
                    () -> TorchCheckpoint.read(archive(pickles[k]), "evil.pth"));
            assertEquals("evil.pth: refusing to unpickle global '" + globals[i] + "' (not a tensor, storage or plain container)",
                    e.getMessage());
        }
        assertFalse(Files.exists(pwned));
    }

    @Test
    void refusesAnUnknownStorageClass() {
        CheckpointException e = assertThrows(CheckpointException.class, () -> TorchCheckpoint.read(
                archive("}Vw\n" + tensor("ComplexFloatStorage", "0", 3, 0, new long[] {3}, new long[] {1}) + "s."), "c.pth"));
        assertTrue(e.getMessage().startsWith("c.pth: unsupported storage class 'torch.ComplexFloatStorage'"), e.getMessage());
    }

    @Test
    void refusesViewsOutsideTheirStorage() {
        // a storage of 6 floats: offset 5 + 2 elements reaches index 6
        assertRefused("tensor 'w': storage offset 5, size [2] and stride [1] reach element 6, outside its storage '0' of 6 elements",
                archive("}Vw\n" + tensor("FloatStorage", "0", 6, 5, new long[] {2}, new long[] {1}) + "s."));
        assertRefused("tensor 'w': storage offset 0, size [2, 3] and stride [4, 1] reach element 6",
                archive("}Vw\n" + tensor("FloatStorage", "0", 6, 0, new long[] {2, 3}, new long[] {4, 1}) + "s."));
        assertRefused("tensor 'w': negative size or stride",
                archive("}Vw\n" + tensor("FloatStorage", "0", 6, 0, new long[] {2}, new long[] {-1}) + "s."));
        assertRefused("tensor 'w': size [2] and stride [1, 1] differ in rank",
                archive("}Vw\n" + tensor("FloatStorage", "0", 6, 0, new long[] {2}, new long[] {1, 1}) + "s."));
    }

    @Test
    void refusesForgedSizesBeforeAllocating() {
        assertRefused("tensor 'w': has 4294967296 elements, more than a Java array holds",
                archive("}Vw\n" + tensor("FloatStorage", "0", 6, 0, new long[] {65536, 65536}, new long[] {0, 0}) + "s."));
        assertRefused("tensor 'w': size [4611686018427387904, 4] and stride [0, 0] overflow",
                archive("}Vw\n" + tensor("FloatStorage", "0", 6, 0, new long[] {1L << 62, 4}, new long[] {0, 0}) + "s."));
        // 2^30 floats (4 GB) viewed through stride 0 from a 24-byte storage
        assertRefused("tensor 'w': the tensors so far need more floats than the file's storages have bytes",
                archive("}Vw\n" + tensor("FloatStorage", "0", 6, 0, new long[] {1 << 30}, new long[] {0}) + "s."));
        // a storage claiming 2^40 elements over its 24 bytes
        assertRefused("tensor 'w': storage 'archive/data/0' has 24 bytes, too few for its 1099511627776 elements of F32",
                archive("}Vw\n" + tensor("FloatStorage", "0", 1L << 40, 0, new long[] {2}, new long[] {1}) + "s."));
        // BINUNICODE claiming 2 GB of text
        assertRefused("is not a valid pickle (PickleException: length 2147483647 runs past the end of the data)",
                archive("\u0080\u0002X\u00ff\u00ff\u00ff\u007f."));
    }

    @Test
    void refusesCheckpointsWithoutTensors() {
        assertRefused("the pickled object has type list, not dict (save a model's state_dict(), not the model)", archive("]."));
        assertRefused("no tensors: no 'model' or 'state_dict' dict, and the top level is not a dict of tensors (keys [epoch])",
                archive("}Vepoch\nI3\ns."));
        assertRefused("state dict 'model' holds no tensors", archive("}Vmodel\n}s."));
        assertRefused("state dict entry 'w' has type int, not tensor", archive("}Vmodel\n}Vw\nI3\nss."));
        assertRefused("state dict key 3 has type int, not str",
                archive("}Vmodel\n}I3\n" + tensor("FloatStorage", "0", 6, 0, new long[] {6}, new long[] {1}) + "ss."));
    }

    @Test
    void refusesMalformedPickles() {
        assertRefused("archive/data.pkl is not a valid pickle", archive("\u0080\u0002garbage"));
        assertRefused("archive/data.pkl is not a valid pickle", archive(""));
        assertRefused("archive/data.pkl is not a valid pickle", archive("}Vw\n" + "ctorch\nFloatStorage\n(tRs."));
        assertRefused("archive/data.pkl is not a valid pickle", archive("}Vw\n(Vstorage\nctorch\nFloatStorage\nV0\ntQs."));
        assertRefused("archive/data.pkl is not a valid pickle", archive("(((((((((ls."));
    }

    // ---------------------------------------------------------------- hostile archives

    @Test
    void refusesFilesThatAreNotCheckpoints(@TempDir Path dir) throws IOException {
        assertRefused("file is empty", new byte[0]);
        assertRefused("not a PyTorch checkpoint: not a zip archive", "hello, world".getBytes(StandardCharsets.US_ASCII));
        assertRefused("no zip end record found", Arrays.copyOf(bytes("views.pth"), 100));

        Map<String, byte[]> e = entries("views.pth");
        e.remove("views/data.pkl");
        assertRefused("no <folder>/data.pkl entry: not a torch.save archive", zip(e, false));

        e = entries("views.pth");
        e.put("views/byteorder", "big".getBytes(StandardCharsets.US_ASCII));
        assertRefused("saved on a big-endian machine (byteorder 'big')", zip(e, false));

        // read(Path) names the file
        Path f = dir.resolve("broken.pth");
        Files.write(f, new byte[] {'P', 'K', 3, 4});
        CheckpointException x = assertThrows(CheckpointException.class, () -> TorchCheckpoint.read(f));
        assertEquals(f + ": no zip end record found: the file is truncated or not a zip archive", x.getMessage());
    }

    @Test
    void refusesAMissingOrShortStorage() throws IOException {
        Map<String, byte[]> e = entries("views.pth");
        assertTrue(e.containsKey("views/data/1"));
        e.remove("views/data/1");
        assertRefused("storage entry 'views/data/1' is missing from the archive", zip(e, false));

        e = entries("views.pth");
        e.put("views/data/0", Arrays.copyOf(e.get("views/data/0"), 20));   // w has 12 floats
        assertRefused("tensor 'w': storage 'views/data/0' has 20 bytes, too few for its 12 elements of F32", zip(e, false));
    }

    @Test
    void refusesACorruptStorageByItsCrc() throws IOException {
        byte[] b = bytes("views.pth");
        byte[] w = entries("views.pth").get("views/data/0");
        int at = indexOf(b, w) + 5;
        b[at] ^= 0x10;
        assertRefused("zip entry 'views/data/0' fails its CRC-32 check: the file is corrupt", b);
    }

    @Test
    void everyTruncationIsRefused() throws IOException {
        for (String name : List.of("views.pth", "training.pth")) {
            byte[] b = bytes(name);
            int step = b.length < 2000 ? 1 : 7;
            List<Integer> lengths = new ArrayList<>();
            for (int len = 0; len < b.length; len += step) lengths.add(len);
            // around the end records: 22 (end), 20 (zip64 locator), 56 (zip64 end record)
            for (int back : new int[] {1, 2, 21, 22, 23, 41, 42, 43, 97, 98, 99}) lengths.add(b.length - back);
            for (int len : lengths) {
                byte[] cut = Arrays.copyOf(b, len);
                CheckpointException e = assertThrows(CheckpointException.class, () -> TorchCheckpoint.read(cut, name),
                        name + " cut at " + len);
                assertOneLine(e);
            }
        }
    }

    @Test
    void randomByteFlipsAreReadOrRefused() throws IOException {
        for (String name : List.of("views.pth", "training.pth", "module_prefix.pth")) {
            byte[] valid = bytes(name);
            for (int seed = 0; seed < 400; seed++) {
                SplittableRandom r = new SplittableRandom(seed);
                byte[] b = valid.clone();
                for (int k = 1 + r.nextInt(4); k > 0; k--) {
                    // a third of the flips in the last 200 bytes, where the zip's directory is
                    int pos = r.nextInt(3) == 0 ? b.length - 1 - r.nextInt(Math.min(200, b.length)) : r.nextInt(b.length);
                    b[pos] ^= (byte) (1 + r.nextInt(255));
                }
                readOrRefuse(b, name + " seed " + seed);
            }
        }
    }

    /** Byte flips inside data.pkl, the zip rebuilt around it with a valid CRC, so they reach the unpickler. */
    @Test
    void randomPickleMutationsAreReadOrRefused() throws IOException {
        for (String name : List.of("training.pth", "module_prefix.pth", "views.pth")) {
            Map<String, byte[]> e = entries(name);
            String pkl = e.keySet().stream().filter(n -> n.endsWith("/data.pkl")).findFirst().orElseThrow();
            byte[] valid = e.get(pkl);
            for (int seed = 0; seed < 700; seed++) {
                SplittableRandom r = new SplittableRandom(seed);
                byte[] p = valid.clone();
                if (r.nextInt(10) == 0) {
                    p = Arrays.copyOf(p, r.nextInt(p.length));                   // cut
                } else {
                    for (int k = 1 + r.nextInt(3); k > 0; k--) p[r.nextInt(p.length)] = (byte) r.nextInt(256);
                }
                e.put(pkl, p);
                readOrRefuse(zip(e, false), name + " seed " + seed);
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private static TorchCheckpoint readOrRefuse(byte[] b, String what) {
        try {
            TorchCheckpoint c = TorchCheckpoint.read(b, what);
            assertFalse(c.tensors().names().isEmpty(), what);
            return c;
        } catch (CheckpointException e) {
            assertOneLine(e);
            return null;
        }
    }

    private static void assertOneLine(CheckpointException e) {
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank() && !e.getMessage().contains("\n"), e.getMessage());
    }

    private static void assertRefused(String message, byte[] file) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> TorchCheckpoint.read(file, "f.pth"));
        assertTrue(e.getMessage().startsWith("f.pth: ") && e.getMessage().contains(message), e.getMessage());
        assertOneLine(e);
    }

    private static int indexOf(byte[] b, byte[] part) {
        for (int i = 0; i + part.length <= b.length; i++) if (Arrays.equals(b, i, i + part.length, part, 0, part.length)) return i;
        throw new AssertionError("not found");
    }

    /**
     * A protocol 0 pickle of {@code _rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())}
     * over the persistent id {@code ('storage', torch.<storageClass>, key, 'cpu', numel)}.
     */
    private static String tensor(String storageClass, String key, long numel, long offset, long[] size, long[] stride) {
        return "ctorch._utils\n_rebuild_tensor_v2\n((Vstorage\nctorch\n" + storageClass + "\nV" + key + "\nVcpu\nI" + numel
                + "\ntQI" + offset + "\n" + tuple(size) + tuple(stride) + "\u0089ccollections\nOrderedDict\n)RtR";
    }

    private static String tuple(long[] v) {
        return Arrays.stream(v).mapToObj(x -> "I" + x + "\n").collect(Collectors.joining("", "(", "t"));
    }

    /** An archive "archive/" with the given pickle (chars as bytes) and one storage "0" of six floats 0..5. */
    private static byte[] archive(String pickle) {
        Map<String, byte[]> e = new LinkedHashMap<>();
        e.put("archive/data.pkl", pickle.getBytes(StandardCharsets.ISO_8859_1));
        java.nio.ByteBuffer data = java.nio.ByteBuffer.allocate(24).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 6; i++) data.putFloat(i);
        e.put("archive/data/0", data.array());
        e.put("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        return zip(e, false);
    }

    /** A fixture's entries, in order. */
    private static Map<String, byte[]> entries(String name) throws IOException {
        Map<String, byte[]> e = new LinkedHashMap<>();
        try (ZipFile z = new ZipFile(resource(name).toFile())) {
            for (ZipEntry x : z.stream().toList()) {
                try (InputStream in = z.getInputStream(x)) {
                    e.put(x.getName(), in.readAllBytes());
                }
            }
        }
        return e;
    }

    /** Little-endian fields for the zip writer. */
    private static final class Le extends ByteArrayOutputStream {
        Le i16(long v) {
            write((int) v);
            write((int) (v >>> 8));
            return this;
        }

        Le i32(long v) {
            return i16(v).i16(v >>> 16);
        }

        Le i64(long v) {
            return i32(v).i32(v >>> 32);
        }

        Le put(byte[] b) {
            writeBytes(b);
            return this;
        }
    }

    /**
     * A zip of stored entries. With {@code zip64}, every size and offset in the central directory
     * is 0xFFFFFFFF with the value in a zip64 extra field, and the end record points to a zip64 one.
     */
    static byte[] zip(Map<String, byte[]> entries, boolean zip64) {
        Le out = new Le(), cd = new Le();
        long big = 0xFFFFFFFFL;
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8), data = e.getValue();
            CRC32 crc = new CRC32();
            crc.update(data);
            long offset = out.size();
            out.i32(0x04034b50).i16(20).i16(0).i16(0).i32(0).i32(crc.getValue()).i32(data.length).i32(data.length)
                    .i16(name.length).i16(0).put(name).put(data);
            cd.i32(0x02014b50).i16(45).i16(45).i16(0).i16(0).i32(0).i32(crc.getValue())
                    .i32(zip64 ? big : data.length).i32(zip64 ? big : data.length).i16(name.length).i16(zip64 ? 28 : 0)
                    .i16(0).i16(0).i16(0).i32(0).i32(zip64 ? big : offset).put(name);
            if (zip64) cd.i16(1).i16(24).i64(data.length).i64(data.length).i64(offset);
        }
        long cdOffset = out.size(), n = entries.size();
        out.put(cd.toByteArray());
        if (zip64) {
            long z = out.size();
            out.i32(0x06064b50).i64(44).i16(45).i16(45).i32(0).i32(0).i64(n).i64(n).i64(cd.size()).i64(cdOffset);
            out.i32(0x07064b50).i32(0).i64(z).i32(1);
        }
        out.i32(0x06054b50).i16(0).i16(0).i16(zip64 ? 0xFFFF : n).i16(zip64 ? 0xFFFF : n)
                .i32(zip64 ? big : cd.size()).i32(zip64 ? big : cdOffset).i16(0);
        return out.toByteArray();
    }
}
