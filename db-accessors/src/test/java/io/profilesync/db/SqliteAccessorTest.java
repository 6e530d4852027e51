package io.profilesync.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The contract and the Jdbi accessor's extras on an SQLite file in a temporary folder. */
class SqliteAccessorTest extends EmbeddedAccessorTestBase {

    @Override
    String jdbcUrl() {
        return "jdbc:sqlite:" + temp.resolve("profiles.db");
    }

    @Override
    String otherJdbcUrl() {
        return "jdbc:sqlite:" + temp.resolve("a/folder/that/does/not/exist/yet/other.db");
    }

    @Override
    String rawUpsertSql() {
        return "INSERT INTO profiles (user_id, data, version, saved_at) "
                + "VALUES (:userId, :json, :version, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) "
                + "ON CONFLICT (user_id) DO UPDATE SET data = excluded.data, version = excluded.version";
    }

    @Override
    String versionOneInsertSql() {
        return "INSERT INTO profiles (user_id, data, version, saved_at) "
                + "VALUES (:userId, :json, :version, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))";
    }

    @Override
    String restoreBackup(Path backup) throws Exception {
        // As docs/databases.md says: the backup is a complete database file; copy it into place while stopped.
        Path target = temp.resolve("restored.db");
        Files.copy(backup, target);
        return "jdbc:sqlite:" + target;
    }

    private String pragma(String name) {
        return jdbi().jdbi().withHandle(h -> h.createQuery("PRAGMA " + name).mapTo(String.class).one());
    }

    @Test
    void walWithFullSynchronousByDefault() {
        assertThat(pragma("journal_mode")).isEqualToIgnoringCase("wal");
        assertThat(pragma("synchronous")).isEqualTo("2"); // FULL
    }

    @Test
    void normalSynchronousWhenNotDurable() throws Exception {
        accessor.close();
        accessor = JdbiProfilesAccessor.create(config(jdbcUrl()).durable(false).build());
        assertThat(pragma("synchronous")).isEqualTo("1"); // NORMAL
    }
}
