package io.profilesync.master.cli;

import io.profilesync.core.ProfilesException;

/**
 * A file given to {@code profile import} cannot be imported: a line that is not a profile, a profile that does not fit the schema, or profiles that exist already. Nothing was imported; the message names the line and the fix.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public class ImportException extends ProfilesException {
    private static final long serialVersionUID = 1L;

    public ImportException(String message) {
        super(message);
    }

    public ImportException(String message, Throwable cause) {
        super(message, cause);
    }
}
