package io.profilesync.core;

import io.profilesync.core.internal.ByteReader;
import io.profilesync.core.internal.ByteWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A property holding a collection whose delta carries the operations made since the last clear, not the whole
 * collection. When the operations would outweigh the collection itself they are compacted, each still saying only
 * what this copy did (so a burst never becomes a replace-everything that would erase what another writer changed
 * meanwhile): a dictionary keeps the last operation of each key, a list merges sets and cancels an add removed at
 * once. A list burst that compaction cannot shrink enough collapses into one {@code REPLACE} of the whole content, so
 * the record never grows without bound. Threading: as {@link ObservableProperty}.
 *
 * @param <T> the value type as {@link #value()} returns it
 * @param <S> the mutable state (the collection itself)
 * @param <C> the change (operation) type
 */
public abstract class ObservableCollection<T, S, C> extends ObservableProperty<T> {
    /** How many operations beyond the collection's size are recorded before they collapse into a REPLACE. */
    private static final int COLLAPSE_SLACK = 4;

    private final List<CollectionListener<? super C>> listeners = new CopyOnWriteArrayList<>();
    private final List<C> recorded = new ArrayList<>();
    /** The record's size after its last compaction (0: none since it was last cleared). */
    private int compactedSize;
    S state;

    ObservableCollection(String name, S initialState) {
        super(name);
        this.state = initialState;
    }

    /** The number of elements or entries. */
    public abstract int size();

    public final boolean isEmpty() {
        return size() == 0;
    }

    public final void addListener(CollectionListener<? super C> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public final void removeListener(CollectionListener<? super C> listener) {
        listeners.remove(listener);
    }

    @Override
    public final boolean isDirty() {
        return !recorded.isEmpty();
    }

    /** The operations recorded since the last clear, oldest first (for tests and tools). */
    final List<C> recordedChanges() {
        return List.copyOf(recorded);
    }

    abstract S copyState(S source);

    /** An unmodifiable view of {@code content}, for validators. */
    abstract Object readOnly(S content);

    abstract boolean same(S a, S b);

    /** Whether the change makes earlier ones irrelevant (clear, replace). */
    abstract boolean resets(C change);

    /** The change that replaces the whole content with {@code content}. */
    abstract C replaceWith(S content);

    abstract void writeState(S content, ByteWriter out);

    abstract S readState(ByteReader in);

    abstract void writeChange(C change, ByteWriter out);

    /**
     * Reads one operation and applies it to {@code target}, returning the change with its previous values;
     * {@code rebase}, when not null, says where it applies (see {@link ListRebaser}).
     *
     * @throws DroppedOperation once the whole operation is read, when {@code rebase} drops it
     */
    abstract C readAndApply(ByteReader in, S target, ListRebaser.Rebase rebase);

    /** The rebase of this collection's operations in one delta, or null (only a list is rebased). */
    ListRebaser.Rebase rebaseBy(ListRebaser rebaser) {
        return null;
    }

    /** Applies a change already made (and checked) on another copy holding what {@code target} holds. */
    abstract void replay(C change, S target);

    /** Records a change made locally (already applied to the state) and tells the listeners. */
    final void changedLocally(C change) {
        record(List.of(change));
        fire(List.of(change));
    }

    /**
     * Records changes already applied to the state. The collapse into a REPLACE is decided once, after all of them:
     * the REPLACE holds the state after the last change, so no change may be recorded after it.
     */
    private void record(List<C> changes) {
        for (C change : changes) {
            if (resets(change)) {
                recorded.clear();
                compactedSize = 0;
            }
            recorded.add(change);
        }
        // Compacting again only once the record doubled keeps a burst linear: removing many keys that compaction
        // cannot merge must not compact the whole record at every further operation.
        if (recorded.size() > Math.max(size() + COLLAPSE_SLACK, 2 * compactedSize)
                && (profile == null || !profile.recordsExactly)) {
            List<C> compacted = compacted(recorded);
            recorded.clear();
            if (compacted != null) {
                recorded.addAll(compacted);
            } else {
                recorded.add(replaceWith(copyState(state)));
            }
            compactedSize = recorded.size();
        }
    }

    /**
     * The same effect as {@code changes} in fewer operations that still say only what this copy changed, or null when
     * they cannot be made few enough (then the record collapses into a REPLACE of the whole content, which overwrites
     * what another writer changed meanwhile).
     */
    abstract List<C> compacted(List<C> changes);

    private void fire(List<C> changes) {
        for (C change : changes) {
            for (CollectionListener<? super C> listener : listeners) {
                ObservableProfile.safely(name(), () -> listener.onChange(change));
            }
        }
        notifyProfile();
    }

    @Override
    final void writeValue(ByteWriter out) {
        writeState(state, out);
    }

    @Override
    final Pending decodeValue(ByteReader in) {
        S next = readState(in);
        return new CollectionPending(next, List.of(replaceWith(next)));
    }

    @Override
    final void writeUpdate(ByteWriter out) {
        out.writeVarInt(recorded.size());
        for (C change : recorded) {
            writeChange(change, out);
        }
    }

    /**
     * Thrown by {@link #readAndApply} once it has read a whole operation that does not fit the collection as it is
     * here (a list index beyond its end): not malformed bytes, but a view older than this copy's.
     */
    static final class StaleOperation extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StaleOperation(String message) {
            super(message, null, false, false);
        }
    }

    /** Thrown by {@link #readAndApply} once it has read a whole operation its rebase drops: left out alone. */
    static final class DroppedOperation extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DroppedOperation(String message) {
            super(message, null, false, false);
        }
    }

    @Override
    final Pending decodeUpdate(ByteReader in, int kind, int start, ListRebaser rebaser) {
        if (rebaser == null || kind != VALUE_UPDATE) {
            return decodeUpdate(in, kind, start);
        }
        return decodeOperations(in, rebaseBy(rebaser));
    }

    /**
     * Reads this property's operations; when one does not fit this copy's collection (a list index beyond its end),
     * the rest are still read, and the whole of this property's change cannot apply: it is left out alone, and the
     * other properties of the delta are not affected (see {@link Pending#cannotApply()}).
     */
    @Override
    final Pending decodeUpdate(ByteReader in) {
        return decodeOperations(in, null);
    }

    /**
     * As {@link #decodeUpdate(ByteReader)}; with a {@code rebase}, each operation applies where it says, and one it
     * drops is left out alone while the others apply (see {@link Pending#droppedAlone()}).
     */
    private Pending decodeOperations(ByteReader in, ListRebaser.Rebase rebase) {
        int count = in.readCount("operation count of '" + name() + "'", 1);
        S next = copyState(state);
        List<C> changes = new ArrayList<>(count);
        String stale = null;
        List<String> dropped = List.of();
        for (int i = 0; i < count; i++) {
            try {
                changes.add(readAndApply(in, next, rebase));
            } catch (StaleOperation e) {
                if (stale == null) {
                    stale = e.getMessage();
                }
            } catch (DroppedOperation e) {
                if (dropped.isEmpty()) {
                    dropped = new ArrayList<>();
                }
                dropped.add(e.getMessage());
            }
        }
        return stale == null ? new CollectionPending(next, changes, dropped) : new StalePending(stale);
    }

    /** This property's operations, which do not fit this copy's collection: nothing to apply. */
    final class StalePending extends Pending {
        private final String reason;

        StalePending(String reason) {
            super(ObservableCollection.this);
            this.reason = reason;
        }

        @Override
        Object newValue() {
            return readOnly(state);
        }

        @Override
        String cannotApply() {
            return reason;
        }

        @Override
        boolean malformedUnlessChecked() {
            return true;
        }

        @Override
        boolean changes() {
            return false;
        }

        @Override
        Runnable commit(boolean record) {
            return null;
        }
    }

    @Override
    final void clearUpdate() {
        recorded.clear();
        compactedSize = 0;
    }

    @Override
    final Runnable adoptRecorded(ObservableProperty<?> source) {
        @SuppressWarnings("unchecked") // same class and name: checked by ObservableProfile.recordChangesOf
        ObservableCollection<T, S, C> other = (ObservableCollection<T, S, C>) source;
        if (other.recorded.isEmpty()) {
            return null;
        }
        // The changes are immutable records holding their own values (a REPLACE its own copy of the content), so the
        // same objects serve every copy; only the operations are replayed, nothing is parsed or copied whole.
        List<C> changes = List.copyOf(other.recorded);
        for (C change : changes) {
            replay(change, state);
        }
        record(changes);
        return () -> fire(changes);
    }

    final class CollectionPending extends Pending {
        private final S next;
        private final List<C> changes;
        private final List<String> dropped;

        CollectionPending(S next, List<C> changes) {
            this(next, changes, List.of());
        }

        CollectionPending(S next, List<C> changes, List<String> dropped) {
            super(ObservableCollection.this);
            this.next = next;
            this.changes = changes;
            this.dropped = dropped;
        }

        @Override
        List<String> droppedAlone() {
            return dropped;
        }

        @Override
        Object newValue() {
            return readOnly(next);
        }

        @Override
        boolean changes() {
            return !same(state, next);
        }

        @Override
        Runnable commit(boolean record) {
            // Operations that end where they started (add then remove) still happened: replay them to listeners
            // and record them, so a replica that saw the first one also sees the second.
            if (changes.isEmpty()) {
                return null;
            }
            boolean whole = changes.size() == 1 && resets(changes.get(0)) && !changes();
            if (whole) {
                return null;
            }
            state = next;
            if (record) {
                record(changes);
            }
            return () -> fire(changes);
        }
    }
}
