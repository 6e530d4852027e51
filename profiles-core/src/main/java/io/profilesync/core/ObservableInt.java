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
public final class ObservableInt extends ObservableNumber<Integer> {

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
     * Adds {@code amount} as an operation: the master adds it to its own current value, so concurrent increments from
     * every writer all count. Unless the result would leave the int range.
     *
     * @return whether the value was changed here (false: the result would leave the range; nothing changed)
     */
    public boolean add(int amount) {
        return addWithin(amount, null, null);
    }

    /**
     * Adds {@code amount} unless the result would exceed {@code max} (or overflow); MST's
     * {@code Add(value, max)}. The bound travels with the increment: the master refuses it (and tells the writer)
     * when its own current value plus {@code amount} would exceed {@code max}, even if this copy's did not.
     *
     * @return whether the value was changed here
     */
    public boolean add(int amount, int max) {
        return addWithin(amount, null, max);
    }

    /** Subtracts {@code amount} as an operation, as {@link #add(int)} adds. */
    public boolean subtract(int amount) {
        return subtractWithin(amount, null, null);
    }

    /**
     * Subtracts {@code amount} unless the result would fall below {@code min} (or overflow): spending gold with
     * {@code subtract(price, 0)}. The bound travels with the decrement: the master refuses it (and tells the writer)
     * when its own current value minus {@code amount} would fall below {@code min}, even if this copy's did not.
     *
     * @return whether the value was changed here
     */
    public boolean subtract(int amount, int min) {
        return subtractWithin(amount, min, null);
    }

    @Override
    Integer sum(Integer a, Integer b) {
        // No Math.addExact: its exception costs microseconds, and a bound shifted past the type (add(1, MAX_VALUE)
        // composed within one tick) overflows on every add, which made a game server's tick 60x slower.
        long total = (long) a + b;
        return total == (int) total ? (int) total : null;
    }

    @Override
    Integer negated(Integer a) {
        return a == Integer.MIN_VALUE ? null : -a;
    }

    @Override
    boolean below(Integer a, Integer bound) {
        return a < bound;
    }

    @Override
    boolean above(Integer a, Integer bound) {
        return a > bound;
    }

    @Override
    Integer zero() {
        return 0;
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
