package io.profilesync.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** checkWritable: passes on a writable database and leaves nothing behind; fails on a read-only one. */
class WriteProbeTest {
    @TempDir
    Path dir;

    @Test
    void aWritableDatabasePassesAndKeepsNoProbeRow() {
        for (String url : new String[] {"jdbc:h2:" + dir.resolve("h2").toAbsolutePath(),
            "jdbc:sqlite:" + dir.resolve("profiles.db").toAbsolutePath()}) {
            try (JdbiProfilesAccessor accessor = JdbiProfilesAccessor.create(url)) {
                accessor.checkWritable();
                accessor.checkWritable();
                long probes = accessor.jdbi().withHandle(h -> h.createQuery(
                        "SELECT COUNT(*) FROM profilesync_schema_version WHERE version < 0").mapTo(Long.class).one());
                assertThat(probes).as(url).isZero();
                assertThat(accessor.count()).isZero();
            }
        }
    }

    @Test
    void aReadOnlyH2DatabaseFails() {
        String url = "jdbc:h2:" + dir.resolve("ro").toAbsolutePath();
        JdbiProfilesAccessor.create(url).close();
        try (JdbiProfilesAccessor readOnly = JdbiProfilesAccessor.create(url + ";ACCESS_MODE_DATA=r")) {
            assertThatThrownBy(readOnly::checkWritable).isInstanceOf(DatabaseException.class)
                    .hasMessageStartingWith("the profile database does not accept writes (")
                    .hasMessageContaining("read only");
        }
    }

    @Test
    void aReadOnlySqliteFileFails() {
        Path file = dir.resolve("ro.db").toAbsolutePath();
        JdbiProfilesAccessor.create("jdbc:sqlite:" + file).close();
        try (JdbiProfilesAccessor readOnly = JdbiProfilesAccessor.create("jdbc:sqlite:file:" + file + "?mode=ro")) {
            assertThatThrownBy(readOnly::checkWritable).isInstanceOf(DatabaseException.class)
                    .hasMessageStartingWith("the profile database does not accept writes (")
                    .hasMessageContaining("readonly");
        }
    }
}
