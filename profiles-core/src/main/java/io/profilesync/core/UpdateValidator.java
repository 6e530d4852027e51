package io.profilesync.core;

/**
 * Checks each property change of a decoded delta before anything is applied (permissions, schema constraints).
 * Called on the thread applying the delta.
 */
@FunctionalInterface
public interface UpdateValidator {
    /**
     * @param property the property the delta changes, still holding its old value
     * @param newValue what it would hold afterwards: the value for scalars (for an increment, the current value plus
     *     the amount); for a list or dictionary the resulting {@code List} or {@code Map}, which must not be modified
     * @throws UpdateRejectedException to refuse the whole delta
     */
    void validate(ObservableProperty<?> property, Object newValue);

    /**
     * As {@link #validate(ObservableProperty, Object)}, knowing whether the change replaces the value or adds to it;
     * this is what {@link ObservableProfile#applyUpdates(byte[], ApplyOptions)} calls. By default the kind is
     * ignored.
     *
     * @throws UpdateRejectedException to refuse the whole delta
     */
    default void validate(ObservableProperty<?> property, Object newValue, ChangeKind kind) {
        validate(property, newValue);
    }
}
