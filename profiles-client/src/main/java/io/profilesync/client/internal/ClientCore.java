package io.profilesync.client.internal;

import io.profilesync.client.ProfilesClient;
import io.profilesync.client.ProfilesClientConfig;
import io.profilesync.core.ObservableProfile;
import io.profilesync.populators.ProfileSchema;
import io.profilesync.protocol.ConnectionState;
import io.profilesync.protocol.internal.Connector;
import io.profilesync.protocol.internal.EventLoop;
import io.profilesync.protocol.internal.Messages.Role;
import io.profilesync.protocol.internal.PeerCore;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.random.RandomGenerator;

/**
 * A game client with no thread, socket or clock of its own: the shared {@link PeerCore} (connection, schema, the
 * copy, updates, pushes, resend, closing) and the client's fill ({@link ClientSession}), driven through an
 * {@link EventLoop} and reaching the master through a {@link Connector}. {@link ProfilesClient} runs one on its
 * profile executor over KryoNet; the deterministic simulation runs many under virtual time over in-memory channels.
 *
 * <p>Threading: not thread-safe: call every method on the loop's thread, except {@link #profile()},
 * {@link #userId()}, {@link #state()} and {@link #instanceId()}, which any thread may call.
 */
public final class ClientCore {
    private final ClientSession session;
    private final PeerCore<ProfileSchema> core;

    /** A core with a random instance id. */
    public ClientCore(ProfilesClientConfig config, EventLoop loop, Connector connector) {
        this(config, loop, connector, PeerCore.newInstanceId(), null);
    }

    /**
     * @param instanceId the id sent in Hello (a restarted client is another instance)
     * @param random spreads the reconnection delays; null: seeded from {@code instanceId}
     */
    public ClientCore(ProfilesClientConfig config, EventLoop loop, Connector connector, long instanceId,
            RandomGenerator random) {
        this.session = new ClientSession(Objects.requireNonNull(config, "config"), PeerCore.factory(config,
                Role.CLIENT, instanceId, loop, connector, random, ProfileSchema::fromJson, ProfileSchema::fingerprint));
        this.core = session.core();
    }

    /** Begins connecting, and the update tick. */
    public void start() {
        core.start();
    }

    /**
     * The player's profile, as {@link ProfilesClient#fillInProfileValues()} gives it: loaded once, then kept in sync;
     * a failed fetch lets a later call ask again.
     */
    public CompletableFuture<ObservableProfile> fillInProfileValues() {
        return session.fill();
    }

    /**
     * Completes once everything written to the profile before this call is durable, as
     * {@link ProfilesClient#flush()}; completed on the loop.
     */
    public CompletableFuture<Void> flush() {
        return session.flush();
    }

    /** The live profile, once loaded. Any thread (use the profile itself on the loop). */
    public Optional<ObservableProfile> profile() {
        return session.profile();
    }

    /** The user the master authenticated this client as, or null before the first welcome. Any thread. */
    public String userId() {
        return session.userId();
    }

    /**
     * The close sequence, without blocking: the last changes are sent, and the core stops once the master
     * acknowledged them or the close timeout passed.
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

    /**
     * Whether the profile has nothing unsent and no batch awaiting its durable acknowledgement: everything this core
     * wrote is committed (or was refused). For tests.
     */
    public boolean settled() {
        return session.settled();
    }

    /** The master's acknowledged state of the profile (for tests), as whole-profile bytes (client view). */
    public Optional<byte[]> confirmed() {
        return session.confirmed();
    }

    /** Whether nothing is unsent, unacknowledged or under way (see {@link PeerCore#quiescent()}). */
    public boolean quiescent() {
        return core.quiescent();
    }

    public void addRefusalListener(ProfilesClient.RefusalListener listener) {
        Objects.requireNonNull(listener, "listener");
        core.addRefusalListener(listener, (userId, property, reason) -> listener.onRefused(property, reason));
    }

    public void removeRefusalListener(ProfilesClient.RefusalListener listener) {
        core.removeRefusalListener(listener);
    }

    /** The shared core (its connection state, listeners and futures). */
    public PeerCore<ProfileSchema> peer() {
        return core;
    }
}
