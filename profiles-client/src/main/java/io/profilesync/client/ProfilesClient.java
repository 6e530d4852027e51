package io.profilesync.client;

import io.profilesync.core.ObservableProfile;
import io.profilesync.protocol.ProfilesPeer;
import io.profilesync.protocol.ProfileUnavailableException;
import io.profilesync.client.internal.ClientCore;
import io.profilesync.protocol.internal.PeerRuntime;
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
    private final ClientCore core;

    private ProfilesClient(ProfilesClientConfig config, PeerRuntime runtime) {
        this(config, runtime, new ClientCore(config, runtime.loop(), runtime.connector()));
    }

    private ProfilesClient(ProfilesClientConfig config, PeerRuntime runtime, ClientCore core) {
        super(core.peer(), runtime);
        this.config = config;
        this.core = core;
    }

    /**
     * Starts connecting to the master and returns at once; {@link #connected()} tells when the master welcomed this
     * player. Attempts go on (with the configured backoff) until the master answers or refuses for good.
     */
    public static ProfilesClient connect(ProfilesClientConfig config) {
        Objects.requireNonNull(config, "config");
        ProfilesClient client = new ProfilesClient(config, new PeerRuntime(config, ProfilesClientConfig.THREAD_NAME));
        client.start();
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
        String userId = core.userId();
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
        return onLoop(core::fillInProfileValues);
    }

    /**
     * Makes everything the player wrote to the profile before this call durable now, for changes that must not be
     * lost: the unsent changes go to the master at once instead of at the next update interval, and the master is
     * asked to save the profile at once instead of after its {@code saveProfileDebounce}. Changes made after the
     * call are not waited for. Completes at once when the profile was never loaded.
     *
     * <ul>
     *   <li>While the connection is down the future stays pending: after the reconnection the changes and the request
     *       go again to the next master, and the future completes when that master's save is durable.
     *   <li>While the master's database is down it stays pending too, until the save succeeds.
     *   <li>It fails with {@link io.profilesync.protocol.NotDurableException} ({@code STOPPED}) when this client is
     *       closed, or refused for good, first; a call made after that fails with {@link ProfileUnavailableException}
     *       as every call does then.
     * </ul>
     *
     * @return a future completed on the profile executor when the master's durable acknowledgement covers the
     *     changes, or failed as above
     */
    public CompletableFuture<Void> flush() {
        return onLoop(core::flush);
    }

    /** Adds a listener told of the player's changes the master refused. */
    public void addRefusalListener(RefusalListener listener) {
        core.addRefusalListener(listener);
    }

    public void removeRefusalListener(RefusalListener listener) {
        core.removeRefusalListener(listener);
    }

    @Override
    public String toString() {
        return "ProfilesClient[" + config.host() + ":" + config.port() + ", " + core.state() + "]";
    }
}
