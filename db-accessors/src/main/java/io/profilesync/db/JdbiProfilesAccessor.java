package io.profilesync.db;

import io.profilesync.core.IProfilesDatabaseAccessor;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.db.internal.BackupScheduler;
import io.profilesync.db.internal.DaemonThreadFactory;
import io.profilesync.db.internal.Dialect;
import io.profilesync.db.internal.ProfileStore;
import io.profilesync.db.internal.RowWrite;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link IProfilesDatabaseAccessor} of H2, SQLite and PostgreSQL, through Jdbi and a HikariCP pool. The JDBC URL
 * chooses the database ({@code jdbc:h2:}, {@code jdbc:sqlite:}, {@code jdbc:postgresql:}). On first use it creates
 * the table {@code profiles} by numbered migrations: one row per user with the profile as JSON text, stored character
 * for character so every value round-trips exactly (H2 {@code CHARACTER VARYING}, SQLite and PostgreSQL
 * {@code TEXT}), a version that grows by one on every save, and when it was saved.
 * Operators can read and mend rows with plain SQL; {@code docs/databases.md} has the details.
 *
 * <p>Saves check versions as {@link IProfilesDatabaseAccessor} says: a batch is one transaction, written with the
 * database's upsert, and fails as a whole with {@link io.profilesync.core.StaleProfileException} when any row was
 * saved meanwhile by someone else.
 *
 * <p>Backups (H2 and SQLite): every {@link DatabaseConfig#backupInterval()} and on {@link #backupNow()}, keeping the
 * newest {@link DatabaseConfig#backupsToKeep()} files. PostgreSQL: use {@code pg_dump}.
 *
 * <p>Threading: thread-safe. The asynchronous methods run on the accessor's own daemon threads and complete their
 * futures there: restores on {@code profilesync-db-N} ({@link DatabaseConfig#poolSize()} of them), saves on the one
 * thread {@code profilesync-db-writer}, one batch at a time in the order they were submitted (the database writes
 * one transaction at a time anyway, and SQLite's page cache stays warm on one connection). The
 * other public methods ({@link #count()}, {@link #forEachStored}, {@link #importStored}, {@link #backupNow()}) block
 * the calling thread; they are meant for tools such as the master's command line.
 */
public final class JdbiProfilesAccessor implements IProfilesDatabaseAccessor {
    private static final Logger LOG = LoggerFactory.getLogger(JdbiProfilesAccessor.class);

    private final DatabaseConfig config;
    private final ProfileStore store;
    private final ExecutorService readers;
    private final ExecutorService writer;
    private final BackupScheduler backups;

    private JdbiProfilesAccessor(DatabaseConfig config, ProfileStore store, BackupScheduler backups) {
        this.config = config;
        this.store = store;
        this.backups = backups;
        this.readers = Executors.newFixedThreadPool(config.poolSize(), new DaemonThreadFactory("profilesync-db"));
        this.writer = Executors.newSingleThreadExecutor(new DaemonThreadFactory("profilesync-db-writer"));
    }

    /**
     * Connects to the database of {@code config}, creates or migrates its table, and starts the periodic backups.
     *
     * @throws UnsupportedDatabaseException when the URL names no supported database
     * @throws DatabaseException when the database cannot be reached or its schema is newer than this code
     */
    public static JdbiProfilesAccessor create(DatabaseConfig config) {
        Objects.requireNonNull(config, "config");
        ProfileStore store = ProfileStore.open(config);
        Optional<Path> backupDirectory = config.backupDirectory()
                .or(() -> store.dialect().defaultBackupDirectory(config.jdbcUrl()));
        BackupScheduler backups = null;
        if (store.dialect() == Dialect.POSTGRESQL) {
            LOG.debug("PostgreSQL profile database: no periodic backups by profilesync; back it up with pg_dump");
        } else if (backupDirectory.isEmpty()) {
            LOG.info("the profile database {} has no file: no periodic backups unless a backupDirectory is set",
                    config.jdbcUrl());
        } else {
            backups = new BackupScheduler(store, backupDirectory.get(), config.backupsToKeep(),
                    config.backupInterval());
        }
        return new JdbiProfilesAccessor(config, store, backups);
    }

    /** {@link #create(DatabaseConfig)} with every setting but the URL at its default. */
    public static JdbiProfilesAccessor create(String jdbcUrl) {
        return create(DatabaseConfig.of(jdbcUrl));
    }

    /** {@link #create(DatabaseConfig)} with a user and password, every other setting at its default. */
    public static JdbiProfilesAccessor create(String jdbcUrl, String user, String password) {
        return create(DatabaseConfig.builder(jdbcUrl).user(user).password(password).build());
    }

    public DatabaseConfig config() {
        return config;
    }

    @Override
    public CompletableFuture<Boolean> restoreProfileAsync(ObservableServerProfile profile) {
        Objects.requireNonNull(profile, "profile");
        return async(readers, () -> {
            Optional<StoredProfile> row = store.find(profile.userId());
            if (row.isEmpty()) {
                profile.setStoredVersion(0);
                return false;
            }
            row.get().applyTo(profile);
            return true;
        });
    }

    @Override
    public CompletableFuture<Void> updateProfilesAsync(Collection<? extends ObservableServerProfile> profiles) {
        Objects.requireNonNull(profiles, "profiles");
        List<ObservableServerProfile> batch = new ArrayList<>(profiles);
        for (ObservableServerProfile p : batch) {
            Objects.requireNonNull(p, "profiles holds null");
        }
        return async(writer, () -> { // even an empty batch: the future completes on our thread, as promised
            if (batch.isEmpty()) {
                return null;
            }
            List<RowWrite> rows = new ArrayList<>(batch.size());
            for (ObservableServerProfile p : batch) {
                rows.add(new RowWrite(p.userId(), p.toJson(), p.storedVersion(), p.schemaFingerprint(),
                        p.appliedBatches().isEmpty() ? null : p.appliedBatches().toJson()));
            }
            long[] versions = store.save(rows);
            for (int i = 0; i < versions.length; i++) {
                batch.get(i).setStoredVersion(versions[i]);
            }
            return null;
        });
    }

    /** The Jdbi behind the pool: for this package's tests. */
    org.jdbi.v3.core.Jdbi jdbi() {
        return store.jdbi();
    }

    /**
     * Records a schema (its canonical JSON) under its fingerprint in the table {@code profilesync_schemas}, unless
     * one is recorded under it already: the master does at start, so that a later master can tell what the rows
     * written with it hold. Blocks the caller.
     */
    public void recordSchema(String fingerprint, String schemaJson) {
        store.recordSchema(Objects.requireNonNull(fingerprint, "fingerprint"),
                Objects.requireNonNull(schemaJson, "schemaJson"));
    }

    /** The schema JSON recorded under {@code fingerprint}, if any. Blocks the caller. */
    public Optional<String> storedSchema(String fingerprint) {
        return store.storedSchema(Objects.requireNonNull(fingerprint, "fingerprint"));
    }

    /**
     * How many stored rows were written with each schema fingerprint, by fingerprint; rows written before profilesync
     * stored fingerprints (or from profiles made without a schema) count under the key null. Blocks the caller.
     */
    public java.util.Map<String, Long> rowsBySchema() {
        return store.rowsBySchema();
    }

    /** The stored row of {@code userId} as it is (JSON, version, schema fingerprint, record). Blocks the caller. */
    public Optional<StoredProfile> findStored(String userId) {
        return store.find(Objects.requireNonNull(userId, "userId"));
    }

    /** How many profiles are stored. Blocks the caller. */
    public long count() {
        return store.count();
    }

    /**
     * Hands every stored row to {@code consumer}, in user id order, without loading them all at once: for exports.
     * Blocks the caller; {@code consumer} runs on the calling thread.
     */
    public void forEachStored(Consumer<? super StoredProfile> consumer) {
        Objects.requireNonNull(consumer, "consumer");
        store.forEach(consumer);
    }

    /**
     * Writes rows as they are (JSON, version and saved-at time), replacing the stored rows of the same users, all in
     * one transaction: for imports and repairs. Versions are not checked: the imported ones win, so run it while no
     * master uses the database. The JSON is not checked against any schema; a restore reports what does not fit.
     * Blocks the caller.
     */
    public void importStored(Collection<StoredProfile> rows) {
        Objects.requireNonNull(rows, "rows");
        store.importRows(rows);
    }

    /**
     * Deletes every stored profile and writes {@code rows} instead, as they are, in one transaction: a restore (see
     * {@link BackupContents}). Runs on the save thread, after every save submitted before it, so no save already on
     * its way can land on top of the restored rows; the caller must submit no save meanwhile (the master's admin
     * restore drops every profile from memory first). Versions are not checked.
     */
    public CompletableFuture<Void> replaceAllAsync(Collection<StoredProfile> rows) {
        List<StoredProfile> copy = List.copyOf(Objects.requireNonNull(rows, "rows"));
        return async(writer, () -> {
            store.replaceAll(copy);
            return null;
        });
    }

    /**
     * Backs the database up now into the backup folder, deletes all but the newest
     * {@link DatabaseConfig#backupsToKeep()} backups, and returns the new file (H2: a zip, SQLite: a database file).
     * Blocks the caller while the backup is written.
     *
     * @throws BackupNotSupportedException for PostgreSQL (use pg_dump), or for a database with no file and no
     *     {@link DatabaseConfig#backupDirectory()}
     */
    public Path backupNow() {
        if (backups == null) {
            if (store.dialect() == Dialect.POSTGRESQL) {
                throw ProfileStore.noBuiltInBackup(store.dialect());
            }
            throw new BackupNotSupportedException("the profile database " + config.jdbcUrl() + " has no file to put "
                    + "backups beside: set DatabaseConfig.builder(url).backupDirectory(folder)");
        }
        return backups.backupNow();
    }

    /**
     * Proves that the database accepts writes now: inserts a row into {@code profilesync_schema_version} inside a
     * transaction and rolls it back, so nothing is left behind. A read-only database or file, a full disk, missing
     * permissions or a lost connection fail it. The master's start and its {@code /health} use it, so a master that
     * could not save never reports ready. Blocks the caller.
     *
     * @throws DatabaseException saying that the database refused the write, and why
     */
    public void checkWritable() {
        store.checkWritable();
    }

    private <T> CompletableFuture<T> async(ExecutorService executor, Supplier<T> task) {
        try {
            return CompletableFuture.supplyAsync(task, executor);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new DatabaseException("the profile accessor of "
                    + config.jdbcUrl() + " is closed: create a new one", e));
        }
    }

    /**
     * Stops the periodic backups (waiting for a running one), lets the saves and restores already submitted finish
     * (at most one minute), then closes the connection pool. Calls after close fail with a {@link DatabaseException}.
     */
    @Override
    public void close() {
        if (backups != null) {
            backups.close();
        }
        readers.shutdown();
        writer.shutdown();
        try {
            if (!writer.awaitTermination(1, TimeUnit.MINUTES) || !readers.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("profile saves or restores still running after a minute; closing the database under them");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        store.close();
    }
}
