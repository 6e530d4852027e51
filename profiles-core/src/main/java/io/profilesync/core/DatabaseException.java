package io.profilesync.core;

/**
 * A call to the database failed or did not answer in time: reading, writing or renaming what holds the profiles. The message names the user or file and the cause; the data in the database is as it was before the call.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public class DatabaseException extends ProfilesException {
    private static final long serialVersionUID = 1L;

    public DatabaseException(String message) {
        super(message);
    }

    public DatabaseException(String message, Throwable cause) {
        super(message, cause);
    }
}
