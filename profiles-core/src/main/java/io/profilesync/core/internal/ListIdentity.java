package io.profilesync.core.internal;

import io.profilesync.core.ListChange.Kind;
import io.profilesync.core.ListRebaser;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Elements of a list named by identities (numbers that stay with an element as others are inserted or removed around
 * it, and through a set), and the one rule that moves an operation made on one view of a list onto another list by
 * those identities: a remove or set names the element at its index in the view, an insert lands just after the
 * nearest element before it in the view that the other list still holds (or at the start), an add appends. An
 * operation on an element the other list no longer holds is dropped alone. The master moves a writer's operations
 * from the writer's view onto its own list with it, and a writer's copy lays its batches not yet acknowledged over
 * the master's newer state with it, so both see the same.
 *
 * <p>Threading: not thread-safe; one thread at a time.
 */
public final class ListIdentity {
    private ListIdentity() {
    }

    /** A growable array of identities. */
    public static final class Ids {
        private long[] items;
        private int size;

        public Ids() {
            items = new long[4];
        }

        public Ids(long[] ids) {
            setAll(ids);
        }

        public int size() {
            return size;
        }

        public long get(int index) {
            return items[index];
        }

        public void add(long id) {
            insert(size, id);
        }

        public void insert(int index, long id) {
            if (size == items.length) {
                items = Arrays.copyOf(items, size * 2);
            }
            System.arraycopy(items, index, items, index + 1, size - index);
            items[index] = id;
            size++;
        }

        public long remove(int index) {
            long id = items[index];
            System.arraycopy(items, index + 1, items, index, size - index - 1);
            size--;
            return id;
        }

        public void clear() {
            size = 0;
        }

        public int indexOf(long id) {
            for (int i = 0; i < size; i++) {
                if (items[i] == id) {
                    return i;
                }
            }
            return -1;
        }

        public long[] toArray() {
            return Arrays.copyOf(items, size);
        }

        public Ids copy() {
            return new Ids(toArray());
        }

        public void setAll(long[] ids) {
            items = ids.length == 0 ? new long[4] : ids.clone();
            size = ids.length;
        }

        @Override
        public String toString() {
            return Arrays.toString(toArray());
        }
    }

    /** Gives the identities of the elements operations create, in order. */
    @FunctionalInterface
    public interface IdSource {
        long next();
    }

    /**
     * One operation as its writer made it: {@code created} the identities of what it created (add, insert, replace),
     * and {@code values} the elements it created (kept by a writer's copy only, to know them again; else null).
     */
    public record Made(Kind kind, int index, long[] created, List<?> values) {
        public Made(Kind kind, int index, long[] created) {
            this(kind, index, created, null);
        }
    }

    /** One operation as the target list took it (its index there); {@code ids} what it created, if anything. */
    public record Taken(Kind kind, int index, long[] ids) {
    }

    /**
     * The rebase of one list's operations in one delta, from {@code view} (the writer's view, changed as its
     * operations go; null: the writer's indices are the target's) onto {@code target} (changed as they apply).
     */
    public static final class Mapping implements ListRebaser.Rebase {
        private final String name;
        private final Ids view;
        private final Ids target;
        private final IdSource ids;
        /** The writer's operations, as it made them. */
        public final List<Made> made = new ArrayList<>();
        /** The operations the target took, in order (none of those dropped). */
        public final List<Taken> taken = new ArrayList<>();
        private String why;

        public Mapping(String name, Ids view, Ids target, IdSource ids) {
            this.name = name;
            this.view = view;
            this.target = target;
            this.ids = ids;
        }

        @Override
        public int map(Kind kind, int index, int count) {
            return switch (kind) {
                case ADD -> {
                    long id = ids.next();
                    made.add(new Made(kind, -1, new long[] {id}));
                    if (view != null) {
                        view.add(id);
                    }
                    target.add(id);
                    taken.add(new Taken(kind, target.size() - 1, new long[] {id}));
                    yield target.size() - 1;
                }
                case INSERT -> insert(index);
                case SET, REMOVE -> setOrRemove(kind, index);
                case CLEAR -> {
                    made.add(new Made(kind, -1, null));
                    if (view != null) {
                        view.clear();
                    }
                    target.clear();
                    taken.add(new Taken(kind, -1, null));
                    yield 0;
                }
                case REPLACE -> {
                    long[] fresh = new long[count];
                    for (int i = 0; i < count; i++) {
                        fresh[i] = ids.next();
                    }
                    made.add(new Made(kind, -1, fresh));
                    if (view != null) {
                        view.setAll(fresh);
                    }
                    target.setAll(fresh);
                    taken.add(new Taken(kind, -1, fresh));
                    yield 0;
                }
                default -> throw new IllegalStateException("unknown list operation " + kind);
            };
        }

        private int insert(int index) {
            long id = ids.next();
            made.add(new Made(Kind.INSERT, index, new long[] {id}));
            int at;
            if (view == null) {
                if (index > target.size()) {
                    return drop("insert at index " + index + " of '" + name + "' is beyond the list, which holds "
                            + target.size() + " elements now; it was left out");
                }
                at = index;
            } else {
                if (index > view.size()) {
                    return drop("insert at index " + index + " of '" + name + "' is beyond the list your copy showed ("
                            + view.size() + " elements); it was left out");
                }
                at = 0;
                for (int k = index - 1; k >= 0; k--) {
                    int found = target.indexOf(view.get(k));
                    if (found >= 0) {
                        at = found + 1;
                        break;
                    }
                }
                view.insert(index, id);
            }
            target.insert(at, id);
            taken.add(new Taken(Kind.INSERT, at, new long[] {id}));
            return at;
        }

        private int setOrRemove(Kind kind, int index) {
            made.add(new Made(kind, index, null));
            String what = kind == Kind.SET ? "set" : "remove";
            int at;
            if (view == null) {
                if (index >= target.size()) {
                    return drop(what + " of index " + index + " of '" + name + "' is beyond the list, which holds "
                            + target.size() + " elements now (it changed since your copy's view); it was left out");
                }
                at = index;
            } else {
                if (index >= view.size()) {
                    return drop(what + " of index " + index + " of '" + name + "' is beyond the list your copy showed ("
                            + view.size() + " elements); it was left out");
                }
                long id = kind == Kind.SET ? view.get(index) : view.remove(index);
                at = target.indexOf(id);
                if (at < 0) {
                    return drop("the element at index " + index + " of '" + name + "' that your copy showed was "
                            + "removed meanwhile by another writer; this " + what + " was left out");
                }
            }
            if (kind == Kind.REMOVE) {
                target.remove(at);
            }
            taken.add(new Taken(kind, at, null));
            return at;
        }

        private int drop(String reason) {
            why = reason;
            return ListRebaser.DROP;
        }

        @Override
        public String whyDropped() {
            return why;
        }
    }

    /**
     * Lays operations made on {@code view} over {@code target} (both changed): as {@link Mapping} would, without a
     * delta to apply (the master rebuilding a writer's view from what it recorded).
     */
    public static void layOver(List<Made> ops, Ids view, Ids target) {
        Mapping mapping = new Mapping("", view, target, createdBy(ops));
        for (int i = 0; i < ops.size(); i++) {
            Made one = ops.get(i);
            mapping.map(one.kind(), one.index(), one.created() == null ? 0 : one.created().length);
        }
    }

    /**
     * Whether one of {@code ops} names an index (set, insert, remove): only those depend on the view they were made
     * on (an add appends, a clear or replace sets the whole list, whatever the view).
     */
    public static boolean namesAnIndex(List<Made> ops) {
        for (Made op : ops) {
            if (op.kind() == Kind.SET || op.kind() == Kind.INSERT || op.kind() == Kind.REMOVE) {
                return true;
            }
        }
        return false;
    }

    /** The identities {@code ops} created, in order, given again. */
    public static IdSource createdBy(List<Made> ops) {
        int count = 0;
        for (Made op : ops) {
            count += op.created() == null ? 0 : op.created().length;
        }
        long[] all = new long[count];
        int at = 0;
        for (Made op : ops) {
            if (op.created() != null) {
                System.arraycopy(op.created(), 0, all, at, op.created().length);
                at += op.created().length;
            }
        }
        int[] next = {0};
        return () -> all[next[0]++];
    }

    /** Applies operations as made, at their own indices, to {@code ids}; one beyond the list is skipped. */
    public static void applyAsMade(List<Made> ops, Ids ids) {
        for (Made op : ops) {
            switch (op.kind()) {
                case ADD -> ids.add(op.created()[0]);
                case INSERT -> {
                    if (op.index() <= ids.size()) {
                        ids.insert(op.index(), op.created()[0]);
                    }
                }
                case REMOVE -> {
                    if (op.index() < ids.size()) {
                        ids.remove(op.index());
                    }
                }
                case CLEAR -> ids.clear();
                case REPLACE -> ids.setAll(op.created());
                default -> { } // a set keeps identities
            }
        }
    }
}
