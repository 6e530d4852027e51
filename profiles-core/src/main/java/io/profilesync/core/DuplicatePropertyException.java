package io.profilesync.core;

/**
 * A second property with a name the profile already holds. Property names are unique within a profile.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public class DuplicatePropertyException extends ProfilesException {
    private static final long serialVersionUID = 1L;

    public DuplicatePropertyException(String message) {
        super(message);
    }
}
