package io.profilesync.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.profilesync.db.JdbiProfilesAccessor;
import io.profilesync.gameserver.ProfilesServer;
import io.profilesync.protocol.ConnectionState;
import io.profilesync.testing.PostgresCluster;
import io.profilesync.testing.PostgresExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9's outage test, with real processes: the master jar on a throwaway PostgreSQL under a game server's load
 * ({@link Workload}), and the PostgreSQL server stopped for 60 s while the game server keeps writing. Meanwhile
 * {@code /health} says the database is down, {@code profilesync_database_available} is 0, the outage is logged once,
 * and durable acknowledgements stop: profiles released during the outage stay unreleased (a release waits for its
 * last changes to be durable) while the game server stays connected and keeps changing the others. Once PostgreSQL
 * is back everything catches up: the releases complete, health and metrics recover, and after every profile is
 * released and the master killed (SIGKILL: nothing saved on the way out) every stored profile equals what the game
 * server made. Only 127.0.0.1 is used.
 *
 * <p>This cluster is the test's own (not {@link PostgresExtension}'s shared one), since it is stopped; the extension
 * still decides whether the test runs (skipped without PostgreSQL, failed under CI).
 */
@Timeout(300)
@ExtendWith(PostgresExtension.class)
class DatabaseOutageIT {
    static final Duration OUTAGE = Duration.ofSeconds(60);
    static final int USERS = 120;
    static final int RELEASED_DURING_OUTAGE = 10;

    @TempDir
    Path dir;
    JarProcess master;

    @AfterEach
    void killTheMaster() {
        if (master != null) {
            master.close();
        }
    }

    @Test
    void postgresStoppedFor60sUnderLoadLosesNothingAndEveryChangeIsDurablyAcknowledgedAfterItReturns()
            throws Exception {
        try (PostgresCluster cluster = PostgresCluster.start(PostgresCluster.findBinaries().orElseThrow())) {
            String url = cluster.newSchemaUrl();
            int port = JarProcess.freePort();
            int metricsPort = JarProcess.freePort();
            // Retries at most 2 s apart, so the catch-up after the outage does not wait out the default 30 s.
            Path config = MasterKillIT.masterConfig(dir, port, url, cluster.user(), "  saveRetryMaxDelay: 2s\n", """
                    metrics:
                      enabled: true
                      host: 127.0.0.1
                      port: %d
                    """.formatted(metricsPort));
            HttpClient http = HttpClient.newHttpClient();
            master = MasterKillIT.startMaster(dir, config, port);
            long changes;
            Workload load = null;
            try (ProfilesServer gameServer = ProfilesServer.connect(MasterKillIT.gameServerConfig(port))) {
                load = Workload.start(gameServer, USERS, System.nanoTime());
                load.awaitTicks(100);
                await().atMost(Duration.ofSeconds(30)).until(() -> databaseUp(http, metricsPort));

                long stoppedAt = System.nanoTime();
                cluster.stopServer();
                await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(500))
                        .until(() -> databaseDown(http, metricsPort));
                List<CompletableFuture<Void>> releases = new ArrayList<>();
                for (String user : load.quiet(RELEASED_DURING_OUTAGE)) {
                    releases.add(load.release(user)); // its last changes were made during the outage
                }
                long ticksBefore = load.ticks();
                Duration left = OUTAGE.minusNanos(System.nanoTime() - stoppedAt);
                // For the rest of the 60 s: still down, still connected, and no release completes (nothing new is
                // durable, so the game server keeps its batches).
                await().during(left).atMost(left.plusSeconds(30)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> databaseDown(http, metricsPort) && gameServer.state() == ConnectionState.CONNECTED
                                && releases.stream().noneMatch(CompletableFuture::isDone));
                assertThat(load.ticks() - ticksBefore).as("ticks of load during the outage")
                        .isGreaterThan(left.toMillis() / Workload.TICK.toMillis() / 2);
                cluster.startServer();

                CompletableFuture.allOf(releases.toArray(CompletableFuture[]::new)).get(90, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(60)).until(() -> databaseUp(http, metricsPort));
                load.awaitTicks(100);
                changes = load.finish();
            } finally {
                if (load != null) {
                    load.close();
                }
            }
            master.kill(MasterKillIT.START);
            assertThat(count(master.output(), "the database looks unavailable")).as(master.output()).isEqualTo(1);
            assertThat(count(master.output(), "The database is back")).isEqualTo(1);

            try (JdbiProfilesAccessor stored = JdbiProfilesAccessor.create(url, cluster.user(), "")) {
                assertThat(stored.count()).isEqualTo(USERS);
                assertThat(load.storedDifferences(stored)).as("stored profiles against what the game server made")
                        .isEmpty();
            }
            System.out.println("DatabaseOutageIT: PostgreSQL down " + OUTAGE.toSeconds() + " s under load; " + changes
                    + " changes checked in " + USERS + " stored profiles");
        }
    }

    /** /health says UP and the database gauge is 1. */
    static boolean databaseUp(HttpClient http, int metricsPort) throws Exception {
        HttpResponse<String> health = get(http, metricsPort, "/health");
        return health.statusCode() == 200 && availableGauge(http, metricsPort) == 1.0;
    }

    /** /health says DOWN because of the database, and the database gauge is 0. */
    static boolean databaseDown(HttpClient http, int metricsPort) throws Exception {
        HttpResponse<String> health = get(http, metricsPort, "/health");
        JsonNode body = new ObjectMapper().readTree(health.body());
        return health.statusCode() == 503 && "DOWN".equals(body.path("database").asText())
                && availableGauge(http, metricsPort) == 0.0;
    }

    static double availableGauge(HttpClient http, int metricsPort) throws Exception {
        Matcher matcher = Pattern.compile("(?m)^profilesync_database_available (\\S+)$")
                .matcher(get(http, metricsPort, "/metrics").body());
        assertThat(matcher.find()).as("profilesync_database_available in /metrics").isTrue();
        return Double.parseDouble(matcher.group(1));
    }

    static HttpResponse<String> get(HttpClient http, int port, String path) throws Exception {
        // The health probe itself gives up after 2 s when the database hangs.
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static long count(String text, String part) {
        return text.lines().filter(line -> line.contains(part)).count();
    }
}
