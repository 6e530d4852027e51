package io.profilesync.master.internal;

import io.profilesync.core.ApplyOptions;
import io.profilesync.core.ListChange;
import io.profilesync.core.ObservableList;
import io.profilesync.core.ObservableProperty;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.Precondition;
import io.profilesync.core.ProfileFormatException;
import io.profilesync.core.PropertyView;
import io.profilesync.core.UpdateFilter;
import io.profilesync.core.UpdateRejectedException;
import io.profilesync.core.UpdateValidator;
import io.profilesync.master.MasterConfig;
import io.profilesync.master.hooks.Author;
import io.profilesync.master.hooks.ProfileChange;
import io.profilesync.master.hooks.PropertyChange;
import io.profilesync.protocol.internal.EventLoop;
import io.profilesync.protocol.internal.Messages.Refusal;
import java.util.ArrayList;
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
    private final Hooks hooks;
    private final EventLoop loop;
    /** {@link BrokenOnPurpose#REACTION_APART}, for tests only. */
    private final boolean reactionApart;
    /** {@link BrokenOnPurpose#REFUSAL_TAKES_THE_DELTA}, for tests only: the schema refuses whole deltas. */
    private final boolean refusalTakesTheDelta;
    /**
     * {@link BrokenOnPurpose#ATOMIC_APPLIES_PIECEWISE}, for tests only: an atomic change is applied as an ordinary one
     * (its preconditions unchecked, its accepted changes applied beside its refused ones).
     */
    private final boolean atomicBreaksApart;
    /** False only for {@link BrokenOnPurpose#LIST_EDITS_NOT_REBASED}. */
    private final boolean rebasing;
    /** The rebase of the delta being relayed, or null (an edit on the master itself). */
    private ListRebases relaying;
    /** How much later a reaction runs when {@link #reactionApart}. */
    private static final long REACTION_APART_NANOS = 50_000_000;
    private final int maxUpdateSize;
    private final int objectBufferSize;
    /** Room for the fields around a whole profile in ProfileSnapshot and ProfileAcquired (and the frame length). */
    static final int WHOLE_PROFILE_MESSAGE_OVERHEAD = 64;

    /** {@code broken}: {@link BrokenOnPurpose#PUSH_SKIPS_WRITERS_OWN_CHANGES} and REACTION_APART, for tests only. */
    ChangeRelay(MasterConfig config, Set<String> immediateProperties, ClientPushes clientPushes,
            GameServerPushes gameServerPushes, SaveScheduler saves, AppliedBatches applied, MasterMetrics metrics,
            Hooks hooks, EventLoop loop, Set<BrokenOnPurpose> broken) {
        this.hooks = hooks;
        this.loop = loop;
        this.reactionApart = broken.contains(BrokenOnPurpose.REACTION_APART);
        this.refusalTakesTheDelta = broken.contains(BrokenOnPurpose.REFUSAL_TAKES_THE_DELTA);
        this.atomicBreaksApart = broken.contains(BrokenOnPurpose.ATOMIC_APPLIES_PIECEWISE);
        this.rebasing = !broken.contains(BrokenOnPurpose.LIST_EDITS_NOT_REBASED);
        this.skipWritersOwnChanges = broken.contains(BrokenOnPurpose.PUSH_SKIPS_WRITERS_OWN_CHANGES);
        this.immediateProperties = Set.copyOf(immediateProperties);
        this.applied = applied;
        this.maxUpdateSize = config.maxUpdateSize();
        this.objectBufferSize = config.objectBufferSize();
        this.clientPushes = clientPushes;
        this.gameServerPushes = gameServerPushes;
        this.saves = saves;
        this.metrics = metrics;
    }

    /**
     * Decodes, validates and applies one delta of {@code writer}'s batch {@code seq} ({@code handle} 0 for a client):
     * a delta too large or malformed is refused whole; otherwise each change is checked on its own ({@code validator},
     * the schema's permissions and constraints, then the game's validators), a refused one is left out and reported
     * with its property and reason, and the others apply together. An accepted delta is recorded in the
     * profile's exactly-once record and marks the profile for saving even when it changed nothing, so the record
     * that it was applied becomes durable with it.
     *
     * @return whether it was accepted
     */
    boolean apply(Session writer, ProfileEntry entry, long seq, int handle, byte[] delta, WriterBase base,
            PropertyView view, UpdateValidator validator) {
        return apply(writer, entry, seq, handle, delta, base, null, view, validator);
    }

    /**
     * Where the writer's copy stood when it made a delta: the version of the profile its last applied push showed
     * ({@code version}, -1 when unknown) and the first of its batches it laid over that ({@code overlayFrom}, -1 when
     * unknown). List operations are rebased from there ({@link ListRebases}).
     */
    record WriterBase(long version, long overlayFrom) {
        static final WriterBase UNKNOWN = new WriterBase(-1, -1);

        /**
         * Where the copy {@code session} serves stood when it made batch {@code seq}: push number {@code push} (0:
         * not said) of {@code pushed}, with its batches from {@code seq - overlay} on laid over it.
         */
        static WriterBase of(PushedVersions pushed, Session session, long seq, long push, long overlay) {
            if (push <= 0) {
                return UNKNOWN;
            }
            long back = overlay < 0 || overlay > seq ? 0 : overlay;
            return new WriterBase(pushed.versionAt(push, session), seq - back);
        }
    }

    /**
     * As {@link #apply(Session, ProfileEntry, long, int, byte[], WriterBase, PropertyView, UpdateValidator)}, and
     * when {@code preconditions} is not null the delta is one atomic change: refused whole, nothing of it applied and
     * nothing recorded, when one of the preconditions does not hold on the master's current state or when one of its
     * changes is refused (each reason is told to the writer, under the batch's {@code seq}).
     */
    boolean apply(Session writer, ProfileEntry entry, long seq, int handle, byte[] delta, WriterBase base,
            List<Precondition> preconditions, PropertyView view, UpdateValidator validator) {
        if (base.overlayFrom() >= 0 && entry.writerOps != null) {
            WriterOps recent = entry.writerOps.get(writer.writerKey);
            if (recent != null) {
                recent.forgetBefore(base.overlayFrom()); // its copy no longer lays those over anything
            }
        }
        if (delta.length > maxUpdateSize) {
            refuse(writer, entry.userId, "too_large", seq, handle, "", "update of " + delta.length
                    + " bytes exceeds the master's maxUpdateSize of " + maxUpdateSize);
            recordUnread(entry, writer, seq);
            return false;
        }
        String tooLarge = growthRefusal(entry, delta.length);
        if (tooLarge != null) {
            refuse(writer, entry.userId, "too_big_to_send", seq, handle, "", tooLarge);
            recordUnread(entry, writer, seq);
            return false;
        }
        ObservableServerProfile profile = entry.profile;
        ListRebases rebases = new ListRebases(entry, writer.writerKey, seq, base.version(),
                base.overlayFrom() < 0 ? seq : base.overlayFrom(), rebasing, base.overlayFrom() >= 0);
        boolean atomic = preconditions != null;
        if (atomic && !atomicBreaksApart && refusedPreconditions(writer, entry, seq, handle, preconditions)) {
            recordRefused(entry, writer, delta, view, rebases);
            return false;
        }
        // Each change is checked on its own (the schema, then the game's validators) and, with game logic registered,
        // described as it is decoded.
        List<PropertyChange> described = new ArrayList<>();
        List<Hooks.Refused> refused = new ArrayList<>();
        UpdateFilter filter = hooks.filter(entry, Hooks.author(writer), refusalTakesTheDelta ? null : validator,
                described, refused);
        try {
            // Decoded once, here: the master's copy records the change, and every holder's outbox takes it from
            // there (recordChangesOf) instead of decoding the delta again.
            List<ObservableProperty<?>> changed = profile.applyUpdates(delta,
                    new ApplyOptions(view, true, refusalTakesTheDelta ? validator : null, filter)
                            .atomic(atomic && !atomicBreaksApart).rebasedBy(rebases));
            recordWriter(entry, writer, rebases);
            if (atomic && !atomicBreaksApart && !refused.isEmpty()) {
                // One change refused refuses the whole: nothing applied, nothing recorded, every reason told.
                for (Hooks.Refused one : refused) {
                    refuse(writer, entry.userId, one.kind(), seq, handle, one.property(), "the atomic change was "
                            + "refused whole, none of it applied: " + one.reason());
                }
                return false;
            }
            for (ObservableProperty<?> property : changed) {
                ListRebases.OneList list = property instanceof ObservableList<?> ? rebases.list(property.name()) : null;
                if (list != null) {
                    list.committed = true;
                }
            }
            entry.sizeBound += delta.length;
            if (!changed.isEmpty() || refused.isEmpty()) {
                metrics.accepted(writer.role); // one whose every change was refused counts as refused only
            }
            applied.recordApplied(entry, writer.writerKey, seq);
            for (Hooks.Refused one : refused) {
                // Only this property's change is refused; the writer's copy goes back to the master's value of it,
                // and the other changes of the same delta apply.
                refuse(writer, entry.userId, one.kind(), seq, handle, one.property(), one.reason());
            }
            boolean immediate = immediate(changed);
            if (!changed.isEmpty()) {
                relaying = rebases;
                try {
                    immediate |= changedByHooks(entry, new ProfileChange(entry.userId, Hooks.author(writer),
                            described, false), writer);
                } finally {
                    relaying = null;
                }
            }
            saves.markChanged(entry, immediate);
            return true;
        } catch (UpdateRejectedException e) {
            recordUnread(entry, writer, seq);
            refuse(writer, entry.userId, "rejected", seq, handle, e.propertyName(), e.reason());
        } catch (ProfileFormatException e) {
            recordUnread(entry, writer, seq);
            LOG.warn("Malformed update from {} for user '{}': {}", writer, entry.userId, e.getMessage());
            refuse(writer, entry.userId, "malformed", seq, handle, "", "malformed update: " + e.getMessage());
        } finally {
            profile.clearUpdates(); // the master's copy records a change only while relaying it
        }
        return false;
    }

    /** Keeps what the writer's delta did to lists (as it made it), for its later deltas' rebases. */
    private static void recordWriter(ProfileEntry entry, Session writer, ListRebases rebases) {
        WriterOps.Batch batch = rebases.writerBatch();
        if (batch != null) {
            entry.writerOps(writer.writerKey).add(batch);
        }
    }

    /**
     * A delta refused before it was read (too large): whatever it did to lists is unknown, so a later delta of the
     * writer made over it is not rebased (only when the writer has list operations on record: otherwise nothing to
     * rebase over is lost).
     */
    private static void recordUnread(ProfileEntry entry, Session writer, long seq) {
        boolean onRecord = entry.writerOps != null && entry.writerOps.containsKey(writer.writerKey);
        if (onRecord || entry.lists != null) {
            entry.writerOps(writer.writerKey).add(new WriterOps.Batch(seq, java.util.Map.of(), true));
        }
    }

    /**
     * An atomic change refused on its preconditions, before it was applied: its writer's copy laid it over the
     * master's state until it heard, so what it did to lists is read (on a scratch copy) for the rebases of what the
     * writer made meanwhile.
     */
    private static void recordRefused(ProfileEntry entry, Session writer, byte[] delta, PropertyView view,
            ListRebases rebases) {
        try {
            entry.profile.copy().applyUpdates(delta, new ApplyOptions(view, false, null, (property, value) -> true)
                    .rebasedBy(rebases));
            recordWriter(entry, writer, rebases);
        } catch (RuntimeException e) {
            recordUnread(entry, writer, rebases.seq());
        }
    }

    /**
     * Refuses the atomic change when one of {@code preconditions} does not hold on the master's current state (or
     * cannot be evaluated on it), telling the writer each that failed.
     *
     * @return whether it was refused
     */
    private boolean refusedPreconditions(Session writer, ProfileEntry entry, long seq, int handle,
            List<Precondition> preconditions) {
        boolean failed = false;
        for (Precondition precondition : preconditions) {
            String failure = precondition.whyNot(entry.profile);
            if (failure != null) {
                refuse(writer, entry.userId, "precondition", seq, handle, precondition.property(), failure);
                failed = true;
            }
        }
        return failed;
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

    /**
     * Why a delta of {@code deltaLength} bytes could make the profile too large to be sent whole (in a snapshot or an
     * acquire, within objectBufferSize), or null. Exact only near the limit: see {@link ProfileEntry#sizeBound}.
     */
    private String growthRefusal(ProfileEntry entry, int deltaLength) {
        long limit = (long) objectBufferSize - WHOLE_PROFILE_MESSAGE_OVERHEAD;
        if (entry.sizeBound >= 0 && entry.sizeBound + deltaLength <= limit) {
            return null;
        }
        entry.sizeBound = entry.profile.toBytes().length;
        if (entry.sizeBound + deltaLength <= limit) {
            return null;
        }
        return "the profile is " + entry.sizeBound + " bytes and this change of " + deltaLength + " could grow it "
                + "past " + limit + ", the most that can be sent whole (objectBufferSize " + objectBufferSize
                + "); make it smaller first (shorter strings, fewer entries)";
    }

    /**
     * Refuses one delta (or batch entry): nothing of it was applied; the writer learns why in its next push.
     *
     * @param kind the reason as a metrics label: too_large, rejected, malformed, not_held, too_big_to_send,
     *     precondition
     */
    void refuse(Session writer, String userId, String kind, long seq, int handle, String property, String reason) {
        metrics.refused(writer.role, kind);
        LOG.debug("Refused an update from {}: {}", writer, reason);
        writer.refusals.add(new Refusal(seq, handle, property, reason));
        hooks.refused(userId, writer, property, reason);
    }

    /**
     * The master's copy holds {@code change}, recorded and not yet relayed: the reactions it triggers add their
     * changes to it, then the whole is relayed to every holder as one change, and the listeners hear of it.
     *
     * @return whether a derived change touched a property saved at once
     */
    private boolean changedByHooks(ProfileEntry entry, ProfileChange change, Session writer) {
        if (reactionApart && !change.changes().isEmpty() && !change.author().peer().equals(APART)) {
            relay(entry, writer);
            hooks.changed(change);
            loop.schedule(REACTION_APART_NANOS, () -> edit(entry, APART, profile -> hooks.react(entry, change)));
            return false;
        }
        ProfileChange derived = change.changes().isEmpty() ? null : hooks.react(entry, change);
        relay(entry, writer);
        if (!change.changes().isEmpty()) {
            hooks.changed(change);
        }
        if (derived == null) {
            return false;
        }
        hooks.changed(derived);
        for (PropertyChange property : derived.changes()) {
            if (immediateProperties.contains(property.property())) {
                return true;
            }
        }
        return false;
    }

    /**
     * A change made on the master itself, validated by nobody (the master is trusted); throws what {@code edit}
     * throws, leaving what it changed before throwing unrelayed. {@code what}: how the hooks name the author (such
     * as "admin edit").
     */
    private static final String APART = "reaction made apart (broken on purpose)";

    void edit(ProfileEntry entry, String what, Consumer<ObservableServerProfile> edit) {
        ObservableServerProfile profile = entry.profile;
        try {
            profile.clearUpdates();
            entry.sizeBound = -1; // the master's own edits are not bounded: measure again when needed
            ObservableServerProfile before = hooks.watchesChanges() ? profile.copy() : null;
            edit.accept(profile);
            if (profile.hasUpdates()) {
                List<ObservableProperty<?>> changed = new ArrayList<>();
                for (ObservableProperty<?> property : profile) {
                    if (property.isDirty()) {
                        changed.add(property);
                    }
                }
                boolean immediate = immediate(changed);
                List<PropertyChange> described = before == null ? List.of() : Hooks.describeEdit(before, profile);
                immediate |= changedByHooks(entry, new ProfileChange(entry.userId, Author.master(what), described,
                        false), null);
                saves.markChanged(entry, immediate);
            }
        } finally {
            profile.clearUpdates();
        }
    }

    /**
     * Records the change the master's copy of the profile holds (recorded, not yet cleared) in every holder's outbox,
     * so each holder's next push carries it. Nothing is decoded again: each outbox replays what the master's copy
     * recorded.
     */
    private void relay(ProfileEntry entry, Session writer) {
        entry.version++;
        followLists(entry, relaying);
        for (Session client : entry.clients) {
            if (skipWritersOwnChanges && client == writer) {
                continue;
            }
            client.client.outbox.recordChangesOf(entry.profile);
            clientPushes.changed(client, client != writer);
        }
        for (Holding holding : entry.holdings) {
            if (skipWritersOwnChanges && holding.session == writer) {
                continue;
            }
            holding.outbox.recordChangesOf(entry.profile);
            gameServerPushes.changed(holding, holding.session != writer);
        }
    }

    /**
     * Each list of the master's copy that recorded operations tells its {@link ListHistory} what it took: the
     * operations a rebase applied (with the identities it gave), then any a reaction made (fresh identities). A
     * history that no longer matches the list starts again from what the list holds.
     */
    private static void followLists(ProfileEntry entry, ListRebases rebases) {
        for (ObservableList<?> list : entry.listProperties()) {
            if (!list.isDirty()) {
                continue;
            }
            String name = list.name();
            ListHistory history = entry.lists == null ? null : entry.lists.get(name);
            if (history == null) {
                if (entry.lists == null) {
                    entry.lists = new java.util.HashMap<>(4);
                }
                entry.lists.put(name, new ListHistory(entry, list.size(), entry.version)); // known from now on
                continue;
            }
            List<? extends ListChange<?>> recorded = list.recorded();
            ListRebases.OneList one = rebases == null ? null : rebases.list(name);
            int fromRebase = one != null && one.committed ? one.mapping.taken.size() : 0;
            if (fromRebase > recorded.size()) {
                history.restart(entry.version, list.size());
                continue;
            }
            for (int i = 0; i < fromRebase; i++) {
                io.profilesync.core.internal.ListIdentity.Taken op = one.mapping.taken.get(i);
                history.applied(entry.version, op.kind(), op.index(), op.ids() == null ? 0 : op.ids()[0], op.ids());
            }
            for (int i = fromRebase; i < recorded.size(); i++) {
                ListChange<?> op = recorded.get(i);
                switch (op.kind()) {
                    case ADD, INSERT -> history.applied(entry.version, op.kind(), op.index(), history.newId(), null);
                    case REPLACE -> history.applied(entry.version, op.kind(), -1, 0,
                            history.newIds(op.values().size()));
                    default -> history.applied(entry.version, op.kind(), op.index(), 0, null);
                }
            }
            if (history.size() != list.size()) {
                history.restart(entry.version, list.size());
            }
        }
    }
}
