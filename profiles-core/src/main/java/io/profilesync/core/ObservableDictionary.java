package io.profilesync.core;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.profilesync.core.DictionaryChange.Kind;
import io.profilesync.core.internal.ByteReader;
import io.profilesync.core.internal.ByteWriter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A dictionary from string or int keys to int, long, float, double, bool or string values (never null). Entries are
 * kept sorted by key, so every copy encodes the same bytes whatever order the entries came in. Its delta carries the
 * operations (put, remove, clear) made since the last clear. Threading: as {@link ObservableProperty}.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class ObservableDictionary<K, V>
        extends ObservableCollection<Map<K, V>, TreeMap<K, V>, DictionaryChange<K, V>> {
    private static final int OP_PUT = 0;
    private static final int OP_REMOVE = 1;
    private static final int OP_CLEAR = 2;
    private static final int OP_REPLACE = 3;

    /** The longest string key, in characters, a dictionary takes unless told otherwise. */
    public static final int DEFAULT_MAX_KEY_LENGTH = 256;

    private final ElementType<K> keyType;
    private final ElementType<V> valueType;
    private final int maxKeyLength;

    public ObservableDictionary(String name, ElementType<K> keyType, ElementType<V> valueType) {
        this(name, keyType, valueType, Map.of());
    }

    /**
     * @throws IllegalArgumentException when the key type is neither string nor int
     */
    public ObservableDictionary(String name, ElementType<K> keyType, ElementType<V> valueType,
            Map<? extends K, ? extends V> initialEntries) {
        this(name, keyType, valueType, initialEntries, DEFAULT_MAX_KEY_LENGTH);
    }

    /**
     * @param maxKeyLength the longest string key, in characters (code points), that {@link #put} takes and a delta
     *     may bring; the initial entries and whole encodings (stored profiles) are not held to it
     * @throws IllegalArgumentException when the key type is neither string nor int, or maxKeyLength is below 1
     */
    public ObservableDictionary(String name, ElementType<K> keyType, ElementType<V> valueType,
            Map<? extends K, ? extends V> initialEntries, int maxKeyLength) {
        super(name, new TreeMap<>());
        if (maxKeyLength < 1) {
            throw new IllegalArgumentException("maxKeyLength of dictionary '" + name + "' must be at least 1, not "
                    + maxKeyLength);
        }
        this.maxKeyLength = maxKeyLength;
        this.keyType = Objects.requireNonNull(keyType, "keyType");
        this.valueType = Objects.requireNonNull(valueType, "valueType");
        if (!keyType.canBeKey()) {
            throw new IllegalArgumentException("dictionary '" + name + "' cannot have " + keyType.name()
                    + " keys; use string or int keys");
        }
        for (Map.Entry<? extends K, ? extends V> entry : initialEntries.entrySet()) {
            state.put(keyType.check(entry.getKey(), name), valueType.check(entry.getValue(), name));
        }
    }

    public ElementType<K> keyType() {
        return keyType;
    }

    public ElementType<V> valueType() {
        return valueType;
    }

    /** The longest string key, in characters, {@link #put} takes and a delta may bring. */
    public int maxKeyLength() {
        return maxKeyLength;
    }

    /** How far {@code key} is over {@link #maxKeyLength}: its length in characters, or -1 when it is not. */
    private int overLength(K key) {
        if (!(key instanceof String text) || text.length() <= maxKeyLength) {
            return -1;
        }
        int length = text.codePointCount(0, text.length());
        return length > maxKeyLength ? length : -1;
    }

    private K checkSetKey(K key) {
        K checked = keyType.check(key, name());
        int length = overLength(checked);
        if (length >= 0) {
            throw new IllegalArgumentException("a key of " + length + " characters for dictionary '" + name()
                    + "' is above its maxKeyLength " + maxKeyLength + "; use shorter keys or raise maxKeyLength in "
                    + "the schema");
        }
        return checked;
    }

    private void checkDecodedKey(K key, int offset) {
        int length = overLength(key);
        if (length >= 0) {
            throw new ProfileFormatException("at offset " + offset + ": a key of " + length + " characters for '"
                    + name() + "', above its maxKeyLength " + maxKeyLength);
        }
    }

    @Override
    public int size() {
        return state.size();
    }

    /** The value of {@code key}, or null when absent. */
    public V get(K key) {
        return state.get(key);
    }

    public boolean containsKey(K key) {
        return state.containsKey(key);
    }

    /** An unmodifiable snapshot of the entries, sorted by key. */
    @Override
    public Map<K, V> value() {
        return Collections.unmodifiableMap(new TreeMap<>(state));
    }

    /** Sets the value of {@code key}; an equal value changes nothing. */
    public void put(K key, V value) {
        K checkedKey = checkSetKey(key);
        V checked = valueType.check(value, name());
        V previous = state.get(checkedKey);
        if (previous != null && valueType.same(previous, checked)) {
            return;
        }
        state.put(checkedKey, checked);
        changedLocally(new DictionaryChange<>(Kind.PUT, checkedKey, checked, previous, null));
    }

    /** Removes {@code key} and returns its value; a missing key changes nothing and returns null. */
    public V remove(K key) {
        if (key == null || !state.containsKey(key)) {
            return null;
        }
        V previous = state.remove(key);
        changedLocally(new DictionaryChange<>(Kind.REMOVE, key, null, previous, null));
        return previous;
    }

    /** Removes every entry; an empty dictionary stays unchanged. */
    public void clear() {
        if (state.isEmpty()) {
            return;
        }
        state.clear();
        changedLocally(new DictionaryChange<>(Kind.CLEAR, null, null, null, Map.of()));
    }

    /** Replaces the whole content; an equal content changes nothing. */
    public void replaceAll(Map<? extends K, ? extends V> entries) {
        TreeMap<K, V> next = new TreeMap<>();
        for (Map.Entry<? extends K, ? extends V> entry : entries.entrySet()) {
            next.put(checkSetKey(entry.getKey()), valueType.check(entry.getValue(), name()));
        }
        if (same(state, next)) {
            return;
        }
        state = next;
        changedLocally(replaceWith(next));
    }

    @Override
    public String typeDescriptor() {
        return "dict<" + keyType.name() + "," + valueType.name() + ">";
    }

    @Override
    public ObservableDictionary<K, V> copy() {
        return new ObservableDictionary<>(name(), keyType, valueType, state, maxKeyLength);
    }

    @Override
    TreeMap<K, V> copyState(TreeMap<K, V> source) {
        return new TreeMap<>(source);
    }

    @Override
    Object readOnly(TreeMap<K, V> content) {
        return Collections.unmodifiableMap(content);
    }

    @Override
    boolean same(TreeMap<K, V> a, TreeMap<K, V> b) {
        return a.equals(b);
    }

    @Override
    boolean resets(DictionaryChange<K, V> change) {
        return change.kind() == Kind.CLEAR || change.kind() == Kind.REPLACE;
    }

    /**
     * The last operation of each key, after the clear or replace that began the record if there is one: keys are
     * independent, so the order between them does not matter, and a burst of changes says only which keys it touched.
     */
    @Override
    List<DictionaryChange<K, V>> compacted(List<DictionaryChange<K, V>> changes) {
        List<DictionaryChange<K, V>> compacted = new ArrayList<>();
        Map<K, DictionaryChange<K, V>> lastOfKey = new LinkedHashMap<>();
        for (DictionaryChange<K, V> change : changes) {
            if (resets(change)) {
                compacted.clear();
                lastOfKey.clear();
                compacted.add(change);
            } else {
                lastOfKey.remove(change.key());
                lastOfKey.put(change.key(), change);
            }
        }
        compacted.addAll(lastOfKey.values());
        return compacted;
    }

    @Override
    DictionaryChange<K, V> replaceWith(TreeMap<K, V> content) {
        return new DictionaryChange<>(Kind.REPLACE, null, null, null,
                Collections.unmodifiableMap(new TreeMap<>(content)));
    }

    @Override
    void writeState(TreeMap<K, V> content, ByteWriter out) {
        writeEntries(content, out);
    }

    private void writeEntries(Map<K, V> content, ByteWriter out) {
        out.writeVarInt(content.size());
        for (Map.Entry<K, V> entry : content.entrySet()) {
            keyType.write(entry.getKey(), out);
            valueType.write(entry.getValue(), out);
        }
    }

    @Override
    TreeMap<K, V> readState(ByteReader in) {
        int count = in.readCount("entry count of '" + name() + "'", 2);
        TreeMap<K, V> content = new TreeMap<>();
        K last = null;
        for (int i = 0; i < count; i++) {
            int start = in.position();
            K key = keyType.read(in, "key of '" + name() + "'");
            V value = valueType.read(in, "value of '" + name() + "'");
            // Canonical bytes list keys in increasing order, once each; anything else is not ours.
            if (last != null && keyType.keyOrder().compare(last, key) >= 0) {
                throw new ProfileFormatException("at offset " + start + ": key " + key + " of '" + name()
                        + "' is out of order or repeated; entries must be sorted by key");
            }
            content.put(key, value);
            last = key;
        }
        return content;
    }

    @Override
    void writeChange(DictionaryChange<K, V> change, ByteWriter out) {
        switch (change.kind()) {
            case PUT -> {
                out.writeByte(OP_PUT);
                keyType.write(change.key(), out);
                valueType.write(change.value(), out);
            }
            case REMOVE -> {
                out.writeByte(OP_REMOVE);
                keyType.write(change.key(), out);
            }
            case CLEAR -> out.writeByte(OP_CLEAR);
            case REPLACE -> {
                out.writeByte(OP_REPLACE);
                writeEntries(change.entries(), out);
            }
            default -> throw new IllegalStateException("unknown dictionary operation " + change.kind());
        }
    }

    @Override
    DictionaryChange<K, V> readAndApply(ByteReader in, TreeMap<K, V> target, ListRebaser.Rebase rebase) {
        int start = in.position();
        int op = in.readByte("dictionary operation of '" + name() + "'");
        switch (op) {
            case OP_PUT -> {
                K key = keyType.read(in, "key of '" + name() + "'");
                checkDecodedKey(key, start);
                V value = valueType.read(in, "value of '" + name() + "'");
                return new DictionaryChange<>(Kind.PUT, key, value, target.put(key, value), null);
            }
            case OP_REMOVE -> {
                // Removing a missing key is a no-op, not a parse failure (MST's breaks the rest of the delta).
                K key = keyType.read(in, "key of '" + name() + "'");
                return new DictionaryChange<>(Kind.REMOVE, key, null, target.remove(key), null);
            }
            case OP_CLEAR -> {
                target.clear();
                return new DictionaryChange<>(Kind.CLEAR, null, null, null, Map.of());
            }
            case OP_REPLACE -> {
                TreeMap<K, V> content = readState(in);
                for (K key : content.keySet()) {
                    checkDecodedKey(key, start);
                }
                target.clear();
                target.putAll(content);
                return replaceWith(content);
            }
            default -> throw new ProfileFormatException("at offset " + start + ": expected a dictionary operation of '"
                    + name() + "' (0 put, 1 remove, 2 clear, 3 replace) but found " + op);
        }
    }

    @Override
    void replay(DictionaryChange<K, V> change, TreeMap<K, V> target) {
        switch (change.kind()) {
            case PUT -> target.put(change.key(), change.value());
            case REMOVE -> target.remove(change.key());
            case CLEAR -> target.clear();
            case REPLACE -> {
                target.clear();
                target.putAll(change.entries());
            }
            default -> throw new IllegalStateException("unknown dictionary operation " + change.kind());
        }
    }

    @Override
    void writeJson(JsonGenerator json) throws IOException {
        json.writeStartObject();
        for (Map.Entry<K, V> entry : state.entrySet()) {
            json.writeFieldName(String.valueOf(entry.getKey()));
            valueType.writeJson(entry.getValue(), json);
        }
        json.writeEndObject();
    }

    @Override
    Pending decodeJson(JsonNode node) {
        if (!node.isObject()) {
            throw jsonError(name(), "an object of " + keyType.name() + " keys to " + valueType.name(), node);
        }
        TreeMap<K, V> content = new TreeMap<>();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            content.put(keyType.parseKey(field.getKey(), name()), valueType.readJson(field.getValue(), name()));
        }
        return new CollectionPending(content, java.util.List.of(replaceWith(content)));
    }
}
