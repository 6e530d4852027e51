package io.profilesync.core;

/**
 * Which properties of a profile take part in an encoding. A view's properties are numbered by their rank among the
 * included ones, so a profile built from a schema without the excluded properties (a client's view, which lacks the
 * properties hidden from clients) reads the bytes of the full profile encoded through the view, and the other way
 * round. Implementations must be pure functions of the property.
 *
 * <p>Implementations must be thread-safe, as the master shares one view between its threads.
 */
@FunctionalInterface
public interface PropertyView {
    /** Every property. */
    PropertyView ALL = property -> true;

    boolean includes(ObservableProperty<?> property);
}
