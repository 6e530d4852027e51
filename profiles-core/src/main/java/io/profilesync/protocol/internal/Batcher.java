package io.profilesync.protocol.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;

/**
 * Groups the deltas of one tick into as few numbered batches as fit a message: a batch takes the next sequence number
 * when its first entry is added, and a new batch starts when the next entry would make the message larger than
 * {@code maxMessageSize} (as {@link io.profilesync.protocol.internal.Protocol#estimateSize} counts it). Not thread-safe; one
 * per tick.
 *
 * @param <E> the entry type
 */
public final class Batcher<E> {
    /** What {@code Protocol.estimateSize} counts for a message and for each entry besides its delta. */
    static final int MESSAGE_OVERHEAD = 32;
    static final int ENTRY_OVERHEAD = 20;

    /** Receives each full batch. */
    @FunctionalInterface
    public interface Sink<E> {
        void send(long seq, List<E> entries);
    }

    private final int maxMessageSize;
    private final LongSupplier nextSeq;
    private final Sink<E> sink;
    private List<E> entries = new ArrayList<>();
    private long seq;
    private int size = MESSAGE_OVERHEAD;

    public Batcher(int maxMessageSize, LongSupplier nextSeq, Sink<E> sink) {
        this.maxMessageSize = maxMessageSize;
        this.nextSeq = nextSeq;
        this.sink = sink;
    }

    /** Whether a delta of {@code deltaSize} bytes fits a message at all (alone in its batch). */
    public boolean fits(int deltaSize) {
        return MESSAGE_OVERHEAD + ENTRY_OVERHEAD + (long) deltaSize <= maxMessageSize;
    }

    /**
     * Adds an entry whose delta takes {@code deltaSize} bytes; {@code entry} makes it given the sequence number of
     * the batch it goes in (the caller records its changes under that number).
     */
    public void add(int deltaSize, LongFunction<E> entry) {
        int entrySize = ENTRY_OVERHEAD + deltaSize;
        if (!entries.isEmpty() && size + entrySize > maxMessageSize) {
            finish();
        }
        if (entries.isEmpty()) {
            seq = nextSeq.getAsLong();
        }
        entries.add(entry.apply(seq));
        size += entrySize;
    }

    /** Sends the batch being filled, if any. */
    public void finish() {
        if (!entries.isEmpty()) {
            sink.send(seq, entries);
            entries = new ArrayList<>();
            size = MESSAGE_OVERHEAD;
        }
    }
}
