package io.profilesync.master.internal;

import io.profilesync.protocol.internal.EventLoop;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Which batch each peer instance (game server or client; numbered alike) had applied last, kept across its
 * reconnects so a batch sent again after a lost acknowledgement applies once. An instance not heard from for
 * {@link #FORGET_AFTER_NANOS} is forgotten: one timer per instance, which looks at when it was last heard from when
 * it fires, rather than one timer per batch.
 *
 * <p>Threading: the profile thread only.
 */
final class AppliedBatches {
    static final long FORGET_AFTER_NANOS = TimeUnit.HOURS.toNanos(1);

    /** What to do with a batch. */
    enum Verdict {
        /** The next batch: apply it (it is recorded as applied). */
        APPLY,
        /** Applied already (sent again after a reconnect): acknowledge it, do not apply it. */
        DUPLICATE,
        /** Numbers were skipped, which cannot happen on an ordered connection: a broken or hostile peer. */
        GAP
    }

    private static final class Instance {
        long lastSeq;
        long heardAt;
    }

    private final EventLoop loop;
    private final Sessions sessions;
    private final boolean dedupeOff;
    private final Map<Long, Instance> instances = new HashMap<>();

    /** {@code dedupeOff}: {@link BrokenOnPurpose#DEDUPE_OFF}, for tests only. */
    AppliedBatches(EventLoop loop, Sessions sessions, boolean dedupeOff) {
        this.loop = loop;
        this.sessions = sessions;
        this.dedupeOff = dedupeOff;
    }

    /**
     * Batch {@code seq} arrived from {@code session} (either role): {@code apply} runs if it is the next one, a
     * duplicate is not applied again, and both are acknowledged ({@code schedulePush} carries the ack); a gap
     * disconnects the peer.
     */
    void receive(Session session, long seq, Runnable apply, Runnable schedulePush) {
        switch (admit(session.instanceId, seq)) {
            case GAP -> {
                sessions.violation(session, "skipped from batch " + lastApplied(session.instanceId) + " to " + seq);
                return;
            }
            case APPLY -> apply.run();
            case DUPLICATE -> {
                // Sent again after a reconnect, its acknowledgement lost: applied once already.
            }
        }
        session.ackSeq = Math.max(session.ackSeq, seq);
        schedulePush.run();
    }

    /** Says what to do with batch {@code seq} of {@code instanceId}, and records it when it is to be applied. */
    Verdict admit(long instanceId, long seq) {
        Instance instance = instances.get(instanceId);
        if (instance == null) {
            instance = new Instance();
            instances.put(instanceId, instance);
            scheduleForget(instanceId, FORGET_AFTER_NANOS);
        }
        instance.heardAt = loop.nanoTime();
        if (seq <= instance.lastSeq) {
            return dedupeOff ? Verdict.APPLY : Verdict.DUPLICATE;
        }
        if (instance.lastSeq != 0 && seq != instance.lastSeq + 1) {
            return Verdict.GAP;
        }
        instance.lastSeq = seq;
        return Verdict.APPLY;
    }

    /** The last batch applied for {@code instanceId}, 0 when none (or forgotten). */
    long lastApplied(long instanceId) {
        Instance instance = instances.get(instanceId);
        return instance == null ? 0 : instance.lastSeq;
    }

    int size() {
        return instances.size();
    }

    private void scheduleForget(long instanceId, long delayNanos) {
        loop.schedule(delayNanos, () -> {
            Instance instance = instances.get(instanceId);
            if (instance == null) {
                return;
            }
            long quiet = loop.nanoTime() - instance.heardAt;
            if (quiet >= FORGET_AFTER_NANOS) {
                instances.remove(instanceId);
            } else {
                scheduleForget(instanceId, FORGET_AFTER_NANOS - quiet);
            }
        });
    }
}
