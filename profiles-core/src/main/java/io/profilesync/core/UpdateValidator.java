package io.profilesync.core;

/**
 * Checks each property change of a decoded delta before anything is applied (permissions, schema constraints).
 * Called on the thread applying the delta.
 */
@FunctionalInterface
public interface UpdateValidator {
    /**
     * @param property the property the delta changes
     * @param newValue what it would hold afterwards: the value for scalars; for a list or dictionary the resulting
     *     {@code List} or {@code Map}, which must not be modified
     * @throws UpdateRejectedException to refuse the whole delta
     */
    void validate(ObservableProperty<?> property, Object newValue);
}
