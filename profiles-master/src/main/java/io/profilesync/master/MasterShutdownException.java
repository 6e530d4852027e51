package io.profilesync.master;

import io.profilesync.core.ProfilesException;

/**
 * The master's profile thread did not answer, or the calling thread was interrupted, while the master was shutting down. Profiles that were not saved are named in the log.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public class MasterShutdownException extends ProfilesException {
    private static final long serialVersionUID = 1L;

    public MasterShutdownException(String message) {
        super(message);
    }

    public MasterShutdownException(String message, Throwable cause) {
        super(message, cause);
    }
}
