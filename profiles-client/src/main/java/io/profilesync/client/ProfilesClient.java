package io.profilesync.client;

import io.profilesync.core.ObservableProfile;
import io.profilesync.protocol.ProfilesPeer;
import io.profilesync.protocol.ProfileUnavailableException;
import io.profilesync.protocol.internal.Link;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A game client's link to the profiles master (MST's {@code MstProfilesClient}): it loads the player's own profile
 * ({@link #fillInProfileValues()}), sends the player's changes to the master by themselves every update interval,
 * and applies what the master pushes (changes made by game servers, or the player's own changes as the master
 * accepted them). A change the master refuses comes back corrected, with a {@link RefusalListener} event that says
 * why. When the connection drops it reconnects by itself; the whole profile is then applied again, so listeners see
 * what changed meanwhile, and unacknowledged changes are sent again (the master applies each once).
 *
 * <p>Threading: the methods of this class may be called from any thread. The profile is not thread-safe: read and
 * change it only on the profile executor, the one the config names (a game loop's, typically) or else the client's
 * own daemon thread {@code profilesync-client}. The futures complete on that executor, pushes are applied there, and
 * every listener (the profile's own, {@link RefusalListener}, {@link io.profilesync.protocol.ConnectionListener}) is
 * called there.
 */
public final class ProfilesClient extends ProfilesPeer {
    /**
     * Told when the master refused a change the player made; the property already holds the master's value again.
     * Called on the profile executor.
     */
    @FunctionalInterface
    public interface RefusalListener {
        /**
         * @param property the refused property, or "" when the master did not name one
         * @param reason why, in the master's words ("level 150 is above the maximum 100")
         */
        void onRefused(String property, String reason);
    }

    private final ProfilesClientConfig config;
    private final ClientSession session;
    private final Link link;

    private ProfilesClient(ProfilesClientConfig config) {
        this(config, new ClientSession(config));
    }

    private ProfilesClient(ProfilesClientConfig config, ClientSession session) {
        super(session.link(), config.closeTimeout(), session::close);
        this.config = config;
        this.session = session;
        this.link = session.link();
    }

    /**
     * Starts connecting to the master and returns at once; {@link #connected()} tells when the master welcomed this
     * player. Attempts go on (with the configured backoff) until the master answers or refuses for good.
     */
    public static ProfilesClient connect(ProfilesClientConfig config) {
        ProfilesClient client = new ProfilesClient(Objects.requireNonNull(config, "config"));
        client.link.start();
        return client;
    }

    public ProfilesClientConfig config() {
        return config;
    }

    /**
     * The user id the master authenticated this player as.
     *
     * @throws IllegalStateException before the master's first welcome (wait for {@link #connected()})
     */
    public String userId() {
        String userId = session.userId();
        if (userId == null) {
            throw new IllegalStateException("the master has not welcomed this client yet; call userId() once "
                    + "connected() has completed");
        }
        return userId;
    }

    /**
     * The player's profile (the client's view of it: properties hidden from clients are absent), loaded once and kept
     * in sync from then on; every call gets the same profile. If the master cannot load it, the future fails and a
     * later call asks again.
     *
     * @return a future completed on the profile executor, or failed with {@link ProfileUnavailableException} when the
     *     master cannot load the profile or the client is closed first, or with
     *     {@link io.profilesync.protocol.RefusedException} when the master refuses this client for good
     */
    public CompletableFuture<ObservableProfile> fillInProfileValues() {
        CompletableFuture<ObservableProfile> result = new CompletableFuture<>();
        link.executeOrFail(() -> Link.relay(session.fill(), result), result);
        return result;
    }

    /** Adds a listener told of the player's changes the master refused. */
    public void addRefusalListener(RefusalListener listener) {
        session.addRefusalListener(Objects.requireNonNull(listener, "listener"));
    }

    public void removeRefusalListener(RefusalListener listener) {
        session.removeRefusalListener(listener);
    }

    @Override
    public String toString() {
        return "ProfilesClient[" + config.host() + ":" + config.port() + ", " + link.state() + "]";
    }
}
