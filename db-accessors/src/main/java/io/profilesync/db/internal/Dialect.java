package io.profilesync.db.internal;

import io.profilesync.db.DatabaseConfig;
import io.profilesync.db.UnsupportedDatabaseException;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Collectors;

/** What differs between the supported databases: types, the upsert, backups, connection settings. Immutable. */
public enum Dialect {
    H2("jdbc:h2:", "JSON", "TIMESTAMP WITH TIME ZONE", "BACKUP TO ", ".zip") {
        @Override
        String json(String param) {
            return ":" + param + " FORMAT JSON";
        }

        @Override
        String guardedUpsert() {
            // H2's MERGE ... KEY cannot take a condition; the standard MERGE can.
            return "MERGE INTO profiles t USING (VALUES (CAST(:userId AS VARCHAR(255)))) s(user_id)"
                    + " ON t.user_id = s.user_id"
                    + " WHEN MATCHED AND t.version = :expected THEN UPDATE SET data = " + json("json")
                    + ", version = :version, saved_at = :savedAt"
                    + " WHEN NOT MATCHED THEN INSERT (user_id, data, version, saved_at)"
                    + " VALUES (:userId, " + json("json") + ", :version, :savedAt)";
        }

        @Override
        String plainUpsert() {
            return "MERGE INTO profiles (user_id, data, version, saved_at) KEY (user_id)"
                    + " VALUES (:userId, " + json("json") + ", :version, :savedAt)";
        }

        @Override
        String lockSuffix() {
            return " FOR UPDATE";
        }

        @Override
        String effectiveUrl(DatabaseConfig config) {
            String url = config.jdbcUrl();
            if (!url.toUpperCase(Locale.ROOT).contains(";WRITE_DELAY=")) {
                // WRITE_DELAY is stored in the database file: always say which one we want.
                url += config.durable() ? ";WRITE_DELAY=0" : ";WRITE_DELAY=500";
            }
            return url;
        }

        @Override
        Optional<Path> databaseFile(String jdbcUrl) {
            String location = location(jdbcUrl, ';');
            if (location.isEmpty() || location.matches("^(mem|tcp|ssl|zip):.*")) {
                return Optional.empty();
            }
            if (location.startsWith("~")) {
                location = System.getProperty("user.home") + location.substring(1);
            }
            return Optional.of(Path.of(location + ".mv.db"));
        }
    },

    SQLITE("jdbc:sqlite:", "TEXT", "TEXT", "VACUUM INTO ", ".sqlite") {
        @Override
        Properties connectionProperties(DatabaseConfig config) {
            Properties p = new Properties();
            p.setProperty("journal_mode", "WAL");
            p.setProperty("synchronous", config.durable() ? "FULL" : "NORMAL");
            p.setProperty("busy_timeout", "10000");
            // Writers take the write lock when their transaction begins: the version check and the write of a batch
            // cannot be interleaved with another writer's.
            p.setProperty("transaction_mode", "IMMEDIATE");
            return p;
        }

        @Override
        Object savedAtParam(Instant savedAt) {
            return savedAt.toString();
        }

        @Override
        Instant readSavedAt(ResultSet rs, String column) throws SQLException {
            return Instant.parse(rs.getString(column));
        }

        @Override
        Optional<Path> databaseFile(String jdbcUrl) {
            String location = location(jdbcUrl, '?');
            return location.isEmpty() || location.startsWith(":memory:") || location.startsWith(":resource:")
                    ? Optional.empty() : Optional.of(Path.of(location));
        }
    },

    POSTGRESQL("jdbc:postgresql:", "JSONB", "TIMESTAMP WITH TIME ZONE", null, "") {
        @Override
        String json(String param) {
            return "CAST(:" + param + " AS JSONB)";
        }

        @Override
        String lockSuffix() {
            return " FOR UPDATE";
        }

        @Override
        String migrationLock() {
            return "SELECT pg_advisory_xact_lock(7023151003)";
        }
    };

    private final String prefix;
    private final String jsonType;
    private final String timestampType;
    private final String backupCommand;
    private final String backupExtension;

    Dialect(String prefix, String jsonType, String timestampType, String backupCommand, String backupExtension) {
        this.prefix = prefix;
        this.jsonType = jsonType;
        this.timestampType = timestampType;
        this.backupCommand = backupCommand;
        this.backupExtension = backupExtension;
    }

    /** The dialect of {@code jdbcUrl}, chosen by its prefix. */
    public static Dialect forUrl(String jdbcUrl) {
        for (Dialect d : values()) {
            if (jdbcUrl.regionMatches(true, 0, d.prefix, 0, d.prefix.length())) {
                return d;
            }
        }
        throw new UnsupportedDatabaseException("unsupported JDBC URL '" + jdbcUrl + "': profilesync supports URLs "
                + "starting with " + Arrays.stream(values()).map(Dialect::prefix).collect(Collectors.joining(", "))
                + " (for example jdbc:h2:./data/profiles, jdbc:sqlite:profiles.db or "
                + "jdbc:postgresql://localhost:5432/profiles). Any other store: implement IProfilesDatabaseAccessor.");
    }

    public String prefix() {
        return prefix;
    }

    /** The column type of the profile's JSON. */
    String jsonType() {
        return jsonType;
    }

    String timestampType() {
        return timestampType;
    }

    /** The file extension of a backup file. */
    String backupExtension() {
        return backupExtension;
    }

    /** The SQL expression that binds the named parameter {@code param} as JSON. */
    String json(String param) {
        return ":" + param;
    }

    /**
     * The upsert of one row that writes only if the stored row is absent or at {@code :expected}: binds
     * {@code userId, json, version, savedAt, expected}; its update count is 0 when the stored version differs.
     */
    String guardedUpsert() {
        return plainUpsert() + " WHERE profiles.version = :expected";
    }

    /** The dialect's plain upsert (binds {@code userId, json, version, savedAt}): overwrites whatever is stored. */
    String plainUpsert() {
        // SQLite and PostgreSQL share the syntax (and EXCLUDED is case-insensitive in both).
        return "INSERT INTO profiles (user_id, data, version, saved_at)"
                + " VALUES (:userId, " + json("json") + ", :version, :savedAt)"
                + " ON CONFLICT (user_id) DO UPDATE SET data = excluded.data, version = excluded.version,"
                + " saved_at = excluded.saved_at";
    }

    /** Appended to the version check's SELECT to lock the rows until the transaction ends, where the database can. */
    String lockSuffix() {
        return "";
    }

    /** A statement run first in the migration transaction to keep two processes from migrating at once, or null. */
    String migrationLock() {
        return null;
    }

    /** The URL handed to the driver: the configured one with the durability setting where it goes in the URL. */
    String effectiveUrl(DatabaseConfig config) {
        return config.jdbcUrl();
    }

    /** The driver properties (SQLite's pragmas). */
    Properties connectionProperties(DatabaseConfig config) {
        return new Properties();
    }

    /** How to bind a saved-at time, truncated to milliseconds by the caller. */
    Object savedAtParam(Instant savedAt) {
        return OffsetDateTime.ofInstant(savedAt, ZoneOffset.UTC);
    }

    Instant readSavedAt(ResultSet rs, String column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }

    /** The statement that writes a backup of the whole database to {@code target}; empty: none. */
    Optional<String> backupStatement(Path target) {
        return Optional.ofNullable(backupCommand).map(command -> command + quote(target));
    }

    /** The database file the URL names, if it names one. */
    Optional<Path> databaseFile(String jdbcUrl) {
        return Optional.empty();
    }

    /** What follows the prefix of {@code jdbcUrl} up to {@code end} (where the options begin), without "file:". */
    String location(String jdbcUrl, char end) {
        String rest = jdbcUrl.substring(prefix.length());
        int options = rest.indexOf(end);
        rest = options >= 0 ? rest.substring(0, options) : rest;
        return rest.startsWith("file:") ? rest.substring("file:".length()) : rest;
    }

    /** The default folder of backups: {@code backups} beside the database file, if the URL names a file. */
    public Optional<Path> defaultBackupDirectory(String jdbcUrl) {
        return databaseFile(jdbcUrl).map(file -> file.toAbsolutePath().resolveSibling("backups"));
    }

    private static String quote(Path path) {
        return "'" + path.toAbsolutePath().toString().replace("'", "''") + "'";
    }
}
