package io.profilesync.db;

import static io.profilesync.testing.TestProfiles.assertSameContent;
import static io.profilesync.testing.TestProfiles.filled;
import static io.profilesync.testing.TestProfiles.newProfile;
import static org.assertj.core.api.Assertions.assertThat;

import io.profilesync.core.ObservableServerProfile;
import io.profilesync.testing.TestProfiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What an embedded database (a file of this process: H2, SQLite) adds: backups of its own, restored the way
 * docs/databases.md says, and durability decided by the accessor's settings.
 */
abstract class EmbeddedAccessorTestBase extends JdbiAccessorTestBase {

    /** Puts {@code backup} back as a database the way docs/databases.md says; returns that database's URL. */
    abstract String restoreBackup(Path backup) throws Exception;

    @Test
    void backupThenRestoreGivesBackExactlyWhatWasSaved() throws Exception {
        List<ObservableServerProfile> saved = saveSome(200);
        Path backup = jdbi().backupNow();
        assertThat(backup).exists().startsWith(temp.resolve("backups"));
        await(accessor.updateProfileAsync(filled("after-backup", 1))); // written after the backup: not in it

        try (JdbiProfilesAccessor restored = JdbiProfilesAccessor.create(config(restoreBackup(backup)).build())) {
            assertThat(restored.count()).isEqualTo(200);
            for (ObservableServerProfile p : saved) {
                ObservableServerProfile back = newProfile(p.userId());
                assertThat(await(restored.restoreProfileAsync(back))).isTrue();
                assertSameContent(back, p);
                assertThat(back.storedVersion()).isEqualTo(1);
            }
            assertThat(await(restored.restoreProfileAsync(newProfile("after-backup")))).isFalse();
        }
    }

    @Test
    void onlyTheNewestBackupsAreKept() throws Exception {
        accessor.close();
        accessor = JdbiProfilesAccessor.create(config(jdbcUrl()).backupsToKeep(2).build());
        saveSome(3);
        List<Path> made = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            made.add(jdbi().backupNow());
        }
        try (var files = Files.list(temp.resolve("backups"))) {
            assertThat(files.sorted().toList()).containsExactly(made.get(1), made.get(2));
        }
    }

    @Test
    void periodicBackupsRunOnTheirOwn() throws Exception {
        accessor.close();
        accessor = JdbiProfilesAccessor.create(config(jdbcUrl()).backupInterval(Duration.ofMillis(200)).build());
        saveSome(3);
        Path dir = temp.resolve("backups");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!hasFiles(dir)) {
            assertThat(System.nanoTime()).as("a periodic backup within 30 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static boolean hasFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (var files = Files.list(dir)) {
            return files.findAny().isPresent();
        }
    }

    @Test
    void aCompletedSaveSurvivesACrashOfTheProcess() throws Exception {
        accessor.close();
        accessor = null;
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), CrashingSaver.class.getName(), jdbcUrl())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String savedJson = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                .trim();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(savedJson).as("the child printed the saved profile").startsWith("{");

        accessor = open();
        assertThat(restored("crash").toJson()).isEqualTo(savedJson);
    }
}
