package io.profilesync.testing.sim;

import io.profilesync.protocol.internal.EventLoop;
import java.util.PriorityQueue;

/**
 * The simulation's one clock and one queue of work: tasks ordered by (virtual time, insertion number), so two tasks
 * due at the same instant run in the order they were scheduled, never by identity hash codes. Time moves only when
 * the next task is later than now; nothing here reads the wall clock.
 *
 * <p>Every simulated node runs on a {@link NodeLoop} of this scheduler; killing a node (a crash) drops what its loop
 * still had to do.
 *
 * <p>Threading: single-threaded; every method must be called on the thread that runs the simulation.
 */
public final class VirtualScheduler {
    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private long now;
    private long nextSequence;
    private long tasksRun;
    private Runnable afterEachTask = () -> { };

    /** Virtual nanoseconds since the start of the run. */
    public long nanoTime() {
        return now;
    }

    /** How many tasks ran so far (for figures and runaway guards). */
    public long tasksRun() {
        return tasksRun;
    }

    /** Sets what runs after every task (the simulation's watchers of invariants that hold at every instant). */
    public void afterEachTask(Runnable watcher) {
        this.afterEachTask = watcher;
    }

    /** Schedules {@code task} of {@code owner} at now + {@code delayNanos} (negative delays count as 0). */
    Task schedule(NodeLoop owner, long delayNanos, Runnable task) {
        Task scheduled = new Task(now + Math.max(0, delayNanos), nextSequence++, owner, task);
        queue.add(scheduled);
        return scheduled;
    }

    /** Schedules work of the simulation itself (workload steps, faults), which no crash drops. */
    public EventLoop.Cancellable schedule(long delayNanos, Runnable task) {
        return schedule(null, delayNanos, task)::cancel;
    }

    /**
     * Runs tasks in order until the queue is empty, the next task is later than {@code deadlineNanos}, or
     * {@code maxTasks} have run; the clock ends at the deadline when the queue ran dry or the next task is later.
     *
     * @return whether it stopped because of {@code maxTasks} (a runaway: a busy loop in virtual time)
     */
    public boolean runUntil(long deadlineNanos, long maxTasks) {
        long budget = maxTasks;
        while (!queue.isEmpty() && queue.peek().at <= deadlineNanos) {
            if (budget-- <= 0) {
                return true;
            }
            Task task = queue.poll();
            now = Math.max(now, task.at);
            if (task.cancelled || (task.owner != null && task.owner.dead())) {
                continue;
            }
            tasksRun++;
            task.runnable.run();
            afterEachTask.run();
        }
        now = Math.max(now, deadlineNanos);
        return false;
    }

    /** Whether any live task is still queued (cancelled tasks and tasks of dead nodes do not count). */
    public boolean hasLiveTasks() {
        for (Task task : queue) {
            if (!task.cancelled && (task.owner == null || !task.owner.dead())) {
                return true;
            }
        }
        return false;
    }

    /** One scheduled piece of work. */
    static final class Task implements Comparable<Task> {
        final long at;
        final long sequence;
        final NodeLoop owner;
        final Runnable runnable;
        boolean cancelled;

        Task(long at, long sequence, NodeLoop owner, Runnable runnable) {
            this.at = at;
            this.sequence = sequence;
            this.owner = owner;
            this.runnable = runnable;
        }

        void cancel() {
            cancelled = true;
        }

        @Override
        public int compareTo(Task other) {
            int byTime = Long.compare(at, other.at);
            return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
        }
    }
}
