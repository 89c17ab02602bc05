package dev.binaryvit.kernels;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;

/** The copies themselves; that each copy computes what the reference does is GemmPropertiesTest's, whose vector calls go through them. */
class ProfileCopiesTest {

    @Test
    void eachKeyGetsAHiddenCopyOfItsOwn() {
        VectorGemmEpilogue shared = new VectorGemmEpilogue();
        ProfileCopies<GemmEpilogue> copies = new ProfileCopies<>(GemmEpilogue.class, VectorGemmEpilogue.class,
                shared, 4);
        GemmEpilogue a = copies.get(1);
        GemmEpilogue b = copies.get(2);
        assertTrue(a.getClass().isHidden(), a.getClass() + " is not a hidden copy");
        assertNotSame(a.getClass(), b.getClass());
        assertNotSame(VectorGemmEpilogue.class, a.getClass());
        assertSame(a, copies.get(1));
    }

    @Test
    void aClassWithoutAClassFileIsSharedUncopied() {
        IntUnaryOperator lambda = x -> x + 1; // a lambda's class has no class file to copy
        @SuppressWarnings("unchecked")
        Class<IntUnaryOperator> type = (Class<IntUnaryOperator>) lambda.getClass();
        ProfileCopies<IntUnaryOperator> copies = new ProfileCopies<>(IntUnaryOperator.class, type, lambda, 2);
        assertSame(lambda, copies.get(0));
    }
}
