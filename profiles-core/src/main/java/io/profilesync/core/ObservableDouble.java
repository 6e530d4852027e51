package io.profilesync.core;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.profilesync.core.internal.ByteReader;
import io.profilesync.core.internal.ByteWriter;
import io.profilesync.core.internal.JsonNumbers;
import java.io.IOException;

/**
 * A 64-bit floating point property; travels as 8 bytes little-endian (MST cannot serialize its double at all).
 * Threading: as {@link ObservableProperty}.
 */
public final class ObservableDouble extends ObservableNumber<Double> {

    public ObservableDouble(String name, double initialValue) {
        super(name, initialValue);
    }

    public ObservableDouble(String name) {
        this(name, 0d);
    }

    public double doubleValue() {
        return get();
    }

    /**
     * Adds {@code amount} as an operation: the master adds it to its own current value, so concurrent increments from
     * every writer all count. Unless the result would leave the double range (never, for floating point).
     *
     * @return whether the value was changed here (false: the result would leave the range; nothing changed)
     */
    public boolean add(double amount) {
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
    public boolean add(double amount, double max) {
        return addWithin(amount, null, max);
    }

    /** Subtracts {@code amount} as an operation, as {@link #add(double)} adds. */
    public boolean subtract(double amount) {
        return subtractWithin(amount, null, null);
    }

    /**
     * Subtracts {@code amount} unless the result would fall below {@code min} or be NaN: spending gold with
     * {@code subtract(price, 0)}. The bound travels with the decrement: the master refuses it (and tells the writer)
     * when its own current value minus {@code amount} would fall below {@code min}, even if this copy's did not.
     *
     * @return whether the value was changed here
     */
    public boolean subtract(double amount, double min) {
        return subtractWithin(amount, min, null);
    }

    @Override
    Double sum(Double a, Double b) {
        return a + b;
    }

    @Override
    Double negated(Double a) {
        return -a;
    }

    @Override
    boolean below(Double a, Double bound) {
        return !(a >= bound);
    }

    @Override
    boolean above(Double a, Double bound) {
        return !(a <= bound);
    }

    @Override
    Double zero() {
        return 0d;
    }

    @Override
    protected boolean same(Double a, Double b) {
        return Double.doubleToLongBits(a) == Double.doubleToLongBits(b);
    }

    @Override
    public String typeDescriptor() {
        return "double";
    }

    @Override
    public ObservableDouble copy() {
        return new ObservableDouble(name(), get());
    }

    @Override
    protected void write(Double v, ByteWriter out) {
        out.writeDouble(v);
    }

    @Override
    protected Double read(ByteReader in) {
        return in.readDouble("double value of '" + name() + "'");
    }

    @Override
    protected void writeJsonValue(Double v, JsonGenerator json) throws IOException {
        JsonNumbers.writeDouble(v, json);
    }

    @Override
    protected Double readJsonValue(JsonNode node) {
        return JsonNumbers.readDouble(node, name());
    }
}
