package io.profilesync.protocol.internal;

import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production {@link EventLoop}: a single-threaded {@link ScheduledExecutorService} and {@link System#nanoTime()}.
 *
 * <p>Threading: as {@link EventLoop}; the executor must run one task at a time (a single thread). When the loop knows
 * its thread ({@link #singleThread} or the two-argument constructor), {@link #inLoop()} checks it; otherwise it
 * answers {@code true}. A task that throws is logged (a scheduled executor would keep the exception in a future
 * nobody reads) and the loop goes on with the next.
 */
public final class ExecutorEventLoop implements EventLoop {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorEventLoop.class);

    private final ScheduledExecutorService executor;
    private final Thread owner;

    /** A loop on {@code executor}, whose thread it does not know ({@link #inLoop()} then always says yes). */
    public ExecutorEventLoop(ScheduledExecutorService executor) {
        this(executor, null);
    }

    /** A loop on {@code executor}, which runs every task on {@code owner} (null: unknown). */
    public ExecutorEventLoop(ScheduledExecutorService executor, Thread owner) {
        this.executor = Objects.requireNonNull(executor, "executor");
        this.owner = owner;
    }

    /**
     * A loop on a new executor with one daemon thread named {@code threadName}, started at once so {@link #inLoop()}
     * knows it; cancelled timers leave the executor's queue at once (many deadlines come and go). Shut it down with
     * {@link #executor()}{@code .shutdown()}.
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
        executor.prestartCoreThread();
        return new ExecutorEventLoop(executor, created.get());
    }

    /** The executor behind the loop: for shutting it down, never for running protocol logic past the loop. */
    public ScheduledExecutorService executor() {
        return executor;
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Cancellable schedule(long delayNanos, Runnable task) {
        ScheduledFuture<?> future = executor.schedule(logged(task), Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        return () -> future.cancel(false);
    }

    @Override
    public void execute(Runnable task) {
        executor.execute(logged(task));
    }

    @Override
    public boolean inLoop() {
        return owner == null || Thread.currentThread() == owner;
    }

    private static Runnable logged(Runnable task) {
        Objects.requireNonNull(task, "task");
        return () -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                LOG.error("A task on the event loop failed; the loop goes on", e);
            }
        };
    }
}
