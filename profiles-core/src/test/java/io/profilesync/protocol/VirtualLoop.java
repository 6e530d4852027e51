package io.profilesync.protocol;

import io.profilesync.protocol.internal.EventLoop;
import java.time.Duration;
import java.util.PriorityQueue;

/**
 * Test helper: an {@link EventLoop} under virtual time, driven by the test's own thread. Nothing runs until the test
 * calls {@link #runDue()} or {@link #advance(Duration)}; tasks due at the same instant run in the order they were
 * scheduled.
 */
public final class VirtualLoop implements EventLoop {
    private record Task(long at, long order, Runnable run, boolean[] cancelled) {
    }

    private final PriorityQueue<Task> tasks = new PriorityQueue<>((a, b) -> a.at != b.at
            ? Long.compare(a.at, b.at) : Long.compare(a.order, b.order));
    private long now;
    private long order;

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public Cancellable schedule(long delayNanos, Runnable task) {
        boolean[] cancelled = new boolean[1];
        tasks.add(new Task(now + Math.max(0, delayNanos), order++, task, cancelled));
        return () -> cancelled[0] = true;
    }

    @Override
    public void execute(Runnable task) {
        schedule(0, task);
    }

    /** Runs every task due now, including those they schedule for now. */
    public void runDue() {
        advanceTo(now);
    }

    /** Moves the clock forward by {@code duration}, running each task at its own instant. */
    public void advance(Duration duration) {
        advanceTo(now + duration.toNanos());
    }

    /**
     * Moves the clock forward by {@code duration} without running anything, as a loop kept busy that long would: what
     * fell due meanwhile runs late, at the next {@link #runDue()} or {@link #advance}.
     */
    public void stall(Duration duration) {
        now += duration.toNanos();
    }

    private void advanceTo(long target) {
        while (!tasks.isEmpty() && tasks.peek().at <= target) {
            Task task = tasks.poll();
            now = Math.max(now, task.at); // after a stall, late
            if (!task.cancelled[0]) {
                task.run.run();
            }
        }
        now = target;
    }

    /** The virtual time, as a duration since the start. */
    public Duration elapsed() {
        return Duration.ofNanos(now);
    }
}
