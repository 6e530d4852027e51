package io.profilesync.master.internal;

import io.profilesync.core.IProfilesDatabaseAccessor;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.Precondition;
import io.profilesync.master.AdminRefusedException;
import io.profilesync.master.MasterConfig;
import io.profilesync.master.MasterServer;
import io.profilesync.master.hooks.Author;
import io.profilesync.master.hooks.MasterHooks;
import io.profilesync.master.hooks.MasterPlugin;
import io.profilesync.master.hooks.PluginLoadException;
import io.profilesync.populators.ProfileSchema;
import io.profilesync.protocol.ProfileUnavailableException;
import io.profilesync.protocol.internal.EventLoop;
import io.profilesync.protocol.internal.Messages;
import io.profilesync.protocol.internal.Messages.AcquireProfile;
import io.profilesync.protocol.internal.Messages.ClientUpdate;
import io.profilesync.protocol.internal.Messages.Hello;
import io.profilesync.protocol.internal.Messages.ProfileRequest;
import io.profilesync.protocol.internal.Messages.ReleaseProfile;
import io.profilesync.protocol.internal.Messages.Role;
import io.profilesync.protocol.internal.Messages.ServerBatch;
import io.profilesync.protocol.internal.PeerChannel;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's protocol logic (MST's {@code ProfilesModule}) as a single-threaded state machine: it loads, creates,
 * validates, applies, relays, pushes, saves and unloads profiles. Its inputs are a message from a peer
 * ({@link #onConnected}, {@link #onReceived}, {@link #onDisconnected}), a completed database call and a timer (both
 * through the {@link EventLoop}); its outputs are messages ({@link PeerChannel#trySend}) and database calls. It has no
 * sockets, threads or clock of its own, so the KryoNet server ({@link MasterServer}) and the deterministic
 * simulation drive the same code.
 *
 * <p>This class only dispatches; each concern is a room of its own: {@link Handshake}, {@link ProfileCache},
 * {@link AppliedBatches}, {@link ClientHolders} and {@link ClientPushes}, {@link GameServerHolders} and
 * {@link GameServerPushes}, {@link ChangeRelay}, {@link SaveScheduler}, {@link Sessions} and {@link OutboundQueue},
 * {@link MasterMetrics}.
 *
 * <p>Threading: every method must be called on the loop's thread (it checks, and throws
 * {@link IllegalStateException} naming the thread), except {@link #stats()}, which any thread may call.
 */
public final class MasterCore {
    private static final Logger LOG = LoggerFactory.getLogger(MasterCore.class);
    private final EventLoop loop;
    private final MasterMetrics metrics;
    private final Sessions sessions;
    private final Handshake handshake;
    private final SaveScheduler saves;
    private final DurableAcks durable;
    private final ProfileCache cache;
    private final ChangeRelay relay;
    private final ClientPushes clientPushes;
    private final GameServerPushes gameServerPushes;
    private final ClientHolders clients;
    private final GameServerHolders gameServers;
    private final Hooks hooks;
    private final IProfilesDatabaseAccessor accessor;
    private final ProfileSchema schema;
    private final MasterTransactions transactions;
    private boolean closing;
    /** A restore is replacing the database's rows: nothing loads, nobody connects, until it is done. */
    private boolean restoring;

    /**
     * A master core with nothing broken, whose wall clock (for the age of exactly-once record entries) is the loop's
     * clock counted from the epoch: right under the simulation's virtual time; production passes the system's
     * ({@link #MasterCore(MasterConfig, ProfileSchema, IProfilesDatabaseAccessor, EventLoop, InstantSource, Set)}).
     */
    public MasterCore(MasterConfig config, ProfileSchema schema, IProfilesDatabaseAccessor accessor, EventLoop loop) {
        this(config, schema, accessor, loop, Set.of());
    }

    /**
     * @param broken defects to build in on purpose, <b>for tests only</b> ({@link BrokenOnPurpose}); empty in
     *     production
     */
    public MasterCore(MasterConfig config, ProfileSchema schema, IProfilesDatabaseAccessor accessor, EventLoop loop,
            Set<BrokenOnPurpose> broken) {
        this(config, schema, accessor, loop, loopWallClock(loop), broken);
    }

    /**
     * @param wallClock the time stamped on exactly-once record entries, which outlive the process (they are aged
     *     out after {@link MasterConfig#appliedBatchesRetention()}): the system's clock in production
     * @param broken defects to build in on purpose, <b>for tests only</b> ({@link BrokenOnPurpose}); empty in
     *     production
     */
    public MasterCore(MasterConfig config, ProfileSchema schema, IProfilesDatabaseAccessor accessor, EventLoop loop,
            InstantSource wallClock, Set<BrokenOnPurpose> broken) {
        Objects.requireNonNull(wallClock, "wallClock");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(accessor, "accessor");
        this.loop = Objects.requireNonNull(loop, "loop");
        Set<BrokenOnPurpose> defects = EnumSet.noneOf(BrokenOnPurpose.class);
        defects.addAll(Objects.requireNonNull(broken, "broken"));
        this.metrics = new MasterMetrics(config.meterRegistry());
        this.hooks = new Hooks(schema, loop, metrics, config.hookWarnAfter());
        this.accessor = accessor;
        this.schema = schema;
        this.sessions = new Sessions(loop, metrics, this::sessionClosed, config.maxQueuedBytesPerPeer());
        this.clientPushes = new ClientPushes(config, loop, metrics, schema.clientView());
        this.gameServerPushes = new GameServerPushes(config, loop, metrics);
        this.durable = new DurableAcks(this::schedulePush, defects.contains(BrokenOnPurpose.ACK_BEFORE_DURABLE));
        AppliedBatches applied = new AppliedBatches(loop, wallClock, config.appliedBatchesRetention(), durable,
                defects.contains(BrokenOnPurpose.DEDUPE_OFF));
        this.saves = new SaveScheduler(config, accessor, loop, metrics, applied::prune, entry -> {
            durable.onSaved(entry);
            MasterTransactions.onSaved(entry);
            hooks.saved(entry, entry.savingReason);
        }, this::savedClean);
        this.cache = new ProfileCache(config, schema, accessor, loop, metrics, saves, hooks,
                defects.contains(BrokenOnPurpose.UNLOAD_IGNORES_DIRTINESS));
        this.relay = new ChangeRelay(config, schema.immediateProperties(), clientPushes, gameServerPushes, saves,
                applied, metrics, hooks, loop, defects);
        this.transactions = new MasterTransactions(schema, relay, saves);
        Handouts handouts = new Handouts(config, cache);
        this.clients = new ClientHolders(schema, cache, handouts, applied, relay, clientPushes, sessions);
        this.gameServers = new GameServerHolders(schema, cache, handouts, applied, relay, gameServerPushes, hooks,
                sessions);
        this.handshake = new Handshake(config, schema, loop, sessions, metrics, this::sessionReady);
        for (MasterPlugin plugin : config.plugins()) {
            register(plugin);
        }
    }

    private void register(MasterPlugin plugin) {
        String name;
        try {
            name = plugin.name();
            plugin.register(hooks);
        } catch (RuntimeException e) {
            throw new PluginLoadException("the plugin " + plugin.getClass().getName() + " failed while registering "
                    + "its hooks: " + e + "; fix the plugin or remove it from the configuration", e);
        }
        LOG.info("Loaded the plugin {}", name);
    }

    // ================================================================ inputs: connections and messages

    /** A peer connected on {@code channel}; it has {@code authenticationTimeout} to say Hello. */
    public void onConnected(PeerChannel channel) {
        checkLoop("onConnected");
        if (closing || restoring) { // a restoring master is back in a moment: the peer reconnects by itself
            channel.close();
            return;
        }
        handshake.onConnected(sessions.open(channel));
    }

    /** {@code message} arrived on {@code channel}. */
    public void onReceived(PeerChannel channel, Messages.Message message) {
        checkLoop("onReceived");
        Session session = sessions.get(channel);
        if (session == null) {
            return; // closed by the master already; the transport has not noticed yet
        }
        metrics.received(message);
        if (closing) {
            return; // not applied, so not acknowledged: the peer sends it again to the next master
        }
        if (message instanceof Hello hello) {
            handshake.onHello(session, hello);
        } else if (message instanceof Messages.Proof proof) {
            handshake.onProof(session, proof);
        } else if (!session.ready()) {
            sessions.violation(session, "sent " + message.getClass().getSimpleName() + " before authenticating");
        } else if (message instanceof Messages.Flush flush) {
            // Both roles: the profiles the writer's batches up to seq still wait for are saved now, not debounced.
            durable.flush(session, flush.seq(), saves::saveSoon);
        } else if (session.role == Role.CLIENT) {
            onClientMessage(session, message);
        } else {
            onGameServerMessage(session, message);
        }
    }

    /** The connection of {@code channel} ended (whoever closed it). */
    public void onDisconnected(PeerChannel channel) {
        checkLoop("onDisconnected");
        Session session = sessions.get(channel);
        if (session != null) {
            sessions.closed(session);
        }
    }

    private void onClientMessage(Session session, Messages.Message message) {
        if (message instanceof ProfileRequest) {
            clients.onProfileRequest(session);
        } else if (message instanceof ClientUpdate update) {
            clients.onClientUpdate(session, update);
        } else {
            sessions.violation(session, "sent " + message.getClass().getSimpleName() + ", which clients do not send");
        }
    }

    private void onGameServerMessage(Session session, Messages.Message message) {
        if (message instanceof AcquireProfile acquire) {
            gameServers.onAcquire(session, acquire);
        } else if (message instanceof ServerBatch batch) {
            gameServers.onServerBatch(session, batch);
        } else if (message instanceof Messages.ServerTransaction transaction) {
            gameServers.onServerTransaction(session, transaction);
        } else if (message instanceof ReleaseProfile release) {
            gameServers.onRelease(session, release);
        } else {
            sessions.violation(session, "sent " + message.getClass().getSimpleName()
                    + ", which game servers do not send");
        }
    }

    private void sessionReady(Session session) {
        if (session.role == Role.CLIENT) {
            clients.onReady(session);
            hooks.clientAuthenticated(session);
        } else {
            gameServers.onReady(session);
            hooks.gameServerConnected(session);
        }
    }

    private static InstantSource loopWallClock(EventLoop loop) {
        return () -> Instant.EPOCH.plusNanos(loop.nanoTime());
    }

    private void schedulePush(Session session) {
        if (!session.ready()) {
            return;
        }
        if (session.role == Role.CLIENT) {
            clientPushes.schedule(session);
        } else {
            gameServerPushes.schedule(session);
        }
    }

    private void sessionClosed(Session session) {
        durable.closed(session);
        clients.onClosed(session);
        gameServers.onClosed(session);
        if (session.client != null) {
            hooks.clientDisconnected(session);
        } else if (session.gameServer != null) {
            hooks.gameServerDisconnected(session);
        }
    }

    private void savedClean(ProfileEntry entry) {
        cache.onClean(entry);
    }

    // ================================================================ the master's own work

    /**
     * Changes a profile on the master itself (loading it if needed): validated by nobody (the master is trusted),
     * relayed to every holder and saved like any other change. The future completes on the loop once {@code edit}
     * ran; it fails with {@link ProfileUnavailableException} when the profile cannot be loaded, or with what
     * {@code edit} threw.
     */
    public CompletableFuture<Void> edit(String userId, Consumer<ObservableServerProfile> edit) {
        checkLoop("edit");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(edit, "edit");
        return withProfile(userId, (entry, done) -> {
            relay.edit(entry, "edit on the master", edit);
            done.complete(null);
        });
    }

    /**
     * Runs {@code work} on the loaded profile of {@code userId} (loading it first); its future fails when the profile
     * cannot be loaded, the master is restoring, or {@code work} throws.
     */
    private CompletableFuture<Void> withProfile(String userId,
            BiConsumer<ProfileEntry, CompletableFuture<Void>> work) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (restoring) {
            done.completeExceptionally(new AdminRefusedException(RESTORING));
            return done;
        }
        cache.acquire(userId, entry -> {
            try {
                work.accept(entry, done);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        }, reason -> done.completeExceptionally(new ProfileUnavailableException(reason)));
        return done;
    }

    /**
     * Changes the profile of {@code userId} on the master as one unit ({@link MasterServer#transact}): completed once
     * saved, failed with {@link io.profilesync.protocol.TransactionRefusedException} when a precondition does not hold
     * on the master's state or a schema constraint would be broken, with what {@code edit} throws (nothing applied
     * either way).
     */
    public CompletableFuture<Void> transact(String userId, List<Precondition> preconditions,
            Consumer<ObservableServerProfile> edit) {
        checkLoop("transact");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(edit, "edit");
        List<Precondition> checks = List.copyOf(preconditions);
        return withProfile(userId, (entry, done) -> transactions.apply(entry, checks, edit, done));
    }

    private static final String RESTORING = "the master is restoring a backup; try again when it is done";

    /**
     * What a connected peer is, for the admin API: its role, who it authenticated as (a client's user id, the index
     * of a game server's secret, -1 otherwise), its address, when it connected on the loop's clock, and the user ids
     * of the profiles it holds. A peer still authenticating has no role (null).
     */
    public record Peer(Role role, String userId, int secretIndex, String remoteAddress, long connectedAtNanos,
            List<String> profilesHeld) {
    }

    /** Every connected peer, in the order they connected. */
    public List<Peer> peers() {
        checkLoop("peers");
        List<Peer> peers = new ArrayList<>();
        for (Session session : sessions.all()) {
            List<String> held = new ArrayList<>();
            if (session.client != null && session.client.entry != null) {
                held.add(session.client.entry.userId);
            }
            if (session.gameServer != null) {
                for (ProfileEntry entry : session.gameServer.byEntry.keySet()) {
                    held.add(entry.userId);
                }
            }
            peers.add(new Peer(session.ready() ? session.role : null, session.role == Role.CLIENT ? session.userId
                    : null, session.secretIndex, session.channel.remoteAddress(), session.connectedAt,
                    List.copyOf(held)));
        }
        return peers;
    }

    /**
     * Unloads the profile of {@code userId} from memory, after saving it when it has unsaved changes. The future
     * completes with true once it is unloaded, false when it was not loaded; it fails with
     * {@link AdminRefusedException} while a peer holds it (eviction never takes a profile from under a holder, whose
     * copy would go on without the master's) or while it is still loading.
     */
    public CompletableFuture<Boolean> evict(String userId) {
        checkLoop("evict");
        Objects.requireNonNull(userId, "userId");
        ProfileEntry entry = cache.loaded(userId);
        List<String> holders = new ArrayList<>();
        if (entry != null) {
            entry.clients.forEach(session -> holders.add(session.toString()));
            entry.holdings.forEach(holding -> holders.add(holding.session.toString()));
        }
        return cache.evict(userId, String.join(", ", holders));
    }

    /**
     * Restores a backup on a running master: refused while any peer is connected (their copies of the profiles would
     * no longer match the master's); else every profile leaves memory without being saved (the backup replaces it),
     * new connections are closed and admin edits refused, and {@code replaceRows} (which must write on the
     * accessor's save thread, after the saves already on their way) replaces the database's rows. The future
     * completes, once the rows are in place, with how many profiles in memory had unsaved changes that the restore
     * discarded.
     */
    public CompletableFuture<Integer> restore(Supplier<CompletableFuture<Void>> replaceRows) {
        checkLoop("restore");
        Objects.requireNonNull(replaceRows, "replaceRows");
        if (closing || restoring) {
            return CompletableFuture.failedFuture(new AdminRefusedException(closing
                    ? "the master is shutting down; restore with it stopped" : "a restore is running already"));
        }
        List<Session> connected = sessions.all();
        if (!connected.isEmpty()) {
            List<String> names = new ArrayList<>();
            connected.stream().limit(5).forEach(session -> names.add(session.toString()));
            return CompletableFuture.failedFuture(new AdminRefusedException(connected.size() + " peer(s) are "
                    + "connected (" + String.join(", ", names) + (connected.size() > 5 ? ", …" : "") + "): a "
                    + "restore would change the profiles under them. Stop the game servers and clients first, or "
                    + "stop the master and restore with it stopped"));
        }
        restoring = true;
        int discarded = cache.dropAll(RESTORING);
        CompletableFuture<Void> replaced;
        try {
            replaced = replaceRows.get();
        } catch (RuntimeException e) {
            replaced = CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Integer> done = new CompletableFuture<>();
        replaced.whenCompleteAsync((ignored, error) -> {
            restoring = false;
            if (error != null) {
                done.completeExceptionally(Causes.unwrap(error));
            } else {
                done.complete(discarded);
            }
        }, loop::execute);
        return done;
    }

    /** Stops accepting work and pushes every pending acknowledgement, so peers do not resend what was applied. */
    public void beginShutdown() {
        checkLoop("beginShutdown");
        closing = true;
        saves.shuttingDown();
        for (Session session : sessions.all()) {
            if (!session.ready()) {
                continue;
            }
            if (session.role == Role.CLIENT) {
                clientPushes.push(session);
            } else {
                gameServerPushes.push(session);
            }
        }
    }

    /** Starts saving every dirty profile that is due (all of them when {@code all}); returns the saves started. */
    public List<CompletableFuture<Void>> saveDue(boolean all) {
        checkLoop("saveDue");
        return saves.saveDue(all);
    }

    /** For tests: closes every connection of peers in {@code role}, as a network failure would. */
    public void closeConnections(Role role) {
        checkLoop("closeConnections");
        for (Session session : sessions.all()) {
            if (session.role == role) {
                session.channel.close();
            }
        }
    }

    // ================================================================ figures and read-only views

    /** Where game logic registers ({@link MasterHooks}); thread-safe. */
    public MasterHooks hooks() {
        return hooks;
    }

    /**
     * A copy of the profile of {@code userId} as the master knows it, without loading it into memory: the live one's
     * when it is loaded (its unsaved changes included), else what the database holds; empty when it has no row. The
     * future completes on the loop.
     */
    public CompletableFuture<Optional<ObservableServerProfile>> peek(String userId) {
        checkLoop("peek");
        Objects.requireNonNull(userId, "userId");
        ProfileEntry entry = cache.loaded(userId);
        if (entry != null) {
            return CompletableFuture.completedFuture(Optional.of(entry.profile.copy()));
        }
        ObservableServerProfile fresh = schema.newServerProfile(userId);
        CompletableFuture<Boolean> restored;
        try {
            restored = accessor.restoreProfileAsync(fresh);
        } catch (RuntimeException e) {
            restored = CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Optional<ObservableServerProfile>> done = new CompletableFuture<>();
        restored.whenCompleteAsync((found, error) -> {
            if (error != null) {
                done.completeExceptionally(new ProfileUnavailableException("the profile of user '" + userId
                        + "' could not be read: " + Causes.unwrap(error).getMessage()));
                return;
            }
            // Loaded meanwhile: the live copy may already hold changes the row does not.
            ProfileEntry loaded = cache.loaded(userId);
            if (loaded != null) {
                done.complete(Optional.of(loaded.profile.copy()));
            } else {
                done.complete(Boolean.TRUE.equals(found) ? Optional.of(fresh) : Optional.empty());
            }
        }, loop::execute);
        return done;
    }

    /** Every loaded profile (not still loading), in the order they were first needed, with their holders. */
    public List<MasterServer.LoadedProfile> loadedProfiles() {
        checkLoop("loadedProfiles");
        List<MasterServer.LoadedProfile> loaded = new ArrayList<>();
        for (ProfileEntry entry : cache.loaded()) {
            List<Author> holders = new ArrayList<>();
            entry.clients.forEach(session -> holders.add(Hooks.author(session)));
            entry.holdings.forEach(holding -> holders.add(Hooks.author(holding.session)));
            loaded.add(new MasterServer.LoadedProfile(entry.userId, saves.isDirty(entry), holders));
        }
        return loaded;
    }

    public int dirtyCount() {
        checkLoop("dirtyCount");
        return saves.dirtyCount();
    }

    /** Dirty profiles a save may still store (conflicted ones may not). */
    public int savableDirtyCount() {
        checkLoop("savableDirtyCount");
        return saves.savableDirtyCount();
    }

    /** The master's figures right now; the one method any thread may call. */
    public MasterServer.Stats stats() {
        return metrics.stats();
    }

    /**
     * Why saving does not work now, or null: {@value #FAILING_SAVES} or more save batches failed in a row (each is
     * retried; they still fail). Thread-safe.
     */
    public String saveProblem() {
        int failures = metrics.consecutiveSaveFailures();
        return failures < FAILING_SAVES ? null : "the last " + failures + " save batches failed ("
                + metrics.lastSaveFailure() + "); changes stay in memory until the database takes them";
    }

    /** How many failed save batches in a row make the master unhealthy: one can be a passing glitch. */
    static final int FAILING_SAVES = 3;

    /** The users whose profile is loaded (not still loading), sorted. */
    public Set<String> loadedUserIds() {
        checkLoop("loadedUserIds");
        Set<String> ids = new TreeSet<>();
        for (ProfileEntry entry : cache.loaded()) {
            ids.add(entry.userId);
        }
        return ids;
    }

    /** The live master copy of a loaded profile: read it on the loop, never change it. */
    public Optional<ObservableServerProfile> loadedProfile(String userId) {
        checkLoop("loadedProfile");
        ProfileEntry entry = cache.loaded(userId);
        return entry == null ? Optional.empty() : Optional.of(entry.profile);
    }

    /** Whether the profile of {@code userId} is loaded and has changes not yet saved. */
    public boolean isDirty(String userId) {
        checkLoop("isDirty");
        ProfileEntry entry = cache.loaded(userId);
        return entry != null && saves.isDirty(entry);
    }

    private void checkLoop(String method) {
        if (!loop.inLoop()) {
            throw new IllegalStateException("MasterCore." + method + " runs only on the master's profile thread, "
                    + "not on thread '" + Thread.currentThread().getName() + "'; hand it to the event loop "
                    + "(EventLoop.execute)");
        }
    }
}
