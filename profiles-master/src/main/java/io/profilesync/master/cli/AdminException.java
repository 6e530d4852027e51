package io.profilesync.master.cli;

import io.profilesync.core.ProfilesException;

/**
 * The running master's admin API did not answer, or answered with a failure; the message says which and what to do.
 * The command line prints it and exits with {@link ExitCodes#FAILURE}.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public final class AdminException extends ProfilesException {
    private static final long serialVersionUID = 1L;

    public AdminException(String message) {
        super(message);
    }

    public AdminException(String message, Throwable cause) {
        super(message, cause);
    }
}
