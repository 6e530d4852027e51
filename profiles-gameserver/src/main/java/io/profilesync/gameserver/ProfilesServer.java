package io.profilesync.gameserver;

import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.Precondition;
import io.profilesync.protocol.ProfilesPeer;
import io.profilesync.protocol.ProfileUnavailableException;
import io.profilesync.gameserver.internal.GameServerCore;
import io.profilesync.protocol.internal.PeerRuntime;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

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
    private final GameServerCore core;

    private ProfilesServer(ProfilesServerConfig config, PeerRuntime runtime) {
        this(config, runtime, new GameServerCore(config, runtime.loop(), runtime.connector()));
    }

    private ProfilesServer(ProfilesServerConfig config, PeerRuntime runtime, GameServerCore core) {
        super(core.peer(), runtime);
        this.config = config;
        this.core = core;
    }

    /**
     * Starts connecting to the master and returns at once; {@link #connected()} tells when the master welcomed this
     * game server. Requests made before that wait for it. Connection attempts go on (with the configured backoff)
     * until the master answers or refuses this game server for good.
     */
    public static ProfilesServer connect(ProfilesServerConfig config) {
        Objects.requireNonNull(config, "config");
        ProfilesServer server = new ProfilesServer(config, new PeerRuntime(config, ProfilesServerConfig.THREAD_NAME));
        server.start();
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
        Optional<ObservableServerProfile> held = core.held(userId);
        if (held.isPresent()) {
            return CompletableFuture.completedFuture(held.get());
        }
        return onLoop(() -> core.fillProfileValues(userId));
    }

    /**
     * The profile of {@code userId} if this server holds it (and has not begun to release it). Safe from any thread;
     * use the profile itself only on the profile executor.
     */
    public Optional<ObservableServerProfile> tryGetById(String userId) {
        checkUserId(userId);
        return core.held(userId);
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
        return onLoop(() -> core.release(userId));
    }

    /**
     * Makes everything written to the profile of {@code userId} before this call durable now, for changes that must
     * not be lost (a purchase, currency): its unsent changes go to the master at once instead of at the next update
     * interval, and the master is asked to save the profile at once instead of after its {@code saveProfileDebounce}
     * (profiles due together share one database batch). Changes made after the call are not waited for.
     *
     * <ul>
     *   <li>While the connection is down the future stays pending: after the reconnection the batches and the request
     *       go again to the next master, and the future completes when that master's save is durable.
     *   <li>While the master's database is down it stays pending too, until the save succeeds.
     *   <li>It fails with {@link io.profilesync.protocol.NotDurableException} when the profile is released first with
     *       its changes not durable ({@code RELEASED}: a {@link #release(String)} itself waits for them, so this
     *       happens only when the release ends otherwise), lost after a reconnection ({@code LOST}), or this server is
     *       closed or refused for good ({@code STOPPED}); a call made after that fails with
     *       {@link ProfileUnavailableException} as every call does then.
     * </ul>
     *
     * @return a future completed on the profile executor when the master's durable acknowledgement covers the
     *     changes, or failed as above; failed with {@link ProfileUnavailableException} when this server does not
     *     hold the profile (not yet handed over, or released)
     */
    public CompletableFuture<Void> flush(String userId) {
        checkUserId(userId);
        return onLoop(() -> core.flush(userId));
    }

    /**
     * Changes the profile of {@code userId} as one unit, checked and applied by the master all or nothing: the
     * changes {@code changes} makes apply together only if every one of {@code preconditions} holds on the master's
     * current state (never on this server's copy, which may be stale) and none of the changes is refused (by the
     * schema's permissions and constraints, such as a spend below {@code min: 0}, or the game's validators); otherwise
     * none applies. A purchase:
     *
     * <pre>{@code
     * profiles.transact(userId, List.of(Precondition.atLeast("gold", price),
     *         Precondition.doesNotContain("items", "sword")), profile -> {
     *     profile.get("gold", ObservableInt.class).subtract(price);
     *     profile.getList("items", ElementType.STRING).add("sword");
     * }).whenComplete((done, failure) -> ...);
     * }</pre>
     *
     * <ul>
     *   <li>{@code changes} runs on the profile executor (at once when this is called there, as it may be from any
     *       thread); the profile shows its result at once, optimistically. Changes made to the profile before are
     *       sent first, apart from it.
     *   <li>It travels at once in a batch of its own, and the master saves it at once (as {@link #flush} asks). Until
     *       the master answers, this profile's later changes wait (they go in the next batch after the answer).
     *   <li>Refused, it leaves no trace: the profile shows the master's state again, and the refusal listeners hear
     *       of each reason too.
     *   <li>Across a reconnection it is sent again and applied at most once, as every batch is.
     * </ul>
     *
     * @param preconditions checks on the master's state (may be empty: then only the changes' own checks decide);
     *     at most {@link Precondition#MAX_PER_CHANGE}
     * @param changes changes the profile; it must not keep it for later. What it throws fails the future, and
     *     nothing of what it changed stays
     * @return a future completed on the profile executor once the master applied the changes and they are durable
     *     (at once when {@code changes} changed nothing); failed with
     *     {@link io.profilesync.protocol.TransactionRefusedException} when the master refused them (a precondition
     *     did not hold, or a change was refused), with {@link io.profilesync.core.InvalidPreconditionException} when
     *     a precondition names no property of the profile or one of another kind, with
     *     {@link ProfileUnavailableException} when this server does not hold the profile, and with
     *     {@link io.profilesync.protocol.NotDurableException} as {@link #flush} fails
     */
    public CompletableFuture<Void> transact(String userId, List<Precondition> preconditions,
            Consumer<ObservableServerProfile> changes) {
        checkUserId(userId);
        Objects.requireNonNull(preconditions, "preconditions");
        Objects.requireNonNull(changes, "changes");
        if (preconditions.size() > Precondition.MAX_PER_CHANGE) {
            throw new IllegalArgumentException(preconditions.size() + " preconditions; an atomic change carries at "
                    + "most " + Precondition.MAX_PER_CHANGE + ": check fewer, or split the change");
        }
        List<Precondition> checks = List.copyOf(preconditions);
        return onLoop(() -> core.transact(userId, checks, changes));
    }

    /** Adds a listener told of the changes the master refused. */
    public void addRefusalListener(RefusalListener listener) {
        core.addRefusalListener(listener);
    }

    public void removeRefusalListener(RefusalListener listener) {
        core.removeRefusalListener(listener);
    }

    private static void checkUserId(String userId) {
        Objects.requireNonNull(userId, "userId");
        if (userId.isEmpty()) {
            throw new IllegalArgumentException("userId must not be empty");
        }
    }

    @Override
    public String toString() {
        return "ProfilesServer[" + config.host() + ":" + config.port() + ", " + core.state() + "]";
    }
}
