package dev.binaryvit.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Splits a range of rows (tokens) over a fixed set of threads created once. The calling thread
 * takes the first part itself. Kernels compute every output row independently of how rows are
 * split, so results are bit-identical for any thread count.
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

    /** Worker threads are named this followed by their part number (1, 2, ...). */
    public static final String WORKER_NAME = "binaryvit-worker-";

    /** Runs everything on the calling thread. */
    public static final Parallel SERIAL = new Parallel(1);

    private static final long SPIN_NANOS = 200_000;

    private final int threads;
    private final Worker[] workers;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile int generation;
    private volatile boolean closed;
    private volatile Thread caller;
    private volatile Throwable failure;
    // The current call; written before generation is bumped, read after it is seen.
    private RangeBody body;
    private int rows;
    private int chunk;

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
     * Runs {@code body} over {@code [0, rows)} split into at most {@link #threads()} parts whose
     * boundaries are multiples of {@code grain}, and returns when every part is done. A nested
     * call from inside a body runs serially.
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
            this.chunk = (blocks + threads - 1) / threads * g;
            this.rows = rows;
            this.body = body;
            this.failure = null;
            this.caller = Thread.currentThread();
            pending.set(workers.length);
            generation++;
            for (Worker w : workers) {
                LockSupport.unpark(w);
            }
            Throwable own = null;
            try {
                runPart(0);
            } catch (Throwable t) {
                own = t;
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
            Throwable t = own != null ? own : failure;
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

    private void runPart(int part) {
        int from = part * chunk;
        int to = Math.min(rows, from + chunk);
        if (from < to) {
            body.run(from, to);
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
        private final int part;

        Worker(int part) {
            super(WORKER_NAME + part);
            this.part = part;
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
                    runPart(part);
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
