package io.profilesync.core;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.profilesync.core.internal.ByteReader;
import io.profilesync.core.internal.ByteWriter;
import io.profilesync.core.internal.JsonNumbers;
import java.io.IOException;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The type of the elements of an {@link ObservableList} or of the keys and values of an {@link ObservableDictionary}:
 * int, long, float, double, bool or string (dictionary keys: string or int). Each encodes as the scalar property of
 * the same type does. Instances are the constants below; thread-safe and immutable.
 *
 * @param <T> the Java type of the elements
 */
public abstract class ElementType<T> {
    public static final ElementType<Integer> INT = new ElementType<>("int", Integer.class) {
        @Override
        void write(Integer v, ByteWriter out) {
            out.writeSignedVarInt(v);
        }

        @Override
        Integer read(ByteReader in, String what) {
            return in.readSignedVarInt(what);
        }

        @Override
        void writeJson(Integer v, JsonGenerator json) throws IOException {
            json.writeNumber(v);
        }

        @Override
        Integer readJson(JsonNode node, String where) {
            if (!node.isIntegralNumber() || !node.canConvertToInt()) {
                throw error(where, "a 32-bit integer", node);
            }
            return node.intValue();
        }

        @Override
        Integer parseKey(String text, String where) {
            try {
                return Integer.parseInt(text);
            } catch (NumberFormatException e) {
                throw new ProfileFormatException("property '" + where + "': key \"" + text
                        + "\" is not a 32-bit integer");
            }
        }
    };

    public static final ElementType<Long> LONG = new ElementType<>("long", Long.class) {
        @Override
        void write(Long v, ByteWriter out) {
            out.writeSignedVarLong(v);
        }

        @Override
        Long read(ByteReader in, String what) {
            return in.readSignedVarLong(what);
        }

        @Override
        void writeJson(Long v, JsonGenerator json) throws IOException {
            json.writeNumber(v);
        }

        @Override
        Long readJson(JsonNode node, String where) {
            if (!node.isIntegralNumber() || !node.canConvertToLong()) {
                throw error(where, "a 64-bit integer", node);
            }
            return node.longValue();
        }
    };

    public static final ElementType<Float> FLOAT = new ElementType<>("float", Float.class) {
        @Override
        void write(Float v, ByteWriter out) {
            out.writeFloat(v);
        }

        @Override
        Float read(ByteReader in, String what) {
            return in.readFloat(what);
        }

        @Override
        void writeJson(Float v, JsonGenerator json) throws IOException {
            JsonNumbers.writeFloat(v, json);
        }

        @Override
        Float readJson(JsonNode node, String where) {
            return JsonNumbers.readFloat(node, where);
        }
    };

    public static final ElementType<Double> DOUBLE = new ElementType<>("double", Double.class) {
        @Override
        void write(Double v, ByteWriter out) {
            out.writeDouble(v);
        }

        @Override
        Double read(ByteReader in, String what) {
            return in.readDouble(what);
        }

        @Override
        void writeJson(Double v, JsonGenerator json) throws IOException {
            JsonNumbers.writeDouble(v, json);
        }

        @Override
        Double readJson(JsonNode node, String where) {
            return JsonNumbers.readDouble(node, where);
        }
    };

    public static final ElementType<Boolean> BOOL = new ElementType<>("bool", Boolean.class) {
        @Override
        void write(Boolean v, ByteWriter out) {
            out.writeByte(v ? 1 : 0);
        }

        @Override
        Boolean read(ByteReader in, String what) {
            return in.readBoolean(what);
        }

        @Override
        void writeJson(Boolean v, JsonGenerator json) throws IOException {
            json.writeBoolean(v);
        }

        @Override
        Boolean readJson(JsonNode node, String where) {
            if (!node.isBoolean()) {
                throw error(where, "true or false", node);
            }
            return node.booleanValue();
        }
    };

    public static final ElementType<String> STRING = new ElementType<>("string", String.class) {
        @Override
        void write(String v, ByteWriter out) {
            out.writeString(v);
        }

        @Override
        String read(ByteReader in, String what) {
            return in.readString(what);
        }

        @Override
        void writeJson(String v, JsonGenerator json) throws IOException {
            json.writeString(v);
        }

        @Override
        String readJson(JsonNode node, String where) {
            if (!node.isTextual()) {
                throw error(where, "a string", node);
            }
            return parseKey(node.textValue(), where);
        }

        @Override
        String parseKey(String text, String where) {
            try {
                return wellFormed(text, where);
            } catch (IllegalArgumentException e) {
                throw new ProfileFormatException("property '" + where + "': " + e.getMessage());
            }
        }

        @Override
        String check(Object value, String where) {
            return wellFormed(super.check(value, where), where);
        }
    };

    private static final List<ElementType<?>> ALL = List.of(INT, LONG, FLOAT, DOUBLE, BOOL, STRING);

    private final String name;
    private final Class<T> javaType;

    private ElementType(String name, Class<T> javaType) {
        this.name = name;
        this.javaType = javaType;
    }

    /** The type's name as schemas and type descriptors spell it: int, long, float, double, bool, string. */
    public String name() {
        return name;
    }

    public Class<T> javaType() {
        return javaType;
    }

    /** Whether this type may key a dictionary (string and int). */
    public boolean canBeKey() {
        return this == STRING || this == INT;
    }

    /**
     * The element type of that name.
     *
     * @throws IllegalArgumentException naming the allowed names when there is none
     */
    public static ElementType<?> named(String name) {
        for (ElementType<?> type : ALL) {
            if (type.name.equals(name)) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown element type '" + name + "'; use one of int, long, float, double, "
                + "bool, string");
    }

    /** Checks a value given by the user: not null, of the Java type. */
    T check(Object value, String where) {
        Objects.requireNonNull(value, () -> "element of '" + where + "'");
        if (!javaType.isInstance(value)) {
            throw new IllegalArgumentException("element of '" + where + "' must be a " + javaType.getSimpleName()
                    + ", not a " + value.getClass().getSimpleName() + " (" + value + ")");
        }
        return javaType.cast(value);
    }

    /**
     * Refuses a string holding an unpaired surrogate: UTF-8 cannot carry it (Java would send '?'), so the copies
     * would silently differ.
     */
    static String wellFormed(String value, String where) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException("string of '" + where + "' holds an unpaired surrogate \\u"
                        + Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT) + " at index " + i
                        + ", which UTF-8 cannot encode; pass whole characters (surrogate pairs)");
            }
        }
        return value;
    }

    /** Equality as the properties use it: floating point by bits. */
    boolean same(T a, T b) {
        return a.equals(b);
    }

    @SuppressWarnings("unchecked")
    Comparator<T> keyOrder() {
        return (Comparator<T>) Comparator.naturalOrder();
    }

    abstract void write(T v, ByteWriter out);

    abstract T read(ByteReader in, String what);

    abstract void writeJson(T v, JsonGenerator json) throws IOException;

    abstract T readJson(JsonNode node, String where);

    T parseKey(String text, String where) {
        throw new ProfileFormatException("property '" + where + "': " + name + " cannot be a dictionary key");
    }

    static ProfileFormatException error(String where, String expected, JsonNode found) {
        return new ProfileFormatException("property '" + where + "': expected " + expected + " but found "
                + found.getNodeType() + " " + found);
    }

    @Override
    public String toString() {
        return name;
    }
}
