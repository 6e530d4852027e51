package io.profilesync.gameserver;

import io.profilesync.core.ObservableServerProfile;
import io.profilesync.protocol.ProfilesPeer;
import io.profilesync.protocol.ProfileUnavailableException;
import io.profilesync.protocol.internal.Link;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A game server's link to the profiles master (MST's {@code MstProfilesServer}): it fetches the profiles of the
 * players on this server ({@link #fillProfileValues(String)}), sends their changes to the master in one batch every
 * update interval, applies the changes the master pushes (made by the player's client, other game servers or the
 * master itself), and gives each profile back ({@link #release(String)}) once its last changes are acknowledged.
 * When the connection drops it reconnects by itself and loses nothing: unacknowledged batches are sent again, and
 * the master applies each once.
 *
 * <pre>{@code
 * ProfilesServer profiles = ProfilesServer.connect(config);
 * profiles.fillProfileValues(userId).thenAccept(profile -> profile.get("gold", ObservableInt.class).add(10, 1000));
 * }</pre>
 *
 * <p>Threading: the methods of this class may be called from any thread. The profiles it hands out are not
 * thread-safe: read and change them only on its profile executor, the one the config names or else its own daemon
 * thread {@code profilesync-gameserver}. The futures it returns complete on that executor, so
 * {@code thenAccept(profile -> ...)} runs there; {@link #run(Runnable)} runs any other code there. Pushes are applied,
 * and every listener (the profiles' own, {@link RefusalListener}, {@link io.profilesync.protocol.ConnectionListener})
 * is called, there too.
 */
public final class ProfilesServer extends ProfilesPeer {
    /**
     * Told when the master refused a change this game server made to a profile; the profile has been set back to
     * the master's value by the time this is called. Called on the profile executor.
     */
    @FunctionalInterface
    public interface RefusalListener {
        /**
         * @param userId the profile's user
         * @param property the refused property, or "" when the master did not name one (or the profile was lost)
         * @param reason why, in the master's words
         */
        void onRefused(String userId, String property, String reason);
    }

    private final ProfilesServerConfig config;
    private final ServerSession session;
    private final Link link;

    private ProfilesServer(ProfilesServerConfig config) {
        this(config, new ServerSession(config));
    }

    private ProfilesServer(ProfilesServerConfig config, ServerSession session) {
        super(session.link(), config.closeTimeout(), session::close);
        this.config = config;
        this.session = session;
        this.link = session.link();
    }

    /**
     * Starts connecting to the master and returns at once; {@link #connected()} tells when the master welcomed this
     * game server. Requests made before that wait for it. Connection attempts go on (with the configured backoff)
     * until the master answers or refuses this game server for good.
     */
    public static ProfilesServer connect(ProfilesServerConfig config) {
        ProfilesServer server = new ProfilesServer(Objects.requireNonNull(config, "config"));
        server.link.start();
        return server;
    }

    public ProfilesServerConfig config() {
        return config;
    }

    /**
     * The profile of {@code userId}, loaded by the master (or restored from its database) before it is handed out.
     * A profile this server already holds completes at once; concurrent calls for one user share one request.
     * (A future that is already complete runs the actions attached to it on the calling thread: from another thread
     * than the profile executor, attach them with {@code thenAcceptAsync(action, executor())}.)
     *
     * @return a future completed on the profile executor, or failed with {@link ProfileUnavailableException} when the
     *     master cannot load it, does not answer within the acquire timeout, or this server is closed first
     */
    public CompletableFuture<ObservableServerProfile> fillProfileValues(String userId) {
        checkUserId(userId);
        Optional<ObservableServerProfile> held = session.held(userId);
        if (held.isPresent()) {
            return CompletableFuture.completedFuture(held.get());
        }
        CompletableFuture<ObservableServerProfile> result = new CompletableFuture<>();
        link.executeOrFail(() -> Link.relay(session.acquire(userId), result), result);
        return result;
    }

    /**
     * The profile of {@code userId} if this server holds it (and has not begun to release it). Safe from any thread;
     * use the profile itself only on the profile executor.
     */
    public Optional<ObservableServerProfile> tryGetById(String userId) {
        checkUserId(userId);
        return session.held(userId);
    }

    /**
     * Gives the profile of {@code userId} back: its last changes are sent, then the master is told this server no
     * longer holds it. Changes made after this call are not sent. A user this server does not hold completes at once;
     * a fetch still under way fails with {@link ProfileUnavailableException}.
     *
     * @return a future completed on the profile executor when the master acknowledged the last changes, or failed
     *     with {@link ProfileUnavailableException} when the profile was lost or this server closed first
     */
    public CompletableFuture<Void> release(String userId) {
        checkUserId(userId);
        CompletableFuture<Void> result = new CompletableFuture<>();
        link.executeOrFail(() -> Link.relay(session.release(userId), result), result);
        return result;
    }

    /** Adds a listener told of the changes the master refused. */
    public void addRefusalListener(RefusalListener listener) {
        session.addRefusalListener(Objects.requireNonNull(listener, "listener"));
    }

    public void removeRefusalListener(RefusalListener listener) {
        session.removeRefusalListener(listener);
    }

    private static void checkUserId(String userId) {
        Objects.requireNonNull(userId, "userId");
        if (userId.isEmpty()) {
            throw new IllegalArgumentException("userId must not be empty");
        }
    }

    @Override
    public String toString() {
        return "ProfilesServer[" + config.host() + ":" + config.port() + ", " + link.state() + "]";
    }

    static ProfileUnavailableException closedException() {
        return new ProfileUnavailableException("the ProfilesServer was closed before the master answered");
    }
}
