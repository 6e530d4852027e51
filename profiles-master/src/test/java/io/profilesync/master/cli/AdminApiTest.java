package io.profilesync.master.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.profilesync.core.ObservableInt;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.db.JdbiProfilesAccessor;
import io.profilesync.db.StoredProfile;
import io.profilesync.master.MasterConfig;
import io.profilesync.master.MasterServer;
import io.profilesync.master.TestProfiles;
import io.profilesync.master.cli.CommandLineTest.Run;
import io.profilesync.gameserver.ProfilesServer;
import io.profilesync.gameserver.ProfilesServerConfig;
import io.profilesync.populators.ProfileSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The admin API of a running master, with and without its token, and the command line going through it. */
@Timeout(60)
class AdminApiTest {
    static final String TOKEN = "admin-token-0123456789abcdef-0123456789";
    static final String SECRET = "admin-test-game-server-secret";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    String url;
    JdbiProfilesAccessor accessor;
    MasterServer master;
    HttpEndpoint endpoint;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void startMaster() throws Exception {
        url = "jdbc:h2:" + dir.resolve("profiles").toAbsolutePath();
        accessor = JdbiProfilesAccessor.create(url);
        accessor.importStored(List.of(new StoredProfile("alice", "{\"gold\":5}", 1, Instant.parse(
                "2026-01-01T00:00:00Z"))));
        // Saves an hour after a change: what the API shows of a changed profile can only come from the master.
        master = MasterServer.start(MasterConfig.builder().host("127.0.0.1").port(0).gameServerSecret(SECRET)
                .saveProfileDebounce(Duration.ofHours(1)).build(), ProfileSchema.demo(), accessor);
        endpoint = HttpEndpoint.start("127.0.0.1", 0, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                new HealthCheck(master, accessor, () -> false), new AdminApi(TOKEN, master, accessor,
                        ProfileSchema.demo()));
        master.editProfile("alice", profile -> profile.get("gold", ObservableInt.class).set(120))
                .get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() {
        endpoint.close();
        master.close();
        accessor.close();
    }

    HttpResponse<String> send(String method, String path, String token) throws Exception {
        return send(method, path, token, "");
    }

    HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
        return send(method, path, token, body, null);
    }

    HttpResponse<String> send(String method, String path, String token, String body, String operator)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + path))
                .timeout(Duration.ofSeconds(30)).method(method, body.isEmpty() ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (operator != null) {
            request.header(AdminApi.OPERATOR, operator);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void withoutTheTokenEveryRequestIsRefused() throws Exception {
        for (String[] request : new String[][] {{"GET", "/admin/profiles/alice"}, {"GET", "/admin/profiles"},
            {"POST", "/admin/backup"}, {"GET", "/admin/nope"}, {"POST", "/admin/profiles"},
            {"POST", "/admin/profiles/alice/evict"}, {"POST", "/admin/restore"}, {"GET", "/admin/peers"},
            {"GET", "/admin/stats"}, {"PUT", "/admin/profiles/alice/properties/gold"}}) {
            for (String token : new String[] {null, "wrong", TOKEN + "x"}) {
                HttpResponse<String> response = send(request[0], request[1], token);
                assertThat(response.statusCode()).as(request[1] + " with " + token).isEqualTo(401);
                assertThat(response.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"profilesync "
                        + "admin\"");
                assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("missing or wrong admin "
                        + "token: send Authorization: Bearer <secrets.adminToken>");
            }
        }
        assertThat(send("GET", "/health", null).statusCode()).as("health needs no token").isEqualTo(200);
    }

    @Test
    void withTheTokenItShowsTheLiveProfileExportsAndBacksUp() throws Exception {
        HttpResponse<String> shown = send("GET", "/admin/profiles/alice", TOKEN);
        assertThat(shown.statusCode()).isEqualTo(200);
        JsonNode alice = JSON.readTree(shown.body());
        assertThat(alice.get("userId").asText()).isEqualTo("alice");
        assertThat(alice.get("data").get("gold").asInt()).as("the master's copy, not yet saved").isEqualTo(120);

        assertThat(send("GET", "/admin/profiles/nobody", TOKEN).statusCode()).isEqualTo(404);
        assertThat(send("GET", "/admin/profiles/a%20b", TOKEN).statusCode()).isEqualTo(400);

        HttpResponse<String> exported = send("GET", "/admin/profiles", TOKEN);
        assertThat(exported.statusCode()).isEqualTo(200);
        assertThat(exported.body().lines().toList()).hasSize(1).first()
                .satisfies(line -> assertThat(JSON.readTree(line).get("userId").asText()).isEqualTo("alice"));

        HttpResponse<String> backup = send("POST", "/admin/backup", TOKEN);
        assertThat(backup.statusCode()).as(backup.body()).isEqualTo(200);
        assertThat(Path.of(JSON.readTree(backup.body()).get("file").asText())).exists();

        HttpResponse<String> unknown = send("DELETE", "/admin/profiles", TOKEN);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unknown.body()).get("error").asText()).startsWith("no such admin request: DELETE");
    }

    @Test
    void statsCountThePeersAndProfilesAndAProfileShowsWhetherItIsLiveOrStored() throws Exception {
        try (ProfilesServer gameServer = gameServer()) {
            gameServer.fillProfileValues("alice").get(30, TimeUnit.SECONDS);
            HttpResponse<String> answer = send("GET", "/admin/stats", TOKEN);
            assertThat(answer.statusCode()).isEqualTo(200);
            JsonNode stats = JSON.readTree(answer.body());
            assertThat(stats.get("gameServers").asInt()).isEqualTo(1);
            assertThat(stats.get("clients").asInt()).isZero();
            assertThat(stats.get("loadedProfiles").asInt()).isEqualTo(1);
            assertThat(stats.get("dirtyProfiles").asInt()).as("gold 120, saved in an hour").isEqualTo(1);
            assertThat(stats.get("conflictedProfiles").asInt()).isZero();
            assertThat(stats.get("databaseAvailable").asBoolean()).isTrue();
        }
        JsonNode live = JSON.readTree(send("GET", "/admin/profiles/alice", TOKEN).body());
        assertThat(live.get("source").asText()).isEqualTo("live");
        assertThat(live.get("data").get("gold").asInt()).isEqualTo(120);
        HttpResponse<String> shown = send("GET", "/admin/profiles/alice?source=stored", TOKEN);
        assertThat(shown.statusCode()).isEqualTo(200);
        JsonNode stored = JSON.readTree(shown.body());
        assertThat(stored.get("source").asText()).isEqualTo("stored");
        assertThat(stored.get("data").get("gold").asInt()).as("as saved, before the master's change").isEqualTo(5);
        assertThat(stored.get("savedAt").asText()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(send("GET", "/admin/profiles/nobody?source=stored", TOKEN).statusCode()).isEqualTo(404);
    }

    @Test
    void anEditIsCheckedPushedToTheHolderAndLoggedWithItsOperator() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(AdminApi.class);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        logger.addAppender(log);
        Level level = logger.getLevel();
        logger.setLevel(Level.INFO); // the tests' logback configuration shows WARN and above
        try (ProfilesServer gameServer = gameServer()) {
            ObservableServerProfile held = gameServer.fillProfileValues("alice").get(30, TimeUnit.SECONDS);
            String gold = "/admin/profiles/alice/properties/gold";

            HttpResponse<String> anonymous = send("PUT", gold, TOKEN, "777");
            assertThat(anonymous.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(anonymous.body()).get("error").asText()).startsWith("an edit needs the "
                    + "X-Profilesync-Operator header naming who makes it");
            assertThat(refusal(send("PUT", gold, TOKEN, "777", "x".repeat(101)))).contains("at most 100 printable");
            assertThat(refusal(send("PUT", gold, TOKEN, "-3", "ops-ann"))).startsWith("refused -3 for 'gold': ")
                    .contains("below the minimum 0");
            assertThat(refusal(send("PUT", gold, TOKEN, "\"lots\"", "ops-ann"))).startsWith("refused \"lots\" "
                    + "for 'gold': ");
            assertThat(refusal(send("PUT", "/admin/profiles/alice/properties/level", TOKEN, "150", "ops-ann")))
                    .contains("above the maximum 100");
            assertThat(refusal(send("PUT", gold, TOKEN, "{oops", "ops-ann"))).startsWith("the body is not JSON");
            HttpResponse<String> unknown = send("PUT", "/admin/profiles/alice/properties/coins", TOKEN, "1",
                    "ops-ann");
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(refusal(unknown)).startsWith("property 'coins' is not in the schema").contains("gold");
            assertThat(send("PUT", "/admin/profiles/nobody/properties/gold", TOKEN, "1", "ops-ann").statusCode())
                    .isEqualTo(404);
            assertThat(masterGold("alice")).as("nothing refused was applied").isEqualTo(120);

            HttpResponse<String> edited = send("PUT", gold, TOKEN, "777", "ops-ann");
            assertThat(edited.statusCode()).as(edited.body()).isEqualTo(200);
            JsonNode answer = JSON.readTree(edited.body());
            assertThat(answer.get("value").asInt()).isEqualTo(777);
            assertThat(answer.get("before").asInt()).isEqualTo(120);
            assertThat(TestProfiles.valueSeen(gameServer, held.get("gold", ObservableInt.class), 777)
                    .get(30, TimeUnit.SECONDS)).as("the holder is pushed the edit").isEqualTo(777);
            assertThat(JSON.readTree(send("GET", "/admin/profiles/alice", TOKEN).body()).get("data").get("gold")
                    .asInt()).isEqualTo(777);
            assertThat(send("PUT", "/admin/profiles/alice/properties/items", TOKEN, "[\"sword\"]", "ops-ann")
                    .statusCode()).isEqualTo(200);
            assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage)
                    .anySatisfy(line -> assertThat(line)
                            .startsWith("Admin edit by operator 'ops-ann' from /127.0.0.1:")
                            .endsWith(": alice.gold = 777 (was 120)"));
        } finally {
            logger.detachAppender(log);
            logger.setLevel(level);
        }
    }

    static String refusal(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isIn(400, 404);
        return JSON.readTree(response.body()).get("error").asText();
    }

    @Test
    void theConsoleIsServedNextToTheApiWithoutTheToken() throws Exception {
        HttpResponse<String> page = send("GET", "/console", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("script-src 'self'");
        assertThat(page.body()).contains("<script type=\"module\" src=\"/console.js\">");
        assertThat(send("GET", "/console.js", null).body()).contains("sessionStorage");
        assertThat(send("GET", "/pages.css", null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/console/../AdminApi.class", null).statusCode()).isEqualTo(404);
        assertThat(send("POST", "/console", null).statusCode()).isEqualTo(405);
    }

    /** A game server connected to the test's master, holding nothing yet. */
    ProfilesServer gameServer() {
        return ProfilesServer.connect(ProfilesServerConfig.builder().host("127.0.0.1").port(master.port())
                .secret(SECRET).closeTimeout(Duration.ofSeconds(1)).build());
    }

    int masterGold(String user) throws Exception {
        return master.readProfile(user, profile -> profile.get("gold", ObservableInt.class).get())
                .get(10, TimeUnit.SECONDS);
    }

    static String line(String user, String data) {
        return "{\"userId\":\"" + user + "\",\"version\":1,\"savedAt\":\"2026-01-01T00:00:00Z\",\"data\":" + data
                + "}\n";
    }

    @Test
    void withoutTheTokenNothingIsImportedEvictedOrRestored() throws Exception {
        Path backup = accessor.backupNow();
        assertThat(send("POST", "/admin/profiles?overwrite=true", null, line("alice", "{\"gold\":1}"))
                .statusCode()).isEqualTo(401);
        assertThat(send("POST", "/admin/restore", "wrong", "{\"file\":\"" + backup + "\"}").statusCode())
                .isEqualTo(401);
        assertThat(send("POST", "/admin/profiles/alice/evict", null).statusCode()).isEqualTo(401);
        assertThat(masterGold("alice")).as("the master's unsaved change is still there").isEqualTo(120);
        assertThat(send("GET", "/admin/peers", null).body()).doesNotContain("remoteAddress");
    }

    @Test
    void importIsCheckedLikeTheOfflineImportAndPushedToTheGameServerThatHoldsTheProfile() throws Exception {
        try (ProfilesServer gameServer = gameServer()) {
            ObservableServerProfile held = gameServer.fillProfileValues("alice").get(30, TimeUnit.SECONDS);

            HttpResponse<String> bad = send("POST", "/admin/profiles", TOKEN, line("bob", "{\"gold\":-5}")
                    + "not json\n" + line("carol", "{\"coins\":3}"));
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(bad.body()).get("error").asText())
                    .startsWith("the posted file: nothing imported, 3 problem(s) to fix first:")
                    .contains("\n  line 1: the profile of 'bob' does not fit the schema: ", "\n  line 2: not JSON",
                            "\n  line 3: the profile of 'carol' does not fit the schema: property 'coins' is not in "
                                    + "the schema");
            assertThat(masterGold("bob")).as("nothing imported").isZero();

            String file = line("alice", "{\"gold\":777,\"level\":4}") + line("dave", "{\"gold\":9}");
            HttpResponse<String> exists = send("POST", "/admin/profiles", TOKEN, file);
            assertThat(exists.statusCode()).isEqualTo(409);
            assertThat(JSON.readTree(exists.body()).get("error").asText()).isEqualTo("1 of the 2 profile(s) in the "
                    + "posted file already exist in the database (alice): nothing imported. Add --overwrite "
                    + "(overwrite=true) to replace them.");

            HttpResponse<String> imported = send("POST", "/admin/profiles?overwrite=true", TOKEN, file);
            assertThat(imported.statusCode()).as(imported.body()).isEqualTo(200);
            assertThat(JSON.readTree(imported.body()).get("imported").asInt()).isEqualTo(2);
            assertThat(JSON.readTree(imported.body()).get("replaced").asInt()).isEqualTo(1);
            assertThat(TestProfiles.valueSeen(gameServer, held.get("gold", ObservableInt.class), 777).get(30, TimeUnit.SECONDS))
                    .as("the holder is pushed the imported profile").isEqualTo(777);
            assertThat(TestProfiles.valueSeen(gameServer, held.get("level", ObservableInt.class), 4).get(30, TimeUnit.SECONDS))
                    .isEqualTo(4);
            assertThat(masterGold("dave")).isEqualTo(9);
        }
    }

    @Test
    void evictIsRefusedWhileAGameServerHoldsTheProfileAndPeersListIt() throws Exception {
        try (ProfilesServer gameServer = gameServer()) {
            gameServer.fillProfileValues("alice").get(30, TimeUnit.SECONDS);
            HttpResponse<String> peers = send("GET", "/admin/peers", TOKEN);
            assertThat(peers.statusCode()).isEqualTo(200);
            JsonNode peer = JSON.readTree(peers.body()).get(0);
            assertThat(peer.get("role").asText()).isEqualTo("game_server");
            assertThat(peer.get("secretIndex").asInt()).isZero();
            assertThat(peer.has("userId")).isFalse();
            assertThat(peer.get("remoteAddress").asText()).startsWith("127.0.0.1:");
            assertThat(Instant.parse(peer.get("connectedSince").asText())).isBefore(Instant.now().plusSeconds(1));
            assertThat(peer.get("profilesHeld").toString()).isEqualTo("[\"alice\"]");

            HttpResponse<String> held = send("POST", "/admin/profiles/alice/evict", TOKEN);
            assertThat(held.statusCode()).isEqualTo(409);
            assertThat(JSON.readTree(held.body()).get("error").asText())
                    .startsWith("the profile of user 'alice' is held by game server connection");

            gameServer.release("alice").get(30, TimeUnit.SECONDS);
            HttpResponse<String> evicted = send("POST", "/admin/profiles/alice/evict", TOKEN);
            assertThat(evicted.statusCode()).as(evicted.body()).isEqualTo(200);
            assertThat(JSON.readTree(evicted.body()).get("evicted").asBoolean()).isTrue();
            assertThat(accessor.findStored("alice").orElseThrow().json()).as("saved before it left memory")
                    .contains("\"gold\":120");
        }
        HttpResponse<String> again = send("POST", "/admin/profiles/alice/evict", TOKEN);
        assertThat(JSON.readTree(again.body()).get("evicted").asBoolean()).as("not loaded any more").isFalse();
        assertThat(send("POST", "/admin/profiles/a%20b/evict", TOKEN).statusCode()).isEqualTo(400);
        assertThat(send("GET", "/admin/peers", TOKEN).body()).isEqualTo("[]");
    }

    @Test
    void restoreIsRefusedWhileAPeerIsConnectedThenReplacesEveryProfile() throws Exception {
        master.evict("alice").get(30, TimeUnit.SECONDS); // saved: gold 120
        Path backup = accessor.backupNow();
        master.editProfile("alice", profile -> profile.get("gold", ObservableInt.class).set(5))
                .get(10, TimeUnit.SECONDS);
        master.editProfile("zoe", profile -> { }).get(10, TimeUnit.SECONDS); // not in the backup
        String body = "{\"file\":\"" + backup + "\"}";
        try (ProfilesServer gameServer = gameServer()) {
            gameServer.fillProfileValues("bob").get(30, TimeUnit.SECONDS);
            HttpResponse<String> refused = send("POST", "/admin/restore", TOKEN, body);
            assertThat(refused.statusCode()).isEqualTo(409);
            assertThat(JSON.readTree(refused.body()).get("error").asText()).startsWith("1 peer(s) are connected (game "
                    + "server connection").endsWith("Stop the game servers and clients first, or stop the master and "
                    + "restore with it stopped");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> master.stats().gameServers() == 0);
        assertThat(masterGold("alice")).as("nothing restored").isEqualTo(5);

        HttpResponse<String> restored = send("POST", "/admin/restore", TOKEN, body);
        assertThat(restored.statusCode()).as(restored.body()).isEqualTo(200);
        JsonNode answer = JSON.readTree(restored.body());
        assertThat(answer.get("restored").asInt()).isEqualTo(1);
        assertThat(answer.get("discardedUnsaved").asInt()).as("alice, zoe and bob changed after the backup")
                .isEqualTo(3);
        assertThat(Path.of(answer.get("before").asText())).exists();
        assertThat(masterGold("alice")).isEqualTo(120);
        assertThat(accessor.findStored("zoe")).isEmpty();

        HttpResponse<String> notABackup = send("POST", "/admin/restore", TOKEN, "{\"file\":\"" + dir.resolve(
                "nope.zip") + "\"}");
        assertThat(notABackup.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(notABackup.body()).get("error").asText()).endsWith("no such file; give a backup "
                + "file from backup.directory (written by `backup`)");
    }

    Path config(String token) throws Exception {
        Path file = dir.resolve("cli.yaml");
        Files.writeString(file, "database:\n  url: " + url + "\nsecrets:\n  file: " + dir.resolve("s.yaml")
                + "\n  adminToken: " + token + "\nmetrics:\n  enabled: true\n  host: 127.0.0.1\n  port: "
                + endpoint.port() + "\n");
        return file;
    }

    @Test
    void theCommandLineGoesThroughTheRunningMaster() throws Exception {
        String config = config(TOKEN).toString();
        Run show = CommandLineTest.run("profile", "show", "alice", "--config", config);
        assertThat(show.exitCode()).as(show.err()).isZero();
        assertThat(JSON.readTree(show.out()).get("data").get("gold").asInt()).isEqualTo(120);
        assertThat(CommandLineTest.run("profile", "show", "nobody", "--config", config).exitCode())
                .isEqualTo(ExitCodes.NOT_FOUND);

        Path out = dir.resolve("export.jsonl");
        Run export = CommandLineTest.run("profile", "export", "--out", out.toString(), "--config", config);
        assertThat(export.exitCode()).as(export.err()).isZero();
        assertThat(export.err()).contains("Exported 1 profile(s)").contains("through the running master at "
                + "http://127.0.0.1:" + endpoint.port());
        assertThat(Files.readAllLines(out)).hasSize(1);

        Run backup = CommandLineTest.run("backup", "--config", config);
        assertThat(backup.exitCode()).as(backup.err()).isZero();
        assertThat(backup.out()).startsWith("Backup written to ").contains("by the running master");

        Run wrongToken = CommandLineTest.run("profile", "show", "alice", "--config", config("x".repeat(40))
                .toString());
        assertThat(wrongToken.exitCode()).isEqualTo(ExitCodes.CONFIGURATION);
        assertThat(wrongToken.err()).isEqualTo("profilesync: the running master at http://127.0.0.1:"
                + endpoint.port() + " refused the admin token: set secrets.adminToken (or PROFILESYNC_ADMIN_TOKEN) "
                + "to the master's" + System.lineSeparator());
    }

    @Test
    void theCommandLineImportsEvictsListsPeersAndRestoresThroughTheRunningMaster() throws Exception {
        String config = config(TOKEN).toString();
        Path file = dir.resolve("import.jsonl");
        Files.writeString(file, line("alice", "{\"gold\":300}"));
        Run exists = CommandLineTest.run("profile", "import", file.toString(), "--config", config);
        assertThat(exists.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(exists.err()).isEqualTo("profilesync: 1 of the 1 profile(s) in " + file + " already exist in the "
                + "database (alice): nothing imported. Add --overwrite to replace them." + System.lineSeparator());
        Run imported = CommandLineTest.run("profile", "import", file.toString(), "--overwrite", "--config", config);
        assertThat(imported.exitCode()).as(imported.err()).isZero();
        assertThat(imported.err()).startsWith("Imported 1 profile(s) from " + file + ", replacing 1 through the "
                + "running master at http://127.0.0.1:" + endpoint.port());
        assertThat(masterGold("alice")).isEqualTo(300);

        Files.writeString(file, line("bob", "{\"level\":500}"));
        Run refused = CommandLineTest.run("profile", "import", file.toString(), "--config", config);
        assertThat(refused.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(refused.err()).startsWith("profilesync: " + file + ": nothing imported, 1 problem(s) to fix "
                + "first:" + System.lineSeparator() + "  line 1: the profile of 'bob' does not fit the schema: ");

        try (ProfilesServer gameServer = gameServer()) {
            gameServer.fillProfileValues("alice").get(30, TimeUnit.SECONDS);
            Run peers = CommandLineTest.run("peers", "--config", config);
            assertThat(peers.exitCode()).as(peers.err()).isZero();
            assertThat(peers.out()).contains("game_server", "secret #0", "alice", "1 peer(s)");
            Run held = CommandLineTest.run("profile", "evict", "alice", "--config", config);
            assertThat(held.exitCode()).isEqualTo(ExitCodes.FAILURE);
            assertThat(held.err()).startsWith("profilesync: the running master at http://127.0.0.1:"
                    + endpoint.port() + " did not evict 'alice': the profile of user 'alice' is held by game server");
            Path backup = accessor.backupNow();
            Run busy = CommandLineTest.run("restore", backup.toString(), "--config", config);
            assertThat(busy.exitCode()).isEqualTo(ExitCodes.FAILURE);
            assertThat(busy.err()).contains("did not restore " + backup + ": 1 peer(s) are connected");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> master.stats().gameServers() == 0);
        Run evicted = CommandLineTest.run("profile", "evict", "alice", "--config", config);
        assertThat(evicted.exitCode()).as(evicted.err()).isZero();
        assertThat(evicted.out()).startsWith("Evicted the profile of 'alice' (saved first if it had changes)");
        assertThat(accessor.findStored("alice").orElseThrow().json()).contains("\"gold\":300");

        Path backup = accessor.backupNow();
        master.editProfile("alice", profile -> profile.get("gold", ObservableInt.class).set(1))
                .get(10, TimeUnit.SECONDS);
        Run restored = CommandLineTest.run("restore", backup.toString(), "--config", config);
        assertThat(restored.exitCode()).as(restored.err()).isZero();
        assertThat(restored.out()).startsWith("Restored 1 profile(s) from " + backup + " by the running master at "
                + "http://127.0.0.1:" + endpoint.port() + "; the database as it was is backed up in ");
        assertThat(masterGold("alice")).isEqualTo(300);

        Run notABackup = CommandLineTest.run("restore", file.toString(), "--config", config);
        assertThat(notABackup.exitCode()).isEqualTo(ExitCodes.CONFIGURATION);
        assertThat(notABackup.err()).isEqualTo("profilesync: cannot restore " + file + ": it is neither an H2 "
                + "backup (a zip) nor a SQLite database; give a backup file from backup.directory (written by "
                + "`backup`)" + System.lineSeparator());
    }

    @Test
    void withNoMasterRunningRestoreOpensTheDatabaseAndEvictAndPeersSayTheyNeedOne() throws Exception {
        String config = config(TOKEN).toString();
        master.evict("alice").get(30, TimeUnit.SECONDS); // gold 120 saved
        Path backup = accessor.backupNow();
        stop();
        accessor = JdbiProfilesAccessor.create(url);
        accessor.importStored(List.of(new StoredProfile("alice", "{\"gold\":1}", 9, Instant.now()),
                new StoredProfile("zoe", "{\"gold\":2}", 1, Instant.now())));
        accessor.close();

        Run restored = CommandLineTest.run("restore", backup.toString(), "--config", config);
        assertThat(restored.exitCode()).as(restored.err()).isZero();
        assertThat(restored.out()).startsWith("Restored 1 profile(s) from " + backup + "; the database as it was is "
                + "backed up in ").doesNotContain("running master");
        Run missing = CommandLineTest.run("restore", dir.resolve("nope.zip").toString(), "--config", config);
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.CONFIGURATION);
        assertThat(missing.err()).isEqualTo("profilesync: cannot restore " + dir.resolve("nope.zip") + ": no such "
                + "file; give a backup file from backup.directory (written by `backup`)" + System.lineSeparator());
        for (String[] command : new String[][] {{"peers"}, {"profile", "evict", "alice"}}) {
            List<String> args = new ArrayList<>(List.of(command));
            args.addAll(List.of("--config", config));
            Run run = CommandLineTest.run(args.toArray(String[]::new));
            assertThat(run.exitCode()).as(String.join(" ", command)).isEqualTo(ExitCodes.CONFIGURATION);
            assertThat(run.err()).isEqualTo("profilesync: " + String.join(" ", command).replace(" alice", "")
                    + " needs a running master's admin API, and none answers: start the master with "
                    + "secrets.adminToken and metrics.enabled: true, and give the command the same --config"
                    + System.lineSeparator());
        }

        accessor = JdbiProfilesAccessor.create(url); // for @AfterEach, and to look
        assertThat(accessor.findStored("alice").orElseThrow().json()).contains("\"gold\":120");
        assertThat(accessor.findStored("zoe")).as("not in the backup").isEmpty();
        master = MasterServer.start(MasterConfig.builder().host("127.0.0.1").port(0).build(), ProfileSchema.demo(),
                accessor);
        endpoint = HttpEndpoint.start("127.0.0.1", 0, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                () -> new HttpEndpoint.Health(true, "{}"));
    }

    @Test
    void withNoMasterRunningTheCommandLineOpensTheDatabase() throws Exception {
        String config = config(TOKEN).toString();
        stop();
        Run show = CommandLineTest.run("profile", "show", "alice", "--config", config);
        assertThat(show.exitCode()).as(show.err()).isZero();
        assertThat(JSON.readTree(show.out()).get("data").get("gold").asInt()).as("as saved at close").isEqualTo(120);
        Run export = CommandLineTest.run("profile", "export", "--config", config);
        assertThat(export.err()).startsWith("Exported 1 profile(s)").doesNotContain("running master");
        accessor = JdbiProfilesAccessor.create(url); // for @AfterEach
        master = MasterServer.start(MasterConfig.builder().host("127.0.0.1").port(0).build(), ProfileSchema.demo(),
                accessor);
        endpoint = HttpEndpoint.start("127.0.0.1", 0, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                () -> new HttpEndpoint.Health(true, "{}"));
    }
}
