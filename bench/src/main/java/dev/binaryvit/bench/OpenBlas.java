package dev.binaryvit.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * Loads OpenBLAS (bytedeco's {@code openblas_nolapack} preset, linux-x86_64 natives) for the
 * float baseline, on one thread, and says what it loaded, or why it could not. Nothing here
 * throws: a machine without the natives gets a report that says so.
 */
final class OpenBlas {

    private static final Status STATUS = load();

    private OpenBlas() {}

    /** What loading OpenBLAS gave: {@code loaded}, and either its details or the error. */
    record Status(boolean loaded, String error, Map<String, String> details) {}

    static Status status() {
        return STATUS;
    }

    /** Throws with the load error when OpenBLAS is not usable: for a benchmark's setup. */
    static void require() {
        if (!STATUS.loaded()) {
            throw new IllegalStateException("OpenBLAS is not available: " + STATUS.error());
        }
    }

    private static Status load() {
        try {
            String jni = Loader.load(openblas_nolapack.class);
            // One thread: the baseline is one core against one core. OPENBLAS_NUM_THREADS is read
            // when the library starts; the call covers a library that started with more.
            openblas_nolapack.blas_set_num_threads(1);
            Map<String, String> details = new LinkedHashMap<>();
            details.put("version", openblas_nolapack.OPENBLAS_VERSION.replace("OpenBLAS", "").trim());
            details.put("threads", Integer.toString(openblas_nolapack.blas_get_num_threads()));
            details.put("build_corename", openblas_nolapack.OPENBLAS_CHAR_CORENAME);
            runtimeCore(jni).ifPresent(core -> details.put("runtime_corename", core));
            for (String env : new String[] {"OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS"}) {
                String value = System.getenv(env);
                if (value != null) {
                    details.put("env " + env, value);
                }
            }
            return new Status(true, null, Map.copyOf(details));
        } catch (Throwable e) { // UnsatisfiedLinkError, NoClassDefFoundError, ...: report, never crash
            return new Status(false, e.getClass().getSimpleName() + ": " + e.getMessage(), Map.of());
        }
    }

    /**
     * The kernel set OpenBLAS chose for this CPU at run time ({@code openblas_get_corename}, which the
     * preset does not map), looked up with the FFM API in the library the preset loaded; empty when
     * that fails.
     */
    private static Optional<String> runtimeCore(String jniPath) {
        try {
            if (jniPath == null) {
                return Optional.empty();
            }
            Path lib = null;
            for (String name : new String[] {"libopenblas_nolapack.so.0", "libopenblas.so.0"}) {
                Path candidate = Path.of(jniPath).resolveSibling(name);
                if (Files.exists(candidate)) {
                    lib = candidate;
                    break;
                }
            }
            if (lib == null) {
                return Optional.empty();
            }
            Linker linker = Linker.nativeLinker();
            SymbolLookup lookup = SymbolLookup.libraryLookup(lib, Arena.global());
            MethodHandle corename = linker.downcallHandle(lookup.findOrThrow("openblas_get_corename"),
                    FunctionDescriptor.of(ValueLayout.ADDRESS));
            MemorySegment name = (MemorySegment) corename.invokeExact();
            return Optional.of(name.reinterpret(256).getString(0));
        } catch (Throwable e) {
            return Optional.empty();
        }
    }
}
