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
public final class ObservableDouble extends ObservableScalar<Double> {

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
     * Adds {@code amount} unless the result would exceed {@code max} or be NaN (a NaN amount, bound or value is
     * never within bounds); returns whether it applied.
     */
    public boolean add(double amount, double max) {
        double result = get() + amount;
        if (!(result <= max)) {
            return false;
        }
        set(result);
        return true;
    }

    /**
     * Subtracts {@code amount} unless the result would fall below {@code min} or be NaN; returns whether it applied.
     */
    public boolean subtract(double amount, double min) {
        double result = get() - amount;
        if (!(result >= min)) {
            return false;
        }
        set(result);
        return true;
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
