package io.profilesync.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/** Without PostgreSQL binaries the PostgreSQL tests fail under CI and are skipped elsewhere, saying how to fix it. */
class PostgresExtensionTest {

    @Test
    void missingPostgresFailsUnderCi() {
        RuntimeException e = PostgresExtension.missingPostgres("true");
        assertThat(e).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("CI=true").hasMessageContaining("apt-get install postgresql")
                .hasMessageContaining(PostgresCluster.BIN_ENV);
    }

    @Test
    void missingPostgresSkipsElsewhereSayingHowToEnable() {
        for (String ci : new String[] {null, "", "false"}) {
            RuntimeException e = PostgresExtension.missingPostgres(ci);
            assertThat(e).isInstanceOf(TestAbortedException.class)
                    .hasMessageContaining("skipping").hasMessageContaining("apt-get install postgresql");
        }
    }
}
