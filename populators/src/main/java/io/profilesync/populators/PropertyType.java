package io.profilesync.populators;

import io.profilesync.core.ElementType;
import io.profilesync.core.ObservableBool;
import io.profilesync.core.ObservableDateTime;
import io.profilesync.core.ObservableDictionary;
import io.profilesync.core.ObservableDouble;
import io.profilesync.core.ObservableFloat;
import io.profilesync.core.ObservableInt;
import io.profilesync.core.ObservableList;
import io.profilesync.core.ObservableLong;
import io.profilesync.core.ObservableProperty;
import io.profilesync.core.ObservableString;
import io.profilesync.core.ObservableVector3;
import io.profilesync.core.Vector3;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The type of a schema property, as schema files spell it: {@code int}, {@code long}, {@code float}, {@code double},
 * {@code bool}, {@code string}, {@code datetime}, {@code vector3}, {@code list<E>} or {@code dict<K,V>} (E and V one
 * of int, long, float, double, bool, string; K string or int). A vector's quantization step is not part of its type
 * but of its {@link PropertyDefinition#step() definition}. Immutable and thread-safe.
 */
public final class PropertyType {
    /** The shape of a type. */
    public enum Kind {
        INT, LONG, FLOAT, DOUBLE, BOOL, STRING, DATETIME, VECTOR3, LIST, DICT
    }

    public static final PropertyType INT = new PropertyType(Kind.INT, null, null);
    public static final PropertyType LONG = new PropertyType(Kind.LONG, null, null);
    public static final PropertyType FLOAT = new PropertyType(Kind.FLOAT, null, null);
    public static final PropertyType DOUBLE = new PropertyType(Kind.DOUBLE, null, null);
    public static final PropertyType BOOL = new PropertyType(Kind.BOOL, null, null);
    public static final PropertyType STRING = new PropertyType(Kind.STRING, null, null);
    public static final PropertyType DATETIME = new PropertyType(Kind.DATETIME, null, null);
    public static final PropertyType VECTOR3 = new PropertyType(Kind.VECTOR3, null, null);

    /** The valid type names, for error messages. */
    static final String VALID_TYPES = "int, long, float, double, bool, string, datetime, vector3, list<E>, dict<K,V> "
            + "(E and V: int, long, float, double, bool or string; K: string or int)";

    private static final List<PropertyType> SCALARS = List.of(INT, LONG, FLOAT, DOUBLE, BOOL, STRING, DATETIME,
            VECTOR3);

    private final Kind kind;
    private final ElementType<?> keyType;
    private final ElementType<?> valueType;
    private final String name;

    private PropertyType(Kind kind, ElementType<?> keyType, ElementType<?> valueType) {
        this.kind = kind;
        this.keyType = keyType;
        this.valueType = valueType;
        if (kind == Kind.LIST) {
            name = "list<" + valueType.name() + ">";
        } else if (kind == Kind.DICT) {
            name = "dict<" + keyType.name() + "," + valueType.name() + ">";
        } else {
            name = kind.name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** {@code list<elementType>}. */
    public static PropertyType list(ElementType<?> elementType) {
        return new PropertyType(Kind.LIST, null, Objects.requireNonNull(elementType, "elementType"));
    }

    /**
     * {@code dict<keyType,valueType>}.
     *
     * @throws IllegalArgumentException when the key type is neither string nor int
     */
    public static PropertyType dict(ElementType<?> keyType, ElementType<?> valueType) {
        Objects.requireNonNull(keyType, "keyType");
        Objects.requireNonNull(valueType, "valueType");
        if (!keyType.canBeKey()) {
            throw new IllegalArgumentException("a dictionary cannot have " + keyType.name()
                    + " keys; use string or int keys");
        }
        return new PropertyType(Kind.DICT, keyType, valueType);
    }

    /**
     * The type a schema file names, such as {@code int} or {@code dict<string, int>} (spaces are ignored).
     *
     * @throws IllegalArgumentException naming the valid types when {@code text} is none of them
     */
    public static PropertyType parse(String text) {
        Objects.requireNonNull(text, "text");
        String compact = text.replace(" ", "");
        for (PropertyType scalar : SCALARS) {
            if (scalar.name.equals(compact)) {
                return scalar;
            }
        }
        try {
            if (compact.startsWith("list<") && compact.endsWith(">")) {
                return list(ElementType.named(compact.substring(5, compact.length() - 1)));
            }
            if (compact.startsWith("dict<") && compact.endsWith(">")) {
                String[] parts = compact.substring(5, compact.length() - 1).split(",", -1);
                if (parts.length == 2) {
                    return dict(ElementType.named(parts[0]), ElementType.named(parts[1]));
                }
            }
        } catch (IllegalArgumentException e) {
            // fall through to the one message that lists every valid type
        }
        throw new IllegalArgumentException("unknown type '" + text + "'; valid types are " + VALID_TYPES);
    }

    public Kind kind() {
        return kind;
    }

    /** The element type of a list, the value type of a dictionary; null for other types. */
    public ElementType<?> valueType() {
        return valueType;
    }

    /** The key type of a dictionary; null for other types. */
    public ElementType<?> keyType() {
        return keyType;
    }

    /** The type's name as schema files spell it, such as {@code list<string>}. */
    public String name() {
        return name;
    }

    /**
     * The kind of number {@code min} and {@code max} compare: the type's own for int, long, float and double, FLOAT
     * for each component of a vector3, the element (value) type's for a list (dict) of numbers; null when they do not
     * apply.
     */
    Kind numberKind() {
        switch (kind) {
            case INT:
            case LONG:
            case FLOAT:
            case DOUBLE:
                return kind;
            case VECTOR3:
                return Kind.FLOAT;
            case LIST:
            case DICT:
                return valueType == ElementType.BOOL || valueType == ElementType.STRING ? null
                        : Kind.valueOf(valueType.name().toUpperCase(java.util.Locale.ROOT));
            default:
                return null;
        }
    }

    /** Whether {@code maxLength} applies: to a string, or to each string of a list or dict of strings. */
    boolean holdsText() {
        return kind == Kind.STRING || valueType == ElementType.STRING;
    }

    boolean isCollection() {
        return kind == Kind.LIST || kind == Kind.DICT;
    }

    /** The default value when a definition names none: zero, false, "", the epoch, (0,0,0), empty. */
    Object zeroValue() {
        switch (kind) {
            case INT:
                return 0;
            case LONG:
                return 0L;
            case FLOAT:
                return 0f;
            case DOUBLE:
                return 0d;
            case BOOL:
                return false;
            case STRING:
                return "";
            case DATETIME:
                return Instant.EPOCH;
            case VECTOR3:
                return Vector3.ZERO;
            case LIST:
                return List.of();
            default:
                return Map.of();
        }
    }

    /**
     * A new property of this type holding {@code value}.
     *
     * @throws ClassCastException when the value is not of this type's Java type
     * @throws IllegalArgumentException when the core refuses the value or the step (the message says why)
     */
    ObservableProperty<?> newProperty(String propertyName, Object value, float step, int maxKeyLength) {
        switch (kind) {
            case INT:
                return new ObservableInt(propertyName, (Integer) value);
            case LONG:
                return new ObservableLong(propertyName, (Long) value);
            case FLOAT:
                return new ObservableFloat(propertyName, (Float) value);
            case DOUBLE:
                return new ObservableDouble(propertyName, (Double) value);
            case BOOL:
                return new ObservableBool(propertyName, (Boolean) value);
            case STRING:
                return new ObservableString(propertyName, (String) value);
            case DATETIME:
                return new ObservableDateTime(propertyName, (Instant) value);
            case VECTOR3:
                return new ObservableVector3(propertyName, (Vector3) value, step);
            case LIST:
                return newList(propertyName, valueType, (List<?>) value);
            default:
                return newDictionary(propertyName, keyType, valueType, (Map<?, ?>) value, maxKeyLength);
        }
    }

    private static <E> ObservableList<E> newList(String name, ElementType<E> type, List<?> values) {
        List<E> typed = new ArrayList<>(values.size());
        for (Object value : values) {
            typed.add(type.javaType().cast(value));
        }
        return new ObservableList<>(name, type, typed);
    }

    private static <K, V> ObservableDictionary<K, V> newDictionary(String name, ElementType<K> keyType,
            ElementType<V> valueType, Map<?, ?> entries, int maxKeyLength) {
        Map<K, V> typed = new TreeMap<>();
        for (Map.Entry<?, ?> entry : entries.entrySet()) {
            typed.put(keyType.javaType().cast(entry.getKey()), valueType.javaType().cast(entry.getValue()));
        }
        return new ObservableDictionary<>(name, keyType, valueType, typed, maxKeyLength);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PropertyType type && type.name.equals(name);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return name;
    }
}
