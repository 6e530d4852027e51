package io.profilesync.core;

/**
 * A property looked up by a name the profile does not hold, or with a type it does not have.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public class PropertyNotFoundException extends ProfilesException {
    private static final long serialVersionUID = 1L;

    public PropertyNotFoundException(String message) {
        super(message);
    }
}
