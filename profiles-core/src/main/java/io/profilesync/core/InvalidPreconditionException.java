package io.profilesync.core;

/**
 * A {@link Precondition} that cannot be evaluated on the profile it was given for: it names a property the profile
 * does not have, or compares one of another kind (a string with {@code atLeast}). The message names both and what
 * would fit.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public class InvalidPreconditionException extends ProfilesException {
    private static final long serialVersionUID = 1L;

    public InvalidPreconditionException(String message) {
        super(message);
    }
}
