package io.profilesync.protocol.internal;

import io.profilesync.core.ApplyOptions;
import io.profilesync.core.ObservableNumber;
import io.profilesync.core.ObservableProfile;
import io.profilesync.core.ObservableProperty;
import io.profilesync.core.ObservableScalar;
import io.profilesync.core.ProfileFormatException;
import io.profilesync.core.PropertyView;
import io.profilesync.core.UpdateFilter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A game server's or client's copy of one profile, kept convergent with the master's.
 *
 * <p>The master orders every change to a profile. It tells each holder, in pushes, the delta of everything it
 * accepted (the holder's own changes included) and up to which of the holder's numbered batches that delta
 * includes. So the holder keeps two copies: {@code confirmed}, the master's state as of the last push, and
 * {@code visible}, what the game sees and changes: confirmed, plus the batches sent but not yet acknowledged, plus the
 * changes not yet sent. When a push arrives, confirmed takes the master's delta, acknowledged batches are dropped,
 * and visible is rebuilt. Whatever order concurrent writers' changes reach the master in, every copy ends equal to the
 * master's once nothing is in flight, for scalars and collections alike, and a refused batch simply disappears
 * (the writer's copy returns to the master's value).
 *
 * <p>Threading: not thread-safe; used on the owning tier's profile thread, the same one the game uses for the profile.
 */
public final class Replica {
    private static final Logger LOG = LoggerFactory.getLogger(Replica.class);

    /**
     * A batch sent to the master and not yet durable. {@code applied}: the master said it is in its state (so in
     * confirmed, not laid over it again); it is still kept, to send again to the next master, until durable.
     */
    private static final class PendingBatch {
        final long seq;
        final byte[] delta;
        /** An atomic change's encoded preconditions, or null for an ordinary batch. */
        final byte[] preconditions;
        /** An atomic change's outcome, completed once durable (or failed when refused), or null. */
        final CompletableFuture<Void> outcome;
        /** The push its copy stood on when it was made (0: unknown, after a snapshot), and its overlay. */
        long basePush;
        long overlay;
        /** Its list edits and the views they were made on, to lay it over newer states; null when none. */
        Map<String, ListViews.Edits> edits;
        boolean applied;

        PendingBatch(long seq, byte[] delta) {
            this(seq, delta, null, null);
        }

        PendingBatch(long seq, byte[] delta, byte[] preconditions, CompletableFuture<Void> outcome) {
            this.seq = seq;
            this.delta = delta;
            this.preconditions = preconditions;
            this.outcome = outcome;
        }

        boolean atomic() {
            return preconditions != null;
        }

        long seq() {
            return seq;
        }

        byte[] delta() {
            return delta;
        }
    }

    /**
     * Changes set apart for their own batch and not yet numbered: an atomic change ({@code preconditions} not null),
     * and the ordinary changes made before it, which must not join it. Sent, in order, before the changes recorded in
     * visible.
     */
    public record Queued(byte[] delta, byte[] preconditions, CompletableFuture<Void> outcome, Base base,
            Map<String, ListViews.Edits> edits) {
        public boolean atomic() {
            return preconditions != null;
        }
    }

    /**
     * Where the copy stood when changes were made: push number {@code push} (1: the snapshot; 0: unknown, as after a
     * renumbering) and the first of its batches laid over it ({@code overlayFrom}; 0: none yet, then the first
     * change set apart before it, once numbered), so the master can tell which view a list index pointed into.
     */
    public record Base(long push, long overlayFrom) {
        static final Base UNKNOWN = new Base(0, 0);
    }

    /** The number of pushes of this copy applied since its snapshot, counting the snapshot as 1. */
    private long pushes = 1;
    /** The identities of its lists' elements, so batches not yet acknowledged are laid over newer states by them. */
    private final ListViews lists = new ListViews();

    /** Applies every change that fits, and leaves out alone one that no longer does (told to nobody). */
    private static final ApplyOptions KEEP_WHAT_FITS = ApplyOptions.REMOTE.filteredBy((property, value) -> true);

    private final ObservableProfile visible;
    private final ObservableProfile confirmed;
    private BiConsumer<String, String> onDropped = (property, reason) -> { };
    private final Deque<PendingBatch> pending = new ArrayDeque<>();
    private final Deque<Queued> queued = new ArrayDeque<>();
    /**
     * How many atomic batches are pending and not yet applied: {@link #awaitingAtomic()} is asked for every copy on
     * every tick, and walking the batches in flight each time cost a game server 7% of its thread at saturation.
     */
    private int atomicsUnapplied;
    /** Atomic outcomes made durable during a push, completed once the copy is whole again. */
    private final List<CompletableFuture<Void>> durableOutcomes = new ArrayList<>();

    /** Starts from the master's whole profile: {@code visible} is the profile the game uses. */
    public Replica(ObservableProfile visible, byte[] snapshot) {
        this(visible, snapshot, 1);
    }

    /** As {@link #Replica(ObservableProfile, byte[])}, the snapshot being push number {@code push} of this copy. */
    public Replica(ObservableProfile visible, byte[] snapshot, long push) {
        this.visible = visible;
        visible.fromBytes(snapshot);
        this.confirmed = visible.copy();
        this.pushes = Math.max(1, push);
        lists.reset(confirmed);
    }

    public ObservableProfile visible() {
        return visible;
    }

    /** The master's state as of the last push (for tests). */
    public ObservableProfile confirmed() {
        return confirmed;
    }

    /** How many sent batches await their durable acknowledgement (applied or not). */
    public int pendingBatches() {
        return pending.size();
    }

    /** The number of the newest batch not yet durable, or 0 when none waits. */
    public long lastPendingSeq() {
        PendingBatch last = pending.peekLast();
        return last == null ? 0 : last.seq();
    }

    /** Whether the game changed the copy since its changes last went in a batch. */
    public boolean hasUnsentChanges() {
        return visible.hasUpdates() || !queued.isEmpty();
    }

    // ---------------------------------------------------------------- atomic changes

    /**
     * Runs {@code edit} on the visible copy as one atomic change with {@code preconditions} (encoded): the changes
     * made before it are set apart first (they go in their own batch, before it), and what {@code edit} changes is
     * queued as the atomic change. The copy shows its result at once, optimistically; a refusal takes it back.
     *
     * @return its outcome: completed once the master applied it and made it durable, failed with
     *     {@link io.profilesync.protocol.TransactionRefusedException} when the master refused it; completed at once
     *     when {@code edit} changed nothing
     * @throws RuntimeException what {@code edit} throws: then nothing of it stays, the copy shows what it showed
     */
    public CompletableFuture<Void> atomically(byte[] preconditions, Runnable edit) {
        Objects.requireNonNull(preconditions, "preconditions");
        Base before = base();
        if (visible.hasUpdates()) {
            queued.addLast(new Queued(visible.getUpdates(), null, null, before, lists.capture(visible)));
            visible.clearUpdates();
        }
        try {
            edit.run();
        } catch (RuntimeException | Error e) {
            visible.clearUpdates();
            rebuild();
            throw e;
        }
        if (!visible.hasUpdates()) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> outcome = new CompletableFuture<>();
        queued.addLast(new Queued(visible.getUpdates(), preconditions, outcome, before, lists.capture(visible)));
        visible.clearUpdates();
        return outcome;
    }

    /**
     * Whether an atomic change is sent and not yet acknowledged: nothing more of this copy goes out until it is, so
     * the master has decided it before any later change of this writer reaches the profile (a refusal is then never
     * hidden behind a later batch the profile's record holds).
     */
    public boolean awaitingAtomic() {
        return atomicsUnapplied > 0;
    }

    /** The oldest change set apart and not yet numbered, or null. */
    public Queued nextQueued() {
        return queued.peekFirst();
    }

    /**
     * Takes {@link #nextQueued()} as batch {@code seq}, kept until durable as any batch is.
     *
     * @return how many of this copy's batches before it its changes were made over (see {@link #overlay(long)})
     */
    public long takeQueued(long seq) {
        Queued next = queued.pollFirst();
        long from = next.base().overlayFrom() == 0 ? seq : next.base().overlayFrom();
        if (!queued.isEmpty()) {
            // The changes set apart after it were made over it: those made when nothing was pending are laid over
            // from this batch on (it may be durable and gone by the time they are numbered).
            List<Queued> later = List.copyOf(queued);
            queued.clear();
            for (Queued one : later) {
                Base base = one.base();
                queued.addLast(base.overlayFrom() != 0 || base.push() == 0 ? one : new Queued(one.delta(),
                        one.preconditions(), one.outcome(), new Base(base.push(), seq),
                        one.edits()));
            }
        }
        PendingBatch batch = new PendingBatch(seq, next.delta(), next.preconditions(), next.outcome());
        batch.basePush = next.base().push();
        batch.overlay = seq - from;
        batch.edits = next.edits();
        pending.addLast(batch);
        if (batch.atomic()) {
            atomicsUnapplied++;
        }
        return seq - from;
    }

    /** Where the copy stands now, for changes made now (see {@link Base}). */
    public Base base() {
        return new Base(pushes, firstUnappliedSeq());
    }

    /** The number of the first batch sent and not yet applied by the master, or 0 when none is. */
    private long firstUnappliedSeq() {
        // From the end: the batches not yet applied are the last few in flight, after every one applied and kept
        // until durable (a debounce's worth), which a walk from the front visited on every tick.
        long first = 0;
        for (Iterator<PendingBatch> it = pending.descendingIterator(); it.hasNext(); ) {
            PendingBatch batch = it.next();
            if (batch.applied) {
                break;
            }
            first = batch.seq;
        }
        return first;
    }

    /** The number of the last push of this copy applied (1: the snapshot). */
    public long pushes() {
        return pushes;
    }

    /**
     * For the unsent changes about to go as batch {@code seq}: how many of this copy's batches before it they were
     * made over (sent and not yet applied by the master, so laid over its state): {@code seq} minus the first of
     * them, or 0.
     */
    public long overlay(long seq) {
        long first = firstUnappliedSeq();
        return first == 0 ? 0 : seq - first;
    }

    /**
     * The master refused atomic batch {@code seq} (nothing of it applied): it is forgotten, never sent again, the
     * copy shows the master's state without it, and its outcome fails with {@code refusal}. Nothing happens when
     * {@code seq} is no atomic batch of this copy.
     */
    public void refuseAtomic(long seq, RuntimeException refusal) {
        for (Iterator<PendingBatch> it = pending.iterator(); it.hasNext(); ) {
            PendingBatch batch = it.next();
            if (batch.seq == seq && batch.atomic()) {
                it.remove();
                if (!batch.applied) {
                    atomicsUnapplied--;
                    rebuild();
                }
                batch.outcome.completeExceptionally(refusal);
                return;
            }
        }
    }

    /** Every atomic change not yet decided fails with {@code why} (the copy is no longer held, or the peer stopped). */
    public void failAtomic(RuntimeException why) {
        for (PendingBatch batch : pending) {
            if (batch.outcome != null) {
                batch.outcome.completeExceptionally(why);
            }
        }
        for (Queued one : queued) {
            if (one.outcome() != null) {
                one.outcome().completeExceptionally(why);
            }
        }
    }

    /**
     * Takes the changes made since the last call as batch {@code seq}, keeping them until acknowledged.
     *
     * @return the delta to send, or null when nothing changed
     */
    public byte[] takeChanges(long seq) {
        byte[] delta = unsentChanges();
        if (delta != null) {
            takeChanges(seq, delta);
        }
        return delta;
    }

    /** The changes not yet sent, encoded once (null when nothing changed); nothing is taken until they are. */
    public byte[] unsentChanges() {
        return visible.hasUpdates() ? visible.getUpdates() : null;
    }

    /**
     * Takes {@code delta}, the encoding {@link #unsentChanges()} just returned, as batch {@code seq}: the local record
     * is cleared and the delta kept until acknowledged. So a tick encodes each profile's changes once.
     */
    public void takeChanges(long seq, byte[] delta) {
        PendingBatch batch = new PendingBatch(seq, delta);
        batch.basePush = pushes;
        batch.overlay = overlay(seq);
        batch.edits = lists.capture(visible);
        visible.clearUpdates();
        pending.addLast(batch);
    }

    /** Whether nothing is unsent and nothing not yet durable. */
    public boolean settled() {
        return pending.isEmpty() && queued.isEmpty() && !visible.hasUpdates();
    }

    /**
     * Forgets the changes not yet sent (too large to send): visible goes back to confirmed plus what is still
     * pending, its listeners told. Changes set apart before an atomic change stay.
     */
    public void dropUnsent() {
        visible.clearUpdates();
        rebuild();
    }

    /**
     * Forgets the oldest change set apart (too large to send): an atomic one's outcome fails with {@code why}.
     */
    public void dropQueued(RuntimeException why) {
        Queued dropped = queued.pollFirst();
        if (dropped != null && dropped.outcome() != null) {
            dropped.outcome().completeExceptionally(why);
        }
        rebuild();
    }

    /** Calls {@code action} with each batch not yet durable (sequence number, delta), oldest first: to send again. */
    public void forEachUnacknowledged(BiConsumer<Long, byte[]> action) {
        for (PendingBatch batch : pending) {
            action.accept(batch.seq(), batch.delta());
        }
    }

    /** One batch to send again: its number, where the copy stood when it was made, its delta. */
    @FunctionalInterface
    public interface Resend {
        void send(long seq, long push, long overlay, byte[] delta);
    }

    /** Sends one atomic change again: as {@link Resend}, with its preconditions. */
    @FunctionalInterface
    public interface AtomicResend {
        void send(long seq, long push, long overlay, byte[] preconditions, byte[] delta);
    }

    /**
     * Calls {@code action} with each batch not yet durable, oldest first, to send again with the base it was made on
     * (push 0 when the master's numbering started again since); an atomic one goes to {@code atomic} instead, with
     * its preconditions, so it is sent again as the atomic change it is.
     */
    public void forEachUnacknowledged(Resend action, AtomicResend atomic) {
        for (PendingBatch batch : pending) {
            if (batch.atomic()) {
                atomic.send(batch.seq(), batch.basePush, batch.overlay, batch.preconditions, batch.delta());
            } else {
                action.send(batch.seq(), batch.basePush, batch.overlay, batch.delta());
            }
        }
    }

    /**
     * The master's push: {@code delta} (may be null: nothing changed) is applied to confirmed, batches up to
     * {@code ackSeq} (applied and durable both) are dropped, and visible is brought to confirmed plus what is still
     * pending.
     *
     * @throws ProfileFormatException when the master's delta is malformed (then nothing changed)
     */
    public void onPush(byte[] delta, long ackSeq) {
        onPush(delta, ackSeq, ackSeq);
    }

    /**
     * The master's push: {@code delta} (may be null: nothing changed) is applied to confirmed, batches up to
     * {@code ackSeq} (applied by the master) leave the visible copy's overlay, batches up to {@code durableSeq}
     * (committed by the master's database) are forgotten, and visible is brought to confirmed plus what is not yet
     * applied. Batches applied and not durable are kept to send again.
     *
     * @throws ProfileFormatException when the master's delta is malformed (then nothing changed)
     */
    public void onPush(byte[] delta, long ackSeq, long durableSeq) {
        boolean inSync = !overlaid() && !visible.hasUpdates();
        boolean acknowledges = appliesAny(ackSeq);
        if (!inSync && (delta != null || acknowledges)) {
            setApartIndexedEdits();
        }
        if (delta != null) {
            lists.applyPush(confirmed, delta);
            pushes++;
        }
        if (acknowledges) {
            lists.acknowledged(acknowledgedEdits(ackSeq), confirmed);
        }
        boolean dropped = markApplied(ackSeq);
        drop(durableSeq);
        if (inSync) {
            if (delta != null) {
                visible.applyUpdates(delta);
                lists.visibleIsConfirmed();
            }
        } else if (delta != null || dropped) {
            rebuild();
        }
        completeDurableOutcomes();
    }

    /** The list edits of the batches {@code ackSeq} acknowledges now (not yet applied), oldest first. */
    private List<Map<String, ListViews.Edits>> acknowledgedEdits(long ackSeq) {
        List<Map<String, ListViews.Edits>> edits = new ArrayList<>(0);
        for (PendingBatch batch : pending) {
            if (!batch.applied && batch.seq() <= ackSeq && batch.edits != null) {
                edits.add(batch.edits);
            }
        }
        return edits;
    }

    /** Whether {@code ackSeq} acknowledges a batch not yet applied. */
    private boolean appliesAny(long ackSeq) {
        for (Iterator<PendingBatch> it = pending.descendingIterator(); it.hasNext(); ) {
            PendingBatch batch = it.next();
            if (batch.applied) {
                return false;
            }
            if (batch.seq() <= ackSeq) {
                return true;
            }
        }
        return false;
    }

    /**
     * The view is about to change under unsent list edits that name an index: they are set apart, with the base they
     * were made on, to go in a batch of their own, so the master reads each index in the view it was made in (laid
     * over the new view, an index may point at another element until the master's answer).
     */
    private void setApartIndexedEdits() {
        if (!visible.hasUpdates()) {
            return;
        }
        for (ObservableProperty<?> property : visible) {
            if (property instanceof io.profilesync.core.ObservableList<?> list && list.recordsIndexedEdits()) {
                Base made = base();
                queued.addLast(new Queued(visible.getUpdates(), null, null, made, lists.capture(visible)));
                visible.clearUpdates();
                return;
            }
        }
    }

    /** Atomic changes made durable: their outcomes complete now that the copy is whole (callbacks may read it). */
    private void completeDurableOutcomes() {
        if (!durableOutcomes.isEmpty()) {
            List<CompletableFuture<Void>> done = List.copyOf(durableOutcomes);
            durableOutcomes.clear();
            for (CompletableFuture<Void> outcome : done) {
                outcome.complete(null);
            }
        }
    }

    /**
     * A whole profile from the master (after a reconnect): confirmed takes it, batches up to {@code lastAppliedSeq}
     * are dropped, and visible is rebuilt, its listeners told what changed meanwhile.
     */
    public void onSnapshot(byte[] snapshot, long lastAppliedSeq) {
        onSnapshot(snapshot, lastAppliedSeq, 1);
    }

    /**
     * As {@link #onSnapshot(byte[], long)}, the snapshot being push number {@code push}: one not above the last push
     * this copy applied means the master numbers this copy's pushes afresh (a new master, or the profile loaded
     * again), so the bases recorded before name pushes it does not know: they are forgotten (their batches go again
     * without one).
     */
    public void onSnapshot(byte[] snapshot, long lastAppliedSeq, long push) {
        boolean renumbered = push <= pushes;
        // Unsent edits by index were made on the view before the snapshot: set apart with the base they name.
        setApartIndexedEdits();
        List<Map<String, ListViews.Edits>> applied = new ArrayList<>();
        for (PendingBatch batch : pending) {
            if (!batch.applied && batch.seq() <= lastAppliedSeq && batch.edits != null) {
                applied.add(batch.edits);
            }
        }
        ObservableProfile before = confirmed.copy();
        confirmed.fromBytes(snapshot);
        pushes = Math.max(1, push);
        if (renumbered) {
            // A new master, or the profile loaded again: it knows none of the pushes the bases name, and the whole
            // new state tells nothing of which element is which. The batches not yet applied are laid over it at
            // their indices from now on, and sent again without a base, so the master applies them at their indices
            // too.
            lists.reset(confirmed);
            forgetBases();
        } else {
            // The same master, its numbering going on: it still knows the pushes the bases name, so the batches go
            // again with theirs. The elements keep their identities, found again by value.
            lists.snapshot(before, confirmed, applied);
        }
        // The snapshot holds exactly the batches up to lastAppliedSeq: those are applied, any later one is not (a
        // master restarted from the database may hold fewer than the one before told), so it is laid over again.
        atomicsUnapplied = 0;
        for (PendingBatch batch : pending) {
            batch.applied = batch.seq() <= lastAppliedSeq;
            if (!batch.applied && batch.atomic()) {
                atomicsUnapplied++;
            }
        }
        rebuild();
    }

    /** Every recorded base names a push of a numbering the master no longer has. */
    private void forgetBases() {
        for (PendingBatch batch : pending) {
            batch.basePush = 0;
            batch.edits = ListViews.atTheirIndices(batch.edits);
        }
        if (!queued.isEmpty()) {
            List<Queued> before = List.copyOf(queued);
            queued.clear();
            for (Queued one : before) {
                queued.addLast(new Queued(one.delta(), one.preconditions(), one.outcome(), Base.UNKNOWN,
                        ListViews.atTheirIndices(one.edits())));
            }
        }
    }

    // Pending batches are in seq order, and the applied ones are a prefix (acknowledgements and snapshots name "every
    // batch up to"), so the three below look only at the end that changes: a game server holds thousands of copies,
    // each with up to a debounce's worth of batches applied and not yet durable, and every push visits them.

    /** Whether a batch not yet applied by the master is laid over confirmed. */
    private boolean overlaid() {
        PendingBatch last = pending.peekLast();
        return (last != null && !last.applied) || !queued.isEmpty();
    }

    private boolean markApplied(long ackSeq) {
        boolean changed = false;
        for (Iterator<PendingBatch> it = pending.descendingIterator(); it.hasNext(); ) {
            PendingBatch batch = it.next();
            if (batch.applied) {
                break; // the applied prefix begins here
            }
            if (batch.seq() <= ackSeq) {
                batch.applied = true;
                changed = true;
                if (batch.atomic()) {
                    atomicsUnapplied--;
                }
            }
        }
        return changed;
    }

    private void drop(long durableSeq) {
        while (!pending.isEmpty() && pending.peekFirst().seq() <= durableSeq) {
            PendingBatch batch = pending.pollFirst();
            if (!batch.applied && batch.atomic()) {
                atomicsUnapplied--; // durable without an acknowledgement of it seen: applied all the same
            }
            if (batch.outcome != null) {
                durableOutcomes.add(batch.outcome); // applied (a refused one is gone already) and now durable
            }
        }
    }

    private void rebuild() {
        ObservableProfile target = confirmed.copy();
        Map<String, io.profilesync.core.internal.ListIdentity.Ids> laid = lists.startLaying();
        for (PendingBatch batch : pending) {
            if (batch.applied) {
                continue; // in confirmed already
            }
            try {
                // What of it no longer fits the master's newer state (an element removed meanwhile) is left out
                // alone: the master leaves it out too, and its acknowledgement brings the truth. List edits apply to
                // the elements they were made on, wherever those now are, as the master moves them.
                target.applyUpdates(batch.delta(), KEEP_WHAT_FITS.rebasedBy(lists.layingOver(batch.edits, laid)));
            } catch (ProfileFormatException e) {
                // The batch no longer fits the master's state; the master will refuse or rebase it and its
                // acknowledgement will bring the truth. Until then it is left out of the visible copy.
                LOG.debug("Pending batch {} does not apply to the master's newer state: {}", batch.seq(),
                        e.getMessage());
            }
        }
        for (Queued one : queued) {
            try {
                target.applyUpdates(one.delta(), KEEP_WHAT_FITS.rebasedBy(lists.layingOver(one.edits(), laid)));
            } catch (ProfileFormatException e) {
                LOG.debug("Changes set apart do not apply to the master's newer state: {}", e.getMessage());
            }
        }
        // A scalar set locally and not yet sent already holds its final value (the unsent change overwrites
        // whatever the master says), so it is left as it is: reloading it would fire its listeners twice, from the
        // local value back to the master's and forward again. Every other property is reloaded from the target; an
        // unsent increment, like a collection's edits, is laid over it again below.
        Set<String> keep = new HashSet<>();
        for (ObservableProperty<?> property : visible) {
            if (property.isDirty() && property instanceof ObservableScalar
                    && !(property instanceof ObservableNumber<?> number && number.recordedIncrement() != null)) {
                keep.add(property.name());
            }
        }
        PropertyView rest = keep.isEmpty() ? PropertyView.ALL : property -> !keep.contains(property.name());
        // Each collection's (and increment's) unsent changes on their own, so one that no longer fits the master's
        // state is dropped alone: the others (a list appended to beside a list edited by index) are still sent.
        List<String> unsentNames = new ArrayList<>();
        List<byte[]> unsent = new ArrayList<>();
        for (ObservableProperty<?> property : visible) {
            if (property.isDirty() && !keep.contains(property.name())) {
                String name = property.name();
                unsentNames.add(name);
                unsent.add(visible.getUpdates(one -> one.name().equals(name)));
            }
        }
        // fromBytes fires the listeners of the properties that differ and drops their unsent record...
        visible.fromBytes(target.toBytes(rest), rest);
        lists.finishLaying(laid, target);
        List<String[]> dropped = new ArrayList<>();
        for (int i = 0; i < unsent.size(); i++) {
            String name = unsentNames.get(i);
            try {
                // ...so the unsent changes of collections are applied again as local changes: still to be sent. An
                // increment beyond its writer's bound on the newer value is left out, and told as a drop is.
                visible.applyUpdates(unsent.get(i), ApplyOptions.REMOTE.withView(one -> one.name().equals(name))
                        .recorded(true).filteredBy(new UpdateFilter() {
                            @Override
                            public boolean accept(ObservableProperty<?> property, Object newValue) {
                                return true;
                            }

                            @Override
                            public void cannotApply(ObservableProperty<?> property, String reason) {
                                dropped.add(new String[] {name, "your unsent change of '" + name + "' no longer "
                                        + "fits the master's newer value and was dropped (" + reason + "); the copy "
                                        + "shows the master's value"});
                            }
                        }));
            } catch (ProfileFormatException e) {
                LOG.info("Local changes of '{}' conflicted with newer changes from the master and were dropped: {}",
                        name, e.getMessage());
                dropped.add(new String[] {name, "your unsent change of '" + name + "' no longer fits the master's "
                        + "newer state and was dropped (" + e.getMessage() + "); the copy shows the master's value"});
            }
        }
        // Told once the copy is whole again, as a refusal is.
        for (String[] one : dropped) {
            onDropped.accept(one[0], one[1]);
        }
    }

    /**
     * Tells {@code listener} (property, reason) of each unsent local change dropped because it no longer fits the
     * master's newer state; the holder's refusal listeners hear of it as of a refusal.
     */
    public void onDropped(BiConsumer<String, String> listener) {
        this.onDropped = Objects.requireNonNull(listener, "listener");
    }
}
