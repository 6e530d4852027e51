package io.profilesync.master.internal;

import io.profilesync.core.ApplyOptions;
import io.profilesync.core.ObservableProperty;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.ProfileFormatException;
import io.profilesync.core.PropertyView;
import io.profilesync.core.UpdateRejectedException;
import io.profilesync.core.UpdateValidator;
import io.profilesync.master.MasterConfig;
import io.profilesync.protocol.internal.Messages.Refusal;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a change becomes the master's: a delta from a peer is decoded, validated and applied all or nothing (or
 * refused, the writer told why in its next push), an edit on the master itself is recorded; then the change is
 * applied again into every holder's outbox, the writer's own included, so each holder's next push carries it, and
 * the profile is marked for saving.
 *
 * <p>Threading: the profile thread only.
 */
final class ChangeRelay {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeRelay.class);

    private final ClientPushes clientPushes;
    private final GameServerPushes gameServerPushes;
    private final SaveScheduler saves;
    private final AppliedBatches applied;
    private final Set<String> immediateProperties;
    private final MasterMetrics metrics;
    private final boolean skipWritersOwnChanges;
    private final int maxUpdateSize;

    /** {@code skipWritersOwnChanges}: {@link BrokenOnPurpose#PUSH_SKIPS_WRITERS_OWN_CHANGES}, for tests only. */
    ChangeRelay(MasterConfig config, Set<String> immediateProperties, ClientPushes clientPushes,
            GameServerPushes gameServerPushes, SaveScheduler saves, AppliedBatches applied, MasterMetrics metrics,
            boolean skipWritersOwnChanges) {
        this.immediateProperties = Set.copyOf(immediateProperties);
        this.applied = applied;
        this.maxUpdateSize = config.maxUpdateSize();
        this.clientPushes = clientPushes;
        this.gameServerPushes = gameServerPushes;
        this.saves = saves;
        this.metrics = metrics;
        this.skipWritersOwnChanges = skipWritersOwnChanges;
    }

    /**
     * Decodes, validates and applies one delta of {@code writer}'s batch {@code seq} ({@code handle} 0 for a client),
     * all or nothing, or refuses it (too large, malformed, not allowed). An accepted delta is recorded in the
     * profile's exactly-once record and marks the profile for saving even when it changed nothing, so the record
     * that it was applied becomes durable with it.
     *
     * @return whether it was accepted
     */
    boolean apply(Session writer, ProfileEntry entry, long seq, int handle, byte[] delta, PropertyView view,
            UpdateValidator validator) {
        if (delta.length > maxUpdateSize) {
            refuse(writer, seq, handle, "", "update of " + delta.length
                    + " bytes exceeds the master's maxUpdateSize of " + maxUpdateSize);
            return false;
        }
        try {
            List<ObservableProperty<?>> changed = entry.profile.applyUpdates(delta,
                    new ApplyOptions(view, false, validator));
            metrics.accepted();
            applied.recordApplied(entry, writer.writerKey, seq);
            if (!changed.isEmpty()) {
                relay(entry, delta, view, writer);
            }
            saves.markChanged(entry, immediate(changed));
            return true;
        } catch (UpdateRejectedException e) {
            refuse(writer, seq, handle, e.propertyName(), e.reason());
        } catch (ProfileFormatException e) {
            LOG.warn("Malformed update from {} for user '{}': {}", writer, entry.userId, e.getMessage());
            refuse(writer, seq, handle, "", "malformed update: " + e.getMessage());
        }
        return false;
    }

    /** Whether one of {@code changed} is saved at once ({@code durability: immediate} in the schema). */
    private boolean immediate(List<ObservableProperty<?>> changed) {
        for (ObservableProperty<?> property : changed) {
            if (immediateProperties.contains(property.name())) {
                return true;
            }
        }
        return false;
    }

    /** Refuses one delta (or batch entry): nothing of it was applied; the writer learns why in its next push. */
    void refuse(Session writer, long seq, int handle, String property, String reason) {
        metrics.refused();
        LOG.debug("Refused an update from {}: {}", writer, reason);
        writer.refusals.add(new Refusal(seq, handle, property, reason));
    }

    /**
     * A change made on the master itself, validated by nobody (the master is trusted); throws what {@code edit}
     * throws, leaving what it changed before throwing unrelayed.
     */
    void edit(ProfileEntry entry, Consumer<ObservableServerProfile> edit) {
        ObservableServerProfile profile = entry.profile;
        try {
            profile.clearUpdates();
            edit.accept(profile);
            if (profile.hasUpdates()) {
                byte[] delta = profile.getUpdates();
                profile.clearUpdates();
                List<ObservableProperty<?>> changed = new java.util.ArrayList<>();
                for (ObservableProperty<?> property : profile) {
                    if (property.isDirty()) {
                        changed.add(property);
                    }
                }
                relay(entry, delta, PropertyView.ALL, null);
                saves.markChanged(entry, immediate(changed));
            }
        } finally {
            profile.clearUpdates();
        }
    }

    /** Records an accepted change in every holder's outbox, so each holder's next push carries it. */
    private void relay(ProfileEntry entry, byte[] delta, PropertyView view, Session writer) {
        ApplyOptions record = new ApplyOptions(view, true, null);
        for (Session client : entry.clients) {
            if (skipWritersOwnChanges && client == writer) {
                continue;
            }
            client.client.outbox.applyUpdates(delta, record);
            clientPushes.schedule(client);
        }
        for (Holding holding : entry.holdings) {
            if (skipWritersOwnChanges && holding.session == writer) {
                continue;
            }
            holding.outbox.applyUpdates(delta, record);
            holding.session.gameServer.dirty.add(holding);
            gameServerPushes.schedule(holding.session);
        }
    }
}
