package io.profilesync.protocol.internal;

import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production {@link EventLoop}: tasks run on an executor that runs one task at a time (a single thread, or a game
 * loop's executor), timers wait on a {@link ScheduledExecutorService} and then hand their task to that executor, and
 * the clock is {@link System#nanoTime()}. A task that throws is logged (a scheduled executor would keep the exception
 * in a future nobody reads) and the loop goes on with the next; a task handed to an executor that has shut down is
 * dropped.
 *
 * <p>Threading: as {@link EventLoop}; the executor must run one task at a time, in order. {@link #inLoop()} is true
 * inside the loop's tasks and, for a loop made by {@link #singleThread}, anywhere on its thread.
 */
public final class ExecutorEventLoop implements EventLoop {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorEventLoop.class);

    private final Executor executor;
    private final ScheduledExecutorService timer;
    private final Thread owner;
    private final ThreadLocal<Boolean> inside = ThreadLocal.withInitial(() -> false);

    /** Tasks and timers on one single-threaded scheduled executor. */
    public ExecutorEventLoop(ScheduledExecutorService executor) {
        this(executor, executor, null);
    }

    /** Tasks on {@code executor}; timers wait on {@code timer}, then run on {@code executor}. */
    public ExecutorEventLoop(Executor executor, ScheduledExecutorService timer) {
        this(executor, timer, null);
    }

    private ExecutorEventLoop(Executor executor, ScheduledExecutorService timer, Thread owner) {
        this.executor = Objects.requireNonNull(executor, "executor");
        this.timer = Objects.requireNonNull(timer, "timer");
        this.owner = owner;
    }

    /**
     * A loop on a new executor with one daemon thread named {@code threadName}, started at once so {@link #inLoop()}
     * knows it; cancelled timers leave the executor's queue at once (many deadlines come and go). Shut it down with
     * {@link #executor()}{@code .shutdown()}: tasks already queued still run, timers still waiting are dropped.
     */
    public static ExecutorEventLoop singleThread(String threadName) {
        Objects.requireNonNull(threadName, "threadName");
        AtomicReference<Thread> created = new AtomicReference<>();
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, threadName);
            thread.setDaemon(true);
            created.set(thread);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        // Shut down, the loop is done: timers still waiting (unloads, debounced saves) neither run nor hold it up.
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
        executor.prestartCoreThread();
        return new ExecutorEventLoop(executor, executor, created.get());
    }

    /** The scheduled executor behind the loop: for shutting it down, never for running protocol logic past the loop. */
    public ScheduledExecutorService executor() {
        return timer;
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

    /** Whether the calling thread is running one of this loop's tasks (or is the thread of a single-thread loop). */
    @Override
    public boolean inLoop() {
        return inside.get() || (owner != null && Thread.currentThread() == owner);
    }

    private void run(Runnable task) {
        boolean nested = inside.get();
        inside.set(true);
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            LOG.error("A task on the event loop failed; the loop goes on", e);
        } finally {
            inside.set(nested);
        }
    }
}
