package dev.binaryvit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A model used by several threads at once: every call gives the result it gives alone, bit for bit;
 * nothing deadlocks; the scratch memory does not grow with the number of calling threads; and a
 * model closed while in use never hangs, never answers wrongly, and refuses every later call with
 * {@code IllegalStateException("this model is closed")}.
 *
 * <p>Nothing here is timed: the waits are bounds that only a hang reaches (a hang fails the test
 * instead of stalling the build), and the outcome of every test is the same on any schedule.
 */
class ConcurrencyTest {

    /** The bound of every wait: only a deadlock or a lost wake-up gets near it. */
    private static final long WAIT_SECONDS = 300;

    private static final String CLOSED = "this model is closed";

    /** One call on a model, by name, returning something that {@link Objects#deepEquals} compares exactly. */
    private record Call(String name, Function<BinaryVit, Object> run) {}


    /**
     * Calls on a bundled model: classify of each bundled image (decoded anew by each call, as a
     * caller would), forward of one image, and forward of batches of 4 and 7 random images (shared
     * out between the model's threads when it has several).
     */
    private static List<Call> bundledCalls(int images) {
        BundledImages bundled = BundledImages.load();
        List<Call> calls = new ArrayList<>();
        for (int i = 0; i < Math.min(images, bundled.size()); i++) {
            int index = i;
            calls.add(new Call("classify(" + bundled.name(i) + ")", m -> m.classify(image(bundled, index), 3)));
        }
        calls.add(new Call("forward(1 image)", m -> m.forward(ForwardPropertiesTest.randomImages(1, m.imageFloats(), 1), 1)));
        calls.add(new Call("forward(4 images)", m -> m.forward(ForwardPropertiesTest.randomImages(4, m.imageFloats(), 2), 4)));
        calls.add(new Call("forward(7 images)", m -> m.forward(ForwardPropertiesTest.randomImages(7, m.imageFloats(), 3), 7)));
        return calls;
    }

    /** The results of {@code calls} on {@code model}, one after the other on this thread. */
    private static List<Object> serially(BinaryVit model, List<Call> calls) {
        List<Object> results = new ArrayList<>();
        for (Call c : calls) {
            results.add(c.run().apply(model));
        }
        return results;
    }

    /** Bundled image i, decoded. */
    private static BufferedImage image(BundledImages bundled, int i) {
        try {
            return bundled.image(i);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String describe(Object result) {
        return result instanceof float[] f ? Arrays.toString(f) : String.valueOf(result);
    }

    private static ExecutorService platformThreads(int n, String name) {
        AtomicInteger count = new AtomicInteger();
        return Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, name + "-" + count.incrementAndGet());
            t.setDaemon(true); // a hung test thread must not keep the test JVM alive
            return t;
        });
    }

    /**
     * Waits for every task, all within one bound; fails on the first failure or when the bound is
     * reached (a hang), naming the tasks still running. Never waits on an executor's close(), which
     * would hang with its tasks.
     */
    private static <T> List<T> awaitAll(List<Future<T>> futures) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        List<T> results = new ArrayList<>();
        for (int i = 0; i < futures.size(); i++) {
            try {
                results.add(futures.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (TimeoutException e) {
                long running = futures.stream().filter(f -> !f.isDone()).count();
                Thread.getAllStackTraces().forEach((thread, stack) -> { // where the platform threads are stuck
                    System.err.println(thread);
                    for (StackTraceElement frame : stack) {
                        System.err.println("    at " + frame);
                    }
                });
                fail("task " + i + " and " + (running - 1) + " others did not finish within " + WAIT_SECONDS
                        + " s: a deadlock or a lost wake-up");
            } catch (ExecutionException e) {
                throw new AssertionError("task " + i + " failed: " + e.getCause(), e.getCause());
            }
        }
        return results;
    }

    /**
     * Runs {@code calls} round-robin on {@code model} from 8 platform threads and 8 virtual threads
     * at once, {@code perThread} calls each, starting together; every result must equal
     * {@code expected}. Returns the number of calls checked.
     */
    private static int hammer(BinaryVit model, List<Call> calls, List<Object> expected, int perThread)
            throws InterruptedException {
        ExecutorService platform = platformThreads(8, "caller");
        ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor();
        try {
            int tasks = 16;
            CountDownLatch start = new CountDownLatch(tasks);
            List<Future<Integer>> futures = new ArrayList<>();
            for (int t = 0; t < tasks; t++) {
                int task = t;
                Callable<Integer> body = () -> {
                    start.countDown();
                    start.await();
                    for (int k = 0; k < perThread; k++) {
                        int c = (task * 7 + k) % calls.size(); // threads start on different calls
                        Object got = calls.get(c).run().apply(model);
                        if (!Objects.deepEquals(expected.get(c), got)) {
                            throw new AssertionError(calls.get(c).name() + " on " + Thread.currentThread()
                                    + ": expected " + describe(expected.get(c)) + " but got " + describe(got));
                        }
                    }
                    return perThread;
                };
                futures.add((t % 2 == 0 ? platform : virtual).submit(body));
            }
            return awaitAll(futures).stream().mapToInt(Integer::intValue).sum();
        } finally {
            platform.shutdownNow();
            virtual.shutdownNow();
        }
    }

    /**
     * One worker thread's share of the scratch of a bundled model: what a fresh one-thread model
     * holds after a batch of two, that is the buffers of one image and the logits buffer of an
     * image that is not the first of its batch.
     */
    private static long oneImagesWorkspace(BinaryVit model) {
        try (BinaryVit fresh = BinaryVit.bundled(1)) {
            assertEquals(model.config(), fresh.config());
            fresh.forward(new float[2 * fresh.imageFloats()], 2);
            return fresh.workspaceBytes();
        }
    }

    @Test
    void oneModelSharedByManyThreadsGivesTheSerialResultsInBoundedMemory() throws Exception {
        try (BinaryVit model = BinaryVit.bundled(2)) {
            List<Call> calls = bundledCalls(5);
            List<Object> expected = serially(model, calls);
            long serialBytes = model.workspaceBytes();
            int checked = hammer(model, calls, expected, 15);
            assertEquals(240, checked);
            // What the model holds: the calling thread's set of buffers, and one image's set for each
            // of its other threads (the image-splitting path); never one per calling thread.
            long bound = serialBytes + (model.threads() - 1) * oneImagesWorkspace(model);
            assertTrue(model.workspaceBytes() <= bound, "workspace after 16 calling threads: "
                    + model.workspaceBytes() + " bytes, more than " + bound + " (" + serialBytes + " after the serial calls)");
            // and it still answers as before, alone
            List<Object> again = serially(model, calls);
            for (int c = 0; c < calls.size(); c++) {
                assertTrue(Objects.deepEquals(expected.get(c), again.get(c)), calls.get(c).name() + " afterwards");
            }
        }
    }

    @Test
    void manyShortLivedCallingThreadsDoNotGrowTheWorkspace() throws Exception {
        try (BinaryVit model = BinaryVit.bundled(2)) {
            float[] images = ForwardPropertiesTest.randomImages(3, model.imageFloats(), 4);
            float[] expected = model.forward(images, 3);
            long bound = model.workspaceBytes() + (model.threads() - 1) * oneImagesWorkspace(model);
            for (int round = 0; round < 40; round++) {
                // a new platform and a new virtual thread each time, each sharing a batch out
                List<Thread> threads = new ArrayList<>();
                List<Object> got = new ArrayList<>(List.of("none", "none"));
                for (int k = 0; k < 2; k++) {
                    int slot = k;
                    Runnable call = () -> got.set(slot, model.forward(images, 3));
                    threads.add(k == 0 ? Thread.ofPlatform().daemon().start(call) : Thread.ofVirtual().start(call));
                }
                for (Thread t : threads) {
                    assertTrue(t.join(Duration.ofSeconds(WAIT_SECONDS)), "a call did not return: a hang");
                }
                for (Object g : got) {
                    assertTrue(Objects.deepEquals(expected, g), "round " + round + ": " + describe(g));
                }
            }
            assertTrue(model.workspaceBytes() <= bound, "workspace after 80 short-lived calling threads: "
                    + model.workspaceBytes() + " bytes, more than " + bound);
        }
    }

    @Test
    void severalModelsAtOnceEachGiveTheirOwnSerialResults() throws Exception {
        BinaryVitConfig variant = BinaryVitConfig.fromJson(CommandLineTest.CONFIG);
        try (BinaryVit one = BinaryVit.bundled(1);
             BinaryVit two = BinaryVit.bundled(2);
             BinaryVit small = BinaryVit.create(variant, SyntheticWeights.create(variant, 11), 2)) {
            BinaryVit[] models = {one, two, small};
            List<Call> bundled = bundledCalls(3);
            List<Call> synthetic = List.of(
                    new Call("forward(1 image)", m -> m.forward(ForwardPropertiesTest.randomImages(1, m.imageFloats(), 5), 1)),
                    new Call("forward(3 images)", m -> m.forward(ForwardPropertiesTest.randomImages(3, m.imageFloats(), 6), 3)));
            List<List<Call>> calls = List.of(bundled, bundled, synthetic);
            List<List<Object>> expected = new ArrayList<>();
            for (int m = 0; m < models.length; m++) {
                expected.add(serially(models[m], calls.get(m)));
            }
            for (int c = 0; c < bundled.size(); c++) {
                assertTrue(Objects.deepEquals(expected.get(0).get(c), expected.get(1).get(c)), bundled.get(c).name()
                        + ": the thread count changes no bit: " + describe(expected.get(0).get(c)) + " on one thread, "
                        + describe(expected.get(1).get(c)) + " on two");
            }

            ExecutorService platform = platformThreads(6, "models");
            ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor();
            try {
                List<Future<Integer>> futures = new ArrayList<>();
                for (int t = 0; t < 12; t++) {
                    int task = t;
                    futures.add((t % 2 == 0 ? platform : virtual).submit(() -> {
                        int done = 0;
                        for (int k = 0; k < 15; k++) {
                            int m = (task + k) % models.length; // every thread uses every model in turn
                            List<Call> mine = calls.get(m);
                            int c = (task + 3 * k) % mine.size();
                            Object got = mine.get(c).run().apply(models[m]);
                            if (!Objects.deepEquals(expected.get(m).get(c), got)) {
                                throw new AssertionError("model " + m + ", " + mine.get(c).name() + ": expected "
                                        + describe(expected.get(m).get(c)) + " but got " + describe(got));
                            }
                            done++;
                        }
                        return done;
                    }));
                }
                assertEquals(180, awaitAll(futures).stream().mapToInt(Integer::intValue).sum());
            } finally {
                platform.shutdownNow();
                virtual.shutdownNow();
            }
        }
    }

    /** Every entry point that runs the model refuses, with the one clear message. */
    private static void assertRefusesEverything(BinaryVit model) {
        float[] image = new float[model.imageFloats()];
        List<Runnable> entries = List.of(
                () -> model.forward(image, 1),
                () -> model.forward(new float[2 * model.imageFloats()], 2),
                () -> model.forward(image, 1, new float[model.config().numLabels()], StepObserver.NONE),
                () -> model.forward(image, 1, new float[model.config().numLabels()], StepObserver.NONE, Trace.OFF),
                () -> model.classify(image(BundledImages.load(), 0), 1),
                () -> model.embed(image, 1),
                () -> model.layer(0, new float[8], 1),
                () -> model.head(new float[8], 1));
        for (int i = 0; i < entries.size(); i++) {
            IllegalStateException e = assertThrows(IllegalStateException.class, entries.get(i)::run, "entry " + i);
            assertEquals(CLOSED, e.getMessage(), "entry " + i);
        }
    }

    /** A call that may meet close(): its result must be right, or it must be refused as closed. */
    private static boolean rightOrClosed(String what, Object expected, Callable<Object> call) throws Exception {
        Object got;
        try {
            got = call.call();
        } catch (IllegalStateException e) {
            assertEquals(CLOSED, e.getMessage(), what + ": " + e);
            return false;
        }
        if (!Objects.deepEquals(expected, got)) {
            throw new AssertionError(what + ": expected " + describe(expected) + " but got " + describe(got));
        }
        return true;
    }

    @ParameterizedTest(name = "{0} thread(s)")
    @ValueSource(ints = {1, 2})
    void closeWaitsForTheForwardInsideAndRefusesTheCallsAfterIt(int threads) throws Exception {
        BinaryVit model = BinaryVit.bundled(threads);
        float[] images = ForwardPropertiesTest.randomImages(2, model.imageFloats(), 7);
        float[] expected = model.forward(images, 2);
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // The observer holds the forward inside the model, between two steps, until close() has started.
        StepObserver holding = (step, output, length, nanos) -> {
            if (inside.getCount() > 0) {
                inside.countDown();
                try {
                    assertTrue(release.await(WAIT_SECONDS, TimeUnit.SECONDS), "never released");
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
        };
        ExecutorService pool = platformThreads(3, "close");
        try {
            Future<Object> running = pool.submit(() -> {
                float[] logits = new float[expected.length];
                model.forward(images, 2, logits, holding);
                return logits;
            });
            assertTrue(inside.await(WAIT_SECONDS, TimeUnit.SECONDS), "the forward never started");
            AtomicInteger closerStarted = new AtomicInteger();
            Thread[] closer = new Thread[1];
            Future<?> closing = pool.submit(() -> {
                closer[0] = Thread.currentThread();
                closerStarted.incrementAndGet();
                model.close();
            });
            // Let close() begin (it returns, or waits for the running forward) before the forward goes on.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (!closing.isDone() && (closerStarted.get() == 0 || closer[0].getState() == Thread.State.RUNNABLE)) {
                assertTrue(System.nanoTime() < deadline, "close() neither returned nor waited");
                Thread.sleep(1);
            }
            // A caller that comes after close() began, while the forward is still inside: refused, once
            // it gets in (a wrong answer fails too; a right one fails the assertion below).
            Future<Boolean> late = pool.submit(() -> rightOrClosed("a forward called during close()", expected,
                    () -> model.forward(images, 2)));
            release.countDown();
            awaitAll(List.of(closing));
            assertEquals(List.of(false), awaitAll(List.of(late)), "a call after close() began is refused");
            rightOrClosed("the forward running when close() was called", expected, running::get);
            assertRefusesEverything(model);
            model.close(); // twice: harmless
            assertRefusesEverything(model);
        } finally {
            release.countDown();
            pool.shutdownNow();
            model.close();
        }
    }

    @ParameterizedTest(name = "{0} thread(s)")
    @ValueSource(ints = {1, 2})
    void closingWhileManyThreadsCallNeverHangsNorAnswersWrongly(int threads) throws Exception {
        BinaryVit model = BinaryVit.bundled(threads);
        List<Call> calls = bundledCalls(2);
        List<Object> expected = serially(model, calls);
        ExecutorService platform = platformThreads(4, "closing");
        ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor();
        try {
            AtomicInteger answered = new AtomicInteger();
            CountDownLatch enough = new CountDownLatch(20); // close only once the callers are well under way
            List<Future<Integer>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int task = t;
                futures.add((t % 2 == 0 ? platform : virtual).submit(() -> {
                    // call until refused; once refused, always refused
                    for (int k = 0; ; k++) {
                        if (Thread.interrupted()) {
                            throw new InterruptedException("never refused"); // the test gave up on this task
                        }
                        int c = (task + k) % calls.size();
                        if (!rightOrClosed(calls.get(c).name(), expected.get(c), () -> calls.get(c).run().apply(model))) {
                            for (Call again : calls) {
                                assertEquals(CLOSED, assertThrows(IllegalStateException.class,
                                        () -> again.run().apply(model), again.name() + " after a refusal").getMessage());
                            }
                            return k;
                        }
                        answered.incrementAndGet();
                        enough.countDown();
                    }
                }));
            }
            assertTrue(enough.await(WAIT_SECONDS, TimeUnit.SECONDS), "the callers made no progress");
            model.close();
            int beforeRefusal = awaitAll(futures).stream().mapToInt(Integer::intValue).sum();
            assertEquals(answered.get(), beforeRefusal);
            assertRefusesEverything(model);
            model.close();
        } finally {
            platform.shutdownNow();
            virtual.shutdownNow();
            model.close();
        }
    }

    @ParameterizedTest(name = "{0} thread(s)")
    @ValueSource(ints = {1, 2})
    void closeFromInsideTheModelsOwnForwardLetsThatForwardFinish(int threads) throws Exception {
        try (BinaryVit model = BinaryVit.bundled(threads)) {
            float[] images = ForwardPropertiesTest.randomImages(2, model.imageFloats(), 8);
            float[] expected = model.forward(images, 2);
            float[] logits = new float[expected.length];
            AtomicInteger steps = new AtomicInteger();
            // an observer that closes the model after the embeddings of the first image (say, a cancel button)
            StepObserver closing = (step, output, length, nanos) -> {
                if (steps.getAndIncrement() == 0) {
                    model.close();
                }
            };
            ExecutorService pool = platformThreads(1, "observer");
            try {
                Future<Boolean> call = pool.submit(() -> rightOrClosed("the forward that closed its model", expected,
                        () -> {
                            model.forward(images, 2, logits, closing);
                            return logits;
                        }));
                awaitAll(List.of(call));
            } finally {
                pool.shutdownNow();
            }
            assertRefusesEverything(model);
        }
    }
}
