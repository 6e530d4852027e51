package io.profilesync.db.internal;

import io.profilesync.core.StaleProfileException;
import io.profilesync.db.DatabaseConfig;
import io.profilesync.db.UnsupportedDatabaseException;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * What differs between the supported databases: types, the upsert, backups, connection settings. Immutable.
 *
 * <p>Immutable and thread-safe.
 */
public enum Dialect {
    H2("jdbc:h2:", "JSON", "CHARACTER VARYING", "TIMESTAMP WITH TIME ZONE", "BACKUP TO ", ".zip") {
        @Override
        String guardedUpsert() {
            // H2's MERGE ... KEY cannot take a condition; the standard MERGE can.
            return "MERGE INTO profiles t USING (VALUES (CAST(:userId AS VARCHAR(255)))) s(user_id)"
                    + " ON t.user_id = s.user_id"
                    + " WHEN MATCHED AND t.version = :expected THEN UPDATE SET data = :json, version = :version,"
                    + " saved_at = :savedAt, schema_fingerprint = :schema, applied_batches = :applied"
                    + " WHEN NOT MATCHED AND :expected = 0 THEN INSERT (" + COLUMNS + ") VALUES (" + PARAMS + ")";
        }

        @Override
        String plainUpsert() {
            return "MERGE INTO profiles (" + COLUMNS + ") KEY (user_id) VALUES (" + PARAMS + ")";
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

    SQLITE("jdbc:sqlite:", "TEXT", "TEXT", "TEXT", "VACUUM INTO ", ".sqlite") {
        /**
         * The upsert with VALUES, a quarter faster here than the INSERT ... SELECT ... WHERE EXISTS form, which it
         * needs no more: writers are serialized (BEGIN IMMEDIATE), so the rows a batch inserts are exactly those whose
         * rowid is above the largest before it, and an insert where a row was expected is found among them.
         */
        @Override
        void writeGuarded(Handle h, List<RowWrite> sorted, Object savedAt) {
            long before = h.createQuery("SELECT COALESCE(MAX(rowid), 0) FROM profiles").mapTo(Long.class).one();
            if (before > Long.MAX_VALUE / 2) {
                super.writeGuarded(h, sorted, savedAt); // SQLite may pick random rowids from here on
                return;
            }
            writeBatch(h, plainUpsert() + " WHERE profiles.version = :expected", sorted, savedAt);
            Map<String, RowWrite> byId = new HashMap<>();
            for (RowWrite r : sorted) {
                byId.put(r.userId(), r);
            }
            for (String inserted : h.createQuery("SELECT user_id FROM profiles WHERE rowid > :before ORDER BY user_id")
                    .bind("before", before).mapTo(String.class).list()) {
                RowWrite r = byId.get(inserted);
                if (r != null && r.expectedVersion() != 0) {
                    throw new StaleProfileException(r.userId(), r.expectedVersion(), -1); // the row was gone
                }
            }
        }

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

    POSTGRESQL("jdbc:postgresql:", "JSONB", "TEXT", "TIMESTAMP WITH TIME ZONE", null, "") {
        @Override
        String migrationLock() {
            return "SELECT pg_advisory_xact_lock(7023151003)";
        }

        /**
         * One statement for the whole batch (arrays unnested) instead of one per row: a single round trip. Rows go in
         * user id order, so concurrent batches lock in one order. RETURNING names the rows written.
         */
        @Override
        void writeGuarded(Handle h, List<RowWrite> sorted, Object savedAt) {
            List<String> ids = new ArrayList<>(sorted.size());
            List<String> docs = new ArrayList<>(sorted.size());
            List<Long> expected = new ArrayList<>(sorted.size());
            List<String> schemas = new ArrayList<>(sorted.size());
            List<String> applied = new ArrayList<>(sorted.size());
            for (RowWrite r : sorted) {
                ids.add(r.userId());
                docs.add(r.json());
                expected.add(r.expectedVersion());
                schemas.add(r.schemaFingerprint());
                applied.add(r.appliedBatches());
            }
            Set<String> written = new HashSet<>(h.createQuery("INSERT INTO profiles (" + COLUMNS + ")"
                            + " SELECT t.user_id, t.data, t.expected + 1, :savedAt, t.schema_fp, t.applied_json"
                            + " FROM unnest(:ids, :docs, :expected, :schemas, :applied)"
                            + " AS t(user_id, data, expected, schema_fp, applied_json)"
                            + " WHERE t.expected = 0 OR EXISTS (SELECT 1 FROM profiles p WHERE p.user_id = t.user_id)"
                            + " ORDER BY t.user_id" + ON_CONFLICT_UPDATE
                            + " WHERE profiles.version = excluded.version - 1 RETURNING user_id")
                    .bindArray("ids", String.class, ids)
                    .bindArray("docs", String.class, docs)
                    .bindArray("expected", Long.class, expected)
                    .bindArray("schemas", String.class, schemas)
                    .bindArray("applied", String.class, applied)
                    .bind("savedAt", savedAt)
                    .mapTo(String.class)
                    .list());
            for (RowWrite r : sorted) {
                if (!written.contains(r.userId())) {
                    throw stale(h, r);
                }
            }
        }
    };

    /** The columns every write sets, and the parameters that {@link #writeBatch} binds for them, in that order. */
    static final String COLUMNS = "user_id, data, version, saved_at, schema_fingerprint, applied_batches";
    private static final String PARAMS = ":userId, :json, :version, :savedAt, :schema, :applied";

    /** SQLite's and PostgreSQL's upsert clause (EXCLUDED is case-insensitive in both). */
    private static final String ON_CONFLICT_UPDATE = " ON CONFLICT (user_id) DO UPDATE SET data = excluded.data,"
            + " version = excluded.version, saved_at = excluded.saved_at,"
            + " schema_fingerprint = excluded.schema_fingerprint, applied_batches = excluded.applied_batches";

    private final String prefix;
    private final String jsonType;
    private final String textType;
    private final String timestampType;
    private final String backupCommand;
    private final String backupExtension;

    Dialect(String prefix, String jsonType, String textType, String timestampType, String backupCommand,
            String backupExtension) {
        this.prefix = prefix;
        this.jsonType = jsonType;
        this.textType = textType;
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

    /**
     * The JSON column type of migration 1 (H2 {@code JSON}, PostgreSQL {@code JSONB}): kept for that migration only,
     * since migration 2 turned the column into text ({@link #textType()}).
     */
    String jsonType() {
        return jsonType;
    }

    /**
     * The column type of text of any length stored character for character: the profile's JSON since migration 2.
     * H2's {@code JSON} rewrote numbers ({@code -0.0} became {@code 0.0}) and PostgreSQL's {@code JSONB} stores
     * {@code numeric} (losing {@code -0.0}) and refuses the escape {@code \u0000}.
     */
    String textType() {
        return textType;
    }

    String timestampType() {
        return timestampType;
    }

    /** The file extension of a backup file. */
    String backupExtension() {
        return backupExtension;
    }

    /**
     * The upsert of one row that writes only if the stored row is at {@code :expected}, or absent when
     * {@code :expected} is 0: binds {@code userId, json, version, savedAt, schema, applied, expected}; its update count is 0 when the
     * stored row is not the one expected, and nothing is written then.
     */
    String guardedUpsert() {
        // SQLite and PostgreSQL: a row is proposed only when it may be inserted (expected 0) or exists (then the
        // conflict turns it into the guarded update). SQLite needs the WHERE of the SELECT before ON CONFLICT.
        return "INSERT INTO profiles (" + COLUMNS + ")"
                + " SELECT " + PARAMS
                + " WHERE :expected = 0 OR EXISTS (SELECT 1 FROM profiles WHERE user_id = :userId)"
                + ON_CONFLICT_UPDATE + " WHERE profiles.version = :expected";
    }

    /**
     * The dialect's plain upsert (binds {@code userId, json, version, savedAt, schema, applied}): overwrites whatever
     * is stored.
     */
    String plainUpsert() {
        return "INSERT INTO profiles (" + COLUMNS + ") VALUES (" + PARAMS + ")" + ON_CONFLICT_UPDATE;
    }

    /**
     * Writes {@code sorted} (in user id order, no id twice) with the guarded upsert, inside the caller's transaction.
     *
     * @throws StaleProfileException for the first row whose stored version was not the one expected (the caller's
     *     transaction then rolls back, so nothing is written)
     */
    void writeGuarded(Handle h, List<RowWrite> sorted, Object savedAt) {
        writeBatch(h, guardedUpsert(), sorted, savedAt);
    }

    /** Runs {@code sql} once per row in one JDBC batch; a row it did not write is stale. */
    static void writeBatch(Handle h, String sql, List<RowWrite> sorted, Object savedAt) {
        PreparedBatch batch = h.prepareBatch(sql);
        for (RowWrite r : sorted) {
            batch.bind("userId", r.userId())
                    .bind("json", r.json())
                    .bind("version", r.expectedVersion() + 1)
                    .bind("savedAt", savedAt)
                    .bind("schema", r.schemaFingerprint())
                    .bind("applied", r.appliedBatches())
                    .bind("expected", r.expectedVersion())
                    .add();
        }
        int[] counts = batch.execute();
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] == 0) {
                throw stale(h, sorted.get(i));
            }
        }
    }

    /** The stale error of a row the guarded upsert refused, with the version stored now (-1: none). */
    static StaleProfileException stale(Handle h, RowWrite r) {
        long actual = h.createQuery("SELECT version FROM profiles WHERE user_id = :userId")
                .bind("userId", r.userId()).mapTo(Long.class).findOne().orElse(-1L);
        return new StaleProfileException(r.userId(), r.expectedVersion(), actual);
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
