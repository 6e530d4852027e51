package io.profilesync.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.h2.tools.Restore;
import org.junit.jupiter.api.Test;

/** The contract and the Jdbi accessor's extras on an embedded H2 file database in a temporary folder. */
class H2AccessorTest extends EmbeddedAccessorTestBase {

    @Override
    String jdbcUrl() {
        return "jdbc:h2:" + temp.resolve("profiles");
    }

    @Override
    String otherJdbcUrl() {
        return "jdbc:h2:" + temp.resolve("other/profiles");
    }

    @Override
    String rawUpsertSql() {
        return "MERGE INTO profiles (user_id, data, version, saved_at) KEY (user_id) "
                + "VALUES (:userId, :json, :version, CURRENT_TIMESTAMP)";
    }

    @Override
    String versionOneInsertSql() {
        return "INSERT INTO profiles (user_id, data, version, saved_at) "
                + "VALUES (:userId, :json FORMAT JSON, :version, CURRENT_TIMESTAMP)";
    }

    @Override
    String restoreBackup(Path backup) throws Exception {
        // As docs/databases.md says: org.h2.tools.Restore -file BACKUP.zip -dir DIR -db NAME, with the server stopped.
        Path dir = temp.resolve("restored");
        Restore.execute(backup.toString(), dir.toString(), "profiles");
        return "jdbc:h2:" + dir.resolve("profiles");
    }

    private String writeDelay(JdbiProfilesAccessor a) {
        return a.jdbi().withHandle(h -> h.createQuery("SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS "
                + "WHERE SETTING_NAME = 'WRITE_DELAY'").mapTo(String.class).first());
    }

    @Test
    void durableByDefaultWithoutWriteDelay() {
        assertThat(writeDelay(jdbi())).isEqualTo("0");
    }

    @Test
    void notDurableOnRequestWithHisDefaultWriteDelay() throws Exception {
        accessor.close();
        accessor = JdbiProfilesAccessor.create(config(jdbcUrl()).durable(false).build());
        assertThat(writeDelay(jdbi())).isEqualTo("500");
    }
}
