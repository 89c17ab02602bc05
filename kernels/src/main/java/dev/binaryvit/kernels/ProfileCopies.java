package dev.binaryvit.kernels;

import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One copy of a class per key, each a hidden class of its own, so that the JIT profiles each copy
 * apart. A loop that serves several forms (which optional stages a GEMM epilogue has, say) is
 * compiled once for the branches all of them take: every optional stage stays in the loop and its
 * state in registers, and the loop ran 1.3 to 2 times slower than when it only ever saw one form
 * (fc1's epilogue at 3136x64x512, after three other forms had run). A copy per form sees only its
 * own branches, and C2 leaves the others out.
 *
 * <p>The copied class must be a top-level class of this package with a no-argument constructor,
 * whose instances are used through {@code base}. When a copy cannot be made (its class file is not
 * readable as a resource, or the JVM refuses it), {@link #get} returns the shared instance: the
 * same code, only profiled together (logged once, at INFO, with the reason).
 */
final class ProfileCopies<T> {

    private final Class<T> base;
    private final Class<? extends T> type;
    private final T shared;
    private final AtomicReferenceArray<T> copies;
    private volatile boolean told;

    /** Copies of {@code type}, seen as {@code base}, for keys in {@code [0, keys)}. */
    ProfileCopies(Class<T> base, Class<? extends T> type, T shared, int keys) {
        this.base = base;
        this.type = type;
        this.shared = shared;
        this.copies = new AtomicReferenceArray<>(keys);
    }

    /** The copy for this key, made on first use. */
    T get(int key) {
        T copy = copies.get(key);
        if (copy == null) {
            copy = copy();
            if (!copies.compareAndSet(key, null, copy)) {
                copy = copies.get(key);
            }
        }
        return copy;
    }

    private T copy() {
        try (InputStream in = type.getResourceAsStream(type.getSimpleName() + ".class")) {
            if (in == null) {
                return shareInstead("no class file " + type.getSimpleName() + ".class to copy");
            }
            MethodHandles.Lookup lookup = MethodHandles.lookup().defineHiddenClass(in.readAllBytes(), true);
            Object instance = lookup.findConstructor(lookup.lookupClass(), MethodType.methodType(void.class)).invoke();
            return base.cast(instance);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) { // no copy: the shared code is as right, only profiled with the other keys
            return shareInstead(e.toString());
        }
    }

    private T shareInstead(String reason) {
        if (!told) {
            told = true;
            System.getLogger("dev.binaryvit.kernels").log(System.Logger.Level.INFO,
                    "no profile copies of " + type.getName() + " (" + reason + "): its forms share one compiled copy");
        }
        return shared;
    }
}
