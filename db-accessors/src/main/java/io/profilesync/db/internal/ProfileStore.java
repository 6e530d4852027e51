package io.profilesync.db.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import io.profilesync.core.AppliedBatches;
import io.profilesync.core.StaleProfileException;
import io.profilesync.db.BackupNotSupportedException;
import io.profilesync.db.DatabaseConfig;
import io.profilesync.db.DatabaseException;
import io.profilesync.db.StoredProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleConsumer;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * The {@code profiles} table behind a connection pool: versioned rows of (user id, JSON, version, saved at), written
 * in batches with the version check of {@link io.profilesync.core.IProfilesDatabaseAccessor}. Knows nothing of
 * profiles, only of JSON text. Thread-safe: every method takes a pooled connection of its own.
 */
public final class ProfileStore implements AutoCloseable {
    /** How many user ids one version check names at most. */
    private static final int IDS_PER_QUERY = 500;
    /** How many rows of an import go into one batch. */
    private static final int IMPORT_BATCH = 1000;

    private final Dialect dialect;
    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final RowMapper<StoredProfile> rowMapper;

    private ProfileStore(Dialect dialect, HikariDataSource dataSource) {
        this.dialect = dialect;
        this.dataSource = dataSource;
        this.jdbi = Jdbi.create(dataSource);
        this.rowMapper = (rs, ctx) -> new StoredProfile(rs.getString("user_id"), rs.getString("data"),
                rs.getLong("version"), dialect.readSavedAt(rs, "saved_at"), rs.getString("schema_fingerprint"),
                AppliedBatches.fromJson(rs.getString("applied_batches")));
    }

    /** Connects to the database of {@code config} and brings its schema up to date. */
    public static ProfileStore open(DatabaseConfig config) {
        Dialect dialect = Dialect.forUrl(config.jdbcUrl());
        Optional<Path> parent = dialect.databaseFile(config.jdbcUrl()).map(f -> f.toAbsolutePath().getParent());
        if (parent.isPresent()) {
            try {
                Files.createDirectories(parent.get()); // SQLite does not create it; nothing to set up
            } catch (IOException e) {
                throw new DatabaseException("cannot create the folder " + parent.get() + " of the profile database "
                        + config.jdbcUrl() + ": " + e + ". Create it, or point the URL at a writable folder.", e);
            }
        }
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("profilesync-db");
        hc.setJdbcUrl(dialect.effectiveUrl(config));
        if (!config.user().isEmpty()) {
            hc.setUsername(config.user());
            hc.setPassword(config.password());
        }
        hc.setMaximumPoolSize(config.poolSize());
        hc.setMinimumIdle(1);
        hc.setDataSourceProperties(dialect.connectionProperties(config));
        HikariDataSource dataSource;
        try {
            dataSource = new HikariDataSource(hc);
        } catch (HikariPool.PoolInitializationException | IllegalArgumentException | IllegalStateException e) {
            throw new DatabaseException("cannot connect to " + config.jdbcUrl()
                    + (config.user().isEmpty() ? "" : " as user '" + config.user() + "'") + ": " + rootMessage(e)
                    + ". Check the URL, that the database server runs and accepts this user and password, and "
                    + "that the folder of a database file exists and is writable.", e);
        }
        ProfileStore store = new ProfileStore(dialect, dataSource);
        try {
            store.call("migrating the schema", () -> {
                Migrations.migrate(store.jdbi, dialect);
                return null;
            });
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        return store;
    }

    public Dialect dialect() {
        return dialect;
    }

    /** The Jdbi of this store, for tools and tests that need plain SQL. */
    public Jdbi jdbi() {
        return jdbi;
    }

    /** The stored row of {@code userId}, if there is one. */
    public Optional<StoredProfile> find(String userId) {
        return call("reading the profile of user '" + userId + "'", () -> jdbi.withHandle(h -> h
                .createQuery("SELECT " + Dialect.COLUMNS + " FROM profiles WHERE user_id = :userId")
                .bind("userId", userId)
                .map(rowMapper)
                .findOne()));
    }

    /**
     * Writes every row in one transaction, each only if its stored version is still the one expected; returns the
     * new versions, in the order of {@code rows}. An empty list does nothing.
     *
     * @throws StaleProfileException when any row's stored version differs (nothing is written)
     * @throws IllegalArgumentException when a user id occurs twice
     */
    public long[] save(List<RowWrite> rows) {
        long[] versions = new long[rows.size()];
        if (rows.isEmpty()) {
            return versions;
        }
        // Locks are taken in user id order, so two batches that share users cannot deadlock.
        List<RowWrite> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparing(RowWrite::userId));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).userId().equals(sorted.get(i - 1).userId())) {
                throw new IllegalArgumentException("the batch holds the profile of user '" + sorted.get(i).userId()
                        + "' twice; save each profile once per batch");
            }
        }
        Object savedAt = dialect.savedAtParam(Instant.now().truncatedTo(ChronoUnit.MILLIS));
        try {
            saveSorted(sorted, savedAt);
        } catch (DatabaseException e) {
            if (!isConcurrencyFailure(e)) {
                throw e;
            }
            // A concurrent transaction wrote one of our rows and committed first (H2: our insert collided with its
            // insert, or its update with ours): stale if a version moved, else the failure as it was.
            throw staleAfterRace(sorted, e);
        }
        for (int i = 0; i < versions.length; i++) {
            versions[i] = rows.get(i).expectedVersion() + 1;
        }
        return versions;
    }

    private void saveSorted(List<RowWrite> sorted, Object savedAt) {
        call("saving " + sorted.size() + " profile(s)", () -> jdbi.inTransaction(h -> {
            dialect.writeGuarded(h, sorted, savedAt); // throws StaleProfileException: the transaction rolls back
            return null;
        }));
    }

    /** A key violation (23xxx), a serialization failure or deadlock (40xxx), or H2's concurrent update (90131). */
    private static boolean isConcurrencyFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                if (state.startsWith("23") || state.startsWith("40") || state.equals("90131")) {
                    return true;
                }
            }
        }
        return false;
    }

    private RuntimeException staleAfterRace(List<RowWrite> sorted, DatabaseException failure) {
        List<String> ids = new ArrayList<>(sorted.size());
        for (RowWrite r : sorted) {
            ids.add(r.userId());
        }
        Map<String, Long> stored = call("reading versions", () -> jdbi.withHandle(h -> {
            Map<String, Long> all = new HashMap<>();
            for (int from = 0; from < ids.size(); from += IDS_PER_QUERY) {
                all.putAll(storedVersions(h, ids.subList(from, Math.min(ids.size(), from + IDS_PER_QUERY))));
            }
            return all;
        }));
        for (RowWrite r : sorted) {
            Long actual = stored.get(r.userId());
            if (actual == null ? r.expectedVersion() != 0 : actual != r.expectedVersion()) {
                return new StaleProfileException(r.userId(), r.expectedVersion(), actual == null ? -1 : actual);
            }
        }
        return failure;
    }

    private static Map<String, Long> storedVersions(Handle h, List<String> ids) {
        Map<String, Long> versions = new HashMap<>();
        h.createQuery("SELECT user_id, version FROM profiles WHERE user_id IN (<ids>)")
                .bindList("ids", ids)
                .map((rs, ctx) -> versions.put(rs.getString("user_id"), rs.getLong("version")))
                .forEach(ignored -> { });
        return versions;
    }

    /** Hands every stored row to {@code consumer}, in user id order, streaming (not all in memory at once). */
    public void forEach(Consumer<? super StoredProfile> consumer) {
        HandleConsumer<RuntimeException> export = h -> h
                .createQuery("SELECT " + Dialect.COLUMNS + " FROM profiles ORDER BY user_id")
                .setFetchSize(IMPORT_BATCH)
                .map(rowMapper)
                .forEach(consumer);
        call("exporting profiles", () -> {
            if (dialect == Dialect.POSTGRESQL) {
                jdbi.useTransaction(export); // PostgreSQL streams with a cursor only inside a transaction
            } else {
                jdbi.useHandle(export);
            }
            return null;
        });
    }

    /** Writes the rows as they are, replacing stored rows of the same users, in one transaction. */
    public void importRows(Collection<StoredProfile> rows) {
        call("importing " + rows.size() + " profile(s)", () -> jdbi.inTransaction(h -> {
            insert(h, rows);
            return null;
        }));
    }

    /** Deletes every stored row and writes {@code rows} instead, in one transaction: a restore. */
    public void replaceAll(Collection<StoredProfile> rows) {
        call("restoring " + rows.size() + " profile(s)", () -> jdbi.inTransaction(h -> {
            h.execute("DELETE FROM profiles");
            insert(h, rows);
            return null;
        }));
    }

    private void insert(Handle h, Collection<StoredProfile> rows) {
        PreparedBatch batch = h.prepareBatch(dialect.plainUpsert());
        for (StoredProfile p : rows) {
            batch.bind("userId", p.userId())
                    .bind("json", p.json())
                    .bind("version", p.version())
                    .bind("savedAt", dialect.savedAtParam(p.savedAt().truncatedTo(ChronoUnit.MILLIS)))
                    .bind("schema", p.schemaFingerprint())
                    .bind("applied", p.appliedBatches().isEmpty() ? null : p.appliedBatches().toJson())
                    .add();
            if (batch.size() == IMPORT_BATCH) {
                batch.execute();
            }
        }
        if (batch.size() > 0) {
            batch.execute();
        }
    }

    /** Records {@code schemaJson} under {@code fingerprint} unless a schema is recorded under it already. */
    public void recordSchema(String fingerprint, String schemaJson) {
        call("recording schema " + fingerprint, () -> jdbi.inTransaction(h -> {
            boolean known = h.createQuery("SELECT COUNT(*) FROM profilesync_schemas WHERE fingerprint = :fingerprint")
                    .bind("fingerprint", fingerprint).mapTo(Integer.class).one() > 0;
            if (!known) {
                h.createUpdate("INSERT INTO profilesync_schemas (fingerprint, schema_json, recorded_at)"
                                + " VALUES (:fingerprint, :json, :recordedAt)")
                        .bind("fingerprint", fingerprint)
                        .bind("json", schemaJson)
                        .bind("recordedAt", dialect.savedAtParam(Instant.now().truncatedTo(ChronoUnit.MILLIS)))
                        .execute();
            }
            return null;
        }));
    }

    /** The schema recorded under {@code fingerprint}, if any. */
    public Optional<String> storedSchema(String fingerprint) {
        return call("reading schema " + fingerprint, () -> jdbi.withHandle(h -> h
                .createQuery("SELECT schema_json FROM profilesync_schemas WHERE fingerprint = :fingerprint")
                .bind("fingerprint", fingerprint).mapTo(String.class).findOne()));
    }

    /** How many rows each schema fingerprint wrote; rows written before fingerprints were stored under null. */
    public Map<String, Long> rowsBySchema() {
        return call("counting profiles by schema", () -> jdbi.withHandle(h -> {
            Map<String, Long> counts = new java.util.LinkedHashMap<>();
            h.createQuery("SELECT schema_fingerprint, COUNT(*) AS n FROM profiles GROUP BY schema_fingerprint"
                            + " ORDER BY schema_fingerprint")
                    .map((rs, ctx) -> counts.put(rs.getString("schema_fingerprint"), rs.getLong("n")))
                    .forEach(ignored -> { });
            return counts;
        }));
    }

    /** How many profiles are stored. */
    /** Inserts a row into the schema-version table and rolls it back; see JdbiProfilesAccessor.checkWritable. */
    public void checkWritable() {
        try {
            jdbi.useTransaction(h -> {
                h.createUpdate("INSERT INTO profilesync_schema_version (version, description, applied_at)"
                                + " VALUES (:version, :description, :appliedAt)")
                        .bind("version", -1)
                        .bind("description", "write probe, rolled back")
                        .bind("appliedAt", dialect.savedAtParam(Instant.now().truncatedTo(ChronoUnit.MILLIS)))
                        .execute();
                h.rollback();
            });
        } catch (RuntimeException e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            // One line: H2 appends the statement on the next lines.
            String cause = String.valueOf(root.getMessage()).lines().findFirst().orElse("")
                    .replaceFirst(";? *SQL statement:$", "");
            throw new DatabaseException("the profile database does not accept writes (" + cause + "): "
                    + "make it writable (file permissions, read-only mode, disk space, the user's rights) or point "
                    + "database.url at one that is", e);
        }
    }

    public long count() {
        return call("counting profiles", () -> jdbi.withHandle(h -> h
                .createQuery("SELECT COUNT(*) FROM profiles").mapTo(Long.class).one()));
    }

    /** Writes a copy of the whole database to {@code target}, which must not exist yet. */
    public void backupTo(Path target) {
        String sql = dialect.backupStatement(target).orElseThrow(() -> noBuiltInBackup(dialect));
        call("backing up to " + target, () -> jdbi.withHandle(h -> h.execute(sql)));
    }

    /** The error of a backup asked of a database that has no backup statement (PostgreSQL). */
    public static BackupNotSupportedException noBuiltInBackup(Dialect dialect) {
        return new BackupNotSupportedException("profilesync cannot back up " + dialect + " by itself: use pg_dump, "
                + "for example 'pg_dump --format=custom --file=profiles.dump --table=profiles "
                + "--table=profilesync_schema_version DATABASE', and pg_restore to restore "
                + "(docs/databases.md, section Backups).");
    }

    /** Runs {@code action}, turning Jdbi's exceptions into a {@link DatabaseException} that says what was done. */
    private <T> T call(String what, Supplier<T> action) {
        try {
            return action.get();
        } catch (JdbiException e) {
            throw new DatabaseException(what + " failed on " + dialect + ": " + rootMessage(e), e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    /** Closes the connection pool. */
    @Override
    public void close() {
        dataSource.close();
    }
}
