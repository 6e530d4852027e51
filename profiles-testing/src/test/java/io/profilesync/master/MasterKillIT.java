package io.profilesync.master;

import static org.assertj.core.api.Assertions.assertThat;

import io.profilesync.db.JdbiProfilesAccessor;
import io.profilesync.gameserver.ProfilesServer;
import io.profilesync.gameserver.ProfilesServerConfig;
import io.profilesync.protocol.ReconnectBackoff;
import io.profilesync.testing.PostgresCluster;
import io.profilesync.testing.PostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 9's crash test, with real processes: the master jar under load from one game server ({@link Workload}: 200
 * profiles changed every 10 ms, some going quiet, some released and acquired again), killed with SIGKILL at a random
 * moment and restarted on the same data and port; the game server reconnects and sends again what was not durable.
 * On H2 and SQLite: once after 1 to 3 s of load, once right after that reconnection (while the game server sends its
 * batches again), once while every profile is being released; on PostgreSQL once after 1 to 3 s of load. After the
 * writes stop and every profile is released (so every change is durably acknowledged), the master is killed once
 * more, so nothing is saved on the way out, and every stored profile must equal what the game server made: every
 * absolute value, every increment's total, every list append once and in order.
 *
 * <p>The kill moments and quiet profiles come from one seed, printed at the start; {@code -Dprofilesync.kill.seed=S}
 * replays its choices (the timing of the processes around them stays the machine's). Only 127.0.0.1 is used.
 */
@Timeout(180)
class MasterKillIT {
    static final long SEED = Long.getLong("profilesync.kill.seed", System.nanoTime());
    static final Duration START = Duration.ofSeconds(60);
    static final int USERS = 200;
    static final String GAME_SERVER_SECRET = "kill-test-game-server-secret";

    enum Database {
        H2(2, true), SQLITE(2, true), POSTGRESQL(1, false);

        /** Kills under load; then one more during the final releases when {@link #killWhileReleasing}. */
        final int kills;
        final boolean killWhileReleasing;

        Database(int kills, boolean killWhileReleasing) {
            this.kills = kills;
            this.killWhileReleasing = killWhileReleasing;
        }
    }

    @TempDir
    Path dir;
    /** The master running now, killed after each test whatever happened. */
    JarProcess master;

    @AfterEach
    void killTheMaster() {
        if (master != null) {
            master.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Database.class)
    void afterSigkillsAndRestartsEveryStoredProfileEqualsWhatTheGameServerMade(Database database) throws Exception {
        long seed = SEED + database.ordinal();
        System.out.println("MasterKillIT " + database + ": seed " + seed + " (replay with -Dprofilesync.kill.seed="
                + SEED + ")");
        Random random = new Random(seed);
        String url;
        String dbUser = "";
        switch (database) {
            case H2 -> url = "jdbc:h2:" + dir.resolve("profiles").toAbsolutePath();
            case SQLITE -> url = "jdbc:sqlite:" + dir.resolve("profiles.db").toAbsolutePath();
            default -> {
                PostgresCluster cluster = PostgresExtension.cluster(); // skipped, or failed under CI, without one
                url = cluster.newSchemaUrl();
                dbUser = cluster.user();
            }
        }
        int port = JarProcess.freePort();
        Path config = masterConfig(dir, port, url, dbUser, "", "");

        long began = System.nanoTime();
        master = startMaster(dir, config, port);
        long changes;
        Workload load = null;
        try (ProfilesServer gameServer = ProfilesServer.connect(gameServerConfig(port))) {
            load = Workload.start(gameServer, USERS, random.nextLong());
            System.out.printf("MasterKillIT %s: %d profiles held at %.1f s%n", database, USERS,
                    seconds(began, System.nanoTime()));
            Map<String, CompletableFuture<Void>> releases = new TreeMap<>();
            for (int kill = 1; kill <= database.kills; kill++) {
                // 1 to 3 s of load (100 to 300 ticks of 10 ms); the second kill lands within 0.5 s of the
                // reconnection instead, while the game server is sending its batches again. Some profiles go quiet
                // at a random tick, and half of those are released (and acquired again after the next restart).
                long loadTicks = kill == 2 ? random.nextInt(51) : 100 + random.nextInt(201);
                long quietAt = random.nextInt((int) loadTicks + 1);
                load.awaitTicks(quietAt);
                List<String> quiet = load.quiet(USERS / 12);
                for (String quieted : quiet.subList(0, quiet.size() / 2)) {
                    releases.put(quieted, load.release(quieted));
                }
                load.awaitTicks(loadTicks - quietAt);
                int welcomed = load.connections();
                master.kill(START);
                long killedAt = System.nanoTime();
                master = startMaster(dir, config, port);
                long restartedAt = System.nanoTime();
                load.awaitReconnected(welcomed);
                System.out.printf("MasterKillIT %s: kill %d at %.1f s, after %d ticks, %d changes made so far; "
                        + "restarted in %.1f s, reconnected %.1f s later%n", database, kill, seconds(began, killedAt),
                        loadTicks, load.changes(), seconds(killedAt, restartedAt),
                        seconds(restartedAt, System.nanoTime()));
                for (Iterator<Map.Entry<String, CompletableFuture<Void>>> it = releases.entrySet().iterator();
                        it.hasNext(); ) {
                    Map.Entry<String, CompletableFuture<Void>> release = it.next();
                    if (release.getValue().isDone()) {
                        release.getValue().get(); // fails the test if the release failed
                        load.reacquire(release.getKey());
                        it.remove();
                    }
                }
            }
            CompletableFuture.allOf(releases.values().toArray(CompletableFuture[]::new)).get(90, TimeUnit.SECONDS);
            load.awaitTicks(50);
            long finishing = System.nanoTime();
            Workload releasing = load;
            changes = load.finish(() -> {
                if (database.killWhileReleasing) {
                    // Once more while every profile is being released: some releases are sent, some wait for
                    // their last batches to be durable; they must all end, with nothing lost, on the next master.
                    int welcomed = releasing.connections();
                    master.kill(START);
                    master = startMaster(dir, config, port);
                    releasing.awaitReconnected(welcomed);
                    System.out.println("MasterKillIT " + database + ": killed while releasing, restarted");
                }
            });
            System.out.printf("MasterKillIT %s: released everything at %.1f s, in %.1f s%n", database,
                    seconds(began, System.nanoTime()), seconds(finishing, System.nanoTime()));
        } finally {
            if (load != null) {
                load.close();
            }
        }
        // Every change was durably acknowledged: a crash now must lose nothing (no save on the way out).
        master.kill(START);

        try (JdbiProfilesAccessor stored = JdbiProfilesAccessor.create(url, dbUser, "")) {
            assertThat(stored.count()).isEqualTo(USERS);
            assertThat(load.storedDifferences(stored)).as("stored profiles against what the game server made "
                    + "(seed " + seed + ")").isEmpty();
        }
        int kills = database.kills + (database.killWhileReleasing ? 1 : 0);
        System.out.println("MasterKillIT " + database + ": " + kills + " kill(s), " + changes + " changes checked in "
                + USERS + " stored profiles");
    }

    static double seconds(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 1e9;
    }

    /** The master's settings: {@code serverMore} goes in {@code server:}, {@code more} at the end. */
    static Path masterConfig(Path dir, int port, String url, String user, String serverMore, String more)
            throws Exception {
        Path schema = dir.resolve("schema.json");
        Files.writeString(schema, Workload.SCHEMA.toJson());
        Path file = dir.resolve("master.yaml");
        Files.writeString(file, """
                server:
                  host: 127.0.0.1
                  port: %d
                %sdatabase:
                  url: %s
                  user: "%s"
                schema:
                  file: %s
                secrets:
                  tokenSecret: kill-test-token-secret-of-at-least-32-characters
                  gameServerSecrets: %s
                  file: ""
                """.formatted(port, serverMore, url, user, schema, GAME_SERVER_SECRET) + more);
        return file;
    }

    static JarProcess startMaster(Path dir, Path config, int port) throws Exception {
        assertThat(JarProcess.JAR).as("the master's executable jar, which the reactor packages before this module "
                + "(run this module with -am)").exists();
        JarProcess master = JarProcess.start(dir, "--config", config.toString());
        master.awaitLine("Master listening on 127\\.0\\.0\\.1:" + port, START);
        master.awaitLine("Ready\\.", START);
        return master;
    }

    static ProfilesServerConfig gameServerConfig(int port) {
        // Reconnect quickly (at most 0.5 s apart) so a restart is found soon; the window stays the default.
        return ProfilesServerConfig.builder().host("127.0.0.1").port(port).secret(GAME_SERVER_SECRET)
                .updateInterval(Duration.ofMillis(50)).acquireTimeout(Duration.ofSeconds(60))
                .reconnectBackoff(new ReconnectBackoff(Duration.ofMillis(100),
                        Duration.ofMillis(500), 0.2))
                .build();
    }
}
