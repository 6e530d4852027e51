package io.profilesync.db;

import io.profilesync.core.ProfilesException;

/**
 * The database failed or refused something: it cannot be reached, a statement failed, the schema is newer than this
 * profilesync, or the accessor is closed. The message says what was being done and, where there is one, the fix; the
 * cause carries the driver's own exception. Threading: like any exception, safe to hand to another thread once
 * thrown.
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
