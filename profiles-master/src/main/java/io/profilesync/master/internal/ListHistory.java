package io.profilesync.master.internal;

import io.profilesync.core.ListChange.Kind;
import io.profilesync.core.internal.ListIdentity.Ids;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * What the master knows of one list of one profile beyond its content: an identity for each element (a number
 * unique within the profile, that stays with the element as others are inserted or removed around it, and through a
 * set), and a bounded log of the operations applied, each tagged with the profile's version after it, from which
 * the identities at an earlier version are found again by undoing the newer operations. {@link ListRebases} uses it
 * to find which element a writer's index meant in the version its copy showed.
 *
 * <p>Threading: the profile thread only.
 */
final class ListHistory {
    /** How many operations the log keeps; a writer whose view is older than them is not rebased. */
    static final int MAX_LOG = 256;

    /** One logged operation; {@code before} holds the identities a clear or replace replaced. */
    private record Logged(long version, Kind kind, int index, long id, long[] before) {
    }

    private final ProfileEntry entry;
    private final Ids ids;
    private final ArrayDeque<Logged> log = new ArrayDeque<>();
    /** The oldest version whose identities can still be found (older operations were dropped from the log). */
    private long knownFrom;

    /**
     * The history of a list holding {@code size} elements now, with fresh identities: the same since
     * {@code knownFrom} (0 when the list has not changed since the profile was loaded).
     */
    ListHistory(ProfileEntry entry, int size, long knownFrom) {
        this.entry = entry;
        this.knownFrom = knownFrom;
        this.ids = new Ids();
        for (int i = 0; i < size; i++) {
            ids.add(entry.nextElementId++);
        }
    }

    /** The identities now, one per element (not to be changed). */
    Ids current() {
        return ids;
    }

    int size() {
        return ids.size();
    }

    /** The identities at {@code version}, as a copy to change, or null when the log no longer reaches back to it. */
    Ids at(long version) {
        if (version < knownFrom) {
            return null;
        }
        Ids view = ids.copy();
        for (Iterator<Logged> it = log.descendingIterator(); it.hasNext(); ) {
            Logged op = it.next();
            if (op.version <= version) {
                break;
            }
            switch (op.kind) {
                case ADD, INSERT -> view.remove(op.index);
                case REMOVE -> view.insert(op.index, op.id);
                case CLEAR, REPLACE -> view.setAll(op.before);
                default -> { } // a set keeps the element's identity
            }
        }
        return view;
    }

    /** Whether an operation was applied after {@code version}. */
    boolean changedSince(long version) {
        Logged last = log.peekLast();
        return last != null && last.version > version;
    }

    /**
     * Applies one operation as the master's list took it ({@code index} on the master's list): {@code id} is the
     * identity an add or insert gives its element, and {@code replaced} those of a replace's elements.
     */
    void applied(long version, Kind kind, int index, long id, long[] replaced) {
        switch (kind) {
            case ADD -> {
                ids.add(id);
                logged(new Logged(version, kind, ids.size() - 1, id, null));
            }
            case INSERT -> {
                ids.insert(index, id);
                logged(new Logged(version, kind, index, id, null));
            }
            case REMOVE -> logged(new Logged(version, kind, index, ids.remove(index), null));
            case CLEAR, REPLACE -> {
                long[] before = ids.toArray();
                ids.setAll(kind == Kind.CLEAR ? new long[0] : replaced);
                logged(new Logged(version, kind, -1, 0, before));
            }
            default -> { } // a set keeps the element's identity: nothing to undo
        }
    }

    /** A fresh identity, unique in the profile. */
    long newId() {
        return entry.nextElementId++;
    }

    /** Fresh identities for {@code count} elements. */
    long[] newIds(int count) {
        long[] fresh = new long[count];
        for (int i = 0; i < count; i++) {
            fresh[i] = newId();
        }
        return fresh;
    }

    /**
     * The list's content no longer matches what the history followed (it was changed by a path that tells no
     * operations): fresh identities, and no version before {@code version} can be found again.
     */
    void restart(long version, int size) {
        ids.setAll(newIds(size));
        log.clear();
        knownFrom = version;
    }

    private void logged(Logged op) {
        log.addLast(op);
        if (log.size() > MAX_LOG) {
            knownFrom = log.pollFirst().version;
        }
    }
}
