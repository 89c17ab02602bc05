package dev.binaryvit.kernels;

import java.lang.management.ManagementFactory;
import java.lang.management.RuntimeMXBean;
import java.util.List;

/**
 * Decides, once per JVM, whether the Vector API paths may run, and loads them by name so that
 * {@code jdk.incubator.vector} is only touched when it is there (the pattern of Lucene's
 * {@code VectorizationProvider}). When it may not, each facade uses its scalar reference and one
 * warning says why.
 */
final class Vectorization {

    /** System property overriding the vector width in bits: 128, 256 or 512. */
    static final String WIDTH_PROPERTY = "binaryvit.vectorBits";

    private static final System.Logger LOG = System.getLogger("dev.binaryvit.kernels");

    /** Null when the vector paths may run, else the reason they may not. */
    private static final String UNAVAILABLE_REASON = findReason();

    static {
        if (UNAVAILABLE_REASON != null) {
            LOG.log(System.Logger.Level.WARNING,
                    "BinaryViT kernels use the scalar reference path (much slower): " + UNAVAILABLE_REASON);
        }
    }

    private Vectorization() {}

    /** True when the Vector API paths are in use. */
    static boolean enabled() {
        return UNAVAILABLE_REASON == null;
    }

    /** Why the vector paths are off, or null when they are on. */
    static String unavailableReason() {
        return UNAVAILABLE_REASON;
    }

    /**
     * An instance of the named vector implementation when vectorization is enabled, else the
     * reference. The vector class is loaded reflectively so its imports of the incubator module are
     * never resolved when the module is absent.
     */
    static <T> T select(String vectorClassName, Class<T> type, T reference) {
        if (UNAVAILABLE_REASON != null) {
            return reference;
        }
        try {
            Class<?> c = Class.forName(vectorClassName);
            return type.cast(c.getDeclaredConstructor().newInstance());
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("cannot load the vector kernel " + vectorClassName, e);
        }
    }

    private static String findReason() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return "the module jdk.incubator.vector is not readable; start java with "
                    + "--add-modules jdk.incubator.vector";
        }
        String vm = System.getProperty("java.vm.name", "");
        if (!vm.contains("HotSpot") && !vm.contains("OpenJDK")) {
            return "the JVM '" + vm + "' is not HotSpot, whose C2 compiler is the one that turns the "
                    + "Vector API into SIMD instructions (others run it hundreds of times slower)";
        }
        if (vm.contains("Client")) {
            return "the JVM '" + vm + "' has no C2 compiler to turn the Vector API into SIMD instructions";
        }
        String info = System.getProperty("java.vm.info", "");
        if (info.contains("interpreted mode")) {
            return "the JVM runs in interpreted mode (-Xint), which does not compile the Vector API";
        }
        List<String> args = jvmArguments();
        for (String arg : args) {
            if (arg.startsWith("-XX:TieredStopAtLevel=") && !arg.endsWith("=4")) {
                return "the JVM was started with " + arg + ", which stops short of the C2 compiler";
            }
            if (arg.equals("-XX:+UseJVMCICompiler")) {
                return "the JVM uses a JVMCI compiler (Graal, -XX:+UseJVMCICompiler), not C2, for the Vector API";
            }
        }
        return null;
    }

    private static List<String> jvmArguments() {
        try {
            RuntimeMXBean runtime = ManagementFactory.getRuntimeMXBean();
            return runtime.getInputArguments();
        } catch (RuntimeException | LinkageError e) {
            return List.of(); // java.management absent: nothing more to learn
        }
    }
}
