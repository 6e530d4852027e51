package io.profilesync.master.cli;

import io.profilesync.core.ProfilesException;

/**
 * A mistake on the command line that the user can fix: a file that does not exist or cannot be written, a user id
 * outside the rule, a value the command cannot use. The message names the offending value and the fix; the command
 * line prints it on one line, without a stack trace, and exits with {@link ExitCodes#CONFIGURATION}.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public final class UsageException extends ProfilesException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }

    public UsageException(String message, Throwable cause) {
        super(message, cause);
    }
}
