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
     * @param newValue what it would hold afterwards: the value for scalars (for an increment, the current value plus
     *     the amount); for a list or dictionary the resulting {@code List} or {@code Map}, which must not be modified
     * @return whether to apply this change; one left out is neither applied nor recorded
     */
    boolean accept(ObservableProperty<?> property, Object newValue);

    /**
     * As {@link #accept(ObservableProperty, Object)}, knowing whether the change replaces the value or adds to it;
     * this is what {@link ObservableProfile#applyUpdates(byte[], ApplyOptions)} calls. By default the kind is
     * ignored.
     */
    default boolean accept(ObservableProperty<?> property, Object newValue, ChangeKind kind) {
        return accept(property, newValue);
    }

    /**
     * Told of a change that cannot apply at all and is left out without being asked about: an increment whose result
     * would leave the type's range or the bounds its writer set ({@code subtract(price, 0)} when the value here is
     * below the price). By default nothing is done.
     *
     * @param reason what was wrong, naming the property, the value and the bound
     */
    default void cannotApply(ObservableProperty<?> property, String reason) {
    }
}
