package io.profilesync.master.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** /health follows the supplier (200 up, 503 down), /metrics is the Prometheus scrape, anything else 404. */
@Timeout(30)
class HttpEndpointTest {
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesHealthAndMetrics() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.counter("profilesync.updates.accepted").increment(3);
        AtomicBoolean up = new AtomicBoolean(true);
        try (HttpEndpoint endpoint = HttpEndpoint.start("127.0.0.1", 0, registry,
                () -> new HttpEndpoint.Health(up.get(), "{\"status\":\"" + (up.get() ? "UP" : "DOWN") + "\"}"))) {
            String base = "http://127.0.0.1:" + endpoint.port();

            HttpResponse<String> health = send(HttpRequest.newBuilder(URI.create(base + "/health")));
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).isEqualTo("{\"status\":\"UP\"}");
            assertThat(health.headers().firstValue("Content-Type")).contains("application/json");

            up.set(false);
            assertThat(send(HttpRequest.newBuilder(URI.create(base + "/health"))).statusCode()).isEqualTo(503);

            HttpResponse<String> metrics = send(HttpRequest.newBuilder(URI.create(base + "/metrics")));
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("profilesync_updates_accepted_total 3.0");
            assertThat(metrics.headers().firstValue("Content-Type")).contains("text/plain; version=0.0.4; "
                    + "charset=utf-8");

            assertThat(send(HttpRequest.newBuilder(URI.create(base + "/nope"))).statusCode()).isEqualTo(404);
            assertThat(send(HttpRequest.newBuilder(URI.create(base + "/health"))
                    .POST(HttpRequest.BodyPublishers.noBody())).statusCode()).isEqualTo(405);
        }
    }
}
