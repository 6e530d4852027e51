package io.profilesync.populators;

import io.profilesync.core.ObservableDictionary;
import io.profilesync.core.ObservableProperty;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One property of a {@link ProfileSchema}: its name, type, default value, who may see and write it, and the
 * constraints the master enforces on every update. Made by {@link SchemaBuilder} or by loading a schema file, which
 * check every rule, so a definition is always consistent (its default keeps its constraints). Immutable and
 * thread-safe.
 */
public final class PropertyDefinition {
    private final String name;
    private final PropertyType type;
    private final float step;
    private final Object defaultValue;
    private final boolean clientWritable;
    private final boolean clientVisible;
    private final Number min;
    private final Number max;
    private final Integer maxLength;
    private final Integer maxSize;
    private final Integer maxKeyLength;
    private final String typeDescriptor;
    private final List<String> renamedFrom;
    private final PropertyType convertFrom;
    private final Durability durability;
    private final ConflictPolicy conflict;

    /** From a checked draft whose default is already normalized. */
    PropertyDefinition(Draft draft) {
        this.name = draft.name;
        this.type = draft.type;
        this.step = draft.step;
        this.defaultValue = draft.defaultValue;
        this.clientWritable = draft.clientWritable;
        this.clientVisible = draft.clientVisible;
        this.min = draft.min;
        this.max = draft.max;
        this.maxLength = draft.maxLength;
        this.maxSize = draft.maxSize;
        this.maxKeyLength = draft.maxKeyLength;
        this.typeDescriptor = newProperty().typeDescriptor();
        this.renamedFrom = List.copyOf(draft.renamedFrom);
        this.convertFrom = draft.convertFrom;
        this.durability = draft.durability;
        this.conflict = draft.conflict;
    }

    /**
     * What the master does with writers' changes to this property ({@code conflict} in the schema file):
     * {@link ConflictPolicy#LAST} unless the schema says otherwise.
     */
    public ConflictPolicy conflict() {
        return conflict;
    }

    /**
     * When the master saves a change to this property ({@code durability} in the schema file):
     * {@link Durability#DEBOUNCED} unless the schema says {@code immediate}.
     */
    public Durability durability() {
        return durability;
    }

    /**
     * The names this property's values were stored under by earlier schemas ({@code renamedFrom} in the schema
     * file): on restore, a stored value under one of them arrives in this property when none is stored under its
     * own name. Empty when it was never renamed.
     */
    public List<String> renamedFrom() {
        return renamedFrom;
    }

    /** The type its values were stored with by earlier schemas ({@code convertFrom}), converted on restore. */
    public Optional<PropertyType> convertFrom() {
        return Optional.ofNullable(convertFrom);
    }

    public String name() {
        return name;
    }

    public PropertyType type() {
        return type;
    }

    /** The quantization step of a vector3 (such as 0.01); 0 when unquantized and for every other type. */
    public float step() {
        return step;
    }

    /**
     * The value a new profile holds: an Integer, Long, Float, Double, Boolean, String, {@link java.time.Instant},
     * {@link io.profilesync.core.Vector3}, unmodifiable {@code List} or unmodifiable sorted {@code Map}, as the
     * type says.
     */
    public Object defaultValue() {
        return defaultValue;
    }

    /** Whether clients may write the property (false: only game servers and the master do). */
    public boolean clientWritable() {
        return clientWritable;
    }

    /** Whether clients receive the property (false: it never leaves the servers). */
    public boolean clientVisible() {
        return clientVisible;
    }

    /** The smallest value allowed (of a vector, of each component), in the type's Java type (Float for vector3). */
    public Optional<Number> min() {
        return Optional.ofNullable(min);
    }

    /** The largest value allowed (of a vector, of each component), in the type's Java type (Float for vector3). */
    public Optional<Number> max() {
        return Optional.ofNullable(max);
    }

    /** The longest a string may be, in characters (Unicode code points). */
    public OptionalInt maxLength() {
        return maxLength == null ? OptionalInt.empty() : OptionalInt.of(maxLength);
    }

    /** The most elements a list, or entries a dictionary, may hold. */
    public OptionalInt maxSize() {
        return maxSize == null ? OptionalInt.empty() : OptionalInt.of(maxSize);
    }

    /**
     * The longest string key of a dictionary, in characters, when the schema sets one; otherwise a dictionary with
     * string keys takes keys up to {@link ObservableDictionary#DEFAULT_MAX_KEY_LENGTH}. Checked when a key is set
     * and when a delta brings one.
     */
    public OptionalInt maxKeyLength() {
        return maxKeyLength == null ? OptionalInt.empty() : OptionalInt.of(maxKeyLength);
    }

    /**
     * The core's type descriptor of the property this definition makes, such as {@code int} or {@code vector3/0.01}.
     */
    public String typeDescriptor() {
        return typeDescriptor;
    }

    /** A new property of this name and type holding the default value. */
    public ObservableProperty<?> newProperty() {
        return type.newProperty(name, defaultValue, step,
                maxKeyLength == null ? ObservableDictionary.DEFAULT_MAX_KEY_LENGTH : maxKeyLength);
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof PropertyDefinition)) {
            return false;
        }
        PropertyDefinition that = (PropertyDefinition) other;
        return name.equals(that.name) && type.equals(that.type)
                && Float.floatToIntBits(step) == Float.floatToIntBits(that.step)
                && defaultValue.equals(that.defaultValue) && clientWritable == that.clientWritable
                && clientVisible == that.clientVisible && Objects.equals(min, that.min)
                && Objects.equals(max, that.max) && Objects.equals(maxLength, that.maxLength)
                && Objects.equals(maxSize, that.maxSize) && Objects.equals(maxKeyLength, that.maxKeyLength)
                && renamedFrom.equals(that.renamedFrom) && Objects.equals(convertFrom, that.convertFrom)
                && durability == that.durability && conflict == that.conflict;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, step, defaultValue, clientWritable, clientVisible, min, max, maxLength,
                maxSize, maxKeyLength, renamedFrom, convertFrom, durability, conflict);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(name).append(": ").append(type);
        if (step != 0f) {
            text.append(" step ").append(step);
        }
        text.append(" = ").append(defaultValue);
        if (min != null) {
            text.append(", min ").append(min);
        }
        if (max != null) {
            text.append(", max ").append(max);
        }
        if (maxLength != null) {
            text.append(", maxLength ").append(maxLength);
        }
        if (maxSize != null) {
            text.append(", maxSize ").append(maxSize);
        }
        if (maxKeyLength != null) {
            text.append(", maxKeyLength ").append(maxKeyLength);
        }
        if (durability == Durability.IMMEDIATE) {
            text.append(", saved at once");
        }
        if (conflict != ConflictPolicy.LAST) {
            text.append(", conflict ").append(conflict.key());
        }
        return text.append(clientVisible ? (clientWritable ? ", client-writable" : "") : ", hidden from clients")
                .toString();
    }
}
