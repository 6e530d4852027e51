package io.profilesync.master.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * The command line's side of {@link AdminApi}: when the settings name an admin token and the master's HTTP endpoint
 * answers, {@code profile} and {@code backup} go through the running master instead of opening the database file
 * (which H2 would refuse while the master has it open).
 *
 * <p>Threading: one command's; not shared.
 */
final class AdminClient {
    /** An answer of the admin API. */
    record Response(int status, String body) {
        /** A text field of the JSON body, or the whole body when it is not JSON with that field. */
        String field(String name) {
            try {
                JsonNode value = JSON.readTree(body).get(name);
                return value == null ? body : value.asText();
            } catch (IOException e) {
                return body;
            }
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(5);

    private final HttpClient http;
    private final URI base;
    private final String token;

    private AdminClient(HttpClient http, URI base, String token) {
        this.http = http;
        this.base = base;
        this.token = token;
    }

    /**
     * The running master's admin API, or empty when the settings give no admin token, the HTTP endpoint is off, or
     * nothing answers on it (the master is not running).
     */
    static Optional<AdminClient> find(Settings settings) {
        if (settings.adminToken().isEmpty() || !settings.metricsEnabled()) {
            return Optional.empty();
        }
        String host = settings.metricsHost();
        if (host.equals("0.0.0.0") || host.equals("::") || host.isBlank()) {
            host = "127.0.0.1";
        }
        URI base = URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":"
                + settings.metricsPort());
        HttpClient http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
        try {
            http.send(HttpRequest.newBuilder(base.resolve("/health")).timeout(CONNECT_TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
        return Optional.of(new AdminClient(http, base, settings.adminToken().get()));
    }

    /** Where the API is, for messages. */
    URI base() {
        return base;
    }

    Response get(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET());
    }

    Response post(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).POST(HttpRequest.BodyPublishers.noBody()));
    }

    Response post(String path, String body, String contentType) {
        return send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)));
    }

    /** The refusal of a command that only a running master can do, when none answers. */
    static UsageException masterNeeded(String command) {
        return new UsageException(command + " needs a running master's admin API, and none answers: start the "
                + "master with secrets.adminToken and metrics.enabled: true, and give the command the same --config");
    }

    /** A path segment, escaped (user ids of the rule need none, but a refused one must reach the API intact). */
    static String segment(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.timeout(REQUEST_TIMEOUT)
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 401) {
                throw new UsageException("the running master at " + base + " refused the admin token: set "
                        + "secrets.adminToken (or PROFILESYNC_ADMIN_TOKEN) to the master's");
            }
            return new Response(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new AdminException("the running master's admin API at " + base
                    + " did not answer (" + e + "); try again, or stop the master to open the database directly", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AdminException("interrupted while asking the master at " + base, e);
        }
    }
}
