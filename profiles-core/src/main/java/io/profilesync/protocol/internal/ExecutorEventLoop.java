package io.profilesync.protocol.internal;

import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production {@link EventLoop}: tasks run on an executor that runs one task at a time (a single thread, or a game
 * loop's executor), timers wait on a {@link ScheduledExecutorService} and then hand their task to that executor, and
 * the clock is {@link System#nanoTime()}. A task that throws is logged; a task handed to an executor that has shut
 * down is dropped.
 *
 * <p>Threading: as {@link EventLoop}; the executor must run one task at a time, in order.
 */
public final class ExecutorEventLoop implements EventLoop {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorEventLoop.class);

    private final Executor executor;
    private final ScheduledExecutorService timer;
    private final ThreadLocal<Boolean> inside = ThreadLocal.withInitial(() -> false);

    /** Tasks and timers on one single-threaded scheduled executor. */
    public ExecutorEventLoop(ScheduledExecutorService executor) {
        this(executor, executor);
    }

    /** Tasks on {@code executor}; timers wait on {@code timer}, then run on {@code executor}. */
    public ExecutorEventLoop(Executor executor, ScheduledExecutorService timer) {
        this.executor = Objects.requireNonNull(executor, "executor");
        this.timer = Objects.requireNonNull(timer, "timer");
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Cancellable schedule(long delayNanos, Runnable task) {
        Objects.requireNonNull(task, "task");
        // cancel() runs on the loop, and so does the task: the flag keeps a timer that fired (its task already
        // handed to the executor) from running after it was called off.
        boolean[] cancelled = new boolean[1];
        Runnable guarded = () -> {
            if (!cancelled[0]) {
                task.run();
            }
        };
        ScheduledFuture<?> future;
        try {
            future = timer.schedule(executor == timer ? () -> run(guarded) : () -> execute(guarded),
                    Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("The loop's timer is shut; timer dropped");
            return () -> cancelled[0] = true;
        }
        return () -> {
            cancelled[0] = true;
            future.cancel(false);
        };
    }

    @Override
    public void execute(Runnable task) {
        tryExecute(task);
    }

    /** Like {@link #execute}, and says whether the task was accepted (false: the executor has shut down). */
    public boolean tryExecute(Runnable task) {
        Objects.requireNonNull(task, "task");
        try {
            executor.execute(() -> run(task));
            return true;
        } catch (RejectedExecutionException e) {
            LOG.debug("The loop's executor is shut; task dropped");
            return false;
        }
    }

    /** Whether the calling thread is running one of this loop's tasks. */
    public boolean inLoop() {
        return inside.get();
    }

    private void run(Runnable task) {
        boolean nested = inside.get();
        inside.set(true);
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            LOG.error("A task on the profile executor threw", e);
        } finally {
            inside.set(nested);
        }
    }
}
