package io.profilesync.protocol.internal;

import io.profilesync.core.ProfileFormatException;
import io.profilesync.protocol.NotDurableException;
import io.profilesync.protocol.TransactionRefusedException;
import io.profilesync.protocol.internal.Messages.HandleDelta;
import io.profilesync.protocol.internal.Messages.Refusal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peer core's room for the copies it holds ({@link Replica}s, one per profile: a client's one, a game server's
 * many) and what travels for them: batch numbers (1, 2, 3... per peer instance, across reconnections), the in-flight
 * window, the tick's batches with one encode per delta, changes too large for any message, the master's pushes and
 * acknowledgements, snapshots after a reconnection, the unacknowledged batches sent again, and the flushes waiting
 * for durable acknowledgements.
 *
 * <p>A copy is named on the wire by a handle: the master's for a game server (a new one after each reconnection;
 * -1 while there is none), 0 for a client's one profile.
 *
 * <p>Threading: not thread-safe; used on the core's {@link EventLoop} thread, the one the game changes profiles on.
 */
public final class ReplicaSet {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaSet.class);

    /** Batches sent and not yet applied before the tick holds back: the master's pace sets the peer's. */
    public static final int MAX_BATCHES_IN_FLIGHT = 8;
    /**
     * Batches applied and not yet durable the peer holds before the tick holds back (the database is slow or down):
     * bounded, so a long outage slows the writer instead of filling its memory. At the default 100 ms tick, 100 s.
     */
    public static final int MAX_BATCHES_NOT_DURABLE = 1000;

    /** One held copy. */
    public static final class Copy {
        private final String userId;
        private final Replica replica;
        private int handle = -1;
        private boolean sealed;
        /** The number of the last push that carried an entry for this copy. */
        private long lastPush;

        private Copy(String userId, Replica replica) {
            this.userId = userId;
            this.replica = replica;
        }

        public String userId() {
            return userId;
        }

        public Replica replica() {
            return replica;
        }

        /** The handle naming it on the current connection, or -1. */
        public int handle() {
            return handle;
        }

        /** Whether its changes no longer go out (its release has been sent). */
        public boolean sealed() {
            return sealed;
        }

        public void seal(boolean value) {
            sealed = value;
        }
    }

    /** Sends one atomic change, {@code entry}, as its own batch (a game server's {@code ServerTransaction}). */
    @FunctionalInterface
    public interface AtomicSink {
        void send(long seq, HandleDelta entry, byte[] preconditions);
    }

    /** Told of a change the master refused (or that could not be sent); one shape for both roles. */
    @FunctionalInterface
    public interface RefusalSink {
        /** @param userId the profile's user ("" when unknown) @param property "" when not named */
        void refused(String userId, String property, String reason);
    }

    /**
     * A {@link #flush(Copy)} waiting for batch {@code seq} to be durable; {@code seq} is 0 while the copy's changes
     * written before the call are not in a batch yet (the window was closed, or the connection not resynchronized).
     */
    private static final class Flush {
        final Copy copy;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        /** Whether the master is asked to save at once ({@link #whenDurable} waits without asking). */
        final boolean ask;
        long seq;

        Flush(Copy copy, long seq, boolean ask) {
            this.copy = copy;
            this.seq = seq;
            this.ask = ask;
        }
    }

    private final Map<String, Copy> copies = new LinkedHashMap<>();
    private final List<Flush> flushes = new ArrayList<>();
    /** The highest seq a flush request named on the current connection (0: none yet). */
    private long flushAsked;
    private final Map<Integer, Copy> byHandle = new HashMap<>();
    /**
     * The atomic batches sent and not yet durable, by number, with their copy: a refusal finds its batch here (by
     * number, unique for this peer; a refusal told again after a reconnection may name an earlier connection's
     * handle) instead of searching every copy.
     */
    private final TreeMap<Long, Copy> atomicsInFlight = new TreeMap<>();
    private final RefusalSink refusals;
    private final Consumer<String> diverged;
    private long nextSeq = 1;
    private long pushes;
    /** The highest batch the master applied (or included in a snapshot); batches after it are in flight. */
    private long ackedSeq;
    /** The highest batch the master said is durable: earlier ones are forgotten, later ones kept to send again. */
    private long durableSeq;

    /**
     * @param diverged told (with why) when a push no longer applies: the core reconnects for fresh snapshots
     */
    public ReplicaSet(RefusalSink refusals, Consumer<String> diverged) {
        this.refusals = refusals;
        this.diverged = diverged;
    }

    // ---------------------------------------------------------------- the copies

    /** Holds {@code replica} for {@code userId} (replacing none: one copy per user). */
    public Copy add(String userId, Replica replica, int handle) {
        Copy copy = new Copy(userId, replica);
        if (copies.putIfAbsent(userId, copy) != null) {
            throw new IllegalStateException("a copy of user '" + userId + "' is held already");
        }
        replica.onDropped((property, reason) -> refusals.refused(userId, property, reason));
        setHandle(copy, handle);
        return copy;
    }

    /** Stops holding {@code copy}; its flushes still waiting fail with {@code why}. */
    public void remove(Copy copy, NotDurableException.Reason why) {
        copies.remove(copy.userId, copy);
        setHandle(copy, -1);
        String message = "the profile of user '" + copy.userId + "' "
                + (why == NotDurableException.Reason.LOST ? "was lost" : "was released")
                + " before the master said its changes are committed to its database";
        failFlushes(copy, why, message);
        atomicsInFlight.values().removeIf(held -> held == copy);
        copy.replica.failAtomic(new NotDurableException(why, message));
    }

    public void setHandle(Copy copy, int handle) {
        if (copy.handle >= 0) {
            byHandle.remove(copy.handle, copy);
        }
        copy.handle = handle;
        if (handle >= 0) {
            byHandle.put(handle, copy);
        }
    }

    /** Every handle is forgotten (the connection that gave them ended); flushes are asked for again on the next. */
    public void clearHandles() {
        for (Copy copy : copies.values()) {
            copy.handle = -1;
        }
        byHandle.clear();
        flushAsked = 0;
    }

    public boolean isEmpty() {
        return copies.isEmpty();
    }

    public int size() {
        return copies.size();
    }

    /** Whether no copy has changes unsent or unacknowledged. */
    public boolean settled() {
        for (Copy copy : copies.values()) {
            if (!copy.replica.settled()) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- sending

    /**
     * Whether fewer than {@link #MAX_BATCHES_IN_FLIGHT} batches await being applied, and fewer than
     * {@link #MAX_BATCHES_NOT_DURABLE} being durable: the first follows the master's pace, the second its database's,
     * so ordinary save latency never stalls the window.
     */
    public boolean windowOpen() {
        return nextSeq - 1 - ackedSeq < MAX_BATCHES_IN_FLIGHT
                && nextSeq - 1 - Math.max(durableSeq, 0) < MAX_BATCHES_NOT_DURABLE;
    }

    /** The highest batch the master said is durable (0 when none yet). */
    public long durableSeq() {
        return durableSeq;
    }

    /** How many batches are sent and not acknowledged. */
    public long inFlight() {
        return nextSeq - 1 - ackedSeq;
    }

    /**
     * Takes the changes of every copy that has a handle and is not sealed into numbered batches no larger than
     * {@code maxMessageSize} each (each delta encoded once); a copy whose changes alone are too large loses them,
     * set back to the master's state, and {@code tooLarge} gives the reason told to the refusal sink.
     */
    public void takeBatches(int maxMessageSize, Batcher.Sink<HandleDelta> sink,
            java.util.function.IntFunction<String> tooLarge) {
        takeBatches(maxMessageSize, sink, (seq, entry, preconditions) -> {
            throw new IllegalStateException("this peer sends no atomic changes");
        }, tooLarge);
    }

    /**
     * As {@link #takeBatches(int, Batcher.Sink, java.util.function.IntFunction)}; a copy's changes set apart for an
     * atomic change go first, each in a batch of its own ({@code atomic} sends an atomic one), and while an atomic
     * change of a copy awaits its acknowledgement nothing more of that copy goes out. Batch numbers stay in the order
     * the changes were made in. At most one entry per copy is in any batch (the master records one batch per writer
     * and profile).
     */
    public void takeBatches(int maxMessageSize, Batcher.Sink<HandleDelta> sink, AtomicSink atomic,
            java.util.function.IntFunction<String> tooLarge) {
        Batcher<HandleDelta> batcher = new Batcher<>(maxMessageSize, () -> nextSeq++, sink);
        for (Copy copy : copies.values()) {
            if (copy.handle < 0 || copy.sealed) {
                continue;
            }
            int handle = copy.handle;
            Replica.Queued next;
            while (!copy.replica.awaitingAtomic() && (next = copy.replica.nextQueued()) != null) {
                batcher.finish(); // the copy's earlier entry, and the other copies', keep lower numbers
                if (!batcher.fits(next.delta().length + (next.atomic() ? next.preconditions().length : 0))) {
                    String reason = tooLarge.apply(next.delta().length);
                    LOG.error("Profile of user '{}': {}", copy.userId, reason);
                    copy.replica.dropQueued(new TransactionRefusedException(copy.userId,
                            List.of(new TransactionRefusedException.Refusal("", reason))));
                    refusals.refused(copy.userId, "", reason);
                    continue;
                }
                long seq = nextSeq++;
                long overlay = copy.replica.takeQueued(seq);
                HandleDelta entry = new HandleDelta(handle, next.base().push(), overlay, next.delta());
                if (!copy.replica.hasUnsentChanges()) {
                    flushesBatched(copy, seq); // a flush waits for the last of the changes made before it
                }
                if (next.atomic()) {
                    atomicsInFlight.put(seq, copy);
                    atomic.send(seq, entry, next.preconditions());
                    // A purchase is saved at once: the master is asked, as a flush asks, not to wait its debounce.
                    flushes.add(new Flush(copy, seq, true));
                } else {
                    sink.send(seq, List.of(entry));
                }
            }
            if (copy.replica.awaitingAtomic() || copy.replica.nextQueued() != null) {
                continue; // its later changes wait for the master's answer
            }
            byte[] delta = copy.replica.unsentChanges();
            if (delta == null) {
                continue;
            }
            if (!batcher.fits(delta.length)) {
                String reason = tooLarge.apply(delta.length);
                LOG.error("Profile of user '{}': {}", copy.userId, reason);
                copy.replica.dropUnsent();
                refusals.refused(copy.userId, "", reason);
                flushesDropped(copy);
                continue;
            }
            batcher.add(delta.length, seq -> {
                // Where the copy stood: the master moves list indices from that view onto its own list.
                HandleDelta entry = new HandleDelta(handle, copy.replica.pushes(), copy.replica.overlay(seq), delta);
                copy.replica.takeChanges(seq, delta);
                flushesBatched(copy, seq);
                return entry;
            });
        }
        batcher.finish();
    }

    // ---------------------------------------------------------------- flushes

    /**
     * A future completed once everything written to {@code copy} before this call is durable: the batches that hold
     * it (those already sent, and the one its unsent changes will go in) are at or below the master's
     * {@code durableSeq}. Completed at once when nothing of the copy waits. It stays pending across reconnections
     * and database outages, and fails with {@link NotDurableException} when the copy is removed or
     * {@link #failFlushes} is called. Completed on this set's thread (the core's loop), from {@link #onPush}.
     */
    public CompletableFuture<Void> flush(Copy copy) {
        return waitDurable(copy, true);
    }

    /**
     * As {@link #flush(Copy)}, without asking the master for anything: completed when the ordinary saves make it
     * durable (for benchmarks and tests that measure that latency).
     */
    public CompletableFuture<Void> whenDurable(Copy copy) {
        return waitDurable(copy, false);
    }

    private CompletableFuture<Void> waitDurable(Copy copy, boolean ask) {
        boolean unsent = copy.replica.hasUnsentChanges();
        long seq = unsent ? 0 : copy.replica.lastPendingSeq();
        if (!unsent && seq <= durableSeq) {
            return CompletableFuture.completedFuture(null);
        }
        Flush flush = new Flush(copy, seq, ask);
        flushes.add(flush);
        return flush.done;
    }

    /**
     * The seq a flush request should name now, or 0: the highest batch a waiting flush needs that is not yet asked
     * for on this connection. The request goes after the batch, so the master has applied it when it reads it.
     */
    public long flushToAsk() {
        long highest = 0;
        for (Flush flush : flushes) {
            if (flush.ask) {
                highest = Math.max(highest, flush.seq);
            }
        }
        if (highest <= flushAsked || highest <= durableSeq) {
            return 0;
        }
        flushAsked = highest;
        return highest;
    }

    /** Whether a flush waits (for tests and figures). */
    public int flushesWaiting() {
        return flushes.size();
    }

    /** Every waiting flush fails with a {@link NotDurableException} of {@code why} (the peer stopped). */
    public void failFlushes(NotDurableException.Reason why, String message) {
        failFlushes(null, why, message);
        for (Copy copy : copies.values()) {
            copy.replica.failAtomic(new NotDurableException(why, message));
        }
    }

    private void failFlushes(Copy only, NotDurableException.Reason why, String message) {
        List<Flush> failed = new ArrayList<>();
        flushes.removeIf(flush -> (only == null || flush.copy == only) && failed.add(flush));
        for (Flush flush : failed) {
            flush.done.completeExceptionally(new NotDurableException(why, message));
        }
    }

    /** The unsent changes of {@code copy} went in batch {@code seq}: flushes waiting for them wait for it. */
    private void flushesBatched(Copy copy, long seq) {
        for (Flush flush : flushes) {
            if (flush.copy == copy && flush.seq == 0) {
                flush.seq = seq;
            }
        }
    }

    /** The unsent changes of {@code copy} were dropped (too large): its flushes wait for what was sent before. */
    private void flushesDropped(Copy copy) {
        long last = copy.replica.lastPendingSeq();
        for (Flush flush : flushes) {
            if (flush.copy == copy && flush.seq == 0) {
                // -1: no batch to wait for (nothing else was sent), so it completes now.
                flush.seq = last > 0 ? last : -1;
            }
        }
        completeFlushes();
    }

    /** Completes the flushes whose batch is durable (after the copies are up to date, so callbacks see them). */
    private void completeFlushes() {
        if (flushes.isEmpty()) {
            return;
        }
        List<Flush> done = new ArrayList<>();
        flushes.removeIf(flush -> flush.seq != 0 && flush.seq <= durableSeq && done.add(flush));
        for (Flush flush : done) {
            flush.done.complete(null);
        }
    }

    /**
     * Sends every unacknowledged batch again, oldest first, with its original number; a batch regroups the copies'
     * deltas under their current handles, so it is whole again.
     *
     * @return how many batches went again
     */
    public int resend(Batcher.Sink<HandleDelta> sink) {
        return resend(sink, (seq, entry, preconditions) -> {
            throw new IllegalStateException("this peer sends no atomic changes");
        });
    }

    /** As {@link #resend(Batcher.Sink)}; an atomic batch goes again through {@code atomic}, as what it is. */
    public int resend(Batcher.Sink<HandleDelta> sink, AtomicSink atomic) {
        TreeMap<Long, List<HandleDelta>> unacknowledged = new TreeMap<>();
        TreeMap<Long, Runnable> inOrder = new TreeMap<>();
        for (Copy copy : copies.values()) {
            if (copy.handle >= 0) {
                int handle = copy.handle;
                // Each with the base it was made on: the master still has it when it is the same master and kept the
                // profile loaded (a network blip), and names no base otherwise (the copy's snapshot says which).
                copy.replica.forEachUnacknowledged((seq, push, overlay, delta) -> unacknowledged.computeIfAbsent(seq,
                        s -> new ArrayList<>()).add(new HandleDelta(handle, push, overlay, delta)),
                        (seq, push, overlay, preconditions, delta) -> inOrder.put(seq,
                                () -> atomic.send(seq, new HandleDelta(handle, push, overlay, delta), preconditions)));
            }
        }
        // Ordinary batches regroup every copy's entries of one number; an atomic one is alone in its number.
        unacknowledged.forEach((seq, entries) -> inOrder.put(seq, () -> sink.send(seq, entries)));
        inOrder.values().forEach(Runnable::run);
        return inOrder.size();
    }

    // ---------------------------------------------------------------- receiving

    /**
     * The master's push: each entry's delta goes to the copy of its handle, with {@code ackSeq}; a real
     * {@code ackSeq} (not -1: a push continued by another) also acknowledges every other copy's batches up to it,
     * since batch numbers are per peer, not per profile. Refusals are told after the copies are corrected. Here
     * {@code ackSeq} means applied and durable both (a master that says no more).
     */
    public void onPush(List<HandleDelta> entries, long ackSeq, List<Refusal> refused) {
        onPush(entries, ackSeq, ackSeq, refused);
    }

    /**
     * As {@link #onPush(List, long, List)}, and {@code durableSeq} (-1: not said) forgets every copy's batches up to
     * it; the rest are kept to send again to the next master.
     */
    public void onPush(List<HandleDelta> entries, long ackSeq, long durableSeq, List<Refusal> refused) {
        if (!refused.isEmpty()) {
            refuseAtomics(refused);
        }
        if (durableSeq >= 0) {
            this.durableSeq = Math.max(this.durableSeq, durableSeq);
        }
        long durable = this.durableSeq;
        if (!atomicsInFlight.isEmpty()) {
            atomicsInFlight.headMap(durable, true).clear(); // durable: no refusal can come for them any more
        }
        long push = ++pushes;
        for (HandleDelta entry : entries) {
            Copy copy = byHandle.get(entry.handle());
            if (copy == null) {
                LOG.debug("Push for handle {}, which this peer no longer holds", entry.handle());
                continue;
            }
            copy.lastPush = push;
            apply(copy, entry.delta(), ackSeq, durable);
        }
        if (ackSeq >= 0) {
            ackedSeq = Math.max(ackedSeq, ackSeq);
            for (Copy copy : List.copyOf(copies.values())) {
                if (copy.lastPush != push) {
                    apply(copy, null, ackSeq, durable);
                }
            }
        }
        for (Refusal refusal : refused) {
            Copy copy = byHandle.get(refusal.handle());
            refusals.refused(copy == null ? "" : copy.userId, refusal.property(), refusal.reason());
        }
        completeFlushes();
    }

    /**
     * The refusals that name an atomic batch refuse it whole, before the push's acknowledgements are read (one that
     * is durable at once, having changed nothing, must not count as applied): it is forgotten and its outcome fails
     * with every reason given for it.
     */
    private void refuseAtomics(List<Refusal> refused) {
        if (atomicsInFlight.isEmpty()) {
            return;
        }
        Map<Long, List<TransactionRefusedException.Refusal>> bySeq = new LinkedHashMap<>();
        for (Refusal refusal : refused) {
            if (atomicsInFlight.containsKey(refusal.seq())) {
                bySeq.computeIfAbsent(refusal.seq(), seq -> new ArrayList<>())
                        .add(new TransactionRefusedException.Refusal(refusal.property(), refusal.reason()));
            }
        }
        bySeq.forEach((seq, reasons) -> {
            Copy copy = atomicsInFlight.remove(seq);
            copy.replica.refuseAtomic(seq, new TransactionRefusedException(copy.userId, reasons));
        });
    }

    private void apply(Copy copy, byte[] delta, long ackSeq, long durable) {
        try {
            copy.replica.onPush(delta, ackSeq, durable);
        } catch (ProfileFormatException e) {
            diverged.accept("the master's delta for user '" + copy.userId + "' cannot be applied ("
                    + e.getMessage() + "); reconnecting for fresh snapshots");
        }
    }

    /**
     * A whole profile from the master after a reconnection, including this peer's batches up to
     * {@code lastAppliedSeq}.
     *
     * @throws ProfileFormatException when it cannot be read (then nothing changed)
     */
    public void onSnapshot(Copy copy, byte[] snapshot, long lastAppliedSeq) {
        onSnapshot(copy, snapshot, lastAppliedSeq, 1);
    }

    /** As {@link #onSnapshot(Copy, byte[], long)}, the snapshot being push number {@code push} of the copy. */
    public void onSnapshot(Copy copy, byte[] snapshot, long lastAppliedSeq, long push) {
        copy.replica.onSnapshot(snapshot, lastAppliedSeq, push);
        ackedSeq = Math.max(ackedSeq, lastAppliedSeq);
    }
}
