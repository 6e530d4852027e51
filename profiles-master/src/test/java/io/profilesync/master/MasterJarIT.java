package io.profilesync.master;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.profilesync.client.ProfilesClient;
import io.profilesync.client.ProfilesClientConfig;
import io.profilesync.core.ObservableInt;
import io.profilesync.core.ObservableProfile;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.ObservableString;
import io.profilesync.gameserver.ProfilesServer;
import io.profilesync.gameserver.ProfilesServerConfig;
import io.profilesync.populators.ProfileSchema;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The executable jar as a separate process, on 127.0.0.1: a ProfilesClient and a ProfilesServer sync through it,
 * SIGTERM saves and exits 0, the next
 * start has every change; a bad configuration exits 2 with its one message; export then import round-trips.
 */
@Timeout(180)
class MasterJarIT {
    static final Duration START = Duration.ofSeconds(60);
    static final Duration COMMAND = Duration.ofSeconds(60);
    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration TICK = Duration.ofMillis(20);

    @TempDir
    Path dir;

    Path config(int port, int metricsPort) throws Exception {
        Path file = dir.resolve("master.yaml");
        Files.writeString(file, """
                server:
                  host: 127.0.0.1
                  port: %d
                  saveProfileDebounce: 1h      # nothing is saved before SIGTERM: the shutdown must save it all
                  clientUpdateDebounce: 20ms
                database:
                  url: jdbc:h2:%s
                secrets:
                  file: %s
                metrics:
                  enabled: true
                  host: 127.0.0.1
                  port: %d
                """.formatted(port, dir.resolve("profiles").toAbsolutePath(),
                dir.resolve("secrets.yaml").toAbsolutePath(), metricsPort));
        return file;
    }

    @Test
    void peersSyncThroughTheJarSigtermSavesEveryChangeAndTheNextStartHasThem() throws Exception {
        int port = JarProcess.freePort();
        int metricsPort = JarProcess.freePort();
        Path config = config(port, metricsPort);
        String token;
        try (JarProcess master = JarProcess.start(dir, "--config", config.toString())) {
            master.awaitLine("Master listening on 127\\.0\\.0\\.1:" + port, START);
            master.awaitLine("Database: jdbc:h2:", START);
            master.awaitLine("Schema: built-in demo \\(8 properties, fingerprint [0-9a-f]{64}\\)", START);
            master.awaitLine("Ready\\.", START);

            JarProcess.Result mint = JarProcess.run(dir, COMMAND, "token", "mint", "alice", "--config",
                    config.toString());
            assertThat(mint.exitCode()).as(mint.err()).isZero();
            token = mint.out().trim();
            String gameServerSecret = new YAMLMapper().readTree(dir.resolve("secrets.yaml").toFile())
                    .get("gameServerSecrets").get(0).asText();

            try (ProfilesClient client = ProfilesClient.connect(ProfilesClientConfig.builder().port(port)
                    .token(token).updateInterval(TICK).closeTimeout(Duration.ofSeconds(1)).build());
                    ProfilesServer gameServer = ProfilesServer.connect(ProfilesServerConfig.builder().port(port)
                            .secret(gameServerSecret).updateInterval(TICK).closeTimeout(Duration.ofSeconds(1))
                            .build())) {
                // The client renames itself; the game server sees it.
                ObservableProfile mine = client.fillInProfileValues().get(30, TimeUnit.SECONDS);
                CompletableFuture<Integer> goldSeen = new CompletableFuture<>();
                client.run(() -> {
                    mine.get("gold", ObservableInt.class).addListener((before, after) -> goldSeen.complete(after));
                    mine.get("displayName", ObservableString.class).set("Ada");
                });
                ObservableServerProfile held = gameServer.fillProfileValues("alice").get(30, TimeUnit.SECONDS);
                assertThat(TestProfiles.valueSeen(gameServer, held.get("displayName", ObservableString.class), "Ada")
                        .get(30, TimeUnit.SECONDS)).isEqualTo("Ada");

                // The game server awards gold and a level; the client sees them.
                gameServer.run(() -> {
                    held.get("gold", ObservableInt.class).set(250);
                    held.get("level", ObservableInt.class).set(3);
                });
                assertThat(goldSeen.get(30, TimeUnit.SECONDS)).isEqualTo(250);
                assertThat(TestProfiles.valueSeen(client, mine.get("level", ObservableInt.class), 3).get(30, TimeUnit.SECONDS))
                        .isEqualTo(3);

                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<String> health = get(http, metricsPort, "/health");
                assertThat(health.statusCode()).isEqualTo(200);
                JsonNode status = JSON.readTree(health.body());
                assertThat(status.get("status").asText()).isEqualTo("UP");
                assertThat(status.get("clients").asInt()).isEqualTo(1);
                assertThat(status.get("gameServers").asInt()).isEqualTo(1);
                String metrics = get(http, metricsPort, "/metrics").body();
                assertThat(metrics).contains("profilesync_updates_accepted_total",
                        "profilesync_clients_connected 1.0", "profilesync_gameservers_connected 1.0",
                        "profilesync_profiles_dirty 1.0", "profilesync_save_latency_seconds", "jvm_memory_used_bytes");

                // SIGTERM while both peers are connected and the changes are unsaved.
                assertThat(master.terminate(Duration.ofSeconds(60))).as(master.output()).isZero();
            }
            Matcher saved = master.awaitLine("Master stopped; saved (\\d+) profile\\(s\\) on the way out", START);
            assertThat(Integer.parseInt(saved.group(1))).isEqualTo(1);
            master.awaitLine("profilesync master stopped", START);
        }

        // The next start on the same database has every change.
        try (JarProcess again = JarProcess.start(dir, "--config", config.toString())) {
            again.awaitLine("Master listening on 127\\.0\\.0\\.1:" + port, START);
            try (ProfilesClient client = ProfilesClient.connect(ProfilesClientConfig.builder().port(port)
                    .token(token).closeTimeout(Duration.ofSeconds(1)).build())) {
                List<Object> restored = client.fillInProfileValues().thenApply(profile -> List.<Object>of(
                        profile.get("displayName", ObservableString.class).get(),
                        profile.get("gold", ObservableInt.class).get(),
                        profile.get("level", ObservableInt.class).get())).get(30, TimeUnit.SECONDS);
                assertThat(restored).containsExactly("Ada", 250, 3);
            }
            // Ctrl-C (SIGINT) stops it the same way.
            assertThat(again.interrupt(Duration.ofSeconds(60))).as(again.output()).isZero();
            again.awaitLine("Master stopped; saved 0 profile\\(s\\)", START);
        }
    }

    @Test
    void withNoArgumentsItServesTheDemoSchemaOnH2UnderDataWithGeneratedSecrets() throws Exception {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress("0.0.0.0", 5000));
        } catch (IOException e) {
            Assumptions.abort("port 5000, the default, is in use on this machine: " + e.getMessage());
        }
        try (JarProcess master = JarProcess.start(dir)) {
            master.awaitLine("Master listening on 0\\.0\\.0\\.0:5000", START);
            assertThat(master.output()).contains("settings: built-in defaults (no --config)",
                    "Database: jdbc:h2:./data/profiles", "Schema: built-in demo (8 properties, fingerprint "
                            + ProfileSchema.demo().fingerprint() + ")",
                    "generated into " + dir.resolve("data/secrets.yaml").toRealPath());
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("data/secrets.yaml"))))
                    .isEqualTo("rw-------");
            assertThat(dir.resolve("data/profiles.mv.db")).exists();
            assertThat(master.terminate(Duration.ofSeconds(60))).as(master.output()).isZero();
        }
    }

    @Test
    void withPROFILESYNC_LOG_FORMATJsonEveryLogLineIsAJsonObject() throws Exception {
        Path config = dir.resolve("json.yaml");
        Files.writeString(config, "server:\n  host: 127.0.0.1\n  port: 0\ndatabase:\n  url: jdbc:h2:"
                + dir.resolve("json").toAbsolutePath() + "\nsecrets:\n  file: " + dir.resolve("s.yaml") + "\n");
        try (JarProcess master = JarProcess.start(dir, Map.of("PROFILESYNC_LOG_FORMAT", "json"), "--config",
                config.toString())) {
            master.awaitLine("Ready\\.", START);
            assertThat(master.terminate(Duration.ofSeconds(60))).as(master.output()).isZero();
            ObjectMapper json = new ObjectMapper();
            List<String> lines = master.output().lines().filter(line -> !line.isBlank()).toList();
            assertThat(lines).isNotEmpty();
            for (String line : lines) {
                JsonNode event = json.readTree(line);
                assertThat(event.path("level").asText()).as(line).isNotEmpty();
                assertThat(event.path("loggerName").asText()).as(line).isNotEmpty();
                assertThat(event.has("timestamp")).as(line).isTrue();
            }
            assertThat(lines).anySatisfy(line -> assertThat(json.readTree(line).path("formattedMessage").asText())
                    .startsWith("Master listening on 127.0.0.1:"));
        }
        JarProcess.Result bad = JarProcess.run(dir, COMMAND, Map.of("PROFILESYNC_LOG_FORMAT", "xml"), "token", "mint",
                "bob");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err().strip()).isEqualTo("profilesync: bad configuration: PROFILESYNC_LOG_FORMAT: must be text "
                + "or json, not \"xml\"");
    }

    @Test
    void aBadConfigurationFileGivesTheDocumentedMessageAndExitCode() throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "server:\n  port: 70000\n");
        JarProcess.Result result = JarProcess.run(dir, COMMAND, "--config", bad.toString());
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err().strip()).isEqualTo("profilesync: bad configuration: server.port: must be an integer "
                + "from 0 to 65535, not 70000");
        assertThat(result.out()).isEmpty();
        assertThat(dir.resolve("data")).as("nothing started, nothing created").doesNotExist();
    }

    @Test
    void exportThenImportIntoAnEmptyDatabaseGivesBackExactlyTheSameProfiles() throws Exception {
        Path source = dbConfig("source");
        Path target = dbConfig("target");
        Path fixture = dir.resolve("fixture.jsonl");
        Files.write(fixture, List.of(
                "{\"userId\":\"alice\",\"version\":4,\"savedAt\":\"2026-03-04T05:06:07.089Z\",\"data\":"
                        + "{\"displayName\":\"Alice\",\"avatarUrl\":\"https://example.com/a.png\",\"gold\":120,"
                        + "\"level\":7,\"items\":[\"sword\",\"shield\"]}}",
                "{\"userId\":\"bob\",\"version\":1,\"savedAt\":\"2026-01-01T00:00:00Z\",\"data\":{\"gold\":5}}",
                // The user id stays inside the documented alphabet (ASCII letters, digits, . _ - @ :); the
                // non-ASCII text lives in the data, which must round-trip exactly.
                "{\"userId\":\"emile\",\"version\":2,\"savedAt\":\"2026-02-02T02:02:02.002Z\",\"data\":"
                        + "{\"displayName\":\"Émile ✓\"}}"));
        assertThat(JarProcess.run(dir, COMMAND, "profile", "import", fixture.toString(), "--config",
                source.toString()).exitCode()).isZero();

        JarProcess.Result export = JarProcess.run(dir, COMMAND, "profile", "export", "--config", source.toString());
        assertThat(export.exitCode()).as(export.err()).isZero();
        assertThat(export.err()).contains("Exported 3 profile(s)");
        Path exported = dir.resolve("exported.jsonl");
        Files.writeString(exported, export.out());

        JarProcess.Result imported = JarProcess.run(dir, COMMAND, "profile", "import", exported.toString(),
                "--config", target.toString());
        assertThat(imported.exitCode()).as(imported.err()).isZero();
        JarProcess.Result again = JarProcess.run(dir, COMMAND, "profile", "export", "--config", target.toString());
        assertThat(again.exitCode()).as(again.err()).isZero();

        List<JsonNode> before = parse(export.out());
        assertThat(before).hasSize(3);
        assertThat(parse(again.out())).isEqualTo(before);
        assertThat(before.get(0).get("version").asLong()).isEqualTo(4);
        assertThat(before.get(0).get("savedAt").asText()).isEqualTo("2026-03-04T05:06:07.089Z");

        JarProcess.Result refused = JarProcess.run(dir, COMMAND, "profile", "import", exported.toString(),
                "--config", target.toString());
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains("already exist in the database", "--overwrite");
    }

    Path dbConfig(String name) throws Exception {
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, "database:\n  url: jdbc:h2:" + dir.resolve(name).toAbsolutePath() + "\n");
        return file;
    }

    static List<JsonNode> parse(String jsonLines) {
        return jsonLines.lines().filter(line -> !line.isBlank()).map(line -> {
            try {
                return JSON.readTree(line);
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + line, e);
            }
        }).toList();
    }

    /** Completes when {@code property} holds {@code expected} (now or later), watched on the peer's executor. */

    static HttpResponse<String> get(HttpClient http, int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
