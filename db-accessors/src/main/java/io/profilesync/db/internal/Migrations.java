package io.profilesync.db.internal;

import io.profilesync.core.UserIds;
import io.profilesync.db.DatabaseException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Brings the schema to the newest version this code knows, one numbered migration at a time; each applied migration
 * is a row of {@code profilesync_schema_version}. To change the schema, append a migration: never edit one that has
 * shipped. Stateless, thread-safe.
 */
public final class Migrations {

    /**
     * @param refuseIf when not null, a query counting the rows the migration cannot keep; more than none stops the
     *     migration with {@code refusal} (the count prepended), before any of its statements run
     */
    private record Migration(int version, String description, Function<Dialect, List<String>> statements,
            String refuseIf, String refusal) {
        Migration(int version, String description, Function<Dialect, List<String>> statements) {
            this(version, description, statements, null, null);
        }
    }

    private static final List<Migration> MIGRATIONS = List.of(
            new Migration(1, "create table profiles", d -> List.of(
                    "CREATE TABLE profiles ("
                            + "user_id VARCHAR(255) NOT NULL PRIMARY KEY, "
                            + "data " + d.jsonType() + " NOT NULL, "
                            + "version BIGINT NOT NULL, "
                            + "saved_at " + d.timestampType() + " NOT NULL)")),
            // H2's JSON type rewrote the text and normalized numbers (-0.0 became 0.0); PostgreSQL's JSONB stores
            // numeric (losing -0.0) and refuses \u0000. Text keeps toJson()'s output character for character; an
            // operator who wants to query the JSON casts it (CAST(data AS JSON) in H2, data::jsonb in PostgreSQL).
            new Migration(2, "profile data as text, exactly as written", d -> switch (d) {
                case H2 -> List.of("ALTER TABLE profiles ALTER COLUMN data SET DATA TYPE " + d.textType());
                case POSTGRESQL -> List.of("ALTER TABLE profiles ALTER COLUMN data TYPE " + d.textType()
                        + " USING data::text");
                case SQLITE -> List.of(); // TEXT from the start
            }),
            // The exactly-once record (issue 9) lives in the row, so it is written in the same transaction as the
            // data; the fingerprint of the schema each row was written with, and the schemas themselves, let a
            // master find out what a new schema would drop or retype before it starts (docs/schema.md).
            new Migration(3, "applied batches, schema fingerprints and the schemas table", d -> List.of(
                    "ALTER TABLE profiles ADD COLUMN applied_batches " + d.textType(),
                    "ALTER TABLE profiles ADD COLUMN schema_fingerprint VARCHAR(64)",
                    "CREATE TABLE profilesync_schemas ("
                            + "fingerprint VARCHAR(64) NOT NULL PRIMARY KEY, "
                            + "schema_json " + d.textType() + " NOT NULL, "
                            + "recorded_at " + d.timestampType() + " NOT NULL)")),
            // One user-id limit everywhere (UserIds.MAX_LENGTH): the column holds what the id rule allows and no
            // more. Tokens, game servers and imports refused longer ids before this, so none can be stored; a row
            // written by a profilesync older than the limit stops the migration with what to do, never truncated.
            // SQLite does not enforce a VARCHAR length and cannot change a column's type: nothing to do there.
            new Migration(4, "user_id sized to the user-id limit of " + UserIds.MAX_LENGTH, d -> switch (d) {
                case H2 -> List.of("ALTER TABLE profiles ALTER COLUMN user_id SET DATA TYPE VARCHAR("
                        + UserIds.MAX_LENGTH + ")");
                case POSTGRESQL -> List.of("ALTER TABLE profiles ALTER COLUMN user_id TYPE VARCHAR("
                        + UserIds.MAX_LENGTH + ")");
                case SQLITE -> List.of();
            }, "SELECT COUNT(*) FROM profiles WHERE LENGTH(user_id) > " + UserIds.MAX_LENGTH,
                    " stored profile(s) have a user id longer than " + UserIds.MAX_LENGTH + " characters, the "
                    + "limit of user ids (docs/configuration.md#user-ids); no token or game server can reach them. "
                    + "Rename or delete them (SELECT user_id FROM profiles WHERE LENGTH(user_id) > "
                    + UserIds.MAX_LENGTH + "), then start again"));

    /** The schema version this code writes. */
    public static final int LATEST = MIGRATIONS.get(MIGRATIONS.size() - 1).version();

    private Migrations() {
    }

    /** Applies the missing migrations in one transaction (where the database has transactional DDL). */
    public static void migrate(Jdbi jdbi, Dialect dialect) {
        migrate(jdbi, dialect, LATEST);
    }

    /**
     * Applies the missing migrations up to {@code upTo} only: for tests that make a database as an older profilesync
     * left it, then open it with this one.
     */
    public static void migrate(Jdbi jdbi, Dialect dialect, int upTo) {
        jdbi.useTransaction(h -> {
            if (dialect.migrationLock() != null) {
                h.execute(dialect.migrationLock());
            }
            h.execute("CREATE TABLE IF NOT EXISTS profilesync_schema_version ("
                    + "version INTEGER NOT NULL PRIMARY KEY, "
                    + "description VARCHAR(200) NOT NULL, "
                    + "applied_at " + dialect.timestampType() + " NOT NULL)");
            int current = currentVersion(h);
            if (current > LATEST) {
                throw new DatabaseException("the profile database is at schema version " + current
                        + " but this profilesync knows versions up to " + LATEST
                        + ": it was written by a newer profilesync. Run that version, or restore a backup made "
                        + "before the upgrade.");
            }
            for (Migration m : MIGRATIONS) {
                if (m.version() > current && m.version() <= upTo) {
                    List<String> statements = m.statements().apply(dialect);
                    if (m.refuseIf() != null && !statements.isEmpty()) {
                        long misfits = h.createQuery(m.refuseIf()).mapTo(Long.class).one();
                        if (misfits > 0) {
                            throw new DatabaseException("the profile database cannot be brought to schema version "
                                    + m.version() + " (" + m.description() + "): " + misfits + m.refusal());
                        }
                    }
                    for (String sql : statements) {
                        h.execute(sql);
                    }
                    h.createUpdate("INSERT INTO profilesync_schema_version (version, description, applied_at)"
                                    + " VALUES (:version, :description, :appliedAt)")
                            .bind("version", m.version())
                            .bind("description", m.description())
                            .bind("appliedAt", dialect.savedAtParam(Instant.now().truncatedTo(ChronoUnit.MILLIS)))
                            .execute();
                }
            }
        });
    }

    /** The schema version of the database behind {@code h}: 0 when no migration has run. */
    public static int currentVersion(Handle h) {
        return h.createQuery("SELECT COALESCE(MAX(version), 0) FROM profilesync_schema_version")
                .mapTo(Integer.class).one();
    }
}
