package io.profilesync.master.internal;

import io.profilesync.core.Precondition;
import io.profilesync.core.ProfileFormatException;
import io.profilesync.core.PropertyView;
import io.profilesync.core.UpdateValidator;
import io.profilesync.core.UserIds;
import io.profilesync.populators.ProfileSchema;
import io.profilesync.populators.ProfileSchema.Writer;
import io.profilesync.protocol.internal.Messages.AcquireFailed;
import io.profilesync.protocol.internal.Messages.AcquireProfile;
import io.profilesync.protocol.internal.Messages.HandleDelta;
import io.profilesync.protocol.internal.Messages.ProfileAcquired;
import io.profilesync.protocol.internal.Messages.ReleaseProfile;
import io.profilesync.protocol.internal.Messages.Refusal;
import io.profilesync.protocol.internal.Messages.ServerBatch;
import io.profilesync.protocol.internal.Messages.ServerTransaction;
import java.util.ArrayList;
import java.util.List;

/**
 * What a game server does with profiles: acquires any user's profile (a snapshot and a handle that names it on that
 * connection), sends numbered batches of changes to the profiles it holds, each batch applied once and acknowledged,
 * and releases them. It can write only what it holds (MST never checks).
 *
 * <p>Threading: the profile thread only.
 */
final class GameServerHolders {
    private final UpdateValidator serverValidator;
    private final ProfileCache cache;
    private final Handouts handouts;
    private final AppliedBatches applied;
    private final ChangeRelay relay;
    private final GameServerPushes pushes;
    private final Hooks hooks;
    private final Sessions sessions;

    GameServerHolders(ProfileSchema schema, ProfileCache cache, Handouts handouts, AppliedBatches applied,
            ChangeRelay relay, GameServerPushes pushes, Hooks hooks, Sessions sessions) {
        this.hooks = hooks;
        this.sessions = sessions;
        this.serverValidator = schema.validatorFor(Writer.SERVER);
        this.cache = cache;
        this.handouts = handouts;
        this.applied = applied;
        this.relay = relay;
        this.pushes = pushes;
    }

    /** The game server is welcomed: it holds nothing yet. */
    void onReady(Session session) {
        session.gameServer = new GameServerHoldings();
    }

    void onAcquire(Session session, AcquireProfile request) {
        String userId = request.userId();
        String userIdProblem = UserIds.problem(userId);
        if (userIdProblem != null) {
            session.outbound.send(new AcquireFailed(request.requestId(), userIdProblem));
            return;
        }
        handouts.handOut(session, request.requestId(), userId, PropertyView.ALL, (entry, snapshot) -> {
            GameServerHoldings holdings = session.gameServer;
            Holding holding = holdings.byEntry.get(entry);
            if (holding == null) {
                holding = new Holding(session, holdings.nextHandle++, entry, entry.profile.copy());
                holdings.byEntry.put(entry, holding);
                holdings.byHandle.put(holding.handle, holding);
                entry.holdings.add(holding);
                cache.attach(entry);
                hooks.acquired(entry, session);
            } else {
                holding.outbox = entry.profile.copy();
                holdings.dirty.remove(holding);
                holding.changedAt = -1; // the snapshot carries it
            }
            holding.pushed = entry.pushedTo(session.writerKey);
            long push = holding.pushed.snapshot(entry.version, session);
            session.outbound.send(new ProfileAcquired(request.requestId(), holding.handle,
                    applied.lastApplied(entry, session.writerKey), push, snapshot));
        });
    }

    void onServerBatch(Session session, ServerBatch batch) {
        long seq = batch.seq();
        applied.receive(session, seq, () -> {
            List<DurableAcks.Need> needs = new ArrayList<>();
            for (HandleDelta entry : batch.entries()) {
                applyEntry(session, seq, entry, needs);
            }
            return needs;
        }, () -> {
            List<DurableAcks.Need> needs = new ArrayList<>();
            for (HandleDelta entry : batch.entries()) {
                Holding holding = session.gameServer.byHandle.get(entry.handle());
                if (holding != null) {
                    needs.add(DurableAcks.need(holding.entry));
                }
            }
            return needs;
        }, () -> pushes.schedule(session));
    }

    /**
     * Batch {@code seq} is one atomic change: applied whole or refused whole like {@link #onServerBatch}'s entries are
     * applied one by one. A refusal is remembered (by this master, for a while) so that the same change sent again
     * after a lost push is answered with it again rather than taken for applied.
     */
    void onServerTransaction(Session session, ServerTransaction transaction) {
        long seq = transaction.seq();
        List<Precondition> preconditions;
        try {
            preconditions = Precondition.decode(transaction.preconditions());
        } catch (ProfileFormatException e) {
            sessions.violation(session, "sent an atomic change whose preconditions are malformed: " + e.getMessage());
            return;
        }
        HandleDelta entry = new HandleDelta(transaction.handle(), transaction.base(), transaction.overlay(),
                transaction.delta());
        applied.receive(session, seq, () -> {
            List<DurableAcks.Need> needs = new ArrayList<>();
            int told = session.refusals.size();
            applyEntry(session, seq, entry, preconditions, needs);
            if (session.refusals.size() > told) {
                applied.rememberRefused(session.writerKey, seq,
                        List.copyOf(session.refusals.subList(told, session.refusals.size())));
            }
            return needs;
        }, () -> {
            List<Refusal> refused = applied.refusedBefore(session.writerKey, seq);
            if (refused != null) {
                // Told again (the push that carried it was lost), under the handle of this connection.
                for (Refusal one : refused) {
                    session.refusals.add(new Refusal(one.seq(), entry.handle(), one.property(), one.reason()));
                }
                return List.of();
            }
            Holding holding = session.gameServer.byHandle.get(entry.handle());
            return holding == null ? List.of() : List.of(DurableAcks.need(holding.entry));
        }, () -> pushes.schedule(session));
    }

    private void applyEntry(Session session, long seq, HandleDelta entry, List<DurableAcks.Need> needs) {
        applyEntry(session, seq, entry, null, needs);
    }

    /** {@code preconditions}: those of an atomic change, or null. */
    private void applyEntry(Session session, long seq, HandleDelta entry, List<Precondition> preconditions,
            List<DurableAcks.Need> needs) {
        Holding holding = session.gameServer.byHandle.get(entry.handle());
        if (holding == null) {
            // MST never checks that the sender holds the user; here a game server writes only what it holds.
            relay.refuse(session, null, "not_held", seq, entry.handle(), "", "this game server does not hold profile handle "
                    + entry.handle() + "; acquire the profile first");
        } else if (applied.holds(holding.entry, session.writerKey, seq)) {
            // A master before this one applied and saved it (its acknowledgement was lost with that master).
            needs.add(DurableAcks.need(holding.entry));
        } else if (relay.apply(session, holding.entry, seq, entry.handle(), entry.delta(),
                ChangeRelay.WriterBase.of(holding.pushed, session, seq, entry.base(), entry.overlay()), preconditions,
                PropertyView.ALL, serverValidator)) {
            needs.add(DurableAcks.need(holding.entry));
        }
    }

    void onRelease(Session session, ReleaseProfile release) {
        Holding holding = session.gameServer.byHandle.get(release.handle());
        if (holding == null) {
            return; // released twice, or never held: harmless
        }
        // A game server releases only once its batches are durable, so it never sends them again: its entry in the
        // exactly-once record can go (with the next save).
        applied.released(holding.entry, session.writerKey);
        holding.entry.forgetWriter(session.writerKey);
        release(holding);
        pushes.schedule(session);
    }

    /** The game server is gone: it lets every profile it held go. */
    void onClosed(Session session) {
        GameServerHoldings holdings = session.gameServer;
        if (holdings == null) {
            return;
        }
        for (Holding holding : new ArrayList<>(holdings.byHandle.values())) {
            release(holding);
        }
    }

    private void release(Holding holding) {
        holding.session.gameServer.remove(holding);
        holding.entry.holdings.remove(holding);
        hooks.released(holding.entry, holding.session);
        cache.detach(holding.entry);
    }
}
