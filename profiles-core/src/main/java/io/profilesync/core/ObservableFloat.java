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
public final class ObservableFloat extends ObservableNumber<Float> {

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
     * Adds {@code amount} as an operation: the master adds it to its own current value, so concurrent increments from
     * every writer all count. Unless the result would leave the float range (never, for floating point).
     *
     * @return whether the value was changed here (false: the result would leave the range; nothing changed)
     */
    public boolean add(float amount) {
        return addWithin(amount, null, null);
    }

    /**
     * Adds {@code amount} unless the result would exceed {@code max} or be NaN (a NaN amount, bound or value is
     * never within bounds); MST's {@code Add(value, max)}. The bound travels with the increment: the master refuses
     * it (and tells the writer) when its own current value plus {@code amount} would exceed {@code max}, even if this
     * copy's did not.
     *
     * @return whether the value was changed here
     */
    public boolean add(float amount, float max) {
        return addWithin(amount, null, max);
    }

    /** Subtracts {@code amount} as an operation, as {@link #add(float)} adds. */
    public boolean subtract(float amount) {
        return subtractWithin(amount, null, null);
    }

    /**
     * Subtracts {@code amount} unless the result would fall below {@code min} or be NaN: spending gold with
     * {@code subtract(price, 0)}. The bound travels with the decrement: the master refuses it (and tells the writer)
     * when its own current value minus {@code amount} would fall below {@code min}, even if this copy's did not.
     *
     * @return whether the value was changed here
     */
    public boolean subtract(float amount, float min) {
        return subtractWithin(amount, min, null);
    }

    @Override
    Float sum(Float a, Float b) {
        return a + b;
    }

    @Override
    Float negated(Float a) {
        return -a;
    }

    @Override
    boolean below(Float a, Float bound) {
        return !(a >= bound);
    }

    @Override
    boolean above(Float a, Float bound) {
        return !(a <= bound);
    }

    @Override
    Float zero() {
        return 0f;
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
