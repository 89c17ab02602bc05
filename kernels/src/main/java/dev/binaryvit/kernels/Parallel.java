package dev.binaryvit.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Splits a range of rows (tokens) over a fixed set of threads created once; the calling thread
 * works too. Each thread first runs a part of its own, three quarters of an even share; the last
 * quarter of the rows is then taken in small parts from a shared counter by whichever thread is
 * free, so a thread that was slowed down (the machine is shared) does less of it instead of
 * holding the others at the end of the call, at the cost of a few atomic adds per call. Kernels
 * compute every output row independently of how rows are split, so results are bit-identical for
 * any thread count and any split.
 *
 * <p>Workers spin briefly before parking: a forward pass issues a few hundred short parallel
 * calls back to back, and a park/unpark round trip per call would cost more than the work.
 */
public final class Parallel implements AutoCloseable {

    /** The body of a parallel loop: handles rows {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /**
     * A loop body whose arguments are fields, set before a call and cleared after it. A kernel keeps
     * one per calling thread and reuses it, so that a parallel call allocates nothing (a capturing
     * lambda is a new object on every call).
     */
    public abstract static class Job implements RangeBody {
        /** Drops the call's references, so that a job kept between calls holds no arrays. */
        protected abstract void clear();
    }

    /** Worker threads are named this followed by their index (1, 2, ...). */
    public static final String WORKER_NAME = "binaryvit-worker-";

    /** Runs everything on the calling thread. */
    public static final Parallel SERIAL = new Parallel(1);

    private static final long SPIN_NANOS = 200_000;

    private final int threads;
    private final Worker[] workers;
    private final AtomicInteger pending = new AtomicInteger();
    /** The first row of the current call's shared rows not yet taken. */
    private final AtomicLong next = new AtomicLong(); // long: adds past the end cannot overflow
    private volatile int generation;
    private volatile boolean closed;
    private volatile Thread caller;
    private volatile Throwable failure;
    // The current call; written before generation is bumped, read after it is seen.
    private RangeBody body;
    private int rows;
    /** Rows of each thread's own part; the shared rows start at {@code threads * own}. */
    private int own;
    /** Rows per shared part. */
    private int shared;

    private Parallel(int threads) {
        this.threads = threads;
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            workers[i].start();
        }
    }

    /** A pool of {@code threads} threads (the caller counts as one); 1 gives {@link #SERIAL}. */
    public static Parallel of(int threads) {
        Check.positive("threads", threads);
        return threads == 1 ? SERIAL : new Parallel(threads);
    }

    public int threads() {
        return threads;
    }

    /**
     * Runs {@code body} over {@code [0, rows)} split into parts whose boundaries are multiples of
     * {@code grain}, on all the threads, and returns when every part is done. A nested call from
     * inside a body runs serially.
     */
    public void forRange(int rows, int grain, RangeBody body) {
        if (rows <= 0) {
            return;
        }
        int g = Math.max(1, grain);
        if (threads == 1 || rows <= g || Thread.holdsLock(this) || Thread.currentThread() instanceof Worker) {
            body.run(0, rows);
            return;
        }
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("this Parallel pool is closed");
            }
            int blocks = (rows + g - 1) / g;
            int ownBlocks = blocks * 3 / (4 * threads);
            int sharedBlocks = blocks - threads * ownBlocks;
            this.own = ownBlocks * g;
            this.shared = Math.max(1, (sharedBlocks + 2 * threads - 1) / (2 * threads)) * g;
            this.rows = rows;
            next.set(threads * own);
            this.body = body;
            this.failure = null;
            this.caller = Thread.currentThread();
            pending.set(workers.length);
            generation++;
            for (Worker w : workers) {
                LockSupport.unpark(w);
            }
            Throwable mine = null;
            try {
                runParts(0);
            } catch (Throwable t) {
                mine = t;
            }
            long start = System.nanoTime();
            while (pending.get() != 0) {
                if (System.nanoTime() - start < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(this, 50_000);
                }
            }
            this.body = null;
            Throwable t = mine != null ? mine : failure;
            if (t instanceof RuntimeException re) {
                throw re;
            }
            if (t instanceof Error e) {
                throw e;
            }
        }
    }

    /** {@link #forRange} with a job, cleared when the call returns or throws. */
    public void run(int rows, int grain, Job job) {
        try {
            forRange(rows, grain, job);
        } finally {
            job.clear();
        }
    }

    /** Thread {@code index}'s own part of the current call, then shared parts until none is left. */
    private void runParts(int index) {
        if (own > 0) {
            body.run(index * own, (index + 1) * own);
        }
        for (long from = next.getAndAdd(shared); from < rows; from = next.getAndAdd(shared)) {
            body.run((int) from, (int) Math.min(rows, from + shared));
        }
    }

    /** Stops the worker threads; later calls fail. */
    @Override
    public void close() {
        if (this == SERIAL) {
            return;
        }
        closed = true;
        for (Worker w : workers) {
            LockSupport.unpark(w);
        }
    }

    private final class Worker extends Thread {
        private final int index;

        Worker(int index) {
            super(WORKER_NAME + index);
            this.index = index;
            setDaemon(true);
        }

        @Override
        public void run() {
            int seen = 0;
            while (true) {
                long start = System.nanoTime();
                while (generation == seen && !closed) {
                    if (System.nanoTime() - start < SPIN_NANOS) {
                        Thread.onSpinWait();
                    } else {
                        LockSupport.park(Parallel.this);
                    }
                }
                if (closed) {
                    return;
                }
                seen = generation;
                try {
                    runParts(index);
                } catch (Throwable t) {
                    failure = t;
                }
                if (pending.decrementAndGet() == 0) {
                    LockSupport.unpark(caller);
                }
            }
        }
    }
}
