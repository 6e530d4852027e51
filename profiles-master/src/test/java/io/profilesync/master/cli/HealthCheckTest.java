package io.profilesync.master.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.profilesync.db.JdbiProfilesAccessor;
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
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The start refuses a database that does not accept writes, and /health says DOWN, and why, when it stops. */
@Timeout(60)
class HealthCheckTest {
    @TempDir
    Path dir;

    @Test
    void serveRefusesToStartOnAReadOnlyDatabase() throws Exception {
        String url = "jdbc:h2:" + dir.resolve("profiles").toAbsolutePath();
        JdbiProfilesAccessor.create(url).close();
        Path config = dir.resolve("ro.yaml");
        Files.writeString(config, "server:\n  host: 127.0.0.1\n  port: 0\ndatabase:\n  url: '" + url
                + ";ACCESS_MODE_DATA=r'\nsecrets:\n  file: " + dir.resolve("secrets.yaml") + "\n");
        Run run = CommandLineTest.run("serve", "--config", config.toString());
        assertThat(run.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(run.err()).startsWith("profilesync: the profile database does not accept writes (")
                .contains("read only").doesNotContain("\tat ");
        assertThat(run.err().lines().count()).isOne();
    }

    @Test
    void healthIsDownWithTheReasonWhileTheDatabaseIsReadOnlyOrTheMasterStops() throws Exception {
        String url = "jdbc:h2:" + dir.resolve("profiles").toAbsolutePath();
        AtomicBoolean stopping = new AtomicBoolean();
        HttpClient http = HttpClient.newHttpClient();
        ObjectMapper json = new ObjectMapper();
        try (JdbiProfilesAccessor writable = JdbiProfilesAccessor.create(url);
             MasterServer master = MasterServer.start(MasterConfig.builder().host("127.0.0.1").port(0).build(),
                     ProfileSchema.demo(), writable)) {
            HealthCheck healthy = new HealthCheck(master, writable, stopping::get);
            assertThat(healthy.get().up()).as(healthy.get().json()).isTrue();
            JsonNode up = json.readTree(healthy.get().json());
            assertThat(up.get("status").asText()).isEqualTo("UP");
            assertThat(up.get("problems")).isEmpty();
            assertThat(up.get("database").asText()).isEqualTo("UP");

            String readOnlyUrl = "jdbc:h2:" + dir.resolve("other").toAbsolutePath();
            JdbiProfilesAccessor.create(readOnlyUrl).close();
            try (JdbiProfilesAccessor readOnly = JdbiProfilesAccessor.create(readOnlyUrl + ";ACCESS_MODE_DATA=r");
                 HttpEndpoint endpoint = HttpEndpoint.start("127.0.0.1", 0,
                         new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                         new HealthCheck(master, readOnly, stopping::get))) {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + endpoint.port() + "/health")).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(503);
                JsonNode down = json.readTree(response.body());
                assertThat(down.get("status").asText()).isEqualTo("DOWN");
                assertThat(down.get("database").asText()).isEqualTo("DOWN");
                assertThat(down.get("problems").get(0).asText())
                        .startsWith("database: the profile database does not accept writes (").contains("read only");
            }

            // The network thread dies: DOWN, and the body says so.
            java.lang.reflect.Method stopNetwork = MasterServer.class.getDeclaredMethod("stopNetworkThread");
            stopNetwork.setAccessible(true);
            stopNetwork.invoke(master);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !healthy.get().up());
            JsonNode noNetwork = json.readTree(healthy.get().json());
            assertThat(noNetwork.get("status").asText()).isEqualTo("DOWN");
            assertThat(noNetwork.get("database").asText()).isEqualTo("UP");
            assertThat(noNetwork.get("problems").get(0).asText()).startsWith("network: the network thread has stopped");

            stopping.set(true);
            JsonNode stopped = json.readTree(healthy.get().json());
            assertThat(stopped.get("status").asText()).isEqualTo("DOWN");
            assertThat(stopped.get("problems").get(0).asText()).isEqualTo("master: stopping");
        }
    }
}
