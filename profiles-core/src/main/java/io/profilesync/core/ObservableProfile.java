package io.profilesync.core;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import io.profilesync.core.ObservableProperty.Pending;
import io.profilesync.core.internal.ByteReader;
import io.profilesync.core.internal.ByteWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The properties of one user (MST's {@code ObservableProfile}): an ordered set of uniquely named
 * {@link ObservableProperty properties}, their whole encoding ({@link #toBytes()}, {@link #fromBytes(byte[])}), the
 * delta of what changed locally ({@link #getUpdates()}, {@link #applyUpdates(byte[])}, {@link #clearUpdates()}) and a
 * human-readable JSON form ({@link #toJson()}, {@link #fromJson(String)}). The byte formats are documented in
 * {@code docs/wire-format.md}.
 *
 * <p>Two copies exchange bytes only when they hold the same properties in the same order (normally both are built
 * from one schema); whole encodings carry a {@link #fingerprint() fingerprint} of that layout, so bytes from another
 * layout are refused rather than misread. Every decode is all or nothing: it reads and checks the whole input
 * before it changes anything, and on failure throws {@link ProfileFormatException} with the profile untouched.
 *
 * <p>Threading: not thread-safe. A profile is used by one thread at a time (the owner's game loop, the master's
 * profile thread); hand it to another thread only with a happens-before edge such as an executor hand-off.
 * Listeners run synchronously on the thread that makes or applies a change; an exception a listener throws is
 * logged and does not stop the other listeners or the change.
 */
public class ObservableProfile implements Iterable<ObservableProperty<?>> {
    /** The first byte of every whole encoding; bumped when the format changes. */
    public static final int FORMAT_VERSION = 1;

    private static final Logger LOG = LoggerFactory.getLogger(ObservableProfile.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<ObservableProperty<?>> properties = new ArrayList<>();
    private final Map<String, ObservableProperty<?>> byName = new HashMap<>();
    private final List<ProfileListener> listeners = new CopyOnWriteArrayList<>();
    /** Stored values of names this profile does not have, as their JSON text, kept to be written back unchanged. */
    private Map<String, String> kept = Map.of();
    private SchemaEvolution evolution = SchemaEvolution.NONE;
    private long fingerprint;
    private boolean fingerprintKnown;
    /** Whether collections record every operation as made, never compacted (see {@link #recordExactly()}). */
    boolean recordsExactly;

    /**
     * From now on this profile's collections record each operation exactly as it was made, never compacted nor
     * collapsed, until their record is cleared: for a relay (the master's copy) that reads what each change did, one
     * operation at a time, and clears its record after every change. Copies do not inherit it.
     */
    public void recordExactly() {
        recordsExactly = true;
    }

    public ObservableProfile() {
    }

    /** A profile holding {@code initialProperties}, in order. */
    public ObservableProfile(Iterable<? extends ObservableProperty<?>> initialProperties) {
        for (ObservableProperty<?> property : initialProperties) {
            add(property);
        }
    }

    /**
     * Adds a property after the existing ones.
     *
     * @return the property, for chaining ({@code ObservableInt gold = profile.add(new ObservableInt("gold", 0))})
     * @throws DuplicatePropertyException when the profile already holds a property of that name
     * @throws IllegalArgumentException when the property already belongs to a profile
     */
    public <P extends ObservableProperty<?>> P add(P property) {
        Objects.requireNonNull(property, "property");
        ObservableProperty<?> existing = byName.get(property.name());
        if (existing != null) {
            throw new DuplicatePropertyException("profile already has a property named '" + property.name() + "' ("
                    + existing.typeDescriptor() + "); property names must be unique within a profile, rename one");
        }
        if (property.profile != null) {
            throw new IllegalArgumentException("property '" + property.name() + "' already belongs to a profile; "
                    + "add a copy() instead");
        }
        property.profile = this;
        properties.add(property);
        byName.put(property.name(), property);
        if (kept.containsKey(property.name())) { // the property now holds that name: its kept value is stale
            Map<String, String> rest = new LinkedHashMap<>(kept);
            rest.remove(property.name());
            kept = Collections.unmodifiableMap(rest);
        }
        fingerprintKnown = false;
        return property;
    }

    /**
     * The property of that name.
     *
     * @throws PropertyNotFoundException naming the properties that exist when there is none
     */
    public ObservableProperty<?> get(String name) {
        ObservableProperty<?> property = byName.get(name);
        if (property == null) {
            throw new PropertyNotFoundException("profile has no property named '" + name + "'; it has "
                    + names());
        }
        return property;
    }

    /**
     * The property of that name and type, such as {@code get("gold", ObservableInt.class)}.
     *
     * @throws PropertyNotFoundException when there is none, or it has another type (both named in the message)
     */
    public <P extends ObservableProperty<?>> P get(String name, Class<P> type) {
        ObservableProperty<?> property = get(name);
        if (!type.isInstance(property)) {
            throw new PropertyNotFoundException("property '" + name + "' is a " + property.getClass().getSimpleName()
                    + " (" + property.typeDescriptor() + "), not a " + type.getSimpleName());
        }
        return type.cast(property);
    }

    /**
     * The list property of that name with elements of that type, typed: {@code getList("items", ElementType.STRING)}.
     *
     * @throws PropertyNotFoundException when there is none, it is not a list, or its elements are of another type
     */
    @SuppressWarnings("unchecked")
    public <E> ObservableList<E> getList(String name, ElementType<E> elementType) {
        ObservableList<?> list = get(name, ObservableList.class);
        if (list.elementType() != elementType) {
            throw new PropertyNotFoundException("property '" + name + "' is a " + list.typeDescriptor()
                    + ", not a list<" + elementType.name() + ">");
        }
        return (ObservableList<E>) list;
    }

    /**
     * The dictionary property of that name with keys and values of those types, typed:
     * {@code getDictionary("stats", ElementType.STRING, ElementType.INT)}.
     *
     * @throws PropertyNotFoundException when there is none, it is not a dictionary, or its types differ
     */
    @SuppressWarnings("unchecked")
    public <K, V> ObservableDictionary<K, V> getDictionary(String name, ElementType<K> keyType,
            ElementType<V> valueType) {
        ObservableDictionary<?, ?> dictionary = get(name, ObservableDictionary.class);
        if (dictionary.keyType() != keyType || dictionary.valueType() != valueType) {
            throw new PropertyNotFoundException("property '" + name + "' is a " + dictionary.typeDescriptor()
                    + ", not a dict<" + keyType.name() + "," + valueType.name() + ">");
        }
        return (ObservableDictionary<K, V>) dictionary;
    }

    /** Whether the profile holds a property of that name. */
    public boolean has(String name) {
        return byName.containsKey(name);
    }

    /** The properties, in order (unmodifiable). */
    public List<ObservableProperty<?>> properties() {
        return Collections.unmodifiableList(properties);
    }

    @Override
    public Iterator<ObservableProperty<?>> iterator() {
        return properties().iterator();
    }

    public int size() {
        return properties.size();
    }

    /** The property at {@code index} in this profile's order. */
    public ObservableProperty<?> property(int index) {
        return properties.get(index);
    }

    /** The index of the property in this profile's order. */
    public int indexOf(ObservableProperty<?> property) {
        return property.profile == this ? properties.indexOf(property) : -1;
    }

    /** The properties' names, in order, for messages. */
    List<String> names() {
        List<String> names = new ArrayList<>(properties.size());
        for (ObservableProperty<?> property : properties) {
            names.add(property.name());
        }
        return names;
    }

    // ---------------------------------------------------------------- listeners

    /** Adds a listener told about every change of every property. */
    public void addListener(ProfileListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public void removeListener(ProfileListener listener) {
        listeners.remove(listener);
    }

    void firePropertyChanged(ObservableProperty<?> property) {
        for (ProfileListener listener : listeners) {
            safely(property.name(), () -> listener.onPropertyChanged(property));
        }
    }

    static void safely(String propertyName, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warn("A listener of property '{}' threw; the change stands and other listeners were told", propertyName,
                    e);
        }
    }

    // ---------------------------------------------------------------- fingerprint

    /** The fingerprint of the whole layout: the names and types of all properties, in order. */
    public long fingerprint() {
        if (!fingerprintKnown) {
            fingerprint = fingerprint(PropertyView.ALL);
            fingerprintKnown = true;
        }
        return fingerprint;
    }

    /** The fingerprint of the layout as seen through {@code view}. */
    public long fingerprint(PropertyView view) {
        if (view == PropertyView.ALL && fingerprintKnown) {
            return fingerprint;
        }
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (ObservableProperty<?> property : properties) {
                if (view.includes(property)) {
                    sha.update(property.name().getBytes(StandardCharsets.UTF_8));
                    sha.update((byte) 0);
                    sha.update(property.typeDescriptor().getBytes(StandardCharsets.UTF_8));
                    sha.update((byte) '\n');
                }
            }
            byte[] digest = sha.digest();
            long value = 0;
            for (int i = 0; i < 8; i++) {
                value |= (digest[i] & 0xFFL) << (8 * i);
            }
            return value;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    // ---------------------------------------------------------------- whole profile

    /** The whole profile: version byte, 8-byte layout fingerprint, then every value in order. */
    public byte[] toBytes() {
        return toBytes(PropertyView.ALL);
    }

    /** The whole profile as seen through {@code view}. */
    public byte[] toBytes(PropertyView view) {
        ByteWriter out = new ByteWriter(64 + 8 * properties.size());
        out.writeByte(FORMAT_VERSION);
        out.writeLongLE(fingerprint(view));
        for (ObservableProperty<?> property : properties) {
            if (view.includes(property)) {
                property.writeValue(out);
            }
        }
        return out.toByteArray();
    }

    /**
     * Replaces every value with those in {@code bytes} (from {@link #toBytes()} of a profile of the same layout).
     * Marks nothing dirty and drops any pending local changes, since the profile now equals the source; fires the
     * listeners of the properties whose value changed.
     *
     * @throws ProfileFormatException when the bytes are not a whole profile of this layout (profile unchanged)
     */
    public void fromBytes(byte[] bytes) {
        fromBytes(bytes, PropertyView.ALL);
    }

    /** As {@link #fromBytes(byte[])}, for bytes encoded through {@code view}; other properties are untouched. */
    public void fromBytes(byte[] bytes, PropertyView view) {
        Objects.requireNonNull(bytes, "bytes");
        ByteReader in = new ByteReader(bytes);
        int version = in.readByte("format version");
        if (version != FORMAT_VERSION) {
            throw new ProfileFormatException("at offset 0: expected format version " + FORMAT_VERSION
                    + " but found " + version + "; these bytes come from another version of profilesync");
        }
        long found = in.readLongLE("layout fingerprint");
        long expected = fingerprint(view);
        if (found != expected) {
            throw new ProfileFormatException("at offset 1: layout fingerprint " + Long.toHexString(found)
                    + " does not match this profile's " + Long.toHexString(expected)
                    + "; the bytes were made from another schema (other names, types or order)");
        }
        List<Pending> pendings = new ArrayList<>(properties.size());
        for (ObservableProperty<?> property : properties) {
            if (view.includes(property)) {
                pendings.add(property.decodeValue(in));
            }
        }
        in.expectEnd("the profile");
        for (Pending pending : pendings) {
            pending.property.clearUpdate();
        }
        commit(pendings, false);
    }

    // ---------------------------------------------------------------- deltas

    /** Whether any property changed locally since the last {@link #clearUpdates()}. */
    public boolean hasUpdates() {
        for (ObservableProperty<?> property : properties) {
            if (property.isDirty()) {
                return true;
            }
        }
        return false;
    }

    /**
     * The delta of every local change since the last {@link #clearUpdates()}: a varint count, then for each changed
     * property its index and its update. Does not clear anything.
     */
    public byte[] getUpdates() {
        return getUpdates(PropertyView.ALL);
    }

    /** The delta of the changes of the properties in {@code view}, indexed by their rank in the view. */
    public byte[] getUpdates(PropertyView view) {
        ByteWriter out = new ByteWriter(32);
        writeUpdates(view, out);
        return out.toByteArray();
    }

    /** Writes the delta into {@code out} (no copying; for codecs that frame it themselves). */
    public void writeUpdates(PropertyView view, ByteWriter out) {
        int count = 0;
        for (ObservableProperty<?> property : properties) {
            if (property.isDirty() && view.includes(property)) {
                count++;
            }
        }
        out.writeVarInt(count);
        int rank = 0;
        for (ObservableProperty<?> property : properties) {
            if (!view.includes(property)) {
                continue;
            }
            if (property.isDirty()) {
                out.writeVarInt(rank << 2 | property.updateKind()); // the kind in the low two bits: wire-format.md
                property.writeUpdate(out);
            }
            rank++;
        }
    }

    /**
     * Makes on this profile, as local changes, every change {@code source} recorded since its last
     * {@link #clearUpdates()}, without encoding or decoding a delta: the way to keep several copies of one profile in
     * step while decoding each change once. Fires this profile's listeners once every change is in place, as
     * {@link #applyUpdates(byte[])} does. Leaves {@code source} as it is.
     *
     * <p>{@code source} must have the same properties in the same order, and this profile must hold, for each
     * property {@code source} changed, what {@code source} held before those changes (a copy kept in step by this
     * method since it was made). Only the property classes and names are checked.
     *
     * @return the properties that changed here, in order
     * @throws IllegalArgumentException when the two profiles' properties differ in number, class or name
     */
    public List<ObservableProperty<?>> recordChangesOf(ObservableProfile source) {
        Objects.requireNonNull(source, "source");
        if (source.properties.size() != properties.size()) {
            throw new IllegalArgumentException("cannot take the changes of a profile with " + source.properties.size()
                    + " properties into one with " + properties.size() + "; both must come from the same schema");
        }
        List<ObservableProperty<?>> changed = new ArrayList<>();
        List<Runnable> events = new ArrayList<>();
        for (int i = 0; i < properties.size(); i++) {
            ObservableProperty<?> from = source.properties.get(i);
            if (!from.isDirty()) {
                continue;
            }
            ObservableProperty<?> into = properties.get(i);
            if (from.getClass() != into.getClass() || !from.name().equals(into.name())) {
                throw new IllegalArgumentException("cannot take the changes of property " + i + " '" + from.name()
                        + "' (" + from.getClass().getSimpleName() + ") into '" + into.name() + "' ("
                        + into.getClass().getSimpleName() + "); both profiles must come from the same schema");
            }
            Runnable fire = into.adoptRecorded(from);
            if (fire != null) {
                changed.add(into);
                events.add(fire);
            }
        }
        for (Runnable fire : events) {
            fire.run();
        }
        return changed;
    }

    /** Forgets every recorded local change: they count as sent. */
    public void clearUpdates() {
        for (ObservableProperty<?> property : properties) {
            property.clearUpdate();
        }
    }

    /**
     * Applies a delta made by another copy's {@link #getUpdates()}: fires listeners, records nothing, so the change
     * is not sent back.
     *
     * @return the properties that changed, in order
     * @throws ProfileFormatException when the delta is malformed (nothing applied)
     */
    public List<ObservableProperty<?>> applyUpdates(byte[] delta) {
        return applyUpdates(delta, ApplyOptions.REMOTE);
    }

    /**
     * Applies a delta all or nothing: decodes it whole, validates every change, then applies them all and fires the
     * listeners once the profile is consistent.
     *
     * @return the properties that changed, in order
     * @throws ProfileFormatException when the delta is malformed (nothing applied)
     * @throws UpdateRejectedException when the validator refuses a change (nothing applied)
     */
    public List<ObservableProperty<?>> applyUpdates(byte[] delta, ApplyOptions options) {
        Objects.requireNonNull(delta, "delta");
        return applyUpdates(new ByteReader(delta), options, true);
    }

    /**
     * Applies the delta that starts at the reader's position; when {@code whole}, it must end the input.
     * (For codecs that carry several deltas in one buffer.)
     */
    public List<ObservableProperty<?>> applyUpdates(ByteReader in, ApplyOptions options, boolean whole) {
        List<ObservableProperty<?>> included = included(options.view());
        int count = in.readCount("changed property count", 2);
        List<Pending> pendings = new ArrayList<>(count);
        int last = -1;
        for (int i = 0; i < count; i++) {
            int start = in.position();
            int header = in.readVarInt("property index and update kind");
            int index = header >>> 2;
            if (index >= included.size()) {
                throw new ProfileFormatException("at offset " + start + ": property index " + index
                        + " is unknown; this profile has " + included.size() + " properties (0.."
                        + (included.size() - 1) + ")");
            }
            if (index <= last) {
                throw new ProfileFormatException("at offset " + start + ": property index " + index
                        + " follows index " + last + "; indices must increase, each property at most once");
            }
            last = index;
            pendings.add(included.get(index).decodeUpdate(in, header & 3, start, options.rebaser()));
        }
        if (whole) {
            in.expectEnd("the delta");
        }
        int decoded = pendings.size();
        pendings = withoutUnappliable(pendings, options);
        if (options.validator() != null) {
            for (Pending pending : pendings) {
                options.validator().validate(pending.property, pending.newValue(), pending.kind());
            }
        }
        if (options.filter() != null) {
            // Every change is asked before any is applied, so the filter sees the profile as it was.
            List<Pending> kept = new ArrayList<>(pendings.size());
            for (Pending pending : pendings) {
                if (!pending.changes()
                        || options.filter().accept(pending.property, pending.newValue(), pending.kind())) {
                    kept.add(pending);
                }
            }
            pendings = kept;
        }
        boolean droppedAlone = tellDroppedAlone(pendings, options);
        if (options.allOrNothing() && (pendings.size() < decoded || droppedAlone)) {
            return List.of(); // an atomic change applies whole or not at all
        }
        return commit(pendings, options.recordAsLocal());
    }

    /**
     * The changes without those that cannot apply to this copy's values (an increment beyond the type's range or the
     * bounds its writer set; a list's operations beyond the list, which changed since the writer's view): each is
     * told to the filter and left out alone; with a validator and no filter it refuses the whole delta, as any refusal
     * does there; with neither, an increment is left out silently (the master refuses it too and its writer hears of
     * it from there), and a list operation beyond the list means the delta is wrong (a master's delta always fits).
     */
    private static List<Pending> withoutUnappliable(List<Pending> pendings, ApplyOptions options) {
        List<Pending> kept = null;
        for (int i = 0; i < pendings.size(); i++) {
            Pending pending = pendings.get(i);
            String reason = pending.cannotApply();
            if (reason == null) {
                if (kept != null) {
                    kept.add(pending);
                }
                continue;
            }
            if (options.filter() != null) {
                options.filter().cannotApply(pending.property, reason);
            } else if (options.validator() != null) {
                throw new UpdateRejectedException(pending.property.name(), reason);
            } else if (pending.malformedUnlessChecked()) {
                throw new ProfileFormatException(reason);
            }
            if (kept == null) {
                kept = new ArrayList<>(pendings.subList(0, i));
            }
        }
        return kept == null ? pendings : kept;
    }

    /**
     * Tells the filter of each operation left out alone (see {@link ObservableProperty.Pending#droppedAlone()}); with
     * a validator and no filter one refuses the whole delta, as any refusal does there.
     *
     * @return whether one was
     */
    private static boolean tellDroppedAlone(List<Pending> pendings, ApplyOptions options) {
        boolean any = false;
        for (Pending pending : pendings) {
            for (String reason : pending.droppedAlone()) {
                any = true;
                if (options.filter() != null) {
                    options.filter().cannotApply(pending.property, reason);
                } else if (options.validator() != null) {
                    throw new UpdateRejectedException(pending.property.name(), reason);
                }
            }
        }
        return any;
    }

    private List<ObservableProperty<?>> included(PropertyView view) {
        if (view == PropertyView.ALL) {
            return properties;
        }
        List<ObservableProperty<?>> included = new ArrayList<>(properties.size());
        for (ObservableProperty<?> property : properties) {
            if (view.includes(property)) {
                included.add(property);
            }
        }
        return included;
    }

    private List<ObservableProperty<?>> commit(List<Pending> pendings, boolean record) {
        List<ObservableProperty<?>> changed = new ArrayList<>(pendings.size());
        List<Runnable> events = new ArrayList<>(pendings.size());
        for (Pending pending : pendings) {
            Runnable fire = pending.commit(record);
            if (fire != null) {
                changed.add(pending.property);
                events.add(fire);
            }
        }
        // Listeners run after every change is in place, so they see a consistent profile.
        for (Runnable fire : events) {
            fire.run();
        }
        return changed;
    }

    // ---------------------------------------------------------------- JSON

    /**
     * The profile as a JSON object keyed by property names, in order: numbers as JSON numbers (NaN and the
     * infinities as strings), datetimes as ISO-8601 strings, vectors as {x, y, z}, lists as arrays, dictionaries as
     * objects; then the {@link #keptProperties() kept} stored values, unchanged. Every value and every string
     * round-trips exactly.
     */
    public String toJson() {
        StringWriter text = new StringWriter(32 * properties.size() + 16);
        try (JsonGenerator json = JSON.getFactory().createGenerator(text)) {
            json.writeStartObject();
            for (ObservableProperty<?> property : properties) {
                json.writeFieldName(property.name());
                property.writeJson(json);
            }
            for (Map.Entry<String, String> value : kept.entrySet()) {
                json.writeFieldName(value.getKey());
                json.writeRawValue(value.getValue());
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to a string cannot fail", e);
        }
        return text.toString();
    }

    /**
     * Loads values from {@link #toJson()}'s form, read through this profile's {@link #schemaEvolution()}: a property
     * the JSON does not name takes the value stored under one of its earlier names, if any; a value stored with a
     * declared earlier type is converted. Names this profile does not hold (and that no rename consumed) are kept
     * and written back unchanged by {@link #toJson()} ({@link #keptProperties()}), unless the evolution declares
     * them dropped, so a schema can change without losing stored data. Properties the JSON does not name keep their
     * values. Marks nothing dirty and drops the pending local changes of the properties it loads; fires the
     * listeners of those whose value changed.
     *
     * @throws ProfileFormatException when the text is not JSON, not an object, or holds a value of the wrong type
     *     for a property (named in the message); the profile is then unchanged
     */
    public void fromJson(String json) {
        readJson(json, false);
    }

    /**
     * As {@link #fromJson(String)}, but as local changes: each property whose value changes is recorded, as a
     * {@code set} would record it, so {@link #getUpdates()} carries the new values to the other copies (the master
     * applies an imported profile to the copy it holds this way). Pending local changes are kept.
     *
     * @throws ProfileFormatException as {@link #fromJson(String)} (the profile is then unchanged)
     */
    public void setFromJson(String json) {
        readJson(json, true);
    }

    private void readJson(String json, boolean record) {
        Objects.requireNonNull(json, "json");
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ProfileFormatException("profile JSON is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ProfileFormatException("profile JSON must be an object keyed by property names, not "
                    + (root == null ? "empty text" : root.getNodeType()));
        }
        Map<String, String> consumed = new HashMap<>(); // earlier name -> the property that took its value
        // In the profile's order, so listeners are told in that order whatever order the JSON keys come in.
        List<Pending> pendings = new ArrayList<>();
        for (ObservableProperty<?> property : properties) {
            JsonNode value = root.get(property.name());
            if (value == null) {
                for (String earlier : evolution.earlierNames(property.name())) {
                    if (root.has(earlier) && !byName.containsKey(earlier) && !consumed.containsKey(earlier)) {
                        value = root.get(earlier);
                        consumed.put(earlier, property.name());
                        break;
                    }
                }
            }
            if (value != null) {
                pendings.add(property.decodeJson(converted(property, value)));
            }
        }
        Set<String> keepNames = new HashSet<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            String name = field.getKey();
            if (!byName.containsKey(name) && !consumed.containsKey(name) && !evolution.dropped().contains(name)) {
                keepNames.add(name);
            }
        }
        Map<String, String> keep = Map.of();
        if (!keepNames.isEmpty()) {
            keep = storedTexts(json, keepNames);
            LOG.debug("Profile JSON names {}, which this profile does not have; kept to be written back", keep.keySet());
        }
        if (!record) {
            for (Pending pending : pendings) {
                pending.property.clearUpdate();
            }
        }
        commit(pendings, record);
        kept = keep.isEmpty() ? Map.of() : Collections.unmodifiableMap(keep);
    }

    /** A value stored as a number or boolean, for a string property declared converted: its JSON text. */
    private JsonNode converted(ObservableProperty<?> property, JsonNode value) {
        if (evolution.convertFrom().containsKey(property.name()) && property.typeDescriptor().equals("string")
                && (value.isNumber() || value.isBoolean())) {
            return TextNode.valueOf(value.asText());
        }
        return value;
    }

    /**
     * The values of {@code names} in {@code json} (an object already parsed once) as their very text, in the
     * document's order: a tree would change them ({@code -0.0} or {@code 2.50} read as numbers are written back
     * otherwise).
     */
    private static Map<String, String> storedTexts(String json, Set<String> names) {
        Map<String, String> values = new LinkedHashMap<>();
        try (JsonParser parser = JSON.getFactory().createParser(json)) {
            parser.nextToken(); // the start of the object
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                parser.nextToken();
                int start = (int) parser.currentTokenLocation().getCharOffset();
                parser.finishToken(); // a string is read lazily: finish it, so the location is past its end
                parser.skipChildren();
                int end = (int) parser.currentLocation().getCharOffset();
                if (names.contains(name)) {
                    values.put(name, json.substring(start, end).strip());
                }
            }
        } catch (IOException e) {
            throw new ProfileFormatException("profile JSON is not valid JSON: " + e.getMessage(), e);
        }
        return values;
    }

    /**
     * The stored values of names this profile does not have, as the last {@link #fromJson(String)} found them (name
     * to JSON text, in the stored order): kept so that {@link #toJson()} writes them back unchanged and a schema
     * change never silently deletes data. Empty when there are none (always, for a profile never read from JSON).
     */
    public Map<String, String> keptProperties() {
        return kept;
    }

    /** How {@link #fromJson(String)} reads values stored under earlier schemas; {@link SchemaEvolution#NONE} by default. */
    public SchemaEvolution schemaEvolution() {
        return evolution;
    }

    /** Sets how {@link #fromJson(String)} reads values stored under earlier schemas (the schema does, for its profiles). */
    public void setSchemaEvolution(SchemaEvolution evolution) {
        this.evolution = Objects.requireNonNull(evolution, "evolution");
    }

    // ---------------------------------------------------------------- copies

    /** A new profile with copies of every property (same values), no listeners, nothing dirty. */
    public ObservableProfile copy() {
        ObservableProfile copy = new ObservableProfile();
        copyPropertiesInto(copy);
        return copy;
    }

    /**
     * Adds copies of this profile's properties to {@code target}, and gives it the same kept values and schema
     * evolution; for subclasses' {@link #copy()}.
     */
    protected final void copyPropertiesInto(ObservableProfile target) {
        for (ObservableProperty<?> property : properties) {
            target.add(property.copy());
        }
        target.kept = kept; // unmodifiable
        target.evolution = evolution;
    }

    /** Whether {@code other} has the same layout and the same values (compares whole encodings). */
    public boolean contentEquals(ObservableProfile other) {
        return other != null && java.util.Arrays.equals(toBytes(), other.toBytes());
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + toJson();
    }
}
