package io.profilesync.protocol.internal;

/**
 * The only way protocol logic (the master core, the peer core) reaches time and its own thread. The protocol logic
 * never calls {@code System.nanoTime()}, never starts a thread and never blocks: messages, database completions and
 * timers come in through this loop, so the same code runs on a real thread ({@link ExecutorEventLoop}) and under the
 * deterministic simulation's virtual time.
 *
 * <p>Threading: {@link #execute} may be called from any thread; {@link #nanoTime} and {@link #schedule} only from
 * the loop's own thread (the one that runs its tasks).
 */
public interface EventLoop {
    /** Monotonic nanoseconds (virtual under simulation); only differences between two readings mean anything. */
    long nanoTime();

    /** Runs {@code task} on the loop once {@code delayNanos} (0 or more) have passed; the handle cancels it. */
    Cancellable schedule(long delayNanos, Runnable task);

    /** Runs {@code task} on the loop after what is already due; any thread may call it. */
    void execute(Runnable task);

    /**
     * Whether the calling thread is the loop's own thread, so code whose contract says "on the loop" can check it
     * cheaply and throw {@link IllegalStateException} naming the thread when it is not. A loop that runs everything
     * on its caller's thread (the simulation's) keeps this default, {@code true}.
     */
    default boolean inLoop() {
        return true;
    }

    /** A scheduled task that can still be called off. Cancelling a task that ran or was cancelled does nothing. */
    @FunctionalInterface
    interface Cancellable {
        void cancel();
    }
}
