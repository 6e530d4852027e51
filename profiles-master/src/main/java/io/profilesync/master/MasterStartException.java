package io.profilesync.master;

import io.profilesync.core.ProfilesException;

/**
 * The master could not start: the address is taken, or a resource it needs cannot be opened. The message names the address or resource and the fix.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public class MasterStartException extends ProfilesException {
    private static final long serialVersionUID = 1L;

    public MasterStartException(String message) {
        super(message);
    }

    public MasterStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
