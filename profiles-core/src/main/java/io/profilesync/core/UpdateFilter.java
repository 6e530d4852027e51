package io.profilesync.core;

/**
 * Decides which changes of a decoded delta are applied, once its {@link UpdateValidator} let the whole delta through:
 * the master's game-logic validators refuse one change this way and let the others of the same delta apply. Called
 * on the thread applying the delta, for each change that would change something, in the delta's order, before any of
 * them is applied (so the property still holds its old value).
 */
@FunctionalInterface
public interface UpdateFilter {
    /**
     * @param property the property the delta changes, still holding its old value
     * @param newValue what it would hold afterwards: the value for scalars; for a list or dictionary the resulting
     *     {@code List} or {@code Map}, which must not be modified
     * @return whether to apply this change; one left out is neither applied nor recorded
     */
    boolean accept(ObservableProperty<?> property, Object newValue);
}
