package io.profilesync.master.internal;

import io.profilesync.core.internal.ListIdentity;
import io.profilesync.core.internal.ListIdentity.Ids;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * One writer's recent list operations on one profile, as the writer made them (its own indices), with the view each
 * batch was made on and the identities the master gave what they created: the writer's copy lays its batches not yet
 * acknowledged over the master's newer state (by identity, {@link ListIdentity}), so the view a later batch of it was
 * made on is that state with these laid over it again. {@link ListRebases} does that. Kept from the first
 * unacknowledged batch the writer names on, and at most {@link #MAX_BATCHES}.
 *
 * <p>Threading: the profile thread only.
 */
final class WriterOps {
    /** The most batches kept per writer and profile; a writer further behind is not rebased. */
    static final int MAX_BATCHES = 32;

    /** One batch's operations on one list, and the view (identities) they were made on. */
    record OnList(Ids view, List<ListIdentity.Made> ops) {
    }

    /** One batch's operations, by list; {@code unknown}: it could not be read (refused whole), nothing is known. */
    record Batch(long seq, Map<String, OnList> byList, boolean unknown) {
    }

    private final ArrayDeque<Batch> batches = new ArrayDeque<>();
    /** Batches before this one may be missing (dropped beyond {@link #MAX_BATCHES}). */
    private long missingBefore;

    void add(Batch batch) {
        batches.addLast(batch);
        if (batches.size() > MAX_BATCHES) {
            missingBefore = batches.pollFirst().seq() + 1;
        }
    }

    /** Batches before {@code seq} are acknowledged in the writer's copy: no later batch is made over them. */
    void forgetBefore(long seq) {
        while (!batches.isEmpty() && batches.peekFirst().seq() < seq) {
            batches.pollFirst();
        }
    }

    /**
     * The batches from {@code from} to before {@code until}, oldest first, or null when one of them is unknown or
     * may be missing.
     */
    List<Batch> between(long from, long until) {
        if (from < missingBefore) {
            return null;
        }
        List<Batch> found = new ArrayList<>();
        for (Iterator<Batch> it = batches.iterator(); it.hasNext(); ) {
            Batch batch = it.next();
            if (batch.seq() >= until) {
                break;
            }
            if (batch.seq() >= from) {
                if (batch.unknown()) {
                    return null;
                }
                found.add(batch);
            }
        }
        return found;
    }

    /** Whether a batch from {@code from} to before {@code until} holds operations of {@code list} (or is unknown). */
    boolean touches(String list, long from, long until) {
        for (Batch batch : batches) {
            if (batch.seq() >= until) {
                break;
            }
            if (batch.seq() >= from && (batch.unknown() || batch.byList().containsKey(list))) {
                return true;
            }
        }
        return false;
    }
}
