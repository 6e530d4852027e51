package io.profilesync.protocol.internal;

import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The production {@link EventLoop}: a single-threaded {@link ScheduledExecutorService} and {@link System#nanoTime()}.
 *
 * <p>Threading: as {@link EventLoop}; the executor must run one task at a time (a single thread).
 */
public final class ExecutorEventLoop implements EventLoop {
    private final ScheduledExecutorService executor;

    public ExecutorEventLoop(ScheduledExecutorService executor) {
        this.executor = Objects.requireNonNull(executor, "executor");
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Cancellable schedule(long delayNanos, Runnable task) {
        ScheduledFuture<?> future = executor.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        return () -> future.cancel(false);
    }

    @Override
    public void execute(Runnable task) {
        executor.execute(task);
    }
}
