package io.profilesync.testing.sim;

import io.profilesync.protocol.internal.EventLoop;

/**
 * The {@link EventLoop} of one simulated node (the master, a game server, a client), on the shared
 * {@link VirtualScheduler}: its clock is the virtual clock, its timers are the scheduler's tasks, and
 * {@link #execute} queues behind what is due now. {@link #kill()} models a crash of the node's process: every task
 * it still had (timers, deliveries, database completions) is dropped, and nothing it schedules afterwards runs.
 *
 * <p>Threading: single-threaded, as the whole simulation; {@link #inLoop()} is always true there.
 */
public final class NodeLoop implements EventLoop {
    private final VirtualScheduler scheduler;
    private final String name;
    private boolean dead;

    public NodeLoop(VirtualScheduler scheduler, String name) {
        this.scheduler = scheduler;
        this.name = name;
    }

    @Override
    public long nanoTime() {
        return scheduler.nanoTime();
    }

    @Override
    public Cancellable schedule(long delayNanos, Runnable task) {
        return scheduler.schedule(this, delayNanos, task)::cancel;
    }

    @Override
    public void execute(Runnable task) {
        scheduler.schedule(this, 0, task);
    }

    /** The node's process died: drop everything it had queued and everything it queues from now on. */
    public void kill() {
        dead = true;
    }

    public boolean dead() {
        return dead;
    }

    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return "NodeLoop[" + name + (dead ? ", dead" : "") + "]";
    }
}
