package io.profilesync.master.internal;

import io.profilesync.core.PropertyView;
import io.profilesync.core.UpdateValidator;
import io.profilesync.populators.ProfileSchema;
import io.profilesync.populators.ProfileSchema.Writer;
import io.profilesync.protocol.internal.Messages.ClientUpdate;
import io.profilesync.protocol.internal.Messages.ProfileSnapshot;
import java.util.List;

/**
 * What a client does with its own profile: asks for it (a snapshot of its view, and from then on pushes), and
 * sends numbered updates of the properties it may write, each applied once and acknowledged. A client names no
 * user id: it can only ever reach the profile of the user it authenticated as.
 *
 * <p>Threading: the profile thread only.
 */
final class ClientHolders {
    private final PropertyView clientView;
    private final UpdateValidator clientValidator;
    private final ProfileCache cache;
    private final Handouts handouts;
    private final AppliedBatches applied;
    private final ChangeRelay relay;
    private final ClientPushes pushes;
    private final Sessions sessions;

    ClientHolders(ProfileSchema schema, ProfileCache cache, Handouts handouts, AppliedBatches applied,
            ChangeRelay relay, ClientPushes pushes, Sessions sessions) {
        this.clientView = schema.clientView();
        this.clientValidator = schema.validatorFor(Writer.CLIENT);
        this.cache = cache;
        this.handouts = handouts;
        this.applied = applied;
        this.relay = relay;
        this.pushes = pushes;
        this.sessions = sessions;
    }

    /** The client is welcomed: it holds nothing yet, and may be pushed to at once. */
    void onReady(Session session) {
        session.client = pushes.newHolder();
    }

    void onProfileRequest(Session session) {
        handouts.handOut(session, 0, session.userId, clientView, (entry, snapshot) -> {
            ClientHolder holder = session.client;
            if (holder.entry == null) {
                holder.entry = entry;
                entry.clients.add(session);
                cache.attach(entry);
            }
            holder.outbox = entry.profile.copy();
            holder.pushed = entry.pushedTo(session.writerKey);
            holder.changedAt = -1; // the snapshot carries it
            session.outbound.send(new ProfileSnapshot(applied.lastApplied(entry, session.writerKey),
                    holder.pushed.snapshot(entry.version, session), snapshot));
        });
    }

    void onClientUpdate(Session session, ClientUpdate update) {
        ClientHolder holder = session.client;
        if (holder.entry == null) {
            sessions.violation(session, "sent ClientUpdate before it received its profile");
            return;
        }
        ProfileEntry entry = holder.entry;
        long seq = update.seq();
        applied.receive(session, seq, () -> {
            if (!applied.holds(entry, session.writerKey, seq)
                    && !relay.apply(session, entry, seq, 0, update.delta(),
                            ChangeRelay.WriterBase.of(holder.pushed, session, seq, update.base(),
                            update.overlay()), clientView, clientValidator)) {
                return List.of(); // refused: nothing to save
            }
            return List.of(DurableAcks.need(entry));
        }, () -> List.of(DurableAcks.need(entry)), () -> pushes.schedule(session));
    }

    /** The client is gone: it lets its profile go. */
    void onClosed(Session session) {
        ClientHolder holder = session.client;
        if (holder == null) {
            return;
        }
        holder.cancelPush();
        if (holder.entry != null) {
            holder.entry.clients.remove(session);
            cache.detach(holder.entry);
            holder.entry = null;
        }
    }
}
