package io.profilesync.gameserver;

import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.ProfileFormatException;
import io.profilesync.populators.ProfileSchema;
import io.profilesync.protocol.ConnectionState;
import io.profilesync.protocol.internal.Messages.AcquireFailed;
import io.profilesync.protocol.internal.Messages.AcquireProfile;
import io.profilesync.protocol.internal.Messages.HandleDelta;
import io.profilesync.protocol.internal.Messages.Message;
import io.profilesync.protocol.internal.Messages.ProfileAcquired;
import io.profilesync.protocol.RefusalCode;
import io.profilesync.protocol.internal.Messages.Refusal;
import io.profilesync.protocol.internal.Messages.ReleaseProfile;
import io.profilesync.protocol.internal.Messages.ServerBatch;
import io.profilesync.protocol.internal.Messages.ServerPush;
import io.profilesync.protocol.internal.Messages.Welcome;
import io.profilesync.protocol.ProfileUnavailableException;
import io.profilesync.protocol.RefusedException;
import io.profilesync.protocol.internal.Batcher;
import io.profilesync.protocol.internal.Link;
import io.profilesync.protocol.internal.Replica;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The game server's state and protocol logic behind {@link ProfilesServer}. Every method runs on the profile
 * executor, except {@link #held(String)}, which reads a concurrent map.
 */
final class ServerSession implements Link.Handler {
    private static final Logger LOG = LoggerFactory.getLogger(ServerSession.class);
    /** Batches sent and not yet acknowledged before the tick holds back: the master's pace sets the game server's. */
    static final int MAX_BATCHES_IN_FLIGHT = 8;

    /** A profile this server holds. */
    private static final class Held {
        final String userId;
        final ObservableServerProfile profile;
        final Replica replica;
        int handle = -1;
        CompletableFuture<Void> release;
        boolean releaseSent;

        Held(String userId, ObservableServerProfile profile, Replica replica) {
            this.userId = userId;
            this.profile = profile;
            this.replica = replica;
        }

        boolean settled() {
            return replica.pendingBatches() == 0 && !profile.hasUpdates();
        }
    }

    /** A fetch under way: fresh ({@code held == null}) or the re-acquisition of a held profile after a reconnect. */
    private static final class Acquire {
        final String userId;
        final Held held;
        final CompletableFuture<ObservableServerProfile> future = new CompletableFuture<>();
        int requestId;
        ScheduledFuture<?> timeout;

        Acquire(String userId, Held held) {
            this.userId = userId;
            this.held = held;
        }
    }

    private final ProfilesServerConfig config;
    private final Link link;
    private final List<ProfilesServer.RefusalListener> refusalListeners = new CopyOnWriteArrayList<>();
    /** Written on the profile executor, read anywhere. */
    private final Map<String, Held> held = new ConcurrentHashMap<>();
    private final Map<Integer, Held> byHandle = new HashMap<>();
    private final Map<String, Acquire> acquiring = new LinkedHashMap<>();
    private final Map<Integer, Acquire> byRequest = new HashMap<>();
    private final Set<String> resyncing = new HashSet<>();
    private boolean resynced;
    private ProfileSchema schema;
    private long nextSeq = 1;
    /** The highest batch the master acknowledged; batches after it are in flight. */
    private long ackedSeq;
    private int nextRequestId = 1;
    private int welcomes;

    ServerSession(ProfilesServerConfig config) {
        this.config = config;
        this.link = new Link(config.linkSettings(), this);
    }

    Link link() {
        return link;
    }

    Optional<ObservableServerProfile> held(String userId) {
        Held h = held.get(userId);
        return h == null || h.release != null ? Optional.empty() : Optional.of(h.profile);
    }

    void addRefusalListener(ProfilesServer.RefusalListener listener) {
        refusalListeners.add(listener);
    }

    void removeRefusalListener(ProfilesServer.RefusalListener listener) {
        refusalListeners.remove(listener);
    }

    // ---------------------------------------------------------------- requests from the game

    CompletableFuture<ObservableServerProfile> acquire(String userId) {
        Held h = held.get(userId);
        if (h != null && h.release == null) {
            return CompletableFuture.completedFuture(h.profile);
        }
        if (h != null) {
            // Being released: fetch it again once the release is through.
            return h.release.handle((r, e) -> null).thenCompose(ignored -> acquire(userId));
        }
        if (link.isClosing() || link.isStopped()) {
            return CompletableFuture.failedFuture(ProfilesServer.closedException());
        }
        Acquire pending = acquiring.get(userId);
        if (pending != null) {
            return pending.future;
        }
        Acquire a = new Acquire(userId, null);
        acquiring.put(userId, a);
        long timeoutMillis = config.acquireTimeout().toMillis();
        a.timeout = link.schedule(() -> {
            if (acquiring.get(userId) == a) {
                forget(a);
                a.future.completeExceptionally(new ProfileUnavailableException("the master did not hand over the "
                        + "profile of user '" + userId + "' within " + config.acquireTimeout()
                        + "; check that the master is up and its database reachable, or raise acquireTimeout"));
            }
        }, timeoutMillis);
        if (link.isWelcomed()) {
            sendAcquire(a);
        }
        return a.future;
    }

    CompletableFuture<Void> release(String userId) {
        Acquire pending = acquiring.get(userId);
        if (pending != null) {
            forget(pending);
            pending.future.completeExceptionally(new ProfileUnavailableException("the profile of user '" + userId
                    + "' was released before the master handed it over"));
        }
        Held h = held.get(userId);
        if (h == null) {
            return CompletableFuture.completedFuture(null);
        }
        if (h.release == null) {
            h.release = new CompletableFuture<>();
            link.tickNow();
            progressRelease(h);
        }
        return h.release;
    }

    /** Sends ReleaseProfile once the profile's last changes are in a batch, completes once they are acknowledged. */
    private void progressRelease(Held h) {
        if (!h.releaseSent && resynced && h.handle >= 0 && !h.profile.hasUpdates()) {
            link.send(new ReleaseProfile(h.handle));
            h.releaseSent = true;
        }
        if (h.releaseSent && h.replica.pendingBatches() == 0) {
            finishRelease(h);
        }
    }

    private void finishRelease(Held h) {
        held.remove(h.userId);
        if (h.handle >= 0) {
            byHandle.remove(h.handle);
        }
        h.release.complete(null);
        link.checkClosed();
    }

    // ---------------------------------------------------------------- link events

    @Override
    public void onWelcome(Welcome welcome) {
        if (!adoptSchema(welcome)) {
            return;
        }
        byHandle.clear();
        byRequest.clear();
        resyncing.clear();
        resynced = false;
        for (Held h : List.copyOf(held.values())) {
            h.handle = -1;
            if (h.release != null && h.settled()) {
                finishRelease(h);
                continue;
            }
            h.releaseSent = false;
            resyncing.add(h.userId);
            sendAcquire(new Acquire(h.userId, h));
        }
        for (Acquire a : acquiring.values()) {
            sendAcquire(a);
        }
        maybeResynced();
        if (!resynced) {
            // Changes wait until every held profile is back; a master that never answers must not stall them.
            int at = ++welcomes;
            link.schedule(() -> {
                if (at == welcomes && !resynced && link.isWelcomed()) {
                    LOG.warn("The master did not hand back {} held profiles within {}; reconnecting", resyncing.size(),
                            config.acquireTimeout());
                    link.reconnectNow();
                }
            }, config.acquireTimeout().toMillis());
        }
    }

    /** Takes the master's schema; refuses for good a schema that changed under profiles already held. */
    private boolean adoptSchema(Welcome welcome) {
        if (schema != null && schema.toJson().equals(welcome.schemaJson())) {
            return true;
        }
        ProfileSchema offered;
        try {
            offered = ProfileSchema.fromJson(welcome.schemaJson());
        } catch (RuntimeException e) {
            link.stop(ConnectionState.FAILED, new RefusedException(RefusalCode.SCHEMA_MISMATCH,
                    "the master's schema cannot be read: " + e.getMessage()));
            return false;
        }
        String expected = config.schemaFingerprint();
        if (!expected.isEmpty() && !expected.equals(offered.fingerprint())) {
            link.stop(ConnectionState.FAILED, new RefusedException(RefusalCode.SCHEMA_MISMATCH, "the master's schema "
                    + "has fingerprint " + offered.fingerprint() + " but this game server was configured for "
                    + expected + "; deploy the same schema on both, or drop schemaFingerprint from the config"));
            return false;
        }
        if (schema != null && !held.isEmpty()) {
            link.stop(ConnectionState.FAILED, new RefusedException(RefusalCode.SCHEMA_MISMATCH, "the master came "
                    + "back with another schema while this game server held " + held.size() + " profiles; restart "
                    + "the game server so its profiles are built from the new schema"));
            return false;
        }
        schema = offered;
        return true;
    }

    @Override
    public void onMessage(Message message) {
        if (message instanceof ServerPush push) {
            onPush(push);
        } else if (message instanceof ProfileAcquired acquired) {
            onAcquired(acquired);
        } else if (message instanceof AcquireFailed failed) {
            onAcquireFailed(failed);
        } else {
            LOG.warn("Ignoring unexpected {} from the master", message.getClass().getSimpleName());
        }
    }

    @Override
    public void onDisconnected() {
        resynced = false;
        byHandle.clear();
        byRequest.clear();
        resyncing.clear();
    }

    @Override
    public void onStopped(Throwable cause) {
        Throwable failure = cause instanceof RefusedException ? cause : ProfilesServer.closedException();
        for (Acquire a : List.copyOf(acquiring.values())) {
            forget(a);
            a.future.completeExceptionally(failure);
        }
        for (Held h : held.values()) {
            if (h.release != null) {
                h.release.completeExceptionally(new ProfileUnavailableException("the ProfilesServer stopped before "
                        + "the master acknowledged the last changes of user '" + h.userId + "'", cause));
            }
        }
        held.clear();
        byHandle.clear();
    }

    // ---------------------------------------------------------------- acquiring

    private void sendAcquire(Acquire a) {
        a.requestId = nextRequestId++;
        byRequest.put(a.requestId, a);
        link.send(new AcquireProfile(a.requestId, a.userId));
    }

    private void forget(Acquire a) {
        acquiring.remove(a.userId, a);
        byRequest.remove(a.requestId, a);
        if (a.timeout != null) {
            a.timeout.cancel(false);
        }
    }

    private void onAcquired(ProfileAcquired m) {
        Acquire a = byRequest.remove(m.requestId());
        if (a == null) {
            // Timed out or released meanwhile: the master holds it for us, so give it back.
            link.send(new ReleaseProfile(m.handle()));
            return;
        }
        if (a.held != null) {
            Held h = a.held;
            try {
                h.replica.onSnapshot(m.profile(), m.lastAppliedSeq());
                ackedSeq = Math.max(ackedSeq, m.lastAppliedSeq());
            } catch (ProfileFormatException e) {
                lose(h, "its snapshot after the reconnection cannot be read: " + e.getMessage());
                return;
            }
            h.handle = m.handle();
            byHandle.put(h.handle, h);
            resyncing.remove(h.userId);
            maybeResynced();
            return;
        }
        forget(a);
        ObservableServerProfile profile = schema.newServerProfile(a.userId);
        Replica replica;
        try {
            replica = new Replica(profile, m.profile());
        } catch (ProfileFormatException e) {
            link.send(new ReleaseProfile(m.handle()));
            a.future.completeExceptionally(new ProfileUnavailableException("the profile of user '" + a.userId
                    + "' from the master does not fit its schema: " + e.getMessage(), e));
            return;
        }
        Held h = new Held(a.userId, profile, replica);
        h.handle = m.handle();
        held.put(h.userId, h);
        byHandle.put(h.handle, h);
        a.future.complete(profile);
    }

    private void onAcquireFailed(AcquireFailed m) {
        Acquire a = byRequest.remove(m.requestId());
        if (a == null) {
            return;
        }
        if (a.held != null) {
            lose(a.held, "the master could not hand it over again after the reconnection: " + m.reason());
            return;
        }
        forget(a);
        a.future.completeExceptionally(new ProfileUnavailableException("the master could not load the profile of "
                + "user '" + a.userId + "': " + m.reason()));
    }

    /** A held profile that could not be re-acquired: dropped, its unacknowledged changes lost, the game told. */
    private void lose(Held h, String why) {
        LOG.error("Lost the profile of user '{}': {}", h.userId, why);
        held.remove(h.userId);
        resyncing.remove(h.userId);
        if (h.release != null) {
            h.release.completeExceptionally(new ProfileUnavailableException("the profile of user '" + h.userId
                    + "' was lost: " + why));
        } else {
            tellRefused(h.userId, "", "profile lost: " + why);
        }
        maybeResynced();
    }

    /** After every held profile is re-acquired: the unacknowledged batches again, in order, with their seqs. */
    private void maybeResynced() {
        if (resynced || !resyncing.isEmpty() || !link.isWelcomed()) {
            return;
        }
        TreeMap<Long, List<HandleDelta>> unacknowledged = new TreeMap<>();
        for (Held h : held.values()) {
            if (h.handle >= 0) {
                h.replica.forEachUnacknowledged((seq, delta) -> unacknowledged
                        .computeIfAbsent(seq, s -> new ArrayList<>()).add(new HandleDelta(h.handle, delta)));
            }
        }
        unacknowledged.forEach((seq, entries) -> link.send(new ServerBatch(seq, entries)));
        if (!unacknowledged.isEmpty()) {
            LOG.info("Sent {} unacknowledged batches again after reconnecting", unacknowledged.size());
        }
        resynced = true;
        for (Held h : List.copyOf(held.values())) {
            if (h.release != null) {
                progressRelease(h);
            }
        }
    }

    // ---------------------------------------------------------------- changes

    @Override
    public void onTick() {
        if (!resynced || !link.canWrite()) {
            return;
        }
        if (nextSeq - 1 - ackedSeq >= MAX_BATCHES_IN_FLIGHT) {
            // Flow control: the master is behind. Changes keep coalescing in the held profiles (a property set ten
            // times travels once) until it catches up, so its queue and everyone's latency stay bounded.
            return;
        }
        Batcher<HandleDelta> batcher = new Batcher<>(link.maxMessageSize(), () -> nextSeq++,
                (seq, entries) -> link.send(new ServerBatch(seq, entries)));
        for (Held h : held.values()) {
            if (h.handle < 0 || h.releaseSent || !h.profile.hasUpdates()) {
                continue;
            }
            byte[] preview = h.profile.getUpdates();
            if (!batcher.fits(preview.length)) {
                dropOversized(h, preview.length);
                continue;
            }
            batcher.add(preview.length, seq -> new HandleDelta(h.handle, h.replica.takeChanges(seq)));
        }
        batcher.finish();
        for (Held h : List.copyOf(held.values())) {
            if (h.release != null) {
                progressRelease(h);
            }
        }
    }

    private void dropOversized(Held h, int size) {
        String reason = link.oversizeReason(size);
        LOG.error("Profile of user '{}': {}", h.userId, reason);
        h.profile.clearUpdates();
        h.replica.onSnapshot(h.replica.confirmed().toBytes(), 0);
        tellRefused(h.userId, "", reason);
    }

    private void onPush(ServerPush push) {
        Set<Held> touched = new HashSet<>();
        for (HandleDelta entry : push.entries()) {
            Held h = byHandle.get(entry.handle());
            if (h == null) {
                LOG.debug("Push for handle {}, which this server no longer holds", entry.handle());
                continue;
            }
            touched.add(h);
            applyPush(h, entry.delta(), push.ackSeq());
        }
        if (push.ackSeq() >= 0) {
            ackedSeq = Math.max(ackedSeq, push.ackSeq());
            for (Held h : List.copyOf(held.values())) {
                if (!touched.contains(h)) {
                    applyPush(h, null, push.ackSeq());
                }
            }
        }
        for (Refusal refusal : push.refusals()) {
            Held h = byHandle.get(refusal.handle());
            tellRefused(h == null ? "" : h.userId, refusal.property(), refusal.reason());
        }
        for (Held h : List.copyOf(held.values())) {
            if (h.release != null) {
                progressRelease(h);
            }
        }
    }

    private void applyPush(Held h, byte[] delta, long ackSeq) {
        try {
            h.replica.onPush(delta, ackSeq);
        } catch (ProfileFormatException e) {
            LOG.error("The master's delta for user '{}' cannot be applied ({}); reconnecting for fresh snapshots",
                    h.userId, e.getMessage());
            link.reconnectNow();
        }
    }

    private void tellRefused(String userId, String property, String reason) {
        Link.fire(refusalListeners, listener -> listener.onRefused(userId, property, reason));
    }

    // ---------------------------------------------------------------- closing

    /**
     * Fails the fetches under way, releases every profile (its last changes first), and stops once the master
     * acknowledged them all or the close timeout passed ({@code now}: stops without waiting).
     */
    CompletableFuture<Void> close(boolean now) {
        if (!link.isClosing()) {
            for (Acquire a : List.copyOf(acquiring.values())) {
                forget(a);
                a.future.completeExceptionally(ProfilesServer.closedException());
            }
            for (Held h : List.copyOf(held.values())) {
                release(h.userId);
            }
        }
        return link.beginClose(now, config.closeTimeout(), held::isEmpty, ProfilesServer.closedException());
    }
}
