package dev.binaryvit.kernels;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Splits a range of rows (tokens) over a fixed set of threads created once; the calling thread
 * works too. Each thread owns a span of the rows, the same span in every call over the same rows,
 * so that it mostly reads rows that it wrote itself in the call before (still in its own cache).
 * It takes its span from the front: three quarters at once, then half of what is left at a time; a
 * thread that has run out takes half of what is left of another's span, from the back, so a thread
 * that was slowed down (the machine is shared) does less instead of holding the others at the end
 * of the call, and the parts shrink towards that end. Kernels
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

    /** Longs between two threads' spans in {@link #spans}: one cache line each. */
    private static final int STRIDE = 8;

    private final int threads;
    private final Worker[] workers;
    private final AtomicInteger pending = new AtomicInteger();
    /** Per thread, the rows of its span not yet taken: {@code front << 32 | back}. */
    private final AtomicLongArray spans;
    private volatile int generation;
    private volatile boolean closed;
    private volatile Thread caller;
    private volatile Throwable failure;
    // The current call; written before generation is bumped, read after it is seen.
    private RangeBody body;
    /** Rows of a thread's first part: a multiple of the grain. */
    private int firstPart;
    /** Every part starts on a multiple of it. */
    private int grain;

    private Parallel(int threads) {
        this.threads = threads;
        this.spans = new AtomicLongArray(threads * STRIDE);
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
            this.grain = g;
            for (int i = 0; i < threads; i++) {
                spans.set(i * STRIDE, (long) spanStart(i, rows) << 32 | spanStart(i + 1, rows));
            }
            long spanBlocks = (((long) rows + g - 1) / g + threads - 1) / threads;
            this.firstPart = (int) Math.max(1, spanBlocks * 3 / 4) * g;
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

    /** The first row of thread {@code index}'s span: a multiple of the grain, {@code rows} past the last. */
    private int spanStart(int index, int rows) {
        return index == threads ? rows : (int) ((long) rows * index / threads / grain * grain);
    }

    /** Thread {@code index}'s own span from the front, then the others' from the back, until none is left. */
    private void runParts(int index) {
        for (Take take = Take.FIRST; runPart(index, take); take = Take.FRONT) {
            // the thread's own rows, in order
        }
        for (int k = 1; k < threads; k++) {
            while (runPart((index + k) % threads, Take.BACK)) {
                // rows that the span's owner has not reached yet
            }
        }
    }

    /** Which part of a span a thread takes. */
    private enum Take {
        /** The owner's first part, from the front. */
        FIRST,
        /** Half of what is left, from the front: the owner's later parts. */
        FRONT,
        /** Half of what is left, from the back, starting on a grain: another thread's. */
        BACK
    }

    /** Takes a part of a span and runs it; false if the span was empty. */
    private boolean runPart(int span, Take take) {
        while (true) {
            long s = spans.get(span * STRIDE);
            int front = (int) (s >>> 32);
            int back = (int) s;
            if (front >= back) {
                return false;
            }
            int from = front;
            int to = back;
            if (take == Take.BACK) {
                from = Math.max(front, (back - 1) / grain * grain - (half(front, back) - grain));
            } else {
                to = (int) Math.min(back, (long) front + (take == Take.FIRST ? firstPart : half(front, back)));
            }
            long left = take == Take.BACK ? (long) front << 32 | from : (long) to << 32 | back;
            if (spans.compareAndSet(span * STRIDE, s, left)) {
                body.run(from, to);
                return true;
            }
        }
    }

    /** Half of the grains between front and back (at least one grain), in rows. */
    private int half(int front, int back) {
        return (int) Math.max(1, ((long) back - front + grain - 1) / grain / 2) * grain;
    }

    /**
     * Stops the worker threads; later calls fail. A call running on another thread completes first
     * (close waits for it); a call that closes its own pool from inside its body completes too.
     */
    @Override
    public void close() {
        if (this == SERIAL) {
            return;
        }
        if (List.of(workers).contains(Thread.currentThread())) {
            closed = true; // from a body, on a worker: its call has started, and the workers finish it
        } else {
            // Synchronized: closed is never set between a call's check of it and the start of that
            // call, which would leave the call waiting for workers that had already stopped.
            synchronized (this) {
                closed = true;
            }
        }
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
                if (generation == seen) {
                    return; // closed, and no call started: a call already started is finished first
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
