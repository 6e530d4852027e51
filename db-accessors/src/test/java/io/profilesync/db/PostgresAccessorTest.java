package io.profilesync.db;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The contract and the Jdbi accessor's extras on a real PostgreSQL (a throwaway cluster from the machine's binaries,
 * see {@link PostgresExtension}); each test gets a schema of its own.
 */
@ExtendWith(PostgresExtension.class)
class PostgresAccessorTest extends JdbiAccessorTestBase {
    private final PostgresCluster cluster;
    private String url;
    private String otherUrl;

    PostgresAccessorTest(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    @Override
    String jdbcUrl() {
        if (url == null) {
            url = cluster.newSchemaUrl();
        }
        return url;
    }

    @Override
    String otherJdbcUrl() {
        if (otherUrl == null) {
            otherUrl = cluster.newSchemaUrl();
        }
        return otherUrl;
    }

    @Override
    String user() {
        return cluster.user();
    }

    @Override
    String versionOneInsertSql() {
        return "INSERT INTO profiles (user_id, data, version, saved_at) "
                + "VALUES (:userId, CAST(:json AS JSONB), :version, now())";
    }

    @Override
    String rawUpsertSql() {
        return "INSERT INTO profiles (user_id, data, version, saved_at) "
                + "VALUES (:userId, :json, :version, now()) "
                + "ON CONFLICT (user_id) DO UPDATE SET data = EXCLUDED.data, version = EXCLUDED.version";
    }

    @Test
    void backupsAreLeftToPgDump() {
        assertThatThrownBy(jdbi()::backupNow).isInstanceOf(BackupNotSupportedException.class)
                .hasMessageContaining("pg_dump").hasMessageContaining("pg_restore");
    }
}
