package io.profilesync.master;

import com.esotericsoftware.kryonet.Connection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.profilesync.core.ApplyOptions;
import io.profilesync.core.IProfilesDatabaseAccessor;
import io.profilesync.core.ObservableProperty;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.ProfileFormatException;
import io.profilesync.core.PropertyView;
import io.profilesync.core.StaleProfileException;
import io.profilesync.core.UpdateRejectedException;
import io.profilesync.core.UpdateValidator;
import io.profilesync.populators.ProfileSchema;
import io.profilesync.populators.ProfileSchema.Writer;
import io.profilesync.protocol.internal.Messages.AcquireFailed;
import io.profilesync.protocol.internal.Messages.AcquireProfile;
import io.profilesync.protocol.internal.Messages.ClientPush;
import io.profilesync.protocol.internal.Messages.ClientUpdate;
import io.profilesync.protocol.internal.Messages.HandleDelta;
import io.profilesync.protocol.internal.Messages.Hello;
import io.profilesync.protocol.internal.Messages.Message;
import io.profilesync.protocol.internal.Messages.ProfileAcquired;
import io.profilesync.protocol.internal.Messages.ProfileRequest;
import io.profilesync.protocol.internal.Messages.ProfileSnapshot;
import io.profilesync.protocol.internal.Messages.Refusal;
import io.profilesync.protocol.RefusalCode;
import io.profilesync.protocol.internal.Messages.Refused;
import io.profilesync.protocol.internal.Messages.ReleaseProfile;
import io.profilesync.protocol.internal.Messages.Role;
import io.profilesync.protocol.internal.Messages.ServerBatch;
import io.profilesync.protocol.internal.Messages.ServerPush;
import io.profilesync.protocol.internal.Messages.Welcome;
import io.profilesync.protocol.internal.Protocol;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's profile logic (MST's {@code ProfilesModule}): loads, creates, validates, applies, relays, pushes,
 * saves and unloads profiles.
 *
 * <p>Threading: confined to one thread, the profile thread behind {@code executor}. Network threads only hand it
 * messages; database calls run on the accessor's executor and hand their results back to it. Nothing here is
 * synchronized because nothing here is shared; the few figures other threads read (metrics) are atomics.
 *
 * <p>Relaying: each holder (a client session, or a game server's holding) has an outbox, a copy of the profile into
 * which every accepted change is applied again and recorded. A push sends the outbox's recorded delta, with the
 * number of the holder's last applied batch, and clears it: the holder's copy then equals the master's (see
 * {@code io.profilesync.protocol.internal.Replica}).
 */
final class ProfilesModule {
    private static final Logger LOG = LoggerFactory.getLogger(ProfilesModule.class);
    private static final byte[] NO_CHANGE = new byte[0];
    private static final long FORGET_INSTANCE_AFTER_NANOS = TimeUnit.HOURS.toNanos(1);
    private static final long RETRY_PUSH_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /** A peer with this many messages waiting for its write buffer is not reading: it is disconnected. */

    /** The last batch applied for a peer instance, kept across its reconnects so each batch applies once. */
    /** Room for the fields around a whole profile in ProfileSnapshot and ProfileAcquired (and the frame length). */
    private static final int WHOLE_PROFILE_MESSAGE_OVERHEAD = 64;

    private static final class Applied {
        long seq;
        long seenAt;
    }

    private final MasterConfig config;
    private final ProfileSchema schema;
    private final PropertyView clientView;
    private final String schemaJson;
    private final String clientSchemaJson;
    private final String schemaFingerprint;
    private final String clientSchemaFingerprint;
    private final UpdateValidator clientValidator;
    private final UpdateValidator serverValidator;
    private final IProfilesDatabaseAccessor accessor;
    private final ClientAuthenticator authenticator;
    private final ScheduledExecutorService executor;
    private final List<byte[]> gameServerSecrets = new ArrayList<>();

    private final Map<String, ProfileEntry> entries = new HashMap<>();
    private final Set<ProfileEntry> loading = new LinkedHashSet<>();
    private final Set<ProfileEntry> idle = new LinkedHashSet<>();
    private final Set<ProfileEntry> dirty = new LinkedHashSet<>();
    private final Map<Integer, Session> sessions = new HashMap<>();
    /**
     * The last batch applied from each peer instance, keyed by who authenticated as well as the instance id the peer
     * chose: a client presenting another user's instance id gets a record of its own instead of overwriting theirs.
     */
    private final Map<Session.DedupeKey, Applied> applied = new HashMap<>();
    private boolean closing;
    private long lastHousekeeping;

    // Figures read by other threads.
    final AtomicInteger connectedClients = new AtomicInteger();
    final AtomicInteger connectedGameServers = new AtomicInteger();
    final AtomicInteger loadedProfiles = new AtomicInteger();
    final AtomicInteger dirtyProfiles = new AtomicInteger();
    final AtomicInteger conflictedProfiles = new AtomicInteger();
    private final Counter acceptedUpdates;
    private final Counter refusedUpdates;
    private final Counter savedProfiles;
    private final Counter saveFailures;
    private final Timer saveLatency;
    private final Counter bytesIn;
    private final Counter bytesOut;

    ProfilesModule(MasterConfig config, ProfileSchema schema, IProfilesDatabaseAccessor accessor,
            ScheduledExecutorService executor) {
        this.config = config;
        this.schema = schema;
        this.clientView = schema.clientView();
        this.schemaJson = schema.toJson();
        this.clientSchemaJson = schema.clientSchema().toJson();
        this.schemaFingerprint = schema.fingerprint();
        this.clientSchemaFingerprint = schema.clientSchema().fingerprint();
        this.clientValidator = schema.validatorFor(Writer.CLIENT);
        this.serverValidator = schema.validatorFor(Writer.SERVER);
        this.accessor = accessor;
        this.authenticator = config.clientAuthenticator();
        this.executor = executor;
        for (String secret : config.gameServerSecrets()) {
            gameServerSecrets.add(secret.getBytes(StandardCharsets.UTF_8));
        }
        MeterRegistry registry = config.meterRegistry();
        registry.gauge("profilesync.clients.connected", connectedClients);
        registry.gauge("profilesync.gameservers.connected", connectedGameServers);
        registry.gauge("profilesync.profiles.loaded", loadedProfiles);
        registry.gauge("profilesync.profiles.dirty", dirtyProfiles);
        registry.gauge("profilesync.profiles.conflicted", conflictedProfiles);
        acceptedUpdates = registry.counter("profilesync.updates.accepted");
        refusedUpdates = registry.counter("profilesync.updates.refused");
        savedProfiles = registry.counter("profilesync.saves");
        saveFailures = registry.counter("profilesync.save.failures");
        saveLatency = Timer.builder("profilesync.save.latency").publishPercentiles(0.5, 0.99).register(registry);
        bytesIn = registry.counter("profilesync.bytes.in");
        bytesOut = registry.counter("profilesync.bytes.out");
    }

    // ================================================================ connections

    void onConnected(Connection connection) {
        if (closing) {
            connection.close();
            return;
        }
        sessions.put(connection.getID(), new Session(connection, System.nanoTime()));
    }

    void onDisconnected(Connection connection) {
        Session session = sessions.remove(connection.getID());
        if (session == null || session.state == Session.State.CLOSED) {
            return;
        }
        boolean wasReady = session.state == Session.State.READY;
        session.state = Session.State.CLOSED;
        if (wasReady) {
            (session.role == Role.CLIENT ? connectedClients : connectedGameServers).decrementAndGet();
        }
        if (session.entry != null) {
            detach(session.entry, () -> session.entry.clients.remove(session));
            session.entry = null;
        }
        for (Holding holding : new ArrayList<>(session.holdingsByHandle.values())) {
            detach(holding.entry, () -> holding.entry.holdings.remove(holding));
        }
        session.holdingsByHandle.clear();
        session.holdingsByEntry.clear();
        LOG.info("{} disconnected", session);
    }

    void onReceived(Connection connection, Object object) {
        if (!(object instanceof Message message)) {
            return; // KryoNet's own keep-alives and pings
        }
        Session session = sessions.get(connection.getID());
        if (session == null || !session.open()) {
            return;
        }
        bytesIn.increment(Protocol.estimateSize(message));
        if (closing) {
            // Not applied, so not acknowledged: the peer sends it again to the next master.
            return;
        }
        if (message instanceof Hello hello) {
            onHello(session, hello);
            return;
        }
        if (session.state != Session.State.READY) {
            violation(session, "sent " + message.getClass().getSimpleName() + " before authenticating");
            return;
        }
        if (session.role == Role.CLIENT) {
            if (message instanceof ProfileRequest) {
                onProfileRequest(session);
            } else if (message instanceof ClientUpdate update) {
                onClientUpdate(session, update);
            } else {
                violation(session, "sent " + message.getClass().getSimpleName() + ", which clients do not send");
            }
        } else {
            if (message instanceof AcquireProfile acquire) {
                onAcquire(session, acquire);
            } else if (message instanceof ServerBatch batch) {
                onServerBatch(session, batch);
            } else if (message instanceof ReleaseProfile release) {
                onRelease(session, release);
            } else {
                violation(session, "sent " + message.getClass().getSimpleName() + ", which game servers do not send");
            }
        }
    }

    // ================================================================ handshake

    private void onHello(Session session, Hello hello) {
        if (session.state != Session.State.AWAITING_HELLO) {
            violation(session, "sent Hello twice");
            return;
        }
        if (hello.protocolVersion() != Protocol.VERSION) {
            refuse(session, RefusalCode.PROTOCOL_VERSION, "this master speaks protocol version " + Protocol.VERSION
                    + " and the peer " + hello.protocolVersion() + "; use profilesync releases that agree");
            return;
        }
        session.role = hello.role();
        session.instanceId = hello.instanceId();
        String expectedFingerprint = hello.role() == Role.CLIENT ? clientSchemaFingerprint : schemaFingerprint;
        if (!hello.schemaFingerprint().isEmpty() && !hello.schemaFingerprint().equals(expectedFingerprint)) {
            refuse(session, RefusalCode.SCHEMA_MISMATCH, "the peer's schema (fingerprint " + hello.schemaFingerprint()
                    + ") differs from the master's (" + expectedFingerprint + "); drop the peer's own schema and use "
                    + "the one the master sends, or deploy the same schema file to both");
            return;
        }
        if (hello.role() == Role.GAME_SERVER) {
            if (!secretMatches(hello.credential())) {
                refuse(session, RefusalCode.AUTHENTICATION, gameServerSecrets.isEmpty()
                        ? "this master accepts no game servers: it has no gameServerSecrets configured"
                        : "wrong game-server secret: configure one of the master's gameServerSecrets");
                return;
            }
            welcome(session, "", schemaJson);
            return;
        }
        session.state = Session.State.AUTHENTICATING;
        CompletionStage<String> verdict;
        try {
            verdict = authenticator.authenticate(hello.credential());
        } catch (RuntimeException e) {
            verdict = CompletableFuture.failedFuture(e);
        }
        verdict.whenCompleteAsync((userId, error) -> {
            if (!session.open()) {
                return;
            }
            if (error != null || userId == null || userId.isEmpty()) {
                Throwable cause = unwrap(error);
                String reason = cause instanceof AuthenticationException ? cause.getMessage()
                        : "the token could not be checked: " + (cause == null ? "no user id" : cause.getMessage());
                refuse(session, RefusalCode.AUTHENTICATION, reason);
                return;
            }
            session.userId = userId;
            welcome(session, userId, clientSchemaJson);
        }, executor);
    }

    private boolean secretMatches(String credential) {
        byte[] given = credential.getBytes(StandardCharsets.UTF_8);
        boolean match = false;
        for (byte[] secret : gameServerSecrets) {
            // Constant time: MessageDigest.isEqual does not stop at the first differing byte.
            match |= MessageDigest.isEqual(secret, given);
        }
        return match;
    }

    private void welcome(Session session, String userId, String json) {
        session.state = Session.State.READY;
        session.lastPushAt = System.nanoTime() - config.clientUpdateDebounce().toNanos();
        (session.role == Role.CLIENT ? connectedClients : connectedGameServers).incrementAndGet();
        send(session, new Welcome(userId, json, config.maxUpdateSize()));
        LOG.info("{} authenticated", session);
    }

    private void refuse(Session session, RefusalCode code, String reason) {
        LOG.warn("Refused {}: {} ({})", session, reason, code);
        send(session, new Refused(code, reason));
        closeSoon(session);
    }

    private void violation(Session session, String what) {
        LOG.warn("Disconnecting {}: it {}", session, what);
        send(session, new Refused(RefusalCode.BAD_MESSAGE, "protocol violation: the peer " + what));
        closeSoon(session);
    }

    private void closeSoon(Session session) {
        onDisconnected(session.connection);
        // A moment's grace so the Refused message leaves before the socket closes.
        executor.schedule(session.connection::close, 100, TimeUnit.MILLISECONDS);
    }

    // ================================================================ loading

    /** Calls {@code onReady} once the profile is loaded (at once if it is), or {@code onFail} with the reason. */
    void acquire(String userId, Consumer<ProfileEntry> onReady, Consumer<String> onFail) {
        ProfileEntry entry = entries.get(userId);
        if (entry == null) {
            entry = new ProfileEntry(userId);
            entries.put(userId, entry);
            loadedProfiles.set(entries.size());
            entry.loadDeadline = System.nanoTime() + config.profileLoadTimeout().toNanos();
            loading.add(entry);
            loadAttempt(entry);
        }
        if (entry.ready) {
            onReady.accept(entry);
        } else {
            entry.waiters.add(new ProfileEntry.Waiter(onReady, onFail));
        }
    }

    private void loadAttempt(ProfileEntry entry) {
        entry.loadAttempts++;
        int generation = entry.generation;
        // A fresh profile nobody sees until it is fully restored (MST hands out defaults mid-load).
        ObservableServerProfile fresh = schema.newServerProfile(entry.userId);
        CompletableFuture<Boolean> restore;
        try {
            restore = accessor.restoreProfileAsync(fresh);
        } catch (RuntimeException e) {
            restore = CompletableFuture.failedFuture(e);
        }
        restore.whenCompleteAsync((found, error) -> onRestored(entry, generation, fresh, found, error), executor);
    }

    private void onRestored(ProfileEntry entry, int generation, ObservableServerProfile fresh, Boolean found,
            Throwable error) {
        if (entries.get(entry.userId) != entry || entry.generation != generation || entry.ready) {
            return; // timed out or failed meanwhile
        }
        if (error != null) {
            Throwable cause = unwrap(error);
            boolean permanent = cause instanceof ProfileFormatException;
            if (permanent || entry.loadAttempts >= config.profileLoadAttempts()) {
                failLoad(entry, "the profile of user '" + entry.userId + "' could not be loaded after "
                        + entry.loadAttempts + " attempt(s): " + cause.getMessage());
                return;
            }
            long delayMillis = 200L << (2 * (entry.loadAttempts - 1)); // 200 ms, 800 ms, 3.2 s…
            LOG.warn("Loading the profile of user '{}' failed (attempt {} of {}), retrying in {} ms: {}", entry.userId,
                    entry.loadAttempts, config.profileLoadAttempts(), delayMillis, cause.toString());
            executor.schedule(() -> {
                if (entries.get(entry.userId) == entry && entry.generation == generation && !entry.ready) {
                    loadAttempt(entry);
                }
            }, delayMillis, TimeUnit.MILLISECONDS);
            return;
        }
        entry.profile = fresh;
        entry.sizeBound = -1;
        entry.ready = true;
        loading.remove(entry);
        if (!Boolean.TRUE.equals(found)) {
            LOG.info("Created the profile of user '{}' from the schema's defaults", entry.userId);
            markChanged(entry); // so the new profile gets its row
        }
        if (entry.holderCount() == 0) {
            entry.releasedAt = System.nanoTime();
            idle.add(entry);
        }
        List<ProfileEntry.Waiter> waiters = new ArrayList<>(entry.waiters);
        entry.waiters.clear();
        for (ProfileEntry.Waiter waiter : waiters) {
            waiter.onReady().accept(entry);
        }
    }

    private void failLoad(ProfileEntry entry, String reason) {
        LOG.warn("{}", reason);
        // Nothing half-loaded stays behind (MST keeps it and never saves or pushes it again).
        entries.remove(entry.userId);
        loadedProfiles.set(entries.size());
        loading.remove(entry);
        entry.generation++;
        List<ProfileEntry.Waiter> waiters = new ArrayList<>(entry.waiters);
        entry.waiters.clear();
        for (ProfileEntry.Waiter waiter : waiters) {
            waiter.onFail().accept(reason);
        }
    }

    private void attach(ProfileEntry entry) {
        idle.remove(entry);
    }

    private void detach(ProfileEntry entry, Runnable removal) {
        removal.run();
        if (entry.holderCount() == 0 && entry.ready) {
            entry.releasedAt = System.nanoTime();
            idle.add(entry);
        }
    }

    // ================================================================ clients

    private void onProfileRequest(Session session) {
        acquire(session.userId, entry -> {
            if (!session.open()) {
                return;
            }
            byte[] snapshot = entry.profile.toBytes(clientView);
            if (snapshot.length > config.objectBufferSize() - 1024) {
                send(session, new AcquireFailed(0, "the profile of user '" + entry.userId + "' is " + snapshot.length
                        + " bytes, more than objectBufferSize allows; raise objectBufferSize on every tier"));
                return;
            }
            if (session.entry == null) {
                session.entry = entry;
                entry.clients.add(session);
                attach(entry);
            }
            session.outbox = entry.profile.copy();
            send(session, new ProfileSnapshot(lastApplied(session.dedupeKey()), snapshot));
        }, reason -> {
            if (session.open()) {
                send(session, new AcquireFailed(0, reason));
            }
        });
    }

    private void onClientUpdate(Session session, ClientUpdate update) {
        if (session.entry == null) {
            violation(session, "sent ClientUpdate before it received its profile");
            return;
        }
        Applied state = applied.computeIfAbsent(session.dedupeKey(), id -> new Applied());
        state.seenAt = System.nanoTime();
        if (update.seq() <= state.seq) {
            acknowledgeClient(session, update.seq()); // a duplicate after a reconnect: applied once already
            return;
        }
        if (state.seq != 0 && update.seq() != state.seq + 1) {
            violation(session, "skipped from batch " + state.seq + " to " + update.seq());
            return;
        }
        state.seq = update.seq();
        if (update.delta().length > config.maxUpdateSize()) {
            refuseUpdate(session, update.seq(), 0, "", "update of " + update.delta().length
                    + " bytes exceeds the master's maxUpdateSize of " + config.maxUpdateSize());
        } else {
            applyFrom(session, session.entry, update.seq(), 0, update.delta(), clientView, clientValidator);
        }
        acknowledgeClient(session, update.seq());
    }

    private void acknowledgeClient(Session session, long seq) {
        session.ackSeq = Math.max(session.ackSeq, seq);
        schedulePush(session);
    }

    private void schedulePush(Session session) {
        if (session.role == Role.GAME_SERVER) {
            if (!session.flushScheduled) {
                session.flushScheduled = true;
                executor.execute(() -> pushToGameServer(session));
            }
            return;
        }
        if (session.pushScheduledFor != 0) {
            return;
        }
        long now = System.nanoTime();
        long due = Math.max(now, session.lastPushAt + config.clientUpdateDebounce().toNanos());
        session.pushScheduledFor = due;
        executor.schedule(() -> pushToClient(session, false), due - now, TimeUnit.NANOSECONDS);
    }

    /** At most one push per clientUpdateDebounce: everything since the last push, coalesced. */
    private void pushToClient(Session session, boolean force) {
        if (!force && session.pushScheduledFor == 0) {
            return;
        }
        session.pushScheduledFor = 0;
        if (!session.open() || session.entry == null) {
            return;
        }
        byte[] delta = session.outbox.hasUpdates() ? session.outbox.getUpdates(clientView) : NO_CHANGE;
        if (delta.length == 1 && delta[0] == 0) {
            delta = NO_CHANGE; // only hidden properties changed
        }
        if (delta.length == 0 && session.refusals.isEmpty() && session.ackSeq == session.ackSent) {
            session.outbox.clearUpdates();
            return;
        }
        ClientPush push = new ClientPush(session.ackSeq, delta, session.refusals);
        if (!trySend(session, push)) {
            session.pushScheduledFor = System.nanoTime() + RETRY_PUSH_NANOS;
            executor.schedule(() -> pushToClient(session, false), RETRY_PUSH_NANOS, TimeUnit.NANOSECONDS);
            return;
        }
        session.outbox.clearUpdates();
        session.refusals.clear();
        session.ackSent = session.ackSeq;
        session.lastPushAt = System.nanoTime();
    }

    // ================================================================ game servers

    private void onAcquire(Session session, AcquireProfile request) {
        String userId = request.userId();
        if (userId.isEmpty() || userId.length() > 256) {
            send(session, new AcquireFailed(request.requestId(), "user id must be 1 to 256 characters, not "
                    + userId.length()));
            return;
        }
        acquire(userId, entry -> {
            if (!session.open()) {
                return;
            }
            byte[] snapshot = entry.profile.toBytes();
            if (snapshot.length > config.objectBufferSize() - 1024) {
                send(session, new AcquireFailed(request.requestId(), "the profile of user '" + userId + "' is "
                        + snapshot.length + " bytes, more than objectBufferSize allows; raise objectBufferSize"));
                return;
            }
            Holding holding = session.holdingsByEntry.get(entry);
            if (holding == null) {
                holding = new Holding(session, session.nextHandle++, entry, entry.profile.copy());
                session.holdingsByEntry.put(entry, holding);
                session.holdingsByHandle.put(holding.handle, holding);
                entry.holdings.add(holding);
                attach(entry);
            } else {
                holding.outbox = entry.profile.copy();
                session.dirtyHoldings.remove(holding);
            }
            send(session, new ProfileAcquired(request.requestId(), holding.handle, lastApplied(session.dedupeKey()),
                    snapshot));
        }, reason -> {
            if (session.open()) {
                send(session, new AcquireFailed(request.requestId(), reason));
            }
        });
    }

    private void onServerBatch(Session session, ServerBatch batch) {
        Applied state = applied.computeIfAbsent(session.dedupeKey(), id -> new Applied());
        state.seenAt = System.nanoTime();
        if (batch.seq() <= state.seq) {
            session.ackSeq = Math.max(session.ackSeq, batch.seq()); // sent again after a reconnect: applied once
            schedulePush(session);
            return;
        }
        if (state.seq != 0 && batch.seq() != state.seq + 1) {
            violation(session, "skipped from batch " + state.seq + " to " + batch.seq());
            return;
        }
        state.seq = batch.seq();
        for (HandleDelta entry : batch.entries()) {
            Holding holding = session.holdingsByHandle.get(entry.handle());
            if (holding == null) {
                // MST never checks that the sender holds the user; here a game server writes only what it holds.
                refuseUpdate(session, batch.seq(), entry.handle(), "", "this game server does not hold profile handle "
                        + entry.handle() + "; acquire the profile first");
            } else if (entry.delta().length > config.maxUpdateSize()) {
                refuseUpdate(session, batch.seq(), entry.handle(), "", "update of " + entry.delta().length
                        + " bytes exceeds the master's maxUpdateSize of " + config.maxUpdateSize());
            } else {
                applyFrom(session, holding.entry, batch.seq(), entry.handle(), entry.delta(), PropertyView.ALL,
                        serverValidator);
            }
        }
        session.ackSeq = Math.max(session.ackSeq, batch.seq());
        schedulePush(session);
    }

    private void onRelease(Session session, ReleaseProfile release) {
        Holding holding = session.holdingsByHandle.remove(release.handle());
        if (holding == null) {
            return; // released twice, or never held: harmless
        }
        session.holdingsByEntry.remove(holding.entry);
        session.dirtyHoldings.remove(holding);
        detach(holding.entry, () -> holding.entry.holdings.remove(holding));
        // The ack of the batch with its last changes must still reach the game server.
        schedulePush(session);
    }

    private void pushToGameServer(Session session) {
        session.flushScheduled = false;
        if (!session.open()) {
            return;
        }
        int maxChunk = config.objectBufferSize() / 2;
        List<HandleDelta> chunk = new ArrayList<>();
        List<Holding> inChunk = new ArrayList<>();
        int chunkBytes = 0;
        for (Holding holding : new ArrayList<>(session.dirtyHoldings)) {
            byte[] delta = holding.outbox.getUpdates();
            if (!chunk.isEmpty() && chunkBytes + delta.length > maxChunk) {
                if (!trySend(session, new ServerPush(-1, chunk, List.of()))) {
                    retryPush(session);
                    return;
                }
                clearSent(session, inChunk);
                chunk = new ArrayList<>();
                inChunk = new ArrayList<>();
                chunkBytes = 0;
            }
            chunk.add(new HandleDelta(holding.handle, delta));
            inChunk.add(holding);
            chunkBytes += delta.length + 8;
        }
        if (chunk.isEmpty() && session.refusals.isEmpty() && session.ackSeq == session.ackSent) {
            return;
        }
        if (!trySend(session, new ServerPush(session.ackSeq, chunk, session.refusals))) {
            retryPush(session);
            return;
        }
        clearSent(session, inChunk);
        session.refusals.clear();
        session.ackSent = session.ackSeq;
    }

    private static void clearSent(Session session, List<Holding> sent) {
        for (Holding holding : sent) {
            holding.outbox.clearUpdates();
            session.dirtyHoldings.remove(holding);
        }
    }

    private void retryPush(Session session) {
        // The connection's write buffer is full (a slow reader): the outboxes keep coalescing until it drains.
        if (!session.flushScheduled) {
            session.flushScheduled = true;
            executor.schedule(() -> pushToGameServer(session), RETRY_PUSH_NANOS, TimeUnit.NANOSECONDS);
        }
    }

    // ================================================================ applying changes

    /** Decodes, validates and applies one delta all or nothing; relays it to every holder, or refuses it. */
    private void applyFrom(Session session, ProfileEntry entry, long seq, int handle, byte[] delta, PropertyView view,
            UpdateValidator validator) {
        String tooLarge = growthRefusal(entry, delta.length);
        if (tooLarge != null) {
            refuseUpdate(session, seq, handle, "", tooLarge);
            return;
        }
        try {
            List<ObservableProperty<?>> changed = entry.profile.applyUpdates(delta,
                    new ApplyOptions(view, false, validator));
            entry.sizeBound += delta.length;
            acceptedUpdates.increment();
            if (!changed.isEmpty()) {
                relay(entry, delta, view);
                markChanged(entry);
            }
        } catch (UpdateRejectedException e) {
            refuseUpdate(session, seq, handle, e.propertyName(), e.reason());
        } catch (ProfileFormatException e) {
            LOG.warn("Malformed update from {} for user '{}': {}", session, entry.userId, e.getMessage());
            refuseUpdate(session, seq, handle, "", "malformed update: " + e.getMessage());
        }
    }

    /**
     * Why a delta of {@code deltaLength} bytes could make the profile too large to be sent whole (in a snapshot or an
     * acquire, within objectBufferSize), or null. Exact only near the limit: see {@link ProfileEntry#sizeBound}.
     */
    private String growthRefusal(ProfileEntry entry, int deltaLength) {
        long limit = (long) config.objectBufferSize() - WHOLE_PROFILE_MESSAGE_OVERHEAD;
        if (entry.sizeBound >= 0 && entry.sizeBound + deltaLength <= limit) {
            return null;
        }
        entry.sizeBound = entry.profile.toBytes().length;
        if (entry.sizeBound + deltaLength <= limit) {
            return null;
        }
        return "the profile is " + entry.sizeBound + " bytes and this change of " + deltaLength + " could grow it "
                + "past " + limit + ", the most that can be sent whole (objectBufferSize " + config.objectBufferSize()
                + "); make it smaller first (shorter strings, fewer entries)";
    }

    private void refuseUpdate(Session session, long seq, int handle, String property, String reason) {
        refusedUpdates.increment();
        LOG.debug("Refused an update from {}: {}", session, reason);
        session.refusals.add(new Refusal(seq, handle, property, reason));
    }

    /** Records an accepted change in every holder's outbox, so each holder's next push carries it. */
    private void relay(ProfileEntry entry, byte[] delta, PropertyView view) {
        ApplyOptions record = new ApplyOptions(view, true, null);
        for (Session client : entry.clients) {
            client.outbox.applyUpdates(delta, record);
            schedulePush(client);
        }
        for (Holding holding : entry.holdings) {
            holding.outbox.applyUpdates(delta, record);
            holding.session.dirtyHoldings.add(holding);
            schedulePush(holding.session);
        }
    }

    /** A change made on the master itself: validated by nobody (the master is trusted), relayed to every holder. */
    void edit(String userId, Consumer<ObservableServerProfile> edit, CompletableFuture<Void> done) {
        acquire(userId, entry -> {
            try {
                entry.profile.clearUpdates();
                edit.accept(entry.profile);
                entry.sizeBound = -1; // the master's own edits are not bounded: measure again when needed
                if (entry.profile.hasUpdates()) {
                    byte[] delta = entry.profile.getUpdates();
                    entry.profile.clearUpdates();
                    relay(entry, delta, PropertyView.ALL);
                    markChanged(entry);
                }
                done.complete(null);
            } catch (RuntimeException e) {
                entry.profile.clearUpdates();
                done.completeExceptionally(e);
            }
        }, reason -> done.completeExceptionally(new io.profilesync.protocol.ProfileUnavailableException(reason)));
    }

    // ================================================================ saving

    private void markChanged(ProfileEntry entry) {
        entry.changeCount++;
        if (dirty.add(entry)) {
            dirtyProfiles.set(dirty.size());
        }
        if (entry.saveDueAt == 0) {
            entry.saveDueAt = System.nanoTime() + config.saveProfileDebounce().toNanos();
        }
    }

    /** Starts saving every dirty profile that is due (all of them when {@code all}); returns the saves started. */
    List<CompletableFuture<Void>> saveDue(boolean all) {
        long now = System.nanoTime();
        List<CompletableFuture<Void>> saves = new ArrayList<>();
        List<ProfileEntry> batch = new ArrayList<>();
        for (ProfileEntry entry : dirty) {
            if (entry.saving || entry.conflicted) {
                continue;
            }
            if (!all && (entry.saveDueAt - now > 0 || entry.retryAt - now > 0)) {
                continue;
            }
            batch.add(entry);
            if (batch.size() == config.saveBatchSize()) {
                saves.add(save(batch));
                batch = new ArrayList<>();
            }
        }
        if (!batch.isEmpty()) {
            saves.add(save(batch));
        }
        return saves;
    }

    private CompletableFuture<Void> save(List<ProfileEntry> batch) {
        List<ObservableServerProfile> snapshots = new ArrayList<>(batch.size());
        for (ProfileEntry entry : batch) {
            entry.saving = true;
            entry.savingChangeCount = entry.changeCount;
            // The accessor works on its own thread: it gets a snapshot, never the live profile (MST races here).
            snapshots.add(entry.profile.copy());
        }
        long started = System.nanoTime();
        CompletableFuture<Void> save;
        try {
            save = accessor.updateProfilesAsync(snapshots);
        } catch (RuntimeException e) {
            save = CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        save.whenCompleteAsync((ignored, error) -> {
            try {
                onSaved(batch, snapshots, started, error);
            } finally {
                done.complete(null);
            }
        }, executor);
        return done;
    }

    private void onSaved(List<ProfileEntry> batch, List<ObservableServerProfile> snapshots, long started,
            Throwable error) {
        long now = System.nanoTime();
        saveLatency.record(now - started, TimeUnit.NANOSECONDS);
        if (error == null) {
            savedProfiles.increment(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                ProfileEntry entry = batch.get(i);
                entry.saving = false;
                entry.saveFailures = 0;
                entry.retryAt = 0;
                entry.profile.setStoredVersion(snapshots.get(i).storedVersion());
                if (entry.changeCount == entry.savingChangeCount) {
                    dirty.remove(entry);
                    entry.saveDueAt = 0;
                }
            }
            dirtyProfiles.set(dirty.size());
            return;
        }
        saveFailures.increment();
        Throwable cause = unwrap(error);
        String staleUser = cause instanceof StaleProfileException stale ? stale.userId() : null;
        for (ProfileEntry entry : batch) {
            entry.saving = false;
            if (entry.userId.equals(staleUser)) {
                // Someone else saved this profile: overwriting would lose their data, retrying cannot succeed.
                entry.conflicted = true;
                conflictedProfiles.incrementAndGet();
                LOG.error("Not saving the profile of user '{}' any more: {} It stays in memory; resolve the conflict "
                        + "in the database and restart the master", entry.userId, cause.getMessage());
            } else if (staleUser == null) {
                entry.saveFailures++;
                long delay = Math.min(config.saveRetryMaxDelay().toNanos(),
                        TimeUnit.MILLISECONDS.toNanos(500L << Math.min(16, entry.saveFailures - 1)));
                entry.retryAt = now + delay;
            }
        }
        if (staleUser == null) {
            LOG.warn("Saving {} profile(s) failed; they stay dirty and are retried with backoff: {}", batch.size(),
                    cause.toString());
        }
    }

    // ================================================================ housekeeping

    /** Runs every few milliseconds on the profile thread: saves, unloads, timeouts. */
    void tick() {
        long now = System.nanoTime();
        saveDue(false);
        for (Iterator<ProfileEntry> it = loading.iterator(); it.hasNext(); ) {
            ProfileEntry entry = it.next();
            if (now - entry.loadDeadline >= 0) {
                it.remove();
                failLoad(entry, "loading the profile of user '" + entry.userId + "' timed out after "
                        + config.profileLoadTimeout().toMillis() + " ms");
            }
        }
        long unloadAfter = config.unloadProfileAfter().toNanos();
        for (Iterator<ProfileEntry> it = idle.iterator(); it.hasNext(); ) {
            ProfileEntry entry = it.next();
            if (now - entry.releasedAt < unloadAfter) {
                continue;
            }
            if (dirty.contains(entry)) {
                entry.saveDueAt = Math.min(entry.saveDueAt, now); // a dirty profile is saved first, never dropped
                continue;
            }
            it.remove();
            entries.remove(entry.userId);
            loadedProfiles.set(entries.size());
            LOG.debug("Unloaded the profile of user '{}'", entry.userId);
        }
        if (now - lastHousekeeping > TimeUnit.SECONDS.toNanos(1)) {
            lastHousekeeping = now;
            long authTimeout = config.authenticationTimeout().toNanos();
            for (Session session : new ArrayList<>(sessions.values())) {
                if (session.state != Session.State.READY && session.open() && now - session.connectedAt > authTimeout) {
                    refuse(session, RefusalCode.TIMEOUT, "no valid Hello within "
                            + config.authenticationTimeout().toMillis() + " ms");
                }
            }
            applied.values().removeIf(state -> now - state.seenAt > FORGET_INSTANCE_AFTER_NANOS);
        }
    }

    // ================================================================ shutdown

    /** Stops accepting work and pushes every pending acknowledgement, so peers do not resend what was applied. */
    void beginShutdown() {
        closing = true;
        for (Session session : new ArrayList<>(sessions.values())) {
            if (session.state != Session.State.READY) {
                continue;
            }
            if (session.role == Role.CLIENT) {
                pushToClient(session, true);
            } else {
                pushToGameServer(session);
            }
        }
    }

    List<Connection> connections() {
        List<Connection> connections = new ArrayList<>();
        for (Session session : sessions.values()) {
            connections.add(session.connection);
        }
        return connections;
    }

    void dropConnections(Role role) {
        for (Session session : new ArrayList<>(sessions.values())) {
            if (session.role == role) {
                session.connection.close();
            }
        }
    }

    int dirtyCount() {
        return dirty.size();
    }

    int savableDirtyCount() {
        int count = 0;
        for (ProfileEntry entry : dirty) {
            if (!entry.conflicted) {
                count++;
            }
        }
        return count;
    }

    // ================================================================ sending

    private long lastApplied(Session.DedupeKey key) {
        Applied state = applied.get(key);
        return state == null ? 0 : state.seq;
    }

    /** Sends now if the write buffer has room, else queues behind what waits already (never overflows it). */
    private void send(Session session, Object message) {
        if (session.queued.isEmpty() && trySend(session, message)) {
            return;
        }
        int size = Protocol.estimateSize(message);
        if (session.queuedBytes + size > config.maxQueuedBytesPerPeer()) {
            // Bytes, not messages: 10,000 queued snapshots of a large profile were gigabytes.
            LOG.warn("Disconnecting {}: it reads too slowly ({} messages, {} bytes wait for its write buffer; "
                    + "maxQueuedBytesPerPeer {})", session, session.queued.size(), session.queuedBytes,
                    config.maxQueuedBytesPerPeer());
            onDisconnected(session.connection);
            session.queued.clear();
            session.queuedBytes = 0;
            session.connection.close();
            return;
        }
        session.queued.addLast(message);
        session.queuedBytes += size;
        scheduleDrain(session);
    }

    private void scheduleDrain(Session session) {
        if (!session.drainScheduled) {
            session.drainScheduled = true;
            executor.schedule(() -> drain(session), RETRY_PUSH_NANOS, TimeUnit.NANOSECONDS);
        }
    }

    private void drain(Session session) {
        session.drainScheduled = false;
        if (!session.open()) {
            session.queued.clear();
            session.queuedBytes = 0;
            return;
        }
        while (!session.queued.isEmpty()) {
            // Not trySend: it refuses while anything is queued, so the queue never drained.
            if (!sendNow(session, session.queued.peekFirst())) {
                scheduleDrain(session);
                return;
            }
            session.queuedBytes -= Protocol.estimateSize(session.queued.pollFirst());
        }
    }

    /** Sends if nothing is queued and the write buffer has room; pushes use it and retry later when it says no. */
    private boolean trySend(Session session, Object message) {
        return session.queued.isEmpty() && sendNow(session, message);
    }

    /** Sends if the write buffer has room, whatever is queued. */
    private boolean sendNow(Session session, Object message) {
        if (!session.open() || !Protocol.trySend(session.connection, message, config.writeBufferSize())) {
            return false;
        }
        bytesOut.increment(Protocol.estimateSize(message));
        return true;
    }

    static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
