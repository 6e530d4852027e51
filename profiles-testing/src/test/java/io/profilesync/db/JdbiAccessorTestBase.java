package io.profilesync.db;

import static io.profilesync.testing.TestProfiles.assertSameContent;
import static io.profilesync.testing.TestProfiles.filled;
import static io.profilesync.testing.TestProfiles.newProfile;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.profilesync.core.IProfilesDatabaseAccessor;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.UserIds;
import io.profilesync.db.internal.Dialect;
import io.profilesync.db.internal.Migrations;
import io.profilesync.testing.AccessorContractTest;
import io.profilesync.testing.TestProfiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract suite plus what {@link JdbiProfilesAccessor} offers beyond the interface (export, import, count,
 * migrations, backups), for one database. Subclasses name the database and write rows with plain SQL.
 */
abstract class JdbiAccessorTestBase extends AccessorContractTest {
    @TempDir
    Path temp;

    /** The JDBC URL of this test's database: the same URL for every call within one test. */
    abstract String jdbcUrl() throws Exception;

    /** The JDBC URL of a second, empty database. */
    abstract String otherJdbcUrl() throws Exception;

    /** Plain SQL that stores (:userId, :json, :version) with the current time, replacing a stored row. */
    abstract String rawUpsertSql();

    /** Plain SQL that inserts (:userId, :json, :version) into the table as migration 1 made it (a JSON column). */
    abstract String versionOneInsertSql();


    DatabaseConfig.Builder config(String url) {
        return DatabaseConfig.builder(url).user(user()).backupDirectory(temp.resolve("backups"))
                .backupInterval(Duration.ZERO);
    }

    String user() {
        return "";
    }

    @Override
    protected IProfilesDatabaseAccessor open() throws Exception {
        return JdbiProfilesAccessor.create(config(jdbcUrl()).build());
    }

    JdbiProfilesAccessor jdbi() {
        return (JdbiProfilesAccessor) accessor;
    }

    Handle handle() throws Exception {
        return Jdbi.open(jdbcUrl(), user(), "");
    }

    @Override
    protected void writeRaw(String userId, String json, long version) throws Exception {
        try (Handle h = handle()) {
            h.createUpdate(rawUpsertSql()).bind("userId", userId).bind("json", json).bind("version", version)
                    .execute();
        }
    }

    @Override
    protected RawRow readRaw(String userId) throws Exception {
        try (Handle h = handle()) {
            return h.createQuery("SELECT data, version FROM profiles WHERE user_id = :userId")
                    .bind("userId", userId)
                    .map((rs, ctx) -> new RawRow(rs.getString("data"), rs.getLong("version")))
                    .findOne().orElse(null);
        }
    }

    List<ObservableServerProfile> saveSome(int count) throws Exception {
        List<ObservableServerProfile> profiles = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            profiles.add(filled("user-" + i, i));
        }
        await(accessor.updateProfilesAsync(profiles));
        return profiles;
    }

    @Test
    void tableIsCreatedByTheMigrationsInOrder() throws Exception {
        List<Integer> all = new ArrayList<>();
        for (int v = 1; v <= Migrations.LATEST; v++) {
            all.add(v);
        }
        try (Handle h = handle()) {
            assertThat(h.createQuery("SELECT version FROM profilesync_schema_version ORDER BY version")
                    .mapTo(Integer.class).list()).isEqualTo(all);
        }
        accessor.close();
        accessor = open(); // a second open finds the schema current and migrates nothing
        try (Handle h = handle()) {
            assertThat(h.createQuery("SELECT COUNT(*) FROM profilesync_schema_version").mapTo(Integer.class).one())
                    .isEqualTo(Migrations.LATEST);
        }
    }

    @Test
    void theStoredTextIsExactlyWhatToJsonWrote() throws Exception {
        List<ObservableServerProfile> profiles = TestProfiles.exactValueProfiles("text-");
        await(accessor.updateProfilesAsync(profiles));

        for (ObservableServerProfile p : profiles) {
            assertThat(readRaw(p.userId()).json()).as(p.userId()).isEqualTo(p.toJson());
        }
        List<StoredProfile> exported = new ArrayList<>();
        jdbi().forEachStored(exported::add);
        for (StoredProfile row : exported) {
            assertThat(row.json()).isEqualTo(profiles.stream().filter(p -> p.userId().equals(row.userId()))
                    .findFirst().orElseThrow().toJson());
        }
    }

    /**
     * A database left by profilesync before migration 2 (H2 JSON, PostgreSQL JSONB) is migrated at the next open:
     * its rows come back with the values the JSON column had kept, and from then on every value is exact.
     */
    @Test
    void aDatabaseAtVersionOneIsMigratedAndKeepsItsRows() throws Exception {
        String url = otherJdbcUrl();
        // Only values a JSON column kept (PostgreSQL's JSONB refused U+0000; both turned -0.0 into 0).
        ObservableServerProfile old = newProfile("old-timer");
        old.get("rating", io.profilesync.core.ObservableDouble.class).set(2.5);
        old.get("coins", io.profilesync.core.ObservableLong.class).set(Long.MIN_VALUE);
        old.get("nickname", io.profilesync.core.ObservableString.class).set("ünïcödé 😀 \"quoted\" \n");
        Dialect.forUrl(url).defaultBackupDirectory(url).ifPresent(backups -> backups.getParent().toFile().mkdirs());
        Jdbi raw = Jdbi.create(url, user(), "");
        Migrations.migrate(raw, Dialect.forUrl(url), 1);
        try (Handle h = raw.open()) {
            h.createUpdate(versionOneInsertSql()).bind("userId", "old-timer").bind("json", old.toJson())
                    .bind("version", 3).execute();
        }

        try (JdbiProfilesAccessor migrated = JdbiProfilesAccessor.create(config(url).build())) {
            ObservableServerProfile back = newProfile("old-timer");
            assertThat(await(migrated.restoreProfileAsync(back))).isTrue();
            assertSameContent(back, old);
            assertThat(back.storedVersion()).isEqualTo(3);

            back.get("rating", io.profilesync.core.ObservableDouble.class).set(-0.0);
            await(migrated.updateProfileAsync(back));
            ObservableServerProfile again = newProfile("old-timer");
            await(migrated.restoreProfileAsync(again));
            assertSameContent(again, back);
        }
        try (Handle h = raw.open()) {
            assertThat(h.createQuery("SELECT MAX(version) FROM profilesync_schema_version").mapTo(Integer.class)
                    .one()).isEqualTo(Migrations.LATEST);
        }
    }

    /**
     * Migration 4 sizes {@code user_id} to the user-id limit (H2, PostgreSQL; SQLite enforces no VARCHAR length): an
     * id of the limit stays, one longer no longer fits, and a longer one left by a profilesync older than the limit
     * stops the migration with what to do instead of being cut.
     */
    @Test
    void theUserIdColumnIsSizedToTheUserIdLimit() throws Exception {
        String url = otherJdbcUrl();
        Dialect dialect = Dialect.forUrl(url);
        dialect.defaultBackupDirectory(url).ifPresent(backups -> backups.getParent().toFile().mkdirs());
        Jdbi raw = Jdbi.create(url, user(), "");
        Migrations.migrate(raw, dialect, 3);
        String longest = "u".repeat(UserIds.MAX_LENGTH);
        String tooLong = "v".repeat(UserIds.MAX_LENGTH + 1);
        try (Handle h = raw.open()) {
            for (String id : List.of(longest, tooLong)) {
                h.createUpdate(rawUpsertSql()).bind("userId", id).bind("json", "{}").bind("version", 1).execute();
            }
        }
        boolean sized = dialect != Dialect.SQLITE;
        if (sized) {
            assertThatThrownBy(() -> JdbiProfilesAccessor.create(config(url).build()).close())
                    .isInstanceOf(DatabaseException.class)
                    .hasMessage("the profile database cannot be brought to schema version 4 (user_id sized to the "
                            + "user-id limit of 128): 1 stored profile(s) have a user id longer than 128 characters, "
                            + "the limit of user ids (docs/configuration.md#user-ids); no token or game server can "
                            + "reach them. Rename or delete them (SELECT user_id FROM profiles WHERE "
                            + "LENGTH(user_id) > 128), then start again");
            try (Handle h = raw.open()) {
                h.createUpdate("DELETE FROM profiles WHERE user_id = :id").bind("id", tooLong).execute();
            }
        }
        try (JdbiProfilesAccessor migrated = JdbiProfilesAccessor.create(config(url).build())) {
            assertThat(migrated.findStored(longest)).isPresent();
        }
        try (Handle h = raw.open()) {
            assertThat(h.createQuery("SELECT MAX(version) FROM profilesync_schema_version").mapTo(Integer.class)
                    .one()).isEqualTo(Migrations.LATEST);
            if (sized) {
                assertThatThrownBy(() -> h.createUpdate(rawUpsertSql()).bind("userId", tooLong + "w")
                        .bind("json", "{}").bind("version", 1).execute()).as("the column holds 128 characters")
                        .isInstanceOf(Exception.class);
            }
        }
    }

    @Test
    void aSchemaNewerThanTheCodeIsRefused() throws Exception {
        accessor.close();
        accessor = null;
        try (Handle h = handle()) {
            h.execute("INSERT INTO profilesync_schema_version (version, description, applied_at) "
                    + "SELECT 99, 'from the future', applied_at FROM profilesync_schema_version WHERE version = 1");
        }
        assertThatThrownBy(this::open).isInstanceOf(DatabaseException.class)
                .hasMessageContaining("schema version 99").hasMessageContaining("newer profilesync");
    }

    @Test
    void countExportAndImportMoveEveryRowToAnotherDatabase() throws Exception {
        List<ObservableServerProfile> saved = saveSome(25);
        await(accessor.updateProfileAsync(saved.get(3))); // version 2
        assertThat(jdbi().count()).isEqualTo(25);

        List<StoredProfile> exported = new ArrayList<>();
        jdbi().forEachStored(exported::add);
        assertThat(exported).hasSize(25);
        assertThat(exported).extracting(StoredProfile::userId).isSorted();

        try (JdbiProfilesAccessor other = JdbiProfilesAccessor.create(config(otherJdbcUrl()).build())) {
            other.importStored(exported);
            assertThat(other.count()).isEqualTo(25);
            List<StoredProfile> again = new ArrayList<>();
            other.forEachStored(again::add);
            assertThat(again).extracting(StoredProfile::version).isEqualTo(
                    exported.stream().map(StoredProfile::version).toList());
            assertThat(again).extracting(StoredProfile::savedAt).isEqualTo(
                    exported.stream().map(StoredProfile::savedAt).toList());
            for (ObservableServerProfile p : saved) {
                ObservableServerProfile back = newProfile(p.userId());
                assertThat(await(other.restoreProfileAsync(back))).isTrue();
                assertSameContent(back, p);
                assertThat(back.storedVersion()).isEqualTo(p.storedVersion());
            }
        }
    }

    @Test
    void twoAccessorsOnOneDatabaseNeverOverwriteEachOther() throws Exception {
        try (IProfilesDatabaseAccessor second = open()) { // as a second master would
            for (int user = 0; user < 20; user++) {
                String id = "race-" + user;
                // Both insert the new profile at once, then both update the version they read at once.
                ObservableServerProfile[] copies = {filled(id, 1), filled(id, 2)};
                raceOnce(second, copies);
                ObservableServerProfile[] again = {restored(id), restored(id)};
                again[0].get("level", io.profilesync.core.ObservableInt.class).set(1);
                again[1].get("level", io.profilesync.core.ObservableInt.class).set(2);
                raceOnce(second, again);
            }
        }
    }

    private void raceOnce(IProfilesDatabaseAccessor second, ObservableServerProfile[] copies) throws Exception {
        long before = copies[0].storedVersion();
        var first = accessor.updateProfileAsync(copies[0]);
        var other = second.updateProfileAsync(copies[1]);
        int wins = 0;
        for (var f : List.of(first, other)) {
            try {
                await(f);
                wins++;
            } catch (io.profilesync.core.StaleProfileException expected) {
                assertThat(expected.userId()).isEqualTo(copies[0].userId());
            }
        }
        assertThat(wins).as("winners for " + copies[0].userId()).isEqualTo(1);
        ObservableServerProfile winner = copies[0].storedVersion() == before + 1 ? copies[0] : copies[1];
        assertSameContent(restored(copies[0].userId()), winner);
        assertThat(readRaw(copies[0].userId()).version()).isEqualTo(before + 1);
    }

    @Test
    void anUnsupportedUrlIsRefusedNamingTheUrlAndTheSupportedOnes() {
        assertThatThrownBy(() -> JdbiProfilesAccessor.create("jdbc:mysql://localhost/profiles"))
                .isInstanceOf(UnsupportedDatabaseException.class)
                .hasMessageContaining("jdbc:mysql://localhost/profiles")
                .hasMessageContaining("jdbc:h2:").hasMessageContaining("jdbc:sqlite:")
                .hasMessageContaining("jdbc:postgresql:");
    }

    @Test
    void callsAfterCloseFailClearly() throws Exception {
        accessor.close();
        assertThatThrownBy(() -> await(accessor.restoreProfileAsync(newProfile("late"))))
                .isInstanceOf(DatabaseException.class).hasMessageContaining("closed");
        accessor = null;
    }
}
