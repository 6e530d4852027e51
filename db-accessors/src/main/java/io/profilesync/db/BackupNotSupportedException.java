package io.profilesync.db;

/**
 * {@link JdbiProfilesAccessor#backupNow()} on a database that profilesync cannot back up by itself (PostgreSQL), or
 * with no backup directory configured. The message says what to use instead. Threading: as {@link DatabaseException}.
 */
public class BackupNotSupportedException extends DatabaseException {
    private static final long serialVersionUID = 1L;

    public BackupNotSupportedException(String message) {
        super(message);
    }
}
