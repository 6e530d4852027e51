package io.profilesync.core;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.profilesync.core.ListChange.Kind;
import io.profilesync.core.internal.ByteReader;
import io.profilesync.core.internal.ByteWriter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * An ordered list of int, long, float, double, bool or string elements (never null). Its delta carries the operations
 * (set, add, insert, remove, clear) made since the last clear, so applying it to another copy gives the same list.
 * Threading: as {@link ObservableProperty}.
 *
 * @param <E> the element type
 */
public final class ObservableList<E> extends ObservableCollection<List<E>, ArrayList<E>, ListChange<E>> {
    private static final int OP_SET = 0;
    private static final int OP_ADD = 1;
    private static final int OP_INSERT = 2;
    private static final int OP_REMOVE = 3;
    private static final int OP_CLEAR = 4;
    private static final int OP_REPLACE = 5;

    private final ElementType<E> elementType;

    public ObservableList(String name, ElementType<E> elementType) {
        this(name, elementType, List.of());
    }

    public ObservableList(String name, ElementType<E> elementType, Collection<? extends E> initialValues) {
        super(name, new ArrayList<>());
        this.elementType = Objects.requireNonNull(elementType, "elementType");
        for (E value : initialValues) {
            state.add(elementType.check(value, name));
        }
    }

    public ElementType<E> elementType() {
        return elementType;
    }

    @Override
    public int size() {
        return state.size();
    }

    /** The element at {@code index}. */
    public E get(int index) {
        Objects.checkIndex(index, state.size());
        return state.get(index);
    }

    /** An unmodifiable snapshot of the elements. */
    @Override
    public List<E> value() {
        return List.copyOf(state);
    }

    /** Replaces the element at {@code index}; an equal element changes nothing. */
    public void set(int index, E element) {
        Objects.checkIndex(index, state.size());
        E checked = elementType.check(element, name());
        E previous = state.get(index);
        if (elementType.same(previous, checked)) {
            return;
        }
        state.set(index, checked);
        changedLocally(new ListChange<>(Kind.SET, index, checked, previous, null));
    }

    /** Appends an element. */
    public void add(E element) {
        E checked = elementType.check(element, name());
        state.add(checked);
        changedLocally(new ListChange<>(Kind.ADD, state.size() - 1, checked, null, null));
    }

    /** Inserts an element at {@code index} (0 to size), shifting the rest up. */
    public void insert(int index, E element) {
        Objects.checkIndex(index, state.size() + 1);
        E checked = elementType.check(element, name());
        state.add(index, checked);
        changedLocally(new ListChange<>(Kind.INSERT, index, checked, null, null));
    }

    /** Removes and returns the element at {@code index}. */
    public E remove(int index) {
        Objects.checkIndex(index, state.size());
        E previous = state.remove(index);
        changedLocally(new ListChange<>(Kind.REMOVE, index, null, previous, null));
        return previous;
    }

    /** Removes every element; an empty list stays unchanged. */
    public void clear() {
        if (state.isEmpty()) {
            return;
        }
        state.clear();
        changedLocally(new ListChange<>(Kind.CLEAR, -1, null, null, List.of()));
    }

    /** Replaces the whole content; an equal content changes nothing. */
    public void replaceAll(Collection<? extends E> elements) {
        ArrayList<E> next = new ArrayList<>(elements.size());
        for (E element : elements) {
            next.add(elementType.check(element, name()));
        }
        if (same(state, next)) {
            return;
        }
        state = next;
        changedLocally(replaceWith(next));
    }

    @Override
    public String typeDescriptor() {
        return "list<" + elementType.name() + ">";
    }

    @Override
    public ObservableList<E> copy() {
        return new ObservableList<>(name(), elementType, state);
    }

    @Override
    ArrayList<E> copyState(ArrayList<E> source) {
        return new ArrayList<>(source);
    }

    @Override
    Object readOnly(ArrayList<E> content) {
        return Collections.unmodifiableList(content);
    }

    @Override
    boolean same(ArrayList<E> a, ArrayList<E> b) {
        return a.equals(b);
    }

    @Override
    boolean resets(ListChange<E> change) {
        return change.kind() == Kind.CLEAR || change.kind() == Kind.REPLACE;
    }

    /**
     * The same edits in fewer operations, each still saying only what this copy did: a later set of an index replaces
     * an earlier one among the sets that follow each other (sets of distinct indices commute), a set followed by the
     * removal of its element goes, and an add or insert followed at once by the removal of that very element cancels.
     * Only when that still leaves more than {@code 4 * size + 64} operations (a pathological burst) does the record
     * collapse into a replace of the whole list.
     */
    @Override
    List<ListChange<E>> compacted(List<ListChange<E>> changes) {
        List<ListChange<E>> out = new ArrayList<>(changes.size());
        for (ListChange<E> change : changes) {
            if (change.kind() == Kind.SET || change.kind() == Kind.REMOVE) {
                // Within the trailing run of sets, an earlier set of the same index is superseded.
                for (int i = out.size() - 1; i >= 0 && out.get(i).kind() == Kind.SET; i--) {
                    if (out.get(i).index() == change.index()) {
                        out.remove(i);
                        break;
                    }
                }
            }
            if (change.kind() == Kind.REMOVE && !out.isEmpty()) {
                ListChange<E> last = out.get(out.size() - 1);
                if ((last.kind() == Kind.ADD || last.kind() == Kind.INSERT) && last.index() == change.index()) {
                    out.remove(out.size() - 1); // the element added was removed at once: nothing to tell
                    continue;
                }
            }
            out.add(change);
        }
        return out.size() > 4 * size() + 64 ? null : out;
    }

    @Override
    ListChange<E> replaceWith(ArrayList<E> content) {
        return new ListChange<>(Kind.REPLACE, -1, null, null, List.copyOf(content));
    }

    @Override
    void writeState(ArrayList<E> content, ByteWriter out) {
        out.writeVarInt(content.size());
        for (E element : content) {
            elementType.write(element, out);
        }
    }

    @Override
    ArrayList<E> readState(ByteReader in) {
        int count = in.readCount("element count of '" + name() + "'", 1);
        ArrayList<E> content = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            content.add(elementType.read(in, "element of '" + name() + "'"));
        }
        return content;
    }

    @Override
    void writeChange(ListChange<E> change, ByteWriter out) {
        switch (change.kind()) {
            case SET -> {
                out.writeByte(OP_SET);
                out.writeVarInt(change.index());
                elementType.write(change.value(), out);
            }
            case ADD -> {
                out.writeByte(OP_ADD);
                elementType.write(change.value(), out);
            }
            case INSERT -> {
                out.writeByte(OP_INSERT);
                out.writeVarInt(change.index());
                elementType.write(change.value(), out);
            }
            case REMOVE -> {
                out.writeByte(OP_REMOVE);
                out.writeVarInt(change.index());
            }
            case CLEAR -> out.writeByte(OP_CLEAR);
            case REPLACE -> {
                out.writeByte(OP_REPLACE);
                out.writeVarInt(change.values().size());
                for (E element : change.values()) {
                    elementType.write(element, out);
                }
            }
            default -> throw new IllegalStateException("unknown list operation " + change.kind());
        }
    }

    @Override
    ListRebaser.Rebase rebaseBy(ListRebaser rebaser) {
        return rebaser.of(this);
    }

    /**
     * Recorded operations since the last clear, oldest first, as made (for a relay whose profile
     * {@link ObservableProfile#recordExactly() records exactly}).
     */
    public List<ListChange<E>> recorded() {
        return recordedChanges();
    }

    /**
     * Whether an operation recorded since the last clear names an index (set, insert, remove): one whose meaning
     * depends on the list it was made on.
     */
    public boolean recordsIndexedEdits() {
        if (!isDirty()) {
            return false;
        }
        for (ListChange<E> change : recordedChanges()) {
            Kind kind = change.kind();
            if (kind == Kind.SET || kind == Kind.INSERT || kind == Kind.REMOVE) {
                return true;
            }
        }
        return false;
    }

    @Override
    ListChange<E> readAndApply(ByteReader in, ArrayList<E> target, ListRebaser.Rebase rebase) {
        int start = in.position();
        int op = in.readByte("list operation of '" + name() + "'");
        String what = "element of '" + name() + "'";
        switch (op) {
            case OP_SET -> {
                int index = readIndex(in);
                E value = elementType.read(in, what);
                index = rebased(rebase, Kind.SET, index, 0);
                checkIndex(index, target.size() - 1, start);
                return new ListChange<>(Kind.SET, index, value, target.set(index, value), null);
            }
            case OP_ADD -> {
                E value = elementType.read(in, what);
                rebased(rebase, Kind.ADD, -1, 0);
                target.add(value);
                return new ListChange<>(Kind.ADD, target.size() - 1, value, null, null);
            }
            case OP_INSERT -> {
                int index = readIndex(in);
                E value = elementType.read(in, what);
                index = rebased(rebase, Kind.INSERT, index, 0);
                checkIndex(index, target.size(), start);
                target.add(index, value);
                return new ListChange<>(Kind.INSERT, index, value, null, null);
            }
            case OP_REMOVE -> {
                int index = readIndex(in);
                index = rebased(rebase, Kind.REMOVE, index, 0);
                checkIndex(index, target.size() - 1, start);
                return new ListChange<>(Kind.REMOVE, index, null, target.remove(index), null);
            }
            case OP_CLEAR -> {
                rebased(rebase, Kind.CLEAR, -1, 0);
                target.clear();
                return new ListChange<>(Kind.CLEAR, -1, null, null, List.of());
            }
            case OP_REPLACE -> {
                ArrayList<E> content = readState(in);
                rebased(rebase, Kind.REPLACE, -1, content.size());
                target.clear();
                target.addAll(content);
                return replaceWith(content);
            }
            default -> throw new ProfileFormatException("at offset " + start + ": expected a list operation of '"
                    + name() + "' (0 set, 1 add, 2 insert, 3 remove, 4 clear, 5 replace) but found " + op);
        }
    }

    /** Where the operation applies here: as it came without a rebase; dropped alone when its rebase says so. */
    private static int rebased(ListRebaser.Rebase rebase, Kind kind, int index, int count) {
        if (rebase == null) {
            return index;
        }
        int mapped = rebase.map(kind, index, count);
        if (mapped == ListRebaser.DROP) {
            throw new DroppedOperation(rebase.whyDropped());
        }
        return kind == Kind.SET || kind == Kind.INSERT || kind == Kind.REMOVE ? mapped : index;
    }

    @Override
    void replay(ListChange<E> change, ArrayList<E> target) {
        switch (change.kind()) {
            case SET -> target.set(change.index(), change.value());
            case ADD -> target.add(change.value());
            case INSERT -> target.add(change.index(), change.value());
            case REMOVE -> target.remove(change.index());
            case CLEAR -> target.clear();
            case REPLACE -> {
                target.clear();
                target.addAll(change.values());
            }
            default -> throw new IllegalStateException("unknown list operation " + change.kind());
        }
    }

    private int readIndex(ByteReader in) {
        return in.readVarInt("list index of '" + name() + "'");
    }

    /**
     * An index beyond the list is not malformed bytes: the list changed since its writer's view (another writer
     * removed elements meanwhile). The operation is read whole first, so the rest of the delta can still be read.
     */
    private void checkIndex(int index, int maxIndex, int start) {
        if (index > maxIndex) {
            throw new StaleOperation("at offset " + start + ": list index " + index + " of '" + name() + "' is "
                    + "out of range; the list allows 0.." + maxIndex + " at this point (it changed since the writer's "
                    + "view), so the operations of '" + name() + "' were left out");
        }
    }

    @Override
    void writeJson(JsonGenerator json) throws IOException {
        json.writeStartArray();
        for (E element : state) {
            elementType.writeJson(element, json);
        }
        json.writeEndArray();
    }

    @Override
    Pending decodeJson(JsonNode node) {
        if (!node.isArray()) {
            throw jsonError(name(), "an array of " + elementType.name(), node);
        }
        ArrayList<E> content = new ArrayList<>(node.size());
        for (JsonNode element : node) {
            content.add(elementType.readJson(element, name()));
        }
        return new CollectionPending(content, List.of(replaceWith(content)));
    }
}
