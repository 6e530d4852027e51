package io.profilesync.core;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.profilesync.core.internal.ByteReader;
import io.profilesync.core.internal.ByteWriter;
import java.io.IOException;

/**
 * A 32-bit integer property; travels as a zigzag varint (one byte for -64..63). Threading: as
 * {@link ObservableProperty}.
 */
public final class ObservableInt extends ObservableScalar<Integer> {

    public ObservableInt(String name, int initialValue) {
        super(name, initialValue);
    }

    public ObservableInt(String name) {
        this(name, 0);
    }

    /** The value as a primitive. */
    public int intValue() {
        return get();
    }

    /**
     * Adds {@code amount} unless the result would exceed {@code max} (or overflow); MST's {@code Add(value, max)}.
     *
     * @return whether the value was changed
     */
    public boolean add(int amount, int max) {
        long result = (long) get() + amount;
        if (result > max || result > Integer.MAX_VALUE || result < Integer.MIN_VALUE) {
            return false;
        }
        set((int) result);
        return true;
    }

    /**
     * Subtracts {@code amount} unless the result would fall below {@code min} (or overflow).
     *
     * @return whether the value was changed
     */
    public boolean subtract(int amount, int min) {
        long result = (long) get() - amount;
        if (result < min || result > Integer.MAX_VALUE || result < Integer.MIN_VALUE) {
            return false;
        }
        set((int) result);
        return true;
    }

    @Override
    public String typeDescriptor() {
        return "int";
    }

    @Override
    public ObservableInt copy() {
        return new ObservableInt(name(), get());
    }

    @Override
    protected void write(Integer v, ByteWriter out) {
        out.writeSignedVarInt(v);
    }

    @Override
    protected Integer read(ByteReader in) {
        return in.readSignedVarInt("int value of '" + name() + "'");
    }

    @Override
    protected void writeJsonValue(Integer v, JsonGenerator json) throws IOException {
        json.writeNumber(v);
    }

    @Override
    protected Integer readJsonValue(JsonNode node) {
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw jsonError(name(), "a 32-bit integer", node);
        }
        return node.intValue();
    }
}
