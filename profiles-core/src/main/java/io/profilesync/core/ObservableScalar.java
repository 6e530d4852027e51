package io.profilesync.core;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.profilesync.core.internal.ByteReader;
import io.profilesync.core.internal.ByteWriter;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A property holding one value. Its delta is the whole value; setting an equal value changes nothing.
 * Threading: as {@link ObservableProperty}.
 *
 * @param <T> the value type
 */
public abstract class ObservableScalar<T> extends ObservableProperty<T> {
    private final List<ValueListener<? super T>> listeners = new CopyOnWriteArrayList<>();
    private T value;
    private boolean dirty;

    protected ObservableScalar(String name, T initialValue) {
        super(name);
        this.value = normalize(Objects.requireNonNull(initialValue, "initial value of '" + name + "'"));
    }

    /** The current value. */
    public final T get() {
        return value;
    }

    @Override
    public final T value() {
        return value;
    }

    /**
     * Sets the value. An equal value changes nothing; another marks the property dirty and fires the listeners.
     *
     * @throws NullPointerException when {@code newValue} is null
     * @throws IllegalArgumentException when the value is not allowed for this type (the message says why)
     */
    public final void set(T newValue) {
        Objects.requireNonNull(newValue, "value of '" + name() + "'");
        T normalized = normalize(newValue);
        if (same(value, normalized)) {
            return;
        }
        recordedAsValue();
        assign(normalized, true).run();
    }

    /**
     * Makes {@code now} the value (normalized, and not the same as the current one); when {@code record}, marks the
     * property dirty. Returns the events to fire once the caller is done.
     */
    final Runnable assign(T now, boolean record) {
        T old = value;
        value = now;
        if (record) {
            dirty = true;
        }
        return () -> fire(old, now);
    }

    /** The next recorded change is the whole value (a set): a number forgets the increments it recorded. */
    void recordedAsValue() {
    }

    public final void addListener(ValueListener<? super T> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public final void removeListener(ValueListener<? super T> listener) {
        listeners.remove(listener);
    }

    @Override
    public final boolean isDirty() {
        return dirty;
    }

    /** Brings a value to its canonical form (quantized, truncated) or refuses it; both sides use the result. */
    protected T normalize(T candidate) {
        return candidate;
    }

    /** Whether two values are equal for this type (floating point compares bits, so NaN equals NaN). */
    protected boolean same(T a, T b) {
        return a.equals(b);
    }

    protected abstract void write(T v, ByteWriter out);

    protected abstract T read(ByteReader in);

    protected abstract void writeJsonValue(T v, JsonGenerator json) throws IOException;

    /** Reads the JSON form; throws {@link ProfileFormatException} naming the property when it is of the wrong kind. */
    protected abstract T readJsonValue(JsonNode node);

    private void fire(T old, T now) {
        for (ValueListener<? super T> listener : listeners) {
            ObservableProfile.safely(name(), () -> listener.onValueChanged(old, now));
        }
        notifyProfile();
    }

    @Override
    final void writeValue(ByteWriter out) {
        write(value, out);
    }

    @Override
    final Pending decodeValue(ByteReader in) {
        int start = in.position();
        T decoded = read(in);
        try {
            decoded = normalize(decoded);
        } catch (IllegalArgumentException e) {
            throw new ProfileFormatException("at offset " + start + ": value of '" + name() + "' is not allowed: "
                    + e.getMessage());
        }
        return new ScalarPending(decoded);
    }

    @Override
    void writeUpdate(ByteWriter out) {
        write(value, out);
    }

    @Override
    final Pending decodeUpdate(ByteReader in) {
        return decodeValue(in);
    }

    @Override
    void clearUpdate() {
        dirty = false;
    }

    @Override
    final Runnable adoptRecorded(ObservableProperty<?> source) {
        @SuppressWarnings("unchecked") // same class and name: checked by ObservableProfile.recordChangesOf
        ObservableScalar<T> other = (ObservableScalar<T>) source;
        if (!other.dirty || same(value, other.value)) {
            return null; // changed and changed back: this copy already holds it
        }
        // Taken as the new value, even when the source recorded increments: a copy kept in step this way (the
        // master's outbox of a holder) sends the master's result, which every copy then holds exactly.
        recordedAsValue();
        return assign(other.value, true); // normalized when it was set or decoded there
    }

    @Override
    final void writeJson(JsonGenerator json) throws IOException {
        writeJsonValue(value, json);
    }

    @Override
    final Pending decodeJson(JsonNode node) {
        T decoded = readJsonValue(node);
        try {
            return new ScalarPending(normalize(decoded));
        } catch (IllegalArgumentException e) {
            throw new ProfileFormatException("property '" + name() + "': " + e.getMessage());
        }
    }

    private final class ScalarPending extends Pending {
        private final T next;

        ScalarPending(T next) {
            super(ObservableScalar.this);
            this.next = next;
        }

        @Override
        Object newValue() {
            return next;
        }

        @Override
        boolean changes() {
            return !same(value, next);
        }

        @Override
        Runnable commit(boolean record) {
            if (!changes()) {
                return null;
            }
            if (record) {
                recordedAsValue();
            }
            return assign(next, record);
        }
    }
}
