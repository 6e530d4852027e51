package io.profilesync.master.internal;

import io.profilesync.protocol.internal.EventLoop;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import io.profilesync.protocol.internal.Messages.Refusal;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Which batches each writer (game server or client; numbered alike) had applied, on two levels:
 *
 * <ul>
 *   <li>per writer, in memory: the last batch applied by this master, kept across the writer's reconnects so a batch
 *       sent again after a lost acknowledgement applies once. A writer not heard from for
 *       {@link #FORGET_AFTER_NANOS} is forgotten: one timer per writer, which looks at when it was last heard from
 *       when it fires, rather than one timer per batch;
 *   <li>per profile, in the profile's exactly-once record ({@link io.profilesync.core.AppliedBatches}, saved in the
 *       same row and transaction as the data): the last batch of each writer applied to that profile, so a master
 *       that loads the profile later, after a crash too, skips each entry of a batch sent again that the profile
 *       already holds. Entries are bounded: a game server's goes when it releases the profile (it releases only
 *       once its batches are durable, so it never sends them again), any entry after {@code appliedBatchesRetention}
 *       without use.
 * </ul>
 *
 * <p>Writers are named by {@link Session#writerKey}: the authenticated identity and the instance id together.
 *
 * <p>Threading: the profile thread only.
 */
final class AppliedBatches {
    static final long FORGET_AFTER_NANOS = TimeUnit.HOURS.toNanos(1);
    private static final long USED_AT_RESOLUTION_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** How many refused atomic changes of one writer are remembered, to answer them again when sent again. */
    static final int REFUSED_ATOMICS_KEPT = 64;

    private static final class Instance {
        long lastSeq;
        long heardAt;
        /** The last refused atomic changes, by seq, with what they were told (oldest first). */
        LinkedHashMap<Long, List<Refusal>> refusedAtomics;
    }

    private final EventLoop loop;
    private final InstantSource wallClock;
    private final Duration retention;
    private final DurableAcks durable;
    private final boolean dedupeOff;
    /** Keyed by {@link Session#writerKey}: who authenticated as well as the instance id the peer chose. */
    private final Map<String, Instance> instances = new HashMap<>();
    private Instant usedAt;
    private long usedAtNanos;

    /** {@code dedupeOff}: {@link BrokenOnPurpose#DEDUPE_OFF}, for tests only. */
    AppliedBatches(EventLoop loop, InstantSource wallClock, Duration retention, DurableAcks durable,
            boolean dedupeOff) {
        this.loop = loop;
        this.wallClock = wallClock;
        this.retention = retention;
        this.durable = durable;
        this.dedupeOff = dedupeOff;
    }

    /**
     * Batch {@code seq} arrived from {@code session} (either role). If this master applied it already (sent again
     * after a reconnect), {@code duplicate} says which profiles it touched; otherwise {@code apply} applies each of
     * its entries the profile does not hold yet. Either way it says what the batch needs to be durable, the batch is
     * acknowledged as applied at once ({@code schedulePush} carries the ack) and as durable once those saves commit.
     * Numbers may skip (a batch whose profiles were all released is not sent again), never go back.
     */
    void receive(Session session, long seq, Supplier<List<DurableAcks.Need>> apply,
            Supplier<List<DurableAcks.Need>> duplicate, Runnable schedulePush) {
        List<DurableAcks.Need> needs = admit(session.writerKey, seq) ? apply.get() : duplicate.get();
        session.ackSeq = Math.max(session.ackSeq, seq);
        durable.track(session, seq, needs);
        schedulePush.run();
    }

    /** Whether batch {@code seq} of {@code writer} is new to this master (recorded as applied when it is). */
    boolean admit(String writer, long seq) {
        Instance instance = instances.get(writer);
        if (instance == null) {
            instance = new Instance();
            instances.put(writer, instance);
            scheduleForget(writer, FORGET_AFTER_NANOS);
        }
        instance.heardAt = loop.nanoTime();
        if (seq <= instance.lastSeq) {
            return dedupeOff;
        }
        instance.lastSeq = seq;
        return true;
    }

    /**
     * Atomic batch {@code seq} of {@code writer} was refused with {@code refusals}: kept, so that sent again (its
     * push was lost with the connection) it is refused again instead of being taken for applied. The newest
     * {@link #REFUSED_ATOMICS_KEPT} are kept: the writer sends nothing more of the profile before it has the answer.
     */
    void rememberRefused(String writer, long seq, List<Refusal> refusals) {
        Instance instance = instances.get(writer);
        if (instance == null) {
            return;
        }
        if (instance.refusedAtomics == null) {
            instance.refusedAtomics = new LinkedHashMap<>();
        }
        instance.refusedAtomics.put(seq, refusals);
        if (instance.refusedAtomics.size() > REFUSED_ATOMICS_KEPT) {
            instance.refusedAtomics.remove(instance.refusedAtomics.keySet().iterator().next());
        }
    }

    /** What atomic batch {@code seq} of {@code writer} was refused with, or null (applied, or not remembered). */
    List<Refusal> refusedBefore(String writer, long seq) {
        Instance instance = instances.get(writer);
        return instance == null || instance.refusedAtomics == null ? null : instance.refusedAtomics.get(seq);
    }

    /** The last batch this master applied for {@code writer}, 0 when none (or forgotten). */
    long lastApplied(String writer) {
        Instance instance = instances.get(writer);
        return instance == null ? 0 : instance.lastSeq;
    }

    /**
     * The last batch of {@code writer} whose effects the profile holds: what this master applied, or what the
     * profile's record says (a master before this one applied and saved it).
     */
    long lastApplied(ProfileEntry entry, String writer) {
        io.profilesync.core.AppliedBatches.Entry stored = entry.profile.appliedBatches().get(writer);
        return Math.max(lastApplied(writer), stored == null ? 0 : stored.seq());
    }

    /**
     * The time of day entries are marked used at, read from the wall clock at most once a second of the loop's time:
     * every applied entry needs one, and the retention it serves is counted in hours.
     */
    private Instant usedAt() {
        long now = loop.nanoTime();
        if (usedAt == null || now - usedAtNanos >= USED_AT_RESOLUTION_NANOS) {
            usedAt = wallClock.instant();
            usedAtNanos = now;
        }
        return usedAt;
    }

    /** Whether the profile's record says it holds batch {@code seq} of {@code writer} already. */
    boolean holds(ProfileEntry entry, String writer, long seq) {
        if (dedupeOff) {
            return false;
        }
        io.profilesync.core.AppliedBatches.Entry stored = entry.profile.appliedBatches().get(writer);
        return stored != null && stored.seq() >= seq;
    }

    /** Batch {@code seq} of {@code writer} was applied to the profile: its record says so, saved with the data. */
    void recordApplied(ProfileEntry entry, String writer, long seq) {
        entry.profile.setAppliedBatches(entry.profile.appliedBatches().with(writer, seq, usedAt()));
    }

    /** {@code writer} released the profile with every batch durable: its entry goes with the next save. */
    void released(ProfileEntry entry, String writer) {
        entry.profile.setAppliedBatches(entry.profile.appliedBatches().without(writer));
    }

    /** Before a save: entries unused for longer than the retention are dropped. */
    void prune(ProfileEntry entry) {
        io.profilesync.core.AppliedBatches record = entry.profile.appliedBatches();
        if (!record.isEmpty()) {
            entry.profile.setAppliedBatches(record.usedSince(wallClock.instant().minus(retention)));
        }
    }

    int size() {
        return instances.size();
    }

    private void scheduleForget(String writer, long delayNanos) {
        loop.schedule(delayNanos, () -> {
            Instance instance = instances.get(writer);
            if (instance == null) {
                return;
            }
            long quiet = loop.nanoTime() - instance.heardAt;
            if (quiet >= FORGET_AFTER_NANOS) {
                instances.remove(writer);
            } else {
                scheduleForget(writer, FORGET_AFTER_NANOS - quiet);
            }
        });
    }
}
