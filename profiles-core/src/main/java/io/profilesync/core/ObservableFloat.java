package io.profilesync.core;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.profilesync.core.internal.ByteReader;
import io.profilesync.core.internal.ByteWriter;
import io.profilesync.core.internal.JsonNumbers;
import java.io.IOException;

/**
 * A 32-bit floating point property; travels as 4 bytes little-endian. Values compare by their bits, so setting NaN
 * twice changes nothing. Threading: as {@link ObservableProperty}.
 */
public final class ObservableFloat extends ObservableScalar<Float> {

    public ObservableFloat(String name, float initialValue) {
        super(name, initialValue);
    }

    public ObservableFloat(String name) {
        this(name, 0f);
    }

    public float floatValue() {
        return get();
    }

    /**
     * Adds {@code amount} unless the result would exceed {@code max} or be NaN (a NaN amount, bound or value is
     * never within bounds); returns whether it applied.
     */
    public boolean add(float amount, float max) {
        float result = get() + amount;
        if (!(result <= max)) {
            return false;
        }
        set(result);
        return true;
    }

    /**
     * Subtracts {@code amount} unless the result would fall below {@code min} or be NaN; returns whether it applied.
     */
    public boolean subtract(float amount, float min) {
        float result = get() - amount;
        if (!(result >= min)) {
            return false;
        }
        set(result);
        return true;
    }

    @Override
    protected boolean same(Float a, Float b) {
        return Float.floatToIntBits(a) == Float.floatToIntBits(b);
    }

    @Override
    public String typeDescriptor() {
        return "float";
    }

    @Override
    public ObservableFloat copy() {
        return new ObservableFloat(name(), get());
    }

    @Override
    protected void write(Float v, ByteWriter out) {
        out.writeFloat(v);
    }

    @Override
    protected Float read(ByteReader in) {
        return in.readFloat("float value of '" + name() + "'");
    }

    @Override
    protected void writeJsonValue(Float v, JsonGenerator json) throws IOException {
        JsonNumbers.writeFloat(v, json);
    }

    @Override
    protected Float readJsonValue(JsonNode node) {
        return JsonNumbers.readFloat(node, name());
    }
}
