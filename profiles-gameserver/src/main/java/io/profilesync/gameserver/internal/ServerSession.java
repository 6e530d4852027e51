package io.profilesync.gameserver.internal;

import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.Precondition;
import io.profilesync.core.ProfileFormatException;
import io.profilesync.gameserver.ProfilesServerConfig;
import io.profilesync.protocol.NotDurableException;
import io.profilesync.populators.ProfileSchema;
import io.profilesync.protocol.ProfileUnavailableException;
import io.profilesync.protocol.RefusedException;
import io.profilesync.protocol.internal.EventLoop.Cancellable;
import io.profilesync.protocol.internal.Messages.AcquireFailed;
import io.profilesync.protocol.internal.Messages.AcquireProfile;
import io.profilesync.protocol.internal.Messages.HandleDelta;
import io.profilesync.protocol.internal.Messages.Message;
import io.profilesync.protocol.internal.Messages.ProfileAcquired;
import io.profilesync.protocol.internal.Messages.ReleaseProfile;
import io.profilesync.protocol.internal.Messages.ServerBatch;
import io.profilesync.protocol.internal.Messages.ServerPush;
import io.profilesync.protocol.internal.Messages.ServerTransaction;
import io.profilesync.protocol.internal.Messages.Welcome;
import io.profilesync.protocol.internal.PeerCore;
import io.profilesync.protocol.internal.Replica;
import io.profilesync.protocol.internal.ReplicaSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The game server's own part of its peer core: acquiring and releasing profiles, one explicit state machine per user
 * (a {@link Claim}). Everything else (connection, schema, copies, batches, pushes, resend, closing) is the shared
 * {@link PeerCore}'s.
 *
 * <pre>
 * (none) --fetch--> FETCHING --ProfileAcquired--> HELD --release()--> RELEASING --last changes batched--> RELEASE_SENT
 *                     | AcquireFailed, timeout,   |  ^                  |  ^                                | all acked
 *                     v release(), close    lost  v  | ProfileAcquired  v  | ProfileAcquired                v
 *                   (none)                  REACQUIRING          REACQUIRING_TO_RELEASE                  (none)
 * </pre>
 * A connection lost while RELEASING or RELEASE_SENT with changes unacknowledged leads to REACQUIRING_TO_RELEASE
 * (with none, the release is done).
 * A re-acquisition that fails loses the profile (told to the refusal listeners, or failing its release) when nothing
 * of it awaits a durable acknowledgement or the game server is closing; otherwise the game server reconnects and asks
 * again, so changes the master never made durable are not dropped.
 *
 * <p>Threading: every method runs on the core's loop, except {@link #held(String)}, which reads a concurrent map.
 */
final class ServerSession implements PeerCore.Role<ProfileSchema> {
    private static final Logger LOG = LoggerFactory.getLogger(ServerSession.class);

    enum State {
        /** Asked for (or to be asked at the next welcome); no profile yet. */
        FETCHING,
        /** Held, with a handle on the current connection. */
        HELD,
        /** Held, asked for again after a reconnection; no handle until the master answers. */
        REACQUIRING,
        /** Released by the game; its last changes are going out, {@code ReleaseProfile} follows them. */
        RELEASING,
        /** {@code ReleaseProfile} sent; done once the master has acknowledged every batch. */
        RELEASE_SENT,
        /** Being released when the connection dropped with changes unacknowledged: asked for again to finish. */
        REACQUIRING_TO_RELEASE
    }

    /** One user's profile on this game server. */
    static final class Claim {
        final String userId;
        State state = State.FETCHING;
        CompletableFuture<ObservableServerProfile> fetch;
        CompletableFuture<Void> release;
        ObservableServerProfile profile;
        ReplicaSet.Copy copy;
        int requestId = -1;
        Cancellable timeout;

        Claim(String userId) {
            this.userId = userId;
        }
    }

    private final ProfilesServerConfig config;
    private final PeerCore<ProfileSchema> core;
    private final Map<String, Claim> claims = new LinkedHashMap<>();
    private final Map<Integer, Claim> byRequest = new HashMap<>();
    /** The profiles the game may use (HELD or REACQUIRING): written on the loop, read anywhere. */
    private final Map<String, ObservableServerProfile> usable = new ConcurrentHashMap<>();
    /** The claims in RELEASING or RELEASE_SENT: what moves on after each tick and push (kept apart: ticks are many). */
    private final Map<String, Claim> releasing = new LinkedHashMap<>();
    private int nextRequestId = 1;
    private int welcomes;

    ServerSession(ProfilesServerConfig config, PeerCore.Factory<ProfileSchema> cores) {
        this.config = config;
        this.core = cores.create(this);
    }

    PeerCore<ProfileSchema> core() {
        return core;
    }

    Optional<ObservableServerProfile> held(String userId) {
        return Optional.ofNullable(usable.get(userId));
    }

    boolean settled(String userId) {
        Claim claim = claims.get(userId);
        return claim != null && claim.copy != null && claim.copy.replica().settled();
    }

    Optional<byte[]> confirmed(String userId) {
        Claim claim = claims.get(userId);
        return claim == null || claim.copy == null ? Optional.empty()
                : Optional.of(claim.copy.replica().confirmed().toBytes());
    }

    // ---------------------------------------------------------------- requests from the game

    CompletableFuture<ObservableServerProfile> acquire(String userId) {
        Claim claim = claims.get(userId);
        if (claim != null) {
            return switch (claim.state) {
                case HELD, REACQUIRING -> CompletableFuture.completedFuture(claim.profile);
                case FETCHING -> claim.fetch;
                // Being released: fetch it again once the release is through.
                default -> claim.release.handle((r, e) -> null).thenCompose(ignored -> acquire(userId));
            };
        }
        if (core.isClosing() || core.isStopped()) {
            return CompletableFuture.failedFuture(core.stoppedException());
        }
        Claim fresh = new Claim(userId);
        fresh.fetch = new CompletableFuture<>();
        claims.put(userId, fresh);
        fresh.timeout = core.loop().schedule(config.acquireTimeout().toNanos(), () -> {
            if (claims.get(userId) == fresh && fresh.state == State.FETCHING) {
                endFetch(fresh);
                fresh.fetch.completeExceptionally(new ProfileUnavailableException("the master did not hand over the "
                        + "profile of user '" + userId + "' within " + config.acquireTimeout()
                        + "; check that the master is up and its database reachable, or raise acquireTimeout"));
            }
        });
        if (core.isWelcomed()) {
            sendAcquire(fresh);
        }
        return fresh.fetch;
    }

    CompletableFuture<Void> release(String userId) {
        Claim claim = claims.get(userId);
        if (claim == null) {
            return CompletableFuture.completedFuture(null);
        }
        switch (claim.state) {
            case FETCHING -> {
                endFetch(claim);
                claim.fetch.completeExceptionally(new ProfileUnavailableException("the profile of user '" + userId
                        + "' was released before the master handed it over"));
                return CompletableFuture.completedFuture(null);
            }
            case HELD, REACQUIRING -> {
                moveTo(claim, claim.state == State.HELD ? State.RELEASING : State.REACQUIRING_TO_RELEASE);
                claim.release = new CompletableFuture<>();
                usable.remove(userId);
                // The release waits until its batches are durable: ask the master to save them now rather than
                // after its debounce. The release's own future tells the outcome, so this one is not watched.
                core.flush(claim.copy);
            }
            default -> {
                // Released already: the same future.
            }
        }
        return claim.release;
    }

    /**
     * A future completed when everything written to the profile of {@code userId} before this call is durable (see
     * {@link PeerCore#flush}); failed with {@link ProfileUnavailableException} when this game server does not hold
     * the profile (not yet handed over, or released already).
     */
    CompletableFuture<Void> flush(String userId) {
        return durable(userId, true);
    }

    /**
     * What {@code edit} changes in the profile of {@code userId}, as one atomic change with {@code preconditions}
     * (see {@link PeerCore#atomically}); failed with {@link ProfileUnavailableException} when this game server does
     * not hold the profile, with {@link io.profilesync.core.InvalidPreconditionException} when a precondition does
     * not fit it, and with what {@code edit} throws (nothing of it stays).
     */
    CompletableFuture<Void> atomically(String userId, List<Precondition> preconditions,
            Consumer<ObservableServerProfile> edit) {
        Claim claim = claims.get(userId);
        if (claim == null || claim.copy == null || !usable.containsKey(userId)) {
            if (core.isStopped()) {
                return CompletableFuture.failedFuture(core.stoppedException());
            }
            return CompletableFuture.failedFuture(new ProfileUnavailableException("this game server does not hold "
                    + "the profile of user '" + userId + "'" + (claim != null && claim.state == State.FETCHING
                    ? " yet (it is being fetched)" : "") + ", so it cannot change it; acquire it with "
                    + "fillProfileValues first"));
        }
        try {
            Precondition.checkAll(preconditions, claim.profile);
            return core.atomically(claim.copy, Precondition.encode(preconditions), () -> edit.accept(claim.profile));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** As {@link #flush}, asking nothing of the master (see {@link PeerCore#whenDurable}). */
    CompletableFuture<Void> whenDurable(String userId) {
        return durable(userId, false);
    }

    private CompletableFuture<Void> durable(String userId, boolean ask) {
        Claim claim = claims.get(userId);
        if (claim == null || claim.copy == null) {
            if (core.isStopped()) {
                return CompletableFuture.failedFuture(core.stoppedException());
            }
            return CompletableFuture.failedFuture(new ProfileUnavailableException("this game server does not hold "
                    + "the profile of user '" + userId + "'" + (claim == null ? "" : " yet (it is being fetched)")
                    + ", so it wrote nothing to flush; acquire it with fillProfileValues first (a release's own "
                    + "future tells when the released profile's changes are durable)"));
        }
        return ask ? core.flush(claim.copy) : core.whenDurable(claim.copy);
    }

    /**
     * RELEASING sends ReleaseProfile once the last changes are in a batch and every batch of the profile is durable
     * (so the master may drop this game server's entry from the profile's exactly-once record: nothing of it will
     * be sent again); RELEASE_SENT ends once all are acknowledged.
     */
    private void advance(Claim claim) {
        if (claim.state == State.RELEASING && core.isResynced() && claim.copy.handle() >= 0
                && !claim.copy.replica().hasUnsentChanges() && claim.copy.replica().pendingBatches() == 0) {
            core.send(new ReleaseProfile(claim.copy.handle()));
            claim.copy.seal(true);
            moveTo(claim, State.RELEASE_SENT);
        }
        if (claim.state == State.RELEASE_SENT && claim.copy.replica().pendingBatches() == 0) {
            finishRelease(claim);
        }
    }

    private void finishRelease(Claim claim) {
        forget(claim, NotDurableException.Reason.RELEASED);
        claim.release.complete(null);
    }

    /** {@code why}: what the copy's waiting flushes fail with. */
    private void forget(Claim claim, NotDurableException.Reason why) {
        claims.remove(claim.userId, claim);
        releasing.remove(claim.userId, claim);
        usable.remove(claim.userId, claim.profile);
        if (claim.copy != null) {
            core.replicas().remove(claim.copy, why);
        }
    }

    // ---------------------------------------------------------------- the core's events

    @Override
    public void onWelcome(Welcome welcome, ProfileSchema schema) {
        byRequest.clear();
        for (Claim claim : List.copyOf(claims.values())) {
            detach(claim);
        }
        for (Claim claim : List.copyOf(claims.values())) {
            if (claim.state == State.FETCHING || claim.state == State.REACQUIRING
                    || claim.state == State.REACQUIRING_TO_RELEASE) {
                sendAcquire(claim);
            }
        }
        maybeResynced();
        if (!core.isResynced()) {
            // Changes wait until every held profile is back; a master that never answers must not stall them.
            int at = ++welcomes;
            core.loop().schedule(config.acquireTimeout().toNanos(), () -> {
                if (at == welcomes && !core.isResynced() && core.isWelcomed()) {
                    core.drop("the master did not hand back " + reacquiring() + " held profiles within "
                            + config.acquireTimeout());
                }
            });
        }
    }

    @Override
    public void onLost() {
        byRequest.clear();
        for (Claim claim : List.copyOf(claims.values())) {
            detach(claim);
        }
    }

    /** The connection that named the claim's handle is gone: held ones are asked for again. */
    private void detach(Claim claim) {
        switch (claim.state) {
            case HELD -> moveTo(claim, State.REACQUIRING);
            case RELEASING, RELEASE_SENT -> {
                if (claim.copy.replica().settled()) {
                    // The master has every change; the holding ended with the connection.
                    finishRelease(claim);
                } else {
                    claim.copy.seal(false);
                    moveTo(claim, State.REACQUIRING_TO_RELEASE);
                }
            }
            default -> {
                // FETCHING and REACQUIRING*: asked (again) at the next welcome.
            }
        }
    }

    @Override
    public void onMessage(Message message) {
        if (message instanceof ServerPush push) {
            core.replicas().onPush(push.entries(), push.ackSeq(), push.durableSeq(), push.refusals());
            core.afterPush();
        } else if (message instanceof ProfileAcquired acquired) {
            onAcquired(acquired);
        } else if (message instanceof AcquireFailed failed) {
            onAcquireFailed(failed);
        } else {
            LOG.warn("Ignoring unexpected {} from the master", message.getClass().getSimpleName());
        }
    }

    @Override
    public void onProgress() {
        if (!releasing.isEmpty()) {
            for (Claim claim : List.copyOf(releasing.values())) {
                advance(claim);
            }
        }
    }

    private void moveTo(Claim claim, State state) {
        claim.state = state;
        if (state == State.RELEASING || state == State.RELEASE_SENT) {
            releasing.put(claim.userId, claim);
        } else {
            releasing.remove(claim.userId, claim);
        }
    }

    @Override
    public void onClosing() {
        for (Claim claim : List.copyOf(claims.values())) {
            if (claim.state == State.FETCHING) {
                endFetch(claim);
                claim.fetch.completeExceptionally(closedException());
            } else {
                release(claim.userId);
            }
        }
    }

    @Override
    public boolean busy() {
        for (Claim claim : claims.values()) {
            if (claim.state != State.HELD) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void onStopped(Throwable cause) {
        Throwable failure = cause instanceof RefusedException ? cause : closedException();
        for (Claim claim : List.copyOf(claims.values())) {
            if (claim.timeout != null) {
                claim.timeout.cancel();
            }
            forget(claim, NotDurableException.Reason.STOPPED);
            if (claim.state == State.FETCHING) {
                claim.fetch.completeExceptionally(failure);
            } else if (claim.release != null) {
                claim.release.completeExceptionally(new ProfileUnavailableException("the ProfilesServer stopped "
                        + "before the master acknowledged the last changes of user '" + claim.userId + "'", cause));
            }
        }
        byRequest.clear();
    }

    @Override
    public Message batch(long seq, List<HandleDelta> entries) {
        return new ServerBatch(seq, entries);
    }

    @Override
    public Message atomic(long seq, HandleDelta entry, byte[] preconditions) {
        return new ServerTransaction(seq, entry.handle(), entry.base(), entry.overlay(), preconditions,
                entry.delta());
    }

    @Override
    public ProfileUnavailableException closedException() {
        return new ProfileUnavailableException("the ProfilesServer was closed before the master answered");
    }

    // ---------------------------------------------------------------- acquiring

    private void sendAcquire(Claim claim) {
        claim.requestId = nextRequestId++;
        byRequest.put(claim.requestId, claim);
        core.send(new AcquireProfile(claim.requestId, claim.userId));
    }

    private void endFetch(Claim claim) {
        claims.remove(claim.userId, claim);
        byRequest.remove(claim.requestId, claim);
        if (claim.timeout != null) {
            claim.timeout.cancel();
        }
    }

    private void onAcquired(ProfileAcquired m) {
        Claim claim = byRequest.remove(m.requestId());
        if (claim == null) {
            // Timed out or released meanwhile: the master holds it for us, so give it back.
            core.send(new ReleaseProfile(m.handle()));
            return;
        }
        switch (claim.state) {
            case FETCHING -> onFetched(claim, m);
            case REACQUIRING, REACQUIRING_TO_RELEASE -> {
                try {
                    core.replicas().onSnapshot(claim.copy, m.profile(), m.lastAppliedSeq(), m.push());
                } catch (ProfileFormatException e) {
                    lose(claim, "its snapshot after the reconnection cannot be read: " + e.getMessage());
                    return;
                }
                core.replicas().setHandle(claim.copy, m.handle());
                moveTo(claim, claim.state == State.REACQUIRING ? State.HELD : State.RELEASING);
                maybeResynced();
            }
            default -> core.send(new ReleaseProfile(m.handle()));
        }
    }

    private void onFetched(Claim claim, ProfileAcquired m) {
        endFetch(claim);
        ObservableServerProfile profile = core.schema().newServerProfile(claim.userId);
        Replica replica;
        try {
            replica = new Replica(profile, m.profile(), m.push());
        } catch (ProfileFormatException e) {
            core.send(new ReleaseProfile(m.handle()));
            claim.fetch.completeExceptionally(new ProfileUnavailableException("the profile of user '"
                    + claim.userId + "' from the master does not fit its schema: " + e.getMessage(), e));
            return;
        }
        claim.profile = profile;
        claim.copy = core.replicas().add(claim.userId, replica, m.handle());
        moveTo(claim, State.HELD);
        claims.put(claim.userId, claim);
        usable.put(claim.userId, profile);
        claim.fetch.complete(profile);
    }

    private void onAcquireFailed(AcquireFailed m) {
        Claim claim = byRequest.remove(m.requestId());
        if (claim == null) {
            return;
        }
        if (claim.state == State.FETCHING) {
            endFetch(claim);
            claim.fetch.completeExceptionally(new ProfileUnavailableException("the master could not load the "
                    + "profile of user '" + claim.userId + "': " + m.reason()));
        } else if (claim.state == State.REACQUIRING || claim.state == State.REACQUIRING_TO_RELEASE) {
            if (claim.copy.replica().settled() || core.isClosing()) {
                lose(claim, "the master could not hand it over again after the reconnection: " + m.reason());
            } else {
                // Changes the master never made durable live only here: dropping them would lose them for good
                // (its database may be down, a load timing out). Ask again on a new connection; the other profiles
                // wait meanwhile, as they wait for any re-acquisition.
                LOG.warn("The master could not hand back the profile of user '{}' ({}); it has changes not yet "
                        + "durable, so the game server reconnects to ask again", claim.userId, m.reason());
                core.drop("the master could not hand back the profile of user '" + claim.userId + "', which has "
                        + "changes not yet durable: " + m.reason());
            }
        }
    }

    /** A held profile that could not be re-acquired: dropped, its unacknowledged changes lost, the game told. */
    private void lose(Claim claim, String why) {
        LOG.error("Lost the profile of user '{}': {}", claim.userId, why);
        forget(claim, NotDurableException.Reason.LOST);
        if (claim.release != null) {
            claim.release.completeExceptionally(new ProfileUnavailableException("the profile of user '"
                    + claim.userId + "' was lost: " + why));
        } else {
            core.refused(claim.userId, "", "profile lost: " + why);
        }
        maybeResynced();
    }

    private int reacquiring() {
        int count = 0;
        for (Claim claim : claims.values()) {
            if (claim.state == State.REACQUIRING || claim.state == State.REACQUIRING_TO_RELEASE) {
                count++;
            }
        }
        return count;
    }

    /** Once every held profile is back: the core sends the unacknowledged batches again and ticks resume. */
    private void maybeResynced() {
        if (reacquiring() == 0) {
            core.resynced();
        }
    }
}
