package io.profilesync.core;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.profilesync.core.internal.ByteReader;
import io.profilesync.core.internal.ByteWriter;
import java.io.IOException;

/** A 64-bit integer property; travels as a zigzag varint. Threading: as {@link ObservableProperty}. */
public final class ObservableLong extends ObservableNumber<Long> {

    public ObservableLong(String name, long initialValue) {
        super(name, initialValue);
    }

    public ObservableLong(String name) {
        this(name, 0L);
    }

    public long longValue() {
        return get();
    }

    /**
     * Adds {@code amount} as an operation: the master adds it to its own current value, so concurrent increments from
     * every writer all count. Unless the result would leave the long range.
     *
     * @return whether the value was changed here (false: the result would leave the range; nothing changed)
     */
    public boolean add(long amount) {
        return addWithin(amount, null, null);
    }

    /**
     * Adds {@code amount} unless the result would exceed {@code max} (or overflow); MST's
     * {@code Add(value, max)}. The bound travels with the increment: the master refuses it (and tells the writer)
     * when its own current value plus {@code amount} would exceed {@code max}, even if this copy's did not.
     *
     * @return whether the value was changed here
     */
    public boolean add(long amount, long max) {
        return addWithin(amount, null, max);
    }

    /** Subtracts {@code amount} as an operation, as {@link #add(long)} adds. */
    public boolean subtract(long amount) {
        return subtractWithin(amount, null, null);
    }

    /**
     * Subtracts {@code amount} unless the result would fall below {@code min} (or overflow): spending gold with
     * {@code subtract(price, 0)}. The bound travels with the decrement: the master refuses it (and tells the writer)
     * when its own current value minus {@code amount} would fall below {@code min}, even if this copy's did not.
     *
     * @return whether the value was changed here
     */
    public boolean subtract(long amount, long min) {
        return subtractWithin(amount, min, null);
    }

    @Override
    Long sum(Long a, Long b) {
        // No Math.addExact: its exception costs microseconds on a path that overflows often (see ObservableInt.sum).
        long total = a + b;
        return ((a ^ total) & (b ^ total)) < 0 ? null : total; // overflow: both operands' signs differ from the sum's
    }

    @Override
    Long negated(Long a) {
        return a == Long.MIN_VALUE ? null : -a;
    }

    @Override
    boolean below(Long a, Long bound) {
        return a < bound;
    }

    @Override
    boolean above(Long a, Long bound) {
        return a > bound;
    }

    @Override
    Long zero() {
        return 0L;
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
