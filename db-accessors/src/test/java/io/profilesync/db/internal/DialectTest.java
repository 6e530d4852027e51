package io.profilesync.db.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.profilesync.db.DatabaseConfig;
import io.profilesync.db.UnsupportedDatabaseException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DialectTest {

    @Test
    void theUrlPrefixChoosesTheDialect() {
        assertThat(Dialect.forUrl("jdbc:h2:./data/profiles")).isEqualTo(Dialect.H2);
        assertThat(Dialect.forUrl("JDBC:H2:mem:x")).isEqualTo(Dialect.H2);
        assertThat(Dialect.forUrl("jdbc:sqlite:profiles.db")).isEqualTo(Dialect.SQLITE);
        assertThat(Dialect.forUrl("jdbc:postgresql://db:5432/profiles")).isEqualTo(Dialect.POSTGRESQL);
        assertThatThrownBy(() -> Dialect.forUrl("jdbc:mariadb://db/profiles"))
                .isInstanceOf(UnsupportedDatabaseException.class)
                .hasMessageContaining("'jdbc:mariadb://db/profiles'")
                .hasMessageContaining("jdbc:h2:, jdbc:sqlite:, jdbc:postgresql:");
    }

    @Test
    void backupsGoBesideTheDatabaseFile() {
        assertThat(Dialect.H2.defaultBackupDirectory("jdbc:h2:/srv/game/profiles;AUTO_SERVER=TRUE"))
                .contains(Path.of("/srv/game/backups"));
        assertThat(Dialect.H2.defaultBackupDirectory("jdbc:h2:file:/srv/game/profiles"))
                .contains(Path.of("/srv/game/backups"));
        assertThat(Dialect.H2.defaultBackupDirectory("jdbc:h2:mem:test")).isEmpty();
        assertThat(Dialect.H2.defaultBackupDirectory("jdbc:h2:tcp://host/profiles")).isEmpty();
        assertThat(Dialect.SQLITE.defaultBackupDirectory("jdbc:sqlite:/srv/game/profiles.db?foo=bar"))
                .contains(Path.of("/srv/game/backups"));
        assertThat(Dialect.SQLITE.defaultBackupDirectory("jdbc:sqlite::memory:")).isEmpty();
        assertThat(Dialect.POSTGRESQL.defaultBackupDirectory("jdbc:postgresql://db/profiles")).isEmpty();
    }

    @Test
    void h2DurabilityGoesIntoTheUrlUnlessTheUrlSaysOtherwise() {
        assertThat(Dialect.H2.effectiveUrl(DatabaseConfig.of("jdbc:h2:./p"))).isEqualTo("jdbc:h2:./p;WRITE_DELAY=0");
        assertThat(Dialect.H2.effectiveUrl(DatabaseConfig.builder("jdbc:h2:./p").durable(false).build()))
                .isEqualTo("jdbc:h2:./p;WRITE_DELAY=500");
        assertThat(Dialect.H2.effectiveUrl(DatabaseConfig.of("jdbc:h2:./p;write_delay=100")))
                .isEqualTo("jdbc:h2:./p;write_delay=100");
    }

    @Test
    void backupStatementsQuoteThePath() {
        assertThat(Dialect.SQLITE.backupStatement(Path.of("/b/it's.sqlite"))).contains("VACUUM INTO '/b/it''s.sqlite'");
        assertThat(Dialect.H2.backupStatement(Path.of("/b/x.zip"))).contains("BACKUP TO '/b/x.zip'");
        assertThat(Dialect.POSTGRESQL.backupStatement(Path.of("/b/x"))).isEmpty();
    }
}
