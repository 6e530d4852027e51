package io.profilesync.core;

import io.profilesync.core.internal.ByteReader;
import io.profilesync.core.internal.ByteWriter;

/**
 * A numeric property (int, long, float, double) whose {@code add} and {@code subtract} travel as operations: the
 * delta says "add n" rather than the writer's new value, and the master applies it, in its order, to its own current
 * value, so concurrent increments from any number of writers all count. The writer's copy shows its optimistic result
 * at once and converges to the master's.
 *
 * <p>A bounded increment ({@code add(amount, max)}, {@code subtract(amount, min)}) carries its bound with it: the
 * master refuses it when the result at the master would leave the bound, even when the writer's stale copy thought it
 * fitted. Several increments between two deltas travel as one, their bounds composed exactly (the sum keeps every
 * bound each increment had to keep). A {@code set} between them turns the whole into a value: the last value set plus
 * what was added after it. Format in {@code docs/wire-format.md} (Delta, Increments).
 *
 * <p>Threading: as {@link ObservableProperty}.
 *
 * @param <T> the boxed number type
 */
public abstract class ObservableNumber<T extends Number> extends ObservableScalar<T> {
    /**
     * The amount added since the last clear, when everything recorded since then is increments (null otherwise: the
     * record, if any, is the value); with the bounds the result must keep (null: none).
     */
    private T increment;
    private T lowerBound;
    private T upperBound;

    ObservableNumber(String name, T initialValue) {
        super(name, initialValue);
    }

    /** {@code a + b}, or null when the sum leaves the type's range (int and long; floating point never does). */
    abstract T sum(T a, T b);

    /** {@code -a}, or null when it leaves the type's range. */
    abstract T negated(T a);

    /** Whether {@code value} is below {@code bound}; for floating point, NaN is below (and above) every bound. */
    abstract boolean below(T value, T bound);

    /** Whether {@code value} is above {@code bound}; for floating point, NaN is above (and below) every bound. */
    abstract boolean above(T value, T bound);

    abstract T zero();

    /**
     * Adds {@code amount} as an operation when the result stays within {@code lower} and {@code upper} (either may be
     * null: unbounded) and within the type: the local copy changes at once, and the increment is recorded to travel
     * with its bounds.
     *
     * @return whether it applied (false: nothing changed, nothing recorded)
     */
    final boolean addWithin(T amount, T lower, T upper) {
        T result = sum(get(), amount);
        if (!fits(result, lower, upper)) {
            return false;
        }
        if (same(get(), result)) {
            return true; // adds nothing here (0, or too small for a float to hold): nothing to send
        }
        record(amount, lower, upper);
        assign(result, true).run();
        return true;
    }

    /** Whether {@code result} (null: beyond the type) is within {@code lower} and {@code upper} (null: unbounded). */
    private boolean fits(T result, T lower, T upper) {
        return result != null && (lower == null || !below(result, lower)) && (upper == null || !above(result, upper));
    }

    /** As {@link #addWithin} for {@code -amount}. */
    final boolean subtractWithin(T amount, T lower, T upper) {
        T negated = negated(amount);
        if (negated == null) {
            // -MIN_VALUE is beyond the type: refused, even from a negative value where the difference would fit.
            return false;
        }
        return addWithin(negated, lower, upper);
    }

    /** Records one more increment, composing it with those recorded before; a value recorded before stays a value. */
    private void record(T amount, T lower, T upper) {
        if (!isDirty()) {
            increment = amount;
            lowerBound = lower;
            upperBound = upper;
            return;
        }
        if (increment == null) {
            return; // a value is recorded: it becomes the new value
        }
        // Increments a then b with bounds [la, ua] and [lb, ub]: v+a in [la, ua] and v+a+b in [lb, ub] is exactly
        // v+a+b in [max(la+b, lb), min(ua+b, ub)].
        T total = sum(increment, amount);
        if (total == null) {
            increment = null; // beyond the type: sent as the value instead
            return;
        }
        boolean negative = below(amount, zero());
        T shiftedLower = null;
        T shiftedUpper = null;
        if (lowerBound != null) {
            shiftedLower = sum(lowerBound, amount);
            // Shifted below the type's least value, it no longer bounds anything; shifted above its greatest, it
            // could never be kept (rare: such a sum is sent as the value).
            if (shiftedLower == null && !negative) {
                increment = null;
                return;
            }
        }
        if (upperBound != null) {
            shiftedUpper = sum(upperBound, amount);
            if (shiftedUpper == null && negative) {
                increment = null;
                return;
            }
        }
        increment = total;
        lowerBound = tighter(shiftedLower, lower, true);
        upperBound = tighter(shiftedUpper, upper, false);
    }

    private T tighter(T a, T b, boolean lower) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return lower ? (below(a, b) ? b : a) : (above(a, b) ? b : a);
    }

    @Override
    final void recordedAsValue() {
        increment = null;
        lowerBound = null;
        upperBound = null;
    }

    @Override
    final void clearUpdate() {
        super.clearUpdate();
        recordedAsValue();
    }

    @Override
    final int updateKind() {
        if (!isDirty() || increment == null) {
            return VALUE_UPDATE;
        }
        return lowerBound == null && upperBound == null ? INCREMENT_UPDATE : BOUNDED_INCREMENT_UPDATE;
    }

    /**
     * The amount recorded to add since the last {@link ObservableProfile#clearUpdates()}, when everything recorded
     * since then is increments, so the next delta carries "add this" rather than the value; otherwise (nothing
     * recorded, or a {@code set}) null. A copy laying its unsent changes over a newer state from elsewhere adds this
     * to that state instead of keeping its own value.
     */
    public final T recordedIncrement() {
        return isDirty() ? increment : null;
    }

    @Override
    final void writeUpdate(ByteWriter out) {
        int kind = updateKind();
        if (kind == VALUE_UPDATE) {
            super.writeUpdate(out);
            return;
        }
        write(increment, out);
        if (kind == BOUNDED_INCREMENT_UPDATE) {
            out.writeByte((lowerBound != null ? 1 : 0) | (upperBound != null ? 2 : 0));
            if (lowerBound != null) {
                write(lowerBound, out);
            }
            if (upperBound != null) {
                write(upperBound, out);
            }
        }
    }

    @Override
    final Pending decodeUpdate(ByteReader in, int kind, int start) {
        if (kind == VALUE_UPDATE) {
            return decodeUpdate(in);
        }
        if (kind != INCREMENT_UPDATE && kind != BOUNDED_INCREMENT_UPDATE) {
            throw new ProfileFormatException("at offset " + start + ": update kind " + kind + " of '" + name()
                    + "' is undefined; a number's update is 0 (value), 1 (increment) or 2 (bounded increment)");
        }
        T amount = read(in);
        T lower = null;
        T upper = null;
        if (kind == BOUNDED_INCREMENT_UPDATE) {
            int boundsAt = in.position();
            int bounds = in.readByte("bounds of the increment of '" + name() + "'");
            if (bounds == 0 || bounds > 3) {
                throw new ProfileFormatException("at offset " + boundsAt + ": bounds byte " + bounds + " of the "
                        + "increment of '" + name() + "' must be 1 (lower), 2 (upper) or 3 (both)");
            }
            lower = (bounds & 1) != 0 ? read(in) : null;
            upper = (bounds & 2) != 0 ? read(in) : null;
        }
        return new IncrementPending(amount, lower, upper);
    }

    /**
     * An increment decoded from a delta, added to the value the property holds while the delta is applied (a delta
     * changes each property at most once, so that value stays put until this commits); the result is computed once.
     */
    private final class IncrementPending extends Pending {
        private final T amount;
        private final T lower;
        private final T upper;
        private final T before;
        /** {@code before + amount}, or null when that is beyond the type. */
        private final T result;

        IncrementPending(T amount, T lower, T upper) {
            super(ObservableNumber.this);
            this.amount = amount;
            this.lower = lower;
            this.upper = upper;
            this.before = get();
            this.result = sum(before, amount);
        }

        @Override
        Object newValue() {
            return result == null ? before : result;
        }

        @Override
        ChangeKind kind() {
            return ChangeKind.INCREMENT;
        }

        @Override
        String cannotApply() {
            if (fits(result, lower, upper)) {
                return null;
            }
            String sum = "'" + name() + "' " + before + " + " + amount;
            if (result == null) {
                return sum + " is beyond the range of " + typeDescriptor();
            }
            if (lower != null && below(result, lower)) {
                return sum + " = " + result + " is below " + lower + ", the least its writer allowed";
            }
            return sum + " = " + result + " is above " + upper + ", the most its writer allowed";
        }

        @Override
        boolean changes() {
            return result != null && !same(before, result);
        }

        @Override
        Runnable commit(boolean record) {
            if (!changes()) {
                return null;
            }
            if (record) {
                record(amount, lower, upper); // recorded as it came: an increment, bounds and all
            }
            return assign(result, record);
        }
    }
}
