package dev.binaryvit.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelTest {

    @Test
    void everyRowIsRunOnceInPartsThatStartOnAGrain() {
        try (Parallel two = Parallel.of(2); Parallel three = Parallel.of(3)) {
            qt().withExamples(200).forAll(integers().between(0, 3000), integers().between(1, 70), integers().between(0, 1))
                    .checkAssert((rows, grain, which) -> {
                        Parallel pool = which == 0 ? two : three;
                        AtomicIntegerArray runs = new AtomicIntegerArray(Math.max(1, rows));
                        AtomicInteger badStarts = new AtomicInteger();
                        pool.forRange(rows, grain, (from, to) -> {
                            if (from % grain != 0 || to <= from) {
                                badStarts.incrementAndGet();
                            }
                            for (int i = from; i < to; i++) {
                                runs.incrementAndGet(i);
                            }
                        });
                        assertEquals(0, badStarts.get(), "parts must be non-empty and start on a multiple of the grain");
                        for (int i = 0; i < rows; i++) {
                            assertEquals(1, runs.get(i), "row " + i + " of " + rows + ", grain " + grain);
                        }
                    });
        }
    }

    @Test
    void eachThreadStartsOnItsOwnSpanInEveryCall() {
        try (Parallel pool = Parallel.of(2)) {
            for (int call = 0; call < 5; call++) {
                Map<Thread, Integer> firstRow = new ConcurrentHashMap<>();
                pool.forRange(1000, 4, (from, to) -> {
                    firstRow.putIfAbsent(Thread.currentThread(), from);
                    sleep(5); // parts take a while: no thread reaches another's span before that one starts
                });
                assertEquals(0, firstRow.get(Thread.currentThread()), "the caller starts at row 0");
                assertEquals(Set.of(0, 500), Set.copyOf(firstRow.values()),
                        "the worker starts at its span's first row, half of the rows rounded down to the grain");
            }
        }
    }

    private static void sleep(int millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aThreadHeldUpTakesFewerRowsThanItsShare() {
        try (Parallel pool = Parallel.of(2)) {
            int rows = 1000;
            AtomicIntegerArray byThread = new AtomicIntegerArray(2); // [0]: the thread that ran row 0, [1]: the other
            Thread[] first = new Thread[1];
            pool.forRange(rows, 1, (from, to) -> {
                if (from == 0) {
                    first[0] = Thread.currentThread();
                    byThread.addAndGet(0, to - from);
                    sleep(200); // held up: the other thread meanwhile takes what is left
                } else {
                    byThread.addAndGet(Thread.currentThread() == first[0] ? 0 : 1, to - from);
                }
            });
            assertEquals(rows, byThread.get(0) + byThread.get(1));
            assertTrue(byThread.get(0) < rows / 2, "the held-up thread ran " + byThread.get(0) + " of " + rows + " rows");
        }
    }

    @Test
    void aNestedCallRunsOnTheCallingThread() {
        try (Parallel pool = Parallel.of(2)) {
            AtomicInteger foreign = new AtomicInteger();
            AtomicInteger inner = new AtomicInteger();
            pool.forRange(64, 1, (from, to) -> {
                Thread outer = Thread.currentThread();
                pool.forRange(10, 1, (f, t) -> {
                    inner.addAndGet(t - f);
                    if (Thread.currentThread() != outer) {
                        foreign.incrementAndGet();
                    }
                });
            });
            assertEquals(0, foreign.get());
            assertTrue(inner.get() >= 10 && inner.get() % 10 == 0);
        }
    }

    @Test
    void aFailureInAPartReachesTheCallerAndThePoolStaysUsable() {
        try (Parallel pool = Parallel.of(2)) {
            IllegalStateException boom = new IllegalStateException("boom");
            IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> pool.forRange(500, 1, (from, to) -> {
                if (from <= 400 && 400 < to) {
                    throw boom;
                }
            }));
            assertSame(boom, thrown);
            AtomicInteger rows = new AtomicInteger();
            pool.forRange(500, 1, (from, to) -> rows.addAndGet(to - from));
            assertEquals(500, rows.get());
        }
    }

    @Test
    void aClosedPoolRefusesWork() {
        Parallel pool = Parallel.of(2);
        pool.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.forRange(100, 1, (from, to) -> { }));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    /**
     * close() while a call runs, from inside its body (on either thread) or from another thread: the
     * call completes (before the fix, a worker that saw closed before it saw the call stopped without
     * taking part, and the call waited for it forever, about one time in two), and later calls are
     * refused.
     */
    @Test
    void closingWhileACallRunsNeverStrandsIt() throws Exception {
        ExecutorService callers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "parallel-caller");
            t.setDaemon(true); // a stranded call must not keep the test JVM alive
            return t;
        });
        try {
            for (int round = 0; round < 20; round++) {
                Parallel inside = Parallel.of(2);
                AtomicInteger rows = new AtomicInteger();
                boolean onWorker = round % 2 == 1;
                AtomicBoolean closedInside = new AtomicBoolean();
                Future<?> call = callers.submit(() -> inside.forRange(1000, 1, (from, to) -> {
                    boolean worker = Thread.currentThread().getName().startsWith(Parallel.WORKER_NAME);
                    if (worker == onWorker && closedInside.compareAndSet(false, true)) {
                        inside.close(); // on the caller, while the worker may still be parked, or on the worker
                    }
                    if (onWorker && !worker) {
                        sleep(1); // the caller is slow: the worker gets parts
                    }
                    rows.addAndGet(to - from);
                }));
                call.get(60, TimeUnit.SECONDS); // a hang fails here
                assertEquals(1000, rows.get(), "round " + round + ": the call that closed its pool");
                inside.close(); // in case the worker ran no part
                assertThrows(IllegalStateException.class, () -> inside.forRange(100, 1, (from, to) -> { }));

                Parallel outside = Parallel.of(2);
                CountDownLatch going = new CountDownLatch(1);
                Future<Integer> calls = callers.submit(() -> {
                    int done = 0;
                    try {
                        for (; done < 2000; done++) {
                            AtomicInteger n = new AtomicInteger();
                            outside.forRange(64, 1, (from, to) -> n.addAndGet(to - from));
                            assertEquals(64, n.get());
                            going.countDown();
                        }
                    } catch (IllegalStateException refused) {
                        assertTrue(refused.getMessage().contains("closed"), refused.getMessage());
                    }
                    return done;
                });
                assertTrue(going.await(60, TimeUnit.SECONDS));
                outside.close(); // from this thread, while the other calls and calls
                assertTrue(calls.get(60, TimeUnit.SECONDS) >= 1); // a hang fails here
                assertThrows(IllegalStateException.class, () -> outside.forRange(100, 1, (from, to) -> { }));
            }
        } finally {
            callers.shutdownNow();
        }
    }
}
