package io.profilesync.protocol;

import io.profilesync.core.ProfilesException;

/**
 * A profile could not be had: the master could not load it (after its retries), the request timed out, or the
 * connection was closed before the answer came. The message says which, for which user.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public class ProfileUnavailableException extends ProfilesException {
    private static final long serialVersionUID = 1L;

    public ProfileUnavailableException(String message) {
        super(message);
    }

    public ProfileUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
