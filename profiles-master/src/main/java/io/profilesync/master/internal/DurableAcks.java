package io.profilesync.master.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * When a writer's batch is durable: every profile it changed has been committed by the accessor at or past the
 * change count the profile had once the batch was applied. A writer is told {@code durableSeq}, the highest batch
 * such that it and every earlier one are durable; until then it keeps the batch and sends it again to the next
 * master. (Its {@code ackSeq}, "applied", moves at once and drives only the in-flight window.)
 *
 * <p>Each session keeps its applied, not yet durable batches in order ({@link Session#notDurable}); a session waits on
 * the first profile its oldest batch still needs ({@link ProfileEntry#durableWaiters}), so a save looks only at the
 * writers waiting for that very profile.
 *
 * <p>Threading: the profile thread only.
 */
final class DurableAcks {
    /** A profile a batch changed, and the change count a save must reach before the batch is durable there. */
    record Need(ProfileEntry entry, long changeCount) {
        boolean met() {
            return entry.savedChangeCount >= changeCount;
        }
    }

    /** An applied batch and what it needs. */
    static final class Waiting {
        private final long seq;
        private final List<Need> needs;
        /**
         * The needs before this index are met (a need stays met: saved change counts only grow), so each save looks
         * at what is left, not again at the whole batch: linear in the batch's profiles, not quadratic.
         */
        private int firstUnmet;

        Waiting(long seq, List<Need> needs) {
            this.seq = seq;
            this.needs = needs;
        }

        long seq() {
            return seq;
        }

        List<Need> needs() {
            return needs;
        }

        /** The first need not met yet, or null when the batch is durable. */
        Need firstUnmet() {
            while (firstUnmet < needs.size() && needs.get(firstUnmet).met()) {
                firstUnmet++;
            }
            return firstUnmet < needs.size() ? needs.get(firstUnmet) : null;
        }
    }

    private final Consumer<Session> schedulePush;
    private final boolean ackBeforeDurable;

    /**
     * @param schedulePush makes the session's next push carry its new {@code durableSeq}
     * @param ackBeforeDurable {@link BrokenOnPurpose#ACK_BEFORE_DURABLE}, for tests only: durable as soon as applied
     */
    DurableAcks(Consumer<Session> schedulePush, boolean ackBeforeDurable) {
        this.schedulePush = schedulePush;
        this.ackBeforeDurable = ackBeforeDurable;
    }

    /** What a batch applied (or found applied already) to {@code entry} needs: its current change count saved. */
    static Need need(ProfileEntry entry) {
        return new Need(entry, entry.changeCount);
    }

    /** Batch {@code seq} of {@code session} is applied (or was applied before); it is durable once {@code needs} are. */
    void track(Session session, long seq, List<Need> needs) {
        if (ackBeforeDurable) {
            session.durableSeq = Math.max(session.durableSeq, seq);
            return;
        }
        if (seq <= session.durableSeq) {
            return;
        }
        Waiting last = session.notDurable.peekLast();
        if (last != null && last.seq() >= seq) {
            // Sent again while the first copy still waits: wait for the union.
            List<Need> union = new ArrayList<>(last.needs());
            union.addAll(needs);
            session.notDurable.pollLast();
            session.notDurable.addLast(new Waiting(last.seq(), union));
        } else {
            session.notDurable.addLast(new Waiting(seq, List.copyOf(needs)));
        }
        advance(session);
    }

    /** A save of {@code entry} committed: the writers waiting for it may move on. */
    void onSaved(ProfileEntry entry) {
        if (entry.durableWaiters.isEmpty()) {
            return;
        }
        List<Session> waiting = new ArrayList<>(entry.durableWaiters);
        entry.durableWaiters.clear();
        for (Session session : waiting) {
            advance(session);
        }
    }

    /**
     * The writer asked for its batches up to {@code upTo} to be durable now ({@code Flush}): each profile they still
     * wait for goes to {@code saveNow}. Batches it has not sent, or that are durable already, need nothing.
     */
    void flush(Session session, long upTo, Consumer<ProfileEntry> saveNow) {
        for (Waiting waiting : session.notDurable) {
            if (waiting.seq() > upTo) {
                break;
            }
            for (Need need : waiting.needs()) {
                if (!need.met()) {
                    saveNow.accept(need.entry());
                }
            }
        }
    }

    /** The session ended: the peer sends what was not durable again, to this master or the next. */
    void closed(Session session) {
        for (Waiting waiting : session.notDurable) {
            for (Need need : waiting.needs()) {
                need.entry().durableWaiters.remove(session);
            }
        }
        session.notDurable.clear();
    }

    /** Batches not yet durable, over every session (a figure). */
    static int waiting(Iterable<Session> sessions) {
        int count = 0;
        for (Session session : sessions) {
            count += session.notDurable.size();
        }
        return count;
    }

    private void advance(Session session) {
        long before = session.durableSeq;
        while (!session.notDurable.isEmpty()) {
            Waiting oldest = session.notDurable.peekFirst();
            Need unmet = oldest.firstUnmet();
            if (unmet != null) {
                unmet.entry().durableWaiters.add(session);
                break;
            }
            session.notDurable.pollFirst();
            session.durableSeq = Math.max(session.durableSeq, oldest.seq());
        }
        if (session.durableSeq != before && session.open()) {
            schedulePush.accept(session);
        }
    }
}
