package io.profilesync.client;

import io.profilesync.core.ObservableProfile;
import io.profilesync.core.ProfileFormatException;
import io.profilesync.populators.ProfileSchema;
import io.profilesync.protocol.ConnectionState;
import io.profilesync.protocol.internal.Messages.AcquireFailed;
import io.profilesync.protocol.internal.Messages.ClientPush;
import io.profilesync.protocol.internal.Messages.ClientUpdate;
import io.profilesync.protocol.internal.Messages.Message;
import io.profilesync.protocol.internal.Messages.ProfileRequest;
import io.profilesync.protocol.internal.Messages.ProfileSnapshot;
import io.profilesync.protocol.RefusalCode;
import io.profilesync.protocol.internal.Messages.Refusal;
import io.profilesync.protocol.internal.Messages.Welcome;
import io.profilesync.protocol.ProfileUnavailableException;
import io.profilesync.protocol.RefusedException;
import io.profilesync.protocol.internal.Batcher;
import io.profilesync.protocol.internal.Link;
import io.profilesync.protocol.internal.Replica;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The client's state and protocol logic behind {@link ProfilesClient}. Runs on the profile executor. */
final class ClientSession implements Link.Handler {
    private static final Logger LOG = LoggerFactory.getLogger(ClientSession.class);

    private final ProfilesClientConfig config;
    private final Link link;
    private final List<ProfilesClient.RefusalListener> refusalListeners = new CopyOnWriteArrayList<>();
    private volatile String userId;
    private ProfileSchema schema;
    private CompletableFuture<ObservableProfile> fill;
    private ObservableProfile profile;
    private Replica replica;
    private boolean requested;
    private boolean resynced;
    private long nextSeq = 1;

    ClientSession(ProfilesClientConfig config) {
        this.config = config;
        this.link = new Link(config.linkSettings(), this);
    }

    Link link() {
        return link;
    }

    String userId() {
        return userId;
    }

    void addRefusalListener(ProfilesClient.RefusalListener listener) {
        refusalListeners.add(listener);
    }

    void removeRefusalListener(ProfilesClient.RefusalListener listener) {
        refusalListeners.remove(listener);
    }

    static ProfileUnavailableException closedException() {
        return new ProfileUnavailableException("the ProfilesClient was closed before the master sent the profile");
    }

    CompletableFuture<ObservableProfile> fill() {
        if (fill == null) {
            CompletableFuture<ObservableProfile> pending = new CompletableFuture<>();
            fill = pending;
            requestProfile();
            link.schedule(() -> {
                if (fill == pending && !pending.isDone()) {
                    // The master did not answer (its own load timeout answers sooner): fail, and let a later call
                    // ask again rather than wait for ever (MST's timed-out fetch never answers).
                    fill = null;
                    requested = false;
                    pending.completeExceptionally(new ProfileUnavailableException("the master did not send the "
                            + "profile within " + config.fetchTimeout() + "; check that it is up and its database "
                            + "reachable, or raise fetchTimeout, then call fillInProfileValues() again"));
                }
            }, config.fetchTimeout().toMillis());
        }
        return fill;
    }

    private void requestProfile() {
        if (link.isWelcomed() && !requested) {
            requested = true;
            link.send(new ProfileRequest());
        }
    }

    // ---------------------------------------------------------------- link events

    @Override
    public void onWelcome(Welcome welcome) {
        if (schema == null || !schema.toJson().equals(welcome.schemaJson())) {
            if (profile != null) {
                link.stop(ConnectionState.FAILED, new RefusedException(RefusalCode.SCHEMA_MISMATCH, "the master came "
                        + "back with another schema; restart the client so its profile is built from the new one"));
                return;
            }
            try {
                schema = ProfileSchema.fromJson(welcome.schemaJson());
            } catch (RuntimeException e) {
                link.stop(ConnectionState.FAILED, new RefusedException(RefusalCode.SCHEMA_MISMATCH,
                        "the master's schema cannot be read: " + e.getMessage()));
                return;
            }
        }
        userId = welcome.userId();
        requested = false;
        resynced = false;
        if (fill != null) {
            requestProfile();
        }
    }

    @Override
    public void onMessage(Message message) {
        if (message instanceof ClientPush push) {
            onPush(push);
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
            if (replica == null) {
                ObservableProfile fresh = schema.newProfile();
                replica = new Replica(fresh, m.profile());
                profile = fresh;
            } else {
                replica.onSnapshot(m.profile(), m.lastAppliedSeq());
            }
        } catch (ProfileFormatException e) {
            ProfileUnavailableException failure = new ProfileUnavailableException("the profile from the master does "
                    + "not fit its schema: " + e.getMessage(), e);
            link.stop(ConnectionState.FAILED, failure);
            return;
        }
        // Changes the master has not acknowledged go again, in order, with their numbers; it applies each once.
        replica.forEachUnacknowledged((seq, delta) -> link.send(new ClientUpdate(seq, delta)));
        resynced = true;
        if (fill == null) {
            fill = new CompletableFuture<>();
        }
        fill.complete(profile);
    }

    /** The master could not load the profile: the first fetch fails (a later call asks again); a reload retries. */
    private void onLoadFailed(String reason) {
        requested = false;
        if (replica == null) {
            CompletableFuture<ObservableProfile> failed = fill;
            fill = null;
            failed.completeExceptionally(new ProfileUnavailableException("the master could not load the profile of "
                    + "user '" + userId + "': " + reason + "; call fillInProfileValues() again to retry"));
            return;
        }
        LOG.warn("The master could not reload the profile after a reconnection ({}); reconnecting", reason);
        tellRefused("", "the profile could not be reloaded after a reconnection, retrying: " + reason);
        link.reconnectNow();
    }

    private void onPush(ClientPush m) {
        if (replica == null) {
            return;
        }
        try {
            replica.onPush(m.delta().length == 0 ? null : m.delta(), m.ackSeq());
        } catch (ProfileFormatException e) {
            LOG.error("The master's delta cannot be applied ({}); reconnecting for a fresh snapshot", e.getMessage());
            link.reconnectNow();
            return;
        }
        for (Refusal refusal : m.refusals()) {
            tellRefused(refusal.property(), refusal.reason());
        }
        link.checkClosed();
    }

    @Override
    public void onTick() {
        if (!resynced || !profile.hasUpdates() || !link.canWrite()) {
            return;
        }
        byte[] preview = profile.getUpdates();
        Batcher<byte[]> batcher = new Batcher<>(link.maxMessageSize(), () -> nextSeq++,
                (seq, entries) -> link.send(new ClientUpdate(seq, entries.get(0))));
        if (!batcher.fits(preview.length)) {
            String reason = link.oversizeReason(preview.length);
            LOG.error(reason);
            profile.clearUpdates();
            replica.onSnapshot(replica.confirmed().toBytes(), 0);
            tellRefused("", reason);
            return;
        }
        batcher.add(preview.length, replica::takeChanges);
        batcher.finish();
    }

    @Override
    public void onDisconnected() {
        resynced = false;
        requested = false;
    }

    @Override
    public void onStopped(Throwable cause) {
        if (fill != null) {
            fill.completeExceptionally(cause instanceof RefusedException ? cause : closedException());
        }
    }

    private void tellRefused(String property, String reason) {
        Link.fire(refusalListeners, listener -> listener.onRefused(property, reason));
    }

    // ---------------------------------------------------------------- closing

    CompletableFuture<Void> close(boolean now) {
        return link.beginClose(now, config.closeTimeout(),
                () -> replica == null || (replica.pendingBatches() == 0 && !profile.hasUpdates()), closedException());
    }
}
