package io.profilesync.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.profilesync.core.DatabaseException;
import io.profilesync.core.IProfilesDatabaseAccessor;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.db.JdbiProfilesAccessor;
import io.profilesync.gameserver.ProfilesServer;
import io.profilesync.gameserver.ProfilesServerConfig;
import io.profilesync.protocol.ConnectionState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 9's outage test for the embedded databases (H2, SQLite files), in-process: {@link MasterServer} on a real
 * accessor that fails every call for a while, under a game server's load ({@link Workload}, over loopback KryoNet).
 * During the outage the master reports the database unavailable, durable acknowledgements stop (a profile released
 * meanwhile stays unreleased: a release waits until its last changes are durable), the game server stays connected
 * and keeps writing; once the accessor works again everything catches up, and the database then holds exactly what
 * the game server made, read while the master still runs, so nothing relies on the save at shutdown.
 *
 * <p>The outage lasts 6 s here, not the 60 s: this accessor fails each call at once, so what the master does
 * does not change with the length of the outage past the first few save retries (they are at most 1 s apart here,
 * so about six fail). The 60 s outage of a real server, whose connections break and hang, is
 * {@link DatabaseOutageIT}'s, on PostgreSQL.
 */
@Timeout(120)
class EmbeddedDatabaseOutageTest {
    static final String SECRET = "outage-test-game-server-secret";
    static final Duration OUTAGE = Duration.ofSeconds(6);
    static final int USERS = 120;

    enum Database {
        H2, SQLITE
    }

    /** A real accessor that, while {@link #down}, fails every call on its own thread, as an unreachable database. */
    static final class OutageAccessor implements IProfilesDatabaseAccessor {
        final JdbiProfilesAccessor database;
        final ExecutorService failures = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "outage-accessor");
            thread.setDaemon(true);
            return thread;
        });
        final AtomicInteger refusedSaves = new AtomicInteger();
        volatile boolean down;

        OutageAccessor(JdbiProfilesAccessor database) {
            this.database = database;
        }

        @Override
        public CompletableFuture<Boolean> restoreProfileAsync(ObservableServerProfile profile) {
            if (down) {
                return CompletableFuture.supplyAsync(() -> {
                    throw new DatabaseException("simulated outage: cannot restore '" + profile.userId() + "'");
                }, failures);
            }
            return database.restoreProfileAsync(profile);
        }

        @Override
        public CompletableFuture<Void> updateProfilesAsync(Collection<? extends ObservableServerProfile> profiles) {
            if (down) {
                refusedSaves.incrementAndGet();
                return CompletableFuture.runAsync(() -> {
                    throw new DatabaseException("simulated outage: cannot save " + profiles.size() + " profile(s)");
                }, failures);
            }
            return database.updateProfilesAsync(profiles);
        }

        @Override
        public void close() {
            failures.shutdownNow();
            database.close();
        }
    }

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Database.class)
    void aFailingAccessorStopsDurableAcknowledgementsDropsNothingAndEverythingCatchesUp(Database database)
            throws Exception {
        String url = database == Database.H2 ? "jdbc:h2:" + dir.resolve("profiles").toAbsolutePath()
                : "jdbc:sqlite:" + dir.resolve("profiles.db").toAbsolutePath();
        try (OutageAccessor accessor = new OutageAccessor(JdbiProfilesAccessor.create(url))) {
            MasterServer master = MasterServer.start(MasterConfig.builder().host("127.0.0.1").port(0)
                    .gameServerSecret(SECRET).saveRetryMaxDelay(Duration.ofSeconds(1))
                    .meterRegistry(new SimpleMeterRegistry()).build(), Workload.SCHEMA, accessor);
            long changes;
            try (ProfilesServer gameServer = ProfilesServer.connect(ProfilesServerConfig.builder().host("127.0.0.1")
                    .port(master.port()).secret(SECRET).updateInterval(Duration.ofMillis(50)).build());
                    Workload load = Workload.start(gameServer, USERS, System.nanoTime())) {
                load.awaitTicks(50);
                assertThat(master.stats().databaseAvailable()).isTrue();

                accessor.down = true;
                await().atMost(Duration.ofSeconds(30)).until(() -> !master.stats().databaseAvailable());
                List<CompletableFuture<Void>> releases = new ArrayList<>();
                for (String user : load.quiet(10)) {
                    releases.add(load.release(user)); // its last changes were made during the outage
                }
                await().during(OUTAGE).atMost(OUTAGE.plusSeconds(30)).until(() -> !master.stats().databaseAvailable()
                        && gameServer.state() == ConnectionState.CONNECTED
                        && releases.stream().noneMatch(CompletableFuture::isDone));
                assertThat(accessor.refusedSaves.get()).as("saves refused during the outage").isGreaterThan(3);
                assertThat(master.problems()).anyMatch(problem -> problem.contains("save batches failed"));

                accessor.down = false;
                CompletableFuture.allOf(releases.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(30)).until(() -> master.stats().databaseAvailable()
                        && master.problems().isEmpty());
                load.awaitTicks(50);
                changes = load.finish();

                // Durable means committed: read the database itself while the master runs (no shutdown save yet).
                assertThat(load.storedDifferences(accessor.database)).as("stored profiles against what the game "
                        + "server made").isEmpty();
            } finally {
                master.close();
            }
            System.out.println("EmbeddedDatabaseOutageTest " + database + ": " + changes + " changes checked in "
                    + USERS + " stored profiles after a " + OUTAGE.toSeconds() + " s outage");
        }
    }
}
