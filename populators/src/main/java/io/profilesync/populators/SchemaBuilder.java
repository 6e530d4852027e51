package io.profilesync.populators;

import io.profilesync.core.ElementType;
import io.profilesync.core.Vector3;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Builds a {@link ProfileSchema} in code, one property after another, each followed by its options:
 *
 * <pre>{@code
 * ProfileSchema schema = ProfileSchema.builder()
 *         .stringProperty("displayName", "").maxLength(32).clientWritable()
 *         .intProperty("level", 1).min(1).max(100)
 *         .vector3Property("position", Vector3.ZERO, 0.01f)
 *         .listProperty("items", ElementType.STRING).maxSize(64)
 *         .stringProperty("banReason", "").hiddenFromClients()
 *         .build();
 * }</pre>
 *
 * Each {@code ...Property} method returns a {@link PropertySpec} offering only the options of its type, and
 * everything the builder offers, so the next property or {@link #build()} follows. Properties are client-visible and
 * written by servers only unless told otherwise. Nothing is checked until {@link #build()}, which checks every rule
 * as loading a file does.
 *
 * <p>Threading: not thread-safe; build on one thread. The schema it builds is immutable.
 */
public class SchemaBuilder {
    final List<Draft> drafts;

    SchemaBuilder() {
        this(new ArrayList<>());
    }

    private SchemaBuilder(List<Draft> drafts) {
        this.drafts = drafts;
    }

    /** A 32-bit integer; options: min, max. */
    public final IntSpec intProperty(String name, int defaultValue) {
        return new IntSpec(drafts, add(name, PropertyType.INT, defaultValue));
    }

    /** A 64-bit integer; options: min, max. */
    public final LongSpec longProperty(String name, long defaultValue) {
        return new LongSpec(drafts, add(name, PropertyType.LONG, defaultValue));
    }

    /** A 32-bit floating point number; options: min, max. */
    public final FloatSpec floatProperty(String name, float defaultValue) {
        return new FloatSpec(drafts, add(name, PropertyType.FLOAT, defaultValue));
    }

    /** A 64-bit floating point number; options: min, max. */
    public final DoubleSpec doubleProperty(String name, double defaultValue) {
        return new DoubleSpec(drafts, add(name, PropertyType.DOUBLE, defaultValue));
    }

    /** A boolean. */
    public final BasicSpec boolProperty(String name, boolean defaultValue) {
        return new BasicSpec(drafts, add(name, PropertyType.BOOL, defaultValue));
    }

    /** A string; option: maxLength. */
    public final StringSpec stringProperty(String name, String defaultValue) {
        return new StringSpec(drafts, add(name, PropertyType.STRING, Objects.requireNonNull(defaultValue,
                "defaultValue")));
    }

    /** A point in time, kept to the millisecond. */
    public final BasicSpec datetimeProperty(String name, Instant defaultValue) {
        return new BasicSpec(drafts, add(name, PropertyType.DATETIME, Objects.requireNonNull(defaultValue,
                "defaultValue")));
    }

    /** An unquantized vector (12 bytes on the wire). */
    public final Vector3Spec vector3Property(String name, Vector3 defaultValue) {
        return vector3Property(name, defaultValue, 0f);
    }

    /** A vector quantized to {@code step}, such as 0.01 (6 bytes on the wire, ±32767 steps per component). */
    public final Vector3Spec vector3Property(String name, Vector3 defaultValue, float step) {
        Draft draft = add(name, PropertyType.VECTOR3, Objects.requireNonNull(defaultValue, "defaultValue"));
        draft.step = step;
        return new Vector3Spec(drafts, draft);
    }

    /** An empty list of {@code elementType}; options: maxSize, and min, max or maxLength of each element. */
    public final <E> CollectionSpec<E> listProperty(String name, ElementType<E> elementType) {
        return listProperty(name, elementType, List.of());
    }

    /** A list of {@code elementType} holding {@code defaultValue}; options as the empty list's. */
    public final <E> CollectionSpec<E> listProperty(String name, ElementType<E> elementType, List<E> defaultValue) {
        return new CollectionSpec<>(drafts, add(name, PropertyType.list(elementType),
                List.copyOf(Objects.requireNonNull(defaultValue, "defaultValue"))));
    }

    /**
     * An empty dictionary; options: maxSize, and min, max or maxLength of each value.
     *
     * @throws IllegalArgumentException when the key type is neither string nor int
     */
    public final <K, V> CollectionSpec<V> dictProperty(String name, ElementType<K> keyType,
            ElementType<V> valueType) {
        return dictProperty(name, keyType, valueType, Map.of());
    }

    /**
     * A dictionary holding {@code defaultValue}.
     *
     * @throws IllegalArgumentException when the key type is neither string nor int
     */
    public final <K, V> CollectionSpec<V> dictProperty(String name, ElementType<K> keyType,
            ElementType<V> valueType, Map<K, V> defaultValue) {
        return new CollectionSpec<>(drafts, add(name, PropertyType.dict(keyType, valueType),
                new TreeMap<>(Objects.requireNonNull(defaultValue, "defaultValue"))));
    }

    /**
     * The schema.
     *
     * @throws SchemaException listing every rule the properties break (duplicate names, defaults out of range, min
     *     above max, client-writable but hidden, ...), each with its index and name
     */
    public final ProfileSchema build() {
        return new ProfileSchema(Draft.checkAll("schema builder", drafts));
    }

    private Draft add(String name, PropertyType type, Object defaultValue) {
        Draft draft = new Draft();
        draft.name = Objects.requireNonNull(name, "name");
        draft.type = type;
        draft.defaultValue = defaultValue;
        drafts.add(draft);
        return draft;
    }

    /**
     * The options every property has; also the builder itself, so the next property follows.
     *
     * @param <S> the concrete spec, returned by the options for chaining
     */
    public abstract static class PropertySpec<S extends PropertySpec<S>> extends SchemaBuilder {
        final Draft draft;

        PropertySpec(List<Draft> drafts, Draft draft) {
            super(drafts);
            this.draft = draft;
        }

        /** Clients may write this property (by default only servers do). */
        public final S clientWritable() {
            draft.clientWritable = true;
            return self();
        }

        /** Clients never receive this property (by default they do); it cannot then be client-writable. */
        public final S hiddenFromClients() {
            draft.clientVisible = false;
            return self();
        }

        /**
         * A change to this property is saved at once ({@code durability: immediate}), not after
         * {@code saveProfileDebounce}: for currency and purchases.
         */
        public final S savedImmediately() {
            draft.durability = Durability.IMMEDIATE;
            return self();
        }

        /**
         * What the master does with writers' changes to this property ({@code conflict} in the schema file):
         * {@link ConflictPolicy#LAST} unless set. {@code MAX} and {@code MIN} apply to numbers and datetimes,
         * {@code COUNTER} to numbers; another type is reported when the schema is built.
         */
        public final S conflict(ConflictPolicy policy) {
            draft.conflict = Objects.requireNonNull(policy, "policy");
            return self();
        }

        @SuppressWarnings("unchecked")
        final S self() {
            return (S) this;
        }
    }

    /** A bool or datetime property: no constraints. */
    public static final class BasicSpec extends PropertySpec<BasicSpec> {
        BasicSpec(List<Draft> drafts, Draft draft) {
            super(drafts, draft);
        }
    }

    /** An int property: optional inclusive bounds. */
    public static final class IntSpec extends PropertySpec<IntSpec> {
        IntSpec(List<Draft> drafts, Draft draft) {
            super(drafts, draft);
        }

        public IntSpec min(int min) {
            draft.min = min;
            return this;
        }

        public IntSpec max(int max) {
            draft.max = max;
            return this;
        }
    }

    /** A long property: optional inclusive bounds. */
    public static final class LongSpec extends PropertySpec<LongSpec> {
        LongSpec(List<Draft> drafts, Draft draft) {
            super(drafts, draft);
        }

        public LongSpec min(long min) {
            draft.min = min;
            return this;
        }

        public LongSpec max(long max) {
            draft.max = max;
            return this;
        }
    }

    /** A float property: optional inclusive bounds. */
    public static final class FloatSpec extends PropertySpec<FloatSpec> {
        FloatSpec(List<Draft> drafts, Draft draft) {
            super(drafts, draft);
        }

        public FloatSpec min(float min) {
            draft.min = min;
            return this;
        }

        public FloatSpec max(float max) {
            draft.max = max;
            return this;
        }
    }

    /** A double property: optional inclusive bounds. */
    public static final class DoubleSpec extends PropertySpec<DoubleSpec> {
        DoubleSpec(List<Draft> drafts, Draft draft) {
            super(drafts, draft);
        }

        public DoubleSpec min(double min) {
            draft.min = min;
            return this;
        }

        public DoubleSpec max(double max) {
            draft.max = max;
            return this;
        }
    }

    /** A vector3 property: optional inclusive bounds on each component. */
    public static final class Vector3Spec extends PropertySpec<Vector3Spec> {
        Vector3Spec(List<Draft> drafts, Draft draft) {
            super(drafts, draft);
        }

        /** The smallest value of each of x, y and z. */
        public Vector3Spec min(float min) {
            draft.min = min;
            return this;
        }

        /** The largest value of each of x, y and z. */
        public Vector3Spec max(float max) {
            draft.max = max;
            return this;
        }
    }

    /** A string property: optional maximum length in characters (Unicode code points). */
    public static final class StringSpec extends PropertySpec<StringSpec> {
        StringSpec(List<Draft> drafts, Draft draft) {
            super(drafts, draft);
        }

        public StringSpec maxLength(int maxLength) {
            draft.maxLength = maxLength;
            return this;
        }
    }

    /**
     * A list or dictionary property: optional maximum number of elements or entries, and optional constraints on
     * each element of a list or value of a dictionary.
     *
     * @param <E> the type of the elements (values)
     */
    public static final class CollectionSpec<E> extends PropertySpec<CollectionSpec<E>> {
        CollectionSpec(List<Draft> drafts, Draft draft) {
            super(drafts, draft);
        }

        public CollectionSpec<E> maxSize(int maxSize) {
            draft.maxSize = maxSize;
            return this;
        }

        /**
         * The smallest number each element (value) may be.
         *
         * @throws IllegalArgumentException when the elements are not numbers
         */
        public CollectionSpec<E> min(E min) {
            draft.min = number("min", min);
            return this;
        }

        /**
         * The largest number each element (value) may be.
         *
         * @throws IllegalArgumentException when the elements are not numbers
         */
        public CollectionSpec<E> max(E max) {
            draft.max = number("max", max);
            return this;
        }

        /**
         * The longest string key of a dictionary, in characters (default
         * {@link io.profilesync.core.ObservableDictionary#DEFAULT_MAX_KEY_LENGTH}); build() refuses it for lists and
         * int keys.
         */
        public CollectionSpec<E> maxKeyLength(int maxKeyLength) {
            draft.maxKeyLength = maxKeyLength;
            return this;
        }

        /** The most characters each string element (value) may have; build() refuses it for other elements. */
        public CollectionSpec<E> maxLength(int maxLength) {
            draft.maxLength = maxLength;
            return this;
        }

        private Number number(String key, E bound) {
            Objects.requireNonNull(bound, key);
            if (!(bound instanceof Number)) {
                throw new IllegalArgumentException("'" + key + "' of '" + draft.name + "' applies only to lists and "
                        + "dicts of numbers, not to " + draft.type);
            }
            return (Number) bound;
        }
    }
}
