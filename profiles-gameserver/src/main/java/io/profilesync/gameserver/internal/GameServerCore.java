package io.profilesync.gameserver.internal;

import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.Precondition;
import io.profilesync.gameserver.ProfilesServer;
import io.profilesync.gameserver.ProfilesServerConfig;
import io.profilesync.populators.ProfileSchema;
import io.profilesync.protocol.ConnectionState;
import io.profilesync.protocol.internal.Connector;
import io.profilesync.protocol.internal.EventLoop;
import io.profilesync.protocol.internal.Messages.Role;
import io.profilesync.protocol.internal.PeerCore;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * A game server with no thread, socket or clock of its own: the shared {@link PeerCore} (connection, schema, copies,
 * batches, pushes, resend, closing) and the game server's acquire and release ({@link ServerSession}), driven through
 * an {@link EventLoop} and reaching the master through a {@link Connector}. {@link ProfilesServer} runs one on its
 * profile thread over KryoNet; the deterministic simulation runs many under virtual time over in-memory channels.
 *
 * <p>Threading: not thread-safe: call every method on the loop's thread, except {@link #held(String)},
 * {@link #state()} and {@link #instanceId()}, which any thread may call.
 */
public final class GameServerCore {
    private final ServerSession session;
    private final PeerCore<ProfileSchema> core;

    /** A core with a random instance id. */
    public GameServerCore(ProfilesServerConfig config, EventLoop loop, Connector connector) {
        this(config, loop, connector, PeerCore.newInstanceId(), null);
    }

    /**
     * @param instanceId the id sent in Hello (a restarted game server is another instance)
     * @param random spreads the reconnection delays; null: seeded from {@code instanceId}
     */
    public GameServerCore(ProfilesServerConfig config, EventLoop loop, Connector connector, long instanceId,
            RandomGenerator random) {
        this.session = new ServerSession(Objects.requireNonNull(config, "config"), PeerCore.factory(config,
                Role.GAME_SERVER, instanceId, loop, connector, random, ProfileSchema::fromJson, ProfileSchema::fingerprint));
        this.core = session.core();
    }

    /** Begins connecting, and the update tick. */
    public void start() {
        core.start();
    }

    /**
     * The profile of {@code userId}, as {@link ProfilesServer#fillProfileValues(String)} gives it: at once when
     * held, else once the master hands it over (failed when it cannot, does not within the acquire timeout, or the
     * core closes first).
     */
    public CompletableFuture<ObservableServerProfile> fillProfileValues(String userId) {
        return session.acquire(Objects.requireNonNull(userId, "userId"));
    }

    /** Gives the profile back once its last changes are acknowledged, as {@link ProfilesServer#release(String)}. */
    public CompletableFuture<Void> release(String userId) {
        return session.release(Objects.requireNonNull(userId, "userId"));
    }

    /** An atomic change, as {@link ProfilesServer#transact}; completed on the loop. */
    public CompletableFuture<Void> transact(String userId, List<Precondition> preconditions,
            Consumer<ObservableServerProfile> edit) {
        return session.atomically(Objects.requireNonNull(userId, "userId"), List.copyOf(preconditions),
                Objects.requireNonNull(edit, "edit"));
    }

    /**
     * Completes once everything written to the held profile of {@code userId} before this call is durable, as
     * {@link ProfilesServer#flush(String)}; completed on the loop.
     */
    public CompletableFuture<Void> flush(String userId) {
        return session.flush(Objects.requireNonNull(userId, "userId"));
    }

    /**
     * Completes once everything written to the held profile of {@code userId} before this call is durable, without
     * asking the master to save sooner: what ordinary saves take (for benchmarks and tests); on the loop.
     */
    public CompletableFuture<Void> whenDurable(String userId) {
        return session.whenDurable(Objects.requireNonNull(userId, "userId"));
    }

    /** The live copy the game writes to, if held and not being released. Any thread. */
    public Optional<ObservableServerProfile> held(String userId) {
        return session.held(userId);
    }

    /**
     * The close sequence, without blocking: fetches under way fail, every profile is released (its last changes
     * first), and the core stops once the master acknowledged them all or the close timeout passed.
     *
     * @return completed when stopped
     */
    public CompletableFuture<Void> close() {
        return core.close(false);
    }

    /** Stops at once, after one tick: for a caller on the loop that cannot wait for acknowledgements. */
    public CompletableFuture<Void> closeNow() {
        return core.close(true);
    }

    /** Any thread. */
    public ConnectionState state() {
        return core.state();
    }

    /** The id this core sends in Hello. Any thread. */
    public long instanceId() {
        return core.instanceId();
    }

    /** The master's acknowledged state of the held profile of {@code userId} (for tests), as whole-profile bytes. */
    public Optional<byte[]> confirmed(String userId) {
        return session.confirmed(userId);
    }

    /**
     * Whether the held profile of {@code userId} has nothing unsent and no batch awaiting its durable
     * acknowledgement: everything this core wrote to it is committed (or was refused). For tests.
     */
    public boolean settled(String userId) {
        return session.settled(userId);
    }

    /** Whether nothing is unsent, unacknowledged or under way (see {@link PeerCore#quiescent()}). */
    public boolean quiescent() {
        return core.quiescent();
    }

    public void addRefusalListener(ProfilesServer.RefusalListener listener) {
        Objects.requireNonNull(listener, "listener");
        core.addRefusalListener(listener, listener::onRefused);
    }

    public void removeRefusalListener(ProfilesServer.RefusalListener listener) {
        core.removeRefusalListener(listener);
    }

    /** The shared core (its connection state, listeners and futures). */
    public PeerCore<ProfileSchema> peer() {
        return core;
    }
}
