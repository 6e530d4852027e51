package io.profilesync.master.internal;

import io.profilesync.protocol.internal.EventLoop;
import java.time.Duration;
import java.util.Comparator;
import java.util.PriorityQueue;

/**
 * An {@link EventLoop} under virtual time that the test drives: tasks wait in a queue ordered by (time, sequence),
 * and run only when the test advances the clock. Single-threaded: the test thread is the loop's thread.
 */
final class ManualEventLoop implements EventLoop {
    private static final class Task implements Cancellable {
        final long at;
        final long seq;
        final Runnable run;
        boolean cancelled;

        Task(long at, long seq, Runnable run) {
            this.at = at;
            this.seq = seq;
            this.run = run;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }

    private final PriorityQueue<Task> queue = new PriorityQueue<>(
            Comparator.<Task>comparingLong(task -> task.at).thenComparingLong(task -> task.seq));
    private long now = 1_000_000_000L; // anything: only differences mean something
    private long nextSeq;
    private long ran;

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public Cancellable schedule(long delayNanos, Runnable task) {
        Task scheduled = new Task(now + Math.max(0, delayNanos), nextSeq++, task);
        queue.add(scheduled);
        return scheduled;
    }

    @Override
    public void execute(Runnable task) {
        schedule(0, task);
    }

    /** Runs every task due by now, including those they schedule for now. */
    void runDue() {
        advanceTo(now);
    }

    /** Moves the clock forward by {@code duration}, running every task due on the way, in order. */
    void advance(Duration duration) {
        advanceTo(now + duration.toNanos());
    }

    /** The task running now takes {@code duration}: the clock moves on, nothing else runs meanwhile. */
    void stall(Duration duration) {
        now += duration.toNanos();
    }

    private void advanceTo(long until) {
        while (!queue.isEmpty() && queue.peek().at <= until) {
            Task task = queue.poll();
            if (task.cancelled) {
                continue;
            }
            now = Math.max(now, task.at);
            ran++;
            task.run.run();
        }
        now = Math.max(now, until);
    }

    /** How long since {@code start} (a reading of {@link #nanoTime()}). */
    Duration since(long start) {
        return Duration.ofNanos(now - start);
    }

    /** How many tasks ran so far. */
    long tasksRun() {
        return ran;
    }

    /** How many tasks wait, not counting cancelled ones. */
    long pending() {
        return queue.stream().filter(task -> !task.cancelled).count();
    }
}
