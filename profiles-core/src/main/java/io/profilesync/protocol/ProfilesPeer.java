package io.profilesync.protocol;

import io.profilesync.protocol.internal.PeerCore;
import io.profilesync.protocol.internal.PeerRuntime;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a game server's {@code ProfilesServer} and a client's {@code ProfilesClient} share: the connection to the
 * master, its state and listeners, the profile executor, and closing. Not meant to be extended outside profilesync
 * (its constructor takes internal types).
 *
 * <p>Threading: every method may be called from any thread. Profiles are touched, futures completed and listeners
 * called on the profile executor ({@link #executor()}).
 */
public abstract class ProfilesPeer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProfilesPeer.class);

    private final PeerCore<?> core;
    private final PeerRuntime runtime;
    private final Duration closeTimeout;

    /** @param core the tier's peer core, driven by {@code runtime}'s loop; not started yet */
    protected ProfilesPeer(PeerCore<?> core, PeerRuntime runtime) {
        this.core = Objects.requireNonNull(core, "core");
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        this.closeTimeout = core.config().closeTimeout();
        // Refused for good or closed: the threads go too (from the loop itself, which they then leave).
        core.stopped().whenComplete((done, error) -> runtime.shutdown());
    }

    /** Starts connecting, on the profile executor. */
    protected final void start() {
        runtime.loop().execute(core::start);
    }

    /**
     * Completes (on the profile executor) at the master's first welcome; fails with {@link RefusedException} when the
     * master refuses this peer for good (a bad credential, another protocol version or schema: the message says
     * which), or with {@link ProfileUnavailableException} when closed first. Until then connection attempts go on
     * with the configured backoff.
     */
    public final CompletableFuture<Void> connected() {
        return core.connected();
    }

    /** The connection's state now. */
    public final ConnectionState state() {
        return core.state();
    }

    /** Adds a listener told of every change of the connection's state, on the profile executor. */
    public final void addConnectionListener(ConnectionListener listener) {
        core.addConnectionListener(listener);
    }

    public final void removeConnectionListener(ConnectionListener listener) {
        core.removeConnectionListener(listener);
    }

    /** The profile executor: run the code that touches profiles on it. */
    public final Executor executor() {
        return runtime.executor();
    }

    /** Runs {@code task} on the profile executor (an exception it throws is logged). */
    public final void run(Runnable task) {
        runtime.loop().execute(Objects.requireNonNull(task, "task"));
    }

    /**
     * Runs {@code call} on the profile executor and completes the returned future as the future it returns
     * completes; fails it at once when this peer has stopped (its executor may be gone).
     */
    protected final <T> CompletableFuture<T> onLoop(Supplier<CompletableFuture<T>> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Runnable task = () -> call.get().whenComplete((value, error) -> {
            if (error != null) {
                result.completeExceptionally(error);
            } else {
                result.complete(value);
            }
        });
        if (core.stopped().isDone() || !runtime.loop().tryExecute(task)) {
            result.completeExceptionally(core.stoppedException());
        }
        return result;
    }

    /**
     * Sends the last changes, waits up to the close timeout for the master's acknowledgement, then stops every thread
     * this peer started (KryoNet's, the timer, its own executor). Requests still pending fail with
     * {@link ProfileUnavailableException}. Called on the profile executor itself it cannot wait (that executor
     * delivers the acknowledgement): the changes are sent, and the threads stop at once. Idempotent.
     */
    @Override
    public final void close() {
        if (core.stopped().isDone()) {
            runtime.shutdown();
            return;
        }
        if (runtime.loop().inLoop()) {
            core.close(true);
            runtime.shutdown();
            return;
        }
        CompletableFuture<Void> closed = new CompletableFuture<>();
        boolean queued = runtime.loop().tryExecute(() -> core.close(false)
                .whenComplete((done, error) -> closed.complete(null)));
        try {
            if (queued) {
                closed.get(closeTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("Closing did not finish within {}; stopping at once", closeTimeout);
        } finally {
            runtime.shutdown();
        }
    }
}
