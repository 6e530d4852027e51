package io.profilesync.db;

/**
 * A JDBC URL that names no database profilesync supports. The message names the URL and the supported prefixes.
 * Threading: as {@link DatabaseException}.
 */
public class UnsupportedDatabaseException extends DatabaseException {
    private static final long serialVersionUID = 1L;

    public UnsupportedDatabaseException(String message) {
        super(message);
    }
}
