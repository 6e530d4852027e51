package io.profilesync.db;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach the profile database and how to treat it. Built with {@link #builder(String)}; every setting but the
 * URL has a default, listed on its builder method and in {@code docs/databases.md}.
 *
 * <p>The JDBC URL chooses the database: {@code jdbc:h2:} (embedded H2, the default of the master),
 * {@code jdbc:sqlite:} (one file) or {@code jdbc:postgresql:}.
 *
 * <p>Threading: immutable, thread-safe. The builder is not thread-safe.
 */
public final class DatabaseConfig {
    /** The default interval of periodic backups. */
    public static final Duration DEFAULT_BACKUP_INTERVAL = Duration.ofMinutes(30);
    /** The default number of backup files kept. */
    public static final int DEFAULT_BACKUPS_TO_KEEP = 10;
    /** The default size of the connection pool, which is also the number of threads of the accessor's executor. */
    public static final int DEFAULT_POOL_SIZE = 4;

    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final int poolSize;
    private final boolean durable;
    private final Path backupDirectory;
    private final Duration backupInterval;
    private final int backupsToKeep;

    private DatabaseConfig(Builder b) {
        this.jdbcUrl = b.jdbcUrl;
        this.user = b.user;
        this.password = b.password;
        this.poolSize = b.poolSize;
        this.durable = b.durable;
        this.backupDirectory = b.backupDirectory;
        this.backupInterval = b.backupInterval;
        this.backupsToKeep = b.backupsToKeep;
    }

    /** A builder for the database at {@code jdbcUrl}, every other setting at its default. */
    public static Builder builder(String jdbcUrl) {
        return new Builder(jdbcUrl);
    }

    /** The database at {@code jdbcUrl} with every other setting at its default. */
    public static DatabaseConfig of(String jdbcUrl) {
        return builder(jdbcUrl).build();
    }

    /** A builder holding this configuration's settings. */
    public Builder toBuilder() {
        Builder b = new Builder(jdbcUrl).user(user).password(password).poolSize(poolSize).durable(durable)
                .backupInterval(backupInterval).backupsToKeep(backupsToKeep);
        b.backupDirectory = backupDirectory;
        return b;
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    /** The database user; empty: none given (H2 and SQLite need none). */
    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    public int poolSize() {
        return poolSize;
    }

    /** Whether a completed save must survive a crash of the process (see {@link Builder#durable(boolean)}). */
    public boolean durable() {
        return durable;
    }

    /** Where backups go; empty: beside the database file ({@code backups/}), or none for a database with no file. */
    public Optional<Path> backupDirectory() {
        return Optional.ofNullable(backupDirectory);
    }

    /** The interval of periodic backups; {@link Duration#ZERO}: no periodic backups. */
    public Duration backupInterval() {
        return backupInterval;
    }

    public int backupsToKeep() {
        return backupsToKeep;
    }

    @Override
    public String toString() {
        return "DatabaseConfig[url=" + jdbcUrl + ", user=" + user + ", poolSize=" + poolSize + ", durable=" + durable
                + ", backupDirectory=" + backupDirectory + ", backupInterval=" + backupInterval + ", backupsToKeep="
                + backupsToKeep + "]";
    }

    /** Builds a {@link DatabaseConfig}. Not thread-safe. */
    public static final class Builder {
        private final String jdbcUrl;
        private String user = "";
        private String password = "";
        private int poolSize = DEFAULT_POOL_SIZE;
        private boolean durable = true;
        private Path backupDirectory;
        private Duration backupInterval = DEFAULT_BACKUP_INTERVAL;
        private int backupsToKeep = DEFAULT_BACKUPS_TO_KEEP;

        private Builder(String jdbcUrl) {
            Objects.requireNonNull(jdbcUrl, "jdbcUrl");
            if (jdbcUrl.isBlank()) {
                throw new IllegalArgumentException(
                        "jdbcUrl must not be blank; use for example jdbc:h2:./data/profiles");
            }
            this.jdbcUrl = jdbcUrl.trim();
        }

        /** The database user. Default: none (H2 and SQLite need none; PostgreSQL does). */
        public Builder user(String user) {
            this.user = Objects.requireNonNull(user, "user");
            return this;
        }

        /** The database password. Default: empty. */
        public Builder password(String password) {
            this.password = Objects.requireNonNull(password, "password");
            return this;
        }

        /**
         * The most connections the pool (HikariCP) opens, and the number of threads that run the accessor's
         * asynchronous methods. Default: {@value DatabaseConfig#DEFAULT_POOL_SIZE}.
         */
        public Builder poolSize(int poolSize) {
            if (poolSize < 1) {
                throw new IllegalArgumentException("poolSize must be at least 1: " + poolSize);
            }
            this.poolSize = poolSize;
            return this;
        }

        /**
         * Whether a save is on disk when its future completes. Default: {@code true}. SQLite: {@code true} sets
         * {@code synchronous=FULL} (fsync on every commit; {@code false}: {@code NORMAL}, a power loss may lose the
         * last commits). H2: {@code true} adds {@code WRITE_DELAY=0} to the URL unless it sets WRITE_DELAY itself, so
         * every commit is written to the file before the save completes ({@code false}: {@code WRITE_DELAY=500}, H2's
         * default, a crash loses the commits of that last half second). H2 does not fsync each commit even so: a
         * power loss can still lose the last commits. PostgreSQL: ignored, the server decides.
         */
        public Builder durable(boolean durable) {
            this.durable = durable;
            return this;
        }

        /** Where backup files go. Default: a folder {@code backups} beside the database file. */
        public Builder backupDirectory(Path backupDirectory) {
            this.backupDirectory = Objects.requireNonNull(backupDirectory, "backupDirectory");
            return this;
        }

        /** How often to back up (H2 and SQLite). Default: 30 minutes. {@link Duration#ZERO}: never by itself. */
        public Builder backupInterval(Duration backupInterval) {
            Objects.requireNonNull(backupInterval, "backupInterval");
            if (backupInterval.isNegative()) {
                throw new IllegalArgumentException("backupInterval must not be negative: " + backupInterval);
            }
            this.backupInterval = backupInterval;
            return this;
        }

        /** How many backup files to keep; older ones are deleted after each backup. Default: 10. */
        public Builder backupsToKeep(int backupsToKeep) {
            if (backupsToKeep < 1) {
                throw new IllegalArgumentException("backupsToKeep must be at least 1: " + backupsToKeep);
            }
            this.backupsToKeep = backupsToKeep;
            return this;
        }

        public DatabaseConfig build() {
            return new DatabaseConfig(this);
        }
    }
}
