package io.profilesync.master.cli;

import io.profilesync.db.DatabaseException;
import io.profilesync.db.JdbiProfilesAccessor;
import java.util.Locale;

/** Opens the configured database for the commands, with messages that say what to do. */
final class Databases {
    private Databases() {
    }

    /** @throws DatabaseException naming the URL and, for a locked H2 file, the running master that holds it */
    static JdbiProfilesAccessor open(Settings settings) {
        try {
            return JdbiProfilesAccessor.create(settings.databaseConfig());
        } catch (DatabaseException e) {
            if (causes(e).contains("already in use") || causes(e).contains("locked")) {
                throw new DatabaseException("the database " + safeUrl(settings.databaseUrl()) + " is in use by "
                        + "another process (a running master?): stop it first, or use a database server "
                        + "(PostgreSQL) that several processes can share", e);
            }
            throw e;
        }
    }

    /** The URL with any password parameter hidden, for logs and messages. */
    static String safeUrl(String url) {
        return url.replaceAll("(?i)(password=)[^;&]*", "$1***");
    }

    private static String causes(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            text.append(t.getMessage()).append(' ');
        }
        return text.toString().toLowerCase(Locale.ROOT);
    }
}
