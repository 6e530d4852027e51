package io.profilesync.protocol;

import io.profilesync.protocol.internal.Link;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * What a game server's {@code ProfilesServer} and a client's {@code ProfilesClient} share: the connection to the
 * master, its state and listeners, the profile executor, and closing. Not meant to be extended outside profilesync
 * (its constructor takes internal types).
 *
 * <p>Threading: every method may be called from any thread. Profiles are touched, futures completed and listeners
 * called on the profile executor ({@link #executor()}).
 */
public abstract class ProfilesPeer implements AutoCloseable {
    private final Link link;
    private final Duration closeTimeout;
    private final Function<Boolean, CompletableFuture<Void>> closer;

    /**
     * @param closer begins closing on the profile executor; its argument says whether close() was called on that
     *     executor (then it cannot wait for acknowledgements)
     */
    protected ProfilesPeer(Link link, Duration closeTimeout, Function<Boolean, CompletableFuture<Void>> closer) {
        this.link = Objects.requireNonNull(link, "link");
        this.closeTimeout = Objects.requireNonNull(closeTimeout, "closeTimeout");
        this.closer = Objects.requireNonNull(closer, "closer");
    }

    /** The link to the master (for the tiers). */
    protected final Link link() {
        return link;
    }

    /**
     * Completes (on the profile executor) at the master's first welcome; fails with {@link RefusedException} when the
     * master refuses this peer for good (a bad credential, another protocol version or schema: the message says
     * which), or with {@link ProfileUnavailableException} when closed first. Until then connection attempts go on
     * with the configured backoff.
     */
    public final CompletableFuture<Void> connected() {
        return link.connected();
    }

    /** The connection's state now. */
    public final ConnectionState state() {
        return link.state();
    }

    /** Adds a listener told of every change of the connection's state, on the profile executor. */
    public final void addConnectionListener(ConnectionListener listener) {
        link.addListener(listener);
    }

    public final void removeConnectionListener(ConnectionListener listener) {
        link.removeListener(listener);
    }

    /** The profile executor: run the code that touches profiles on it. */
    public final Executor executor() {
        return link.executor();
    }

    /** Runs {@code task} on the profile executor (an exception it throws is logged). */
    public final void run(Runnable task) {
        link.execute(Objects.requireNonNull(task, "task"));
    }

    /**
     * Sends the last changes, waits up to the close timeout for the master's acknowledgement, then stops every thread
     * this peer started (KryoNet's, the timer, its own executor). Requests still pending fail with
     * {@link ProfileUnavailableException}. Called on the profile executor itself it cannot wait (that executor
     * delivers the acknowledgement): the changes are sent, and the threads stop at once. Idempotent.
     */
    @Override
    public final void close() {
        link.closeAndWait(closer, closeTimeout);
    }
}
