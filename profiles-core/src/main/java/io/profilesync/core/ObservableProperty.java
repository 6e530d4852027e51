package io.profilesync.core;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.profilesync.core.internal.ByteReader;
import io.profilesync.core.internal.ByteWriter;
import java.io.IOException;
import java.util.List;
import java.util.Objects;

/**
 * One named value of a profile that records its own changes. Setting a value equal to the current one changes
 * nothing: no dirty flag, no event. A change made through the property's own methods marks it dirty, so the profile
 * puts it in its next delta ({@link ObservableProfile#getUpdates()}); a change applied from elsewhere
 * ({@link ObservableProfile#applyUpdates(byte[])}) fires the listeners but is not recorded, so it is never sent back.
 *
 * <p>Threading: not thread-safe. A property is used by the thread that uses its profile; its listeners run
 * synchronously on the thread that made or applied the change.
 *
 * @param <T> the type of the value as {@link #value()} returns it
 */
public abstract class ObservableProperty<T> {
    private final String name;
    ObservableProfile profile;

    protected ObservableProperty(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("property name must not be blank: '" + name + "'");
        }
        this.name = name;
    }

    /** The property's name, unique within its profile. */
    public final String name() {
        return name;
    }

    /** The current value; collections return an unmodifiable snapshot. */
    public abstract T value();

    /** Whether the property has changed locally since the last {@link ObservableProfile#clearUpdates()}. */
    public abstract boolean isDirty();

    /**
     * A stable description of the type, such as {@code int}, {@code vector3/0.01} or {@code dict<string,int>}: part
     * of the profile's fingerprint, so two profiles exchange bytes only when their layouts agree.
     */
    public abstract String typeDescriptor();

    /** A new property of the same name, type and current value, with no listeners and nothing dirty. */
    public abstract ObservableProperty<T> copy();

    /** The profile this property belongs to, or {@code null}. */
    public final ObservableProfile profile() {
        return profile;
    }

    // ---- codec hooks, used by ObservableProfile (package-private by design) ----

    abstract void writeValue(ByteWriter out);

    /** Decodes a whole value without touching this property. */
    abstract Pending decodeValue(ByteReader in);

    abstract void writeUpdate(ByteWriter out);

    /**
     * The kind of update {@link #writeUpdate} writes, carried in the low two bits of the property's index in a delta:
     * {@link #VALUE_UPDATE} for every property but a number that recorded only increments.
     */
    int updateKind() {
        return VALUE_UPDATE;
    }

    /** The update is the new value (a scalar) or the operations (a collection). */
    static final int VALUE_UPDATE = 0;
    /** The update is an amount to add to the current value. */
    static final int INCREMENT_UPDATE = 1;
    /** The update is an amount to add, and the bounds the result must keep. */
    static final int BOUNDED_INCREMENT_UPDATE = 2;

    /** Decodes an update of this property without touching it: validates fully first (all or nothing). */
    abstract Pending decodeUpdate(ByteReader in);

    /** Decodes an update of the {@link #updateKind() kind} the delta names; only numbers have more than one kind. */
    Pending decodeUpdate(ByteReader in, int kind, int start) {
        if (kind != VALUE_UPDATE) {
            throw new ProfileFormatException("at offset " + start + ": update kind " + kind + " ("
                    + (kind == 3 ? "undefined" : "an increment") + ") is not defined for property '" + name + "' ("
                    + typeDescriptor() + "); only int, long, float and double properties take increments");
        }
        return decodeUpdate(in);
    }

    /** As {@link #decodeUpdate(ByteReader, int, int)}; a list's operations are moved by {@code rebaser} when given. */
    Pending decodeUpdate(ByteReader in, int kind, int start, ListRebaser rebaser) {
        return decodeUpdate(in, kind, start);
    }

    abstract void clearUpdate();

    /**
     * Makes on this property, as local changes, the changes {@code source} recorded since its last clear, without
     * encoding or decoding them; this property must hold what {@code source} held before them.
     *
     * @return the events to fire once every property of the profile is done, or null when nothing changed
     */
    abstract Runnable adoptRecorded(ObservableProperty<?> source);

    abstract void writeJson(JsonGenerator json) throws IOException;

    abstract Pending decodeJson(JsonNode node);

    final void notifyProfile() {
        if (profile != null) {
            profile.firePropertyChanged(this);
        }
    }

    @Override
    public String toString() {
        return name + "=" + value();
    }

    /**
     * A decoded change of one property, not yet applied. {@link #newValue()} is what the property will hold, for
     * validators; {@link #commit(boolean)} applies it and returns the events to fire afterwards.
     */
    abstract static class Pending {
        final ObservableProperty<?> property;

        Pending(ObservableProperty<?> property) {
            this.property = property;
        }

        abstract Object newValue();

        /** Whether it replaces the value or adds to it. */
        ChangeKind kind() {
            return ChangeKind.VALUE;
        }

        /**
         * Why it cannot apply to the property's current value at all (an increment that overflows the type or leaves
         * the bounds its writer set), or null; one that cannot is left out.
         */
        String cannotApply() {
            return null;
        }

        /**
         * Whether, applied with neither a validator nor a filter (a replica taking the master's delta, which always
         * fits), one that {@link #cannotApply() cannot apply} means the delta is wrong: a list operation beyond the
         * list. An increment that cannot apply is left out silently there instead.
         */
        boolean malformedUnlessChecked() {
            return false;
        }

        /**
         * Why each of its operations that cannot apply was left out alone while the others apply (a list operation
         * on an element another writer removed meanwhile); empty when none was.
         */
        List<String> droppedAlone() {
            return List.of();
        }

        /** Whether applying it would change anything. */
        abstract boolean changes();

        /** Applies the change; when {@code record} it is recorded for the next delta as a local change would be. */
        abstract Runnable commit(boolean record);
    }

    static ProfileFormatException jsonError(String name, String expected, JsonNode found) {
        String shown = found.toString();
        if (shown.length() > 80) {
            shown = shown.substring(0, 77) + "...";
        }
        return new ProfileFormatException("property '" + name + "': expected " + expected + " but found "
                + found.getNodeType() + " " + shown);
    }
}
