package io.profilesync.core;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.profilesync.core.internal.ByteReader;
import io.profilesync.core.internal.ByteWriter;
import java.io.IOException;

/** A 64-bit integer property; travels as a zigzag varint. Threading: as {@link ObservableProperty}. */
public final class ObservableLong extends ObservableScalar<Long> {

    public ObservableLong(String name, long initialValue) {
        super(name, initialValue);
    }

    public ObservableLong(String name) {
        this(name, 0L);
    }

    public long longValue() {
        return get();
    }

    /** Adds {@code amount} unless the result would exceed {@code max} or overflow; returns whether it applied. */
    public boolean add(long amount, long max) {
        long current = get();
        long result = current + amount;
        boolean overflow = ((current ^ result) & (amount ^ result)) < 0;
        if (overflow || result > max) {
            return false;
        }
        set(result);
        return true;
    }

    /** Subtracts {@code amount} unless the result would fall below {@code min} or overflow. */
    public boolean subtract(long amount, long min) {
        long current = get();
        long result = current - amount;
        boolean overflow = ((current ^ amount) & (current ^ result)) < 0;
        if (overflow || result < min) {
            return false;
        }
        set(result);
        return true;
    }

    @Override
    public String typeDescriptor() {
        return "long";
    }

    @Override
    public ObservableLong copy() {
        return new ObservableLong(name(), get());
    }

    @Override
    protected void write(Long v, ByteWriter out) {
        out.writeSignedVarLong(v);
    }

    @Override
    protected Long read(ByteReader in) {
        return in.readSignedVarLong("long value of '" + name() + "'");
    }

    @Override
    protected void writeJsonValue(Long v, JsonGenerator json) throws IOException {
        json.writeNumber(v);
    }

    @Override
    protected Long readJsonValue(JsonNode node) {
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw jsonError(name(), "a 64-bit integer", node);
        }
        return node.longValue();
    }
}
