package io.profilesync.master.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.profilesync.core.ObservableInt;
import io.profilesync.db.JdbiProfilesAccessor;
import io.profilesync.db.StoredProfile;
import io.profilesync.master.MasterConfig;
import io.profilesync.master.MasterServer;
import io.profilesync.master.cli.CommandLineTest.Run;
import io.profilesync.populators.ProfileSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The admin API of a running master, with and without its token, and the command line going through it. */
@Timeout(60)
class AdminApiTest {
    static final String TOKEN = "admin-token-0123456789abcdef-0123456789";
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
        master = MasterServer.start(MasterConfig.builder().host("127.0.0.1").port(0)
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
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + path))
                .timeout(Duration.ofSeconds(30)).method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void withoutTheTokenEveryRequestIsRefused() throws Exception {
        for (String[] request : new String[][] {{"GET", "/admin/profiles/alice"}, {"GET", "/admin/profiles"},
            {"POST", "/admin/backup"}, {"GET", "/admin/nope"}}) {
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
