package io.profilesync.client.internal;

import io.profilesync.client.ProfilesClientConfig;
import io.profilesync.core.ObservableProfile;
import io.profilesync.core.ProfileFormatException;
import io.profilesync.populators.ProfileSchema;
import io.profilesync.protocol.ProfileUnavailableException;
import io.profilesync.protocol.RefusedException;
import io.profilesync.protocol.internal.EventLoop.Cancellable;
import io.profilesync.protocol.internal.Messages.AcquireFailed;
import io.profilesync.protocol.internal.Messages.ClientPush;
import io.profilesync.protocol.internal.Messages.ClientUpdate;
import io.profilesync.protocol.internal.Messages.HandleDelta;
import io.profilesync.protocol.internal.Messages.Message;
import io.profilesync.protocol.internal.Messages.ProfileRequest;
import io.profilesync.protocol.internal.Messages.ProfileSnapshot;
import io.profilesync.protocol.internal.Messages.Welcome;
import io.profilesync.protocol.internal.PeerCore;
import io.profilesync.protocol.internal.Replica;
import io.profilesync.protocol.internal.ReplicaSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's own part of its peer core: the fill (asking for the player's profile, first and after each
 * reconnection). Everything else (connection, schema, the copy, updates, pushes, resend, closing) is the shared
 * {@link PeerCore}'s. The one copy is named by handle 0.
 *
 * <pre>
 * no fill --fill()--> ASKED --ProfileSnapshot--> FILLED --connection lost--> (asked again at the welcome)
 *                       | AcquireFailed, fetchTimeout: the fill fails, a later fill() asks again
 * </pre>
 *
 * <p>Threading: every method runs on the core's loop, except {@link #userId()} and {@link #profile()}.
 */
final class ClientSession implements PeerCore.Role<ProfileSchema> {
    private static final Logger LOG = LoggerFactory.getLogger(ClientSession.class);
    private static final int HANDLE = 0;

    private final ProfilesClientConfig config;
    private final PeerCore<ProfileSchema> core;
    private volatile String userId;
    private volatile ObservableProfile profile;
    private CompletableFuture<ObservableProfile> fill;
    private ReplicaSet.Copy copy;
    private boolean requested;
    private Cancellable fetchTimeout;

    ClientSession(ProfilesClientConfig config, PeerCore.Factory<ProfileSchema> cores) {
        this.config = config;
        this.core = cores.create(this);
    }

    PeerCore<ProfileSchema> core() {
        return core;
    }

    String userId() {
        return userId;
    }

    Optional<ObservableProfile> profile() {
        return Optional.ofNullable(profile);
    }

    boolean settled() {
        return copy != null && copy.replica().settled();
    }

    Optional<byte[]> confirmed() {
        return copy == null ? Optional.empty() : Optional.of(copy.replica().confirmed().toBytes());
    }

    CompletableFuture<ObservableProfile> fill() {
        if (fill == null) {
            if (core.isStopped()) {
                return CompletableFuture.failedFuture(core.stoppedException());
            }
            CompletableFuture<ObservableProfile> pending = new CompletableFuture<>();
            fill = pending;
            requestProfile();
            fetchTimeout = core.loop().schedule(config.fetchTimeout().toNanos(), () -> {
                if (fill == pending && !pending.isDone()) {
                    // The master did not answer (its own load timeout answers sooner): fail, and let a later call
                    // ask again rather than wait for ever (MST's timed-out fetch never answers).
                    fill = null;
                    requested = false;
                    pending.completeExceptionally(new ProfileUnavailableException("the master did not send the "
                            + "profile within " + config.fetchTimeout() + "; check that it is up and its database "
                            + "reachable, or raise fetchTimeout, then call fillInProfileValues() again"));
                }
            });
        }
        return fill;
    }

    /**
     * Completes once everything written to the profile before this call is durable (see {@link PeerCore#flush});
     * at once when the profile was never loaded (nothing was written).
     */
    CompletableFuture<Void> flush() {
        return copy == null ? CompletableFuture.completedFuture(null) : core.flush(copy);
    }

    private void requestProfile() {
        if (core.isWelcomed() && !requested) {
            requested = true;
            core.send(new ProfileRequest());
        }
    }

    // ---------------------------------------------------------------- the core's events

    @Override
    public void onWelcome(Welcome welcome, ProfileSchema schema) {
        userId = welcome.userId();
        requested = false;
        if (fill != null) {
            requestProfile();
        }
    }

    @Override
    public void onMessage(Message message) {
        if (message instanceof ClientPush push) {
            if (copy != null) {
                List<HandleDelta> entries = push.delta().length == 0 ? List.of()
                        : List.of(new HandleDelta(HANDLE, push.delta()));
                core.replicas().onPush(entries, push.ackSeq(), push.durableSeq(), push.refusals());
                core.afterPush();
            }
        } else if (message instanceof ProfileSnapshot snapshot) {
            onSnapshot(snapshot);
        } else if (message instanceof AcquireFailed failed) {
            onLoadFailed(failed.reason());
        } else {
            LOG.warn("Ignoring unexpected {} from the master", message.getClass().getSimpleName());
        }
    }

    private void onSnapshot(ProfileSnapshot m) {
        try {
            if (copy == null) {
                ObservableProfile fresh = core.schema().newProfile();
                copy = core.replicas().add(userId, new Replica(fresh, m.profile(), m.push()), HANDLE);
                profile = fresh;
            } else {
                core.replicas().onSnapshot(copy, m.profile(), m.lastAppliedSeq(), m.push());
                core.replicas().setHandle(copy, HANDLE);
            }
        } catch (ProfileFormatException e) {
            core.fail(new ProfileUnavailableException("the profile from the master does not fit its schema: "
                    + e.getMessage(), e));
            return;
        }
        if (fetchTimeout != null) {
            fetchTimeout.cancel();
            fetchTimeout = null;
        }
        if (fill == null) {
            fill = new CompletableFuture<>();
        }
        fill.complete(profile);
        // Changes the master has not acknowledged go again, in order, with their numbers; it applies each once.
        core.resynced();
    }

    /** The master could not load the profile: the first fetch fails (a later call asks again); a reload retries. */
    private void onLoadFailed(String reason) {
        requested = false;
        if (copy == null) {
            CompletableFuture<ObservableProfile> failed = fill;
            fill = null;
            if (failed != null) {
                failed.completeExceptionally(new ProfileUnavailableException("the master could not load the "
                        + "profile of user '" + userId + "': " + reason + "; call fillInProfileValues() again to "
                        + "retry"));
            }
            return;
        }
        core.refused(userId, "", "the profile could not be reloaded after a reconnection, retrying: " + reason);
        core.drop("the master could not reload the profile after a reconnection (" + reason + ")");
    }

    @Override
    public void onLost() {
        requested = false;
    }

    @Override
    public void onProgress() {
        // Nothing of the client's own moves with ticks and pushes.
    }

    @Override
    public void onClosing() {
        if (fill != null && !fill.isDone()) {
            fill.completeExceptionally(closedException());
        }
    }

    @Override
    public boolean busy() {
        return fill != null && !fill.isDone();
    }

    @Override
    public void onStopped(Throwable cause) {
        if (fill != null) {
            fill.completeExceptionally(cause instanceof RefusedException ? cause : closedException());
        }
    }

    @Override
    public Message batch(long seq, List<HandleDelta> entries) {
        HandleDelta entry = entries.get(0);
        return new ClientUpdate(seq, entry.base(), entry.overlay(), entry.delta());
    }

    @Override
    public ProfileUnavailableException closedException() {
        return new ProfileUnavailableException("the ProfilesClient was closed before the master sent the profile");
    }
}
