package io.profilesync.master.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The optional HTTP endpoint of a running master (JDK {@link HttpServer}, no framework): {@code GET /health} answers
 * 200 with a small JSON object while the master listens and its database answers, 503 otherwise; {@code GET
 * /metrics} is the Prometheus scrape of the master's meters; with an admin token, the admin API ({@link AdminApi})
 * and the admin console ({@link ConsolePages}). Threading: requests run on one daemon thread.
 */
final class HttpEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpEndpoint.class);
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    /** What {@code /health} reports. */
    record Health(boolean up, String json) {
    }

    private final HttpServer server;
    private final ExecutorService executor;

    private HttpEndpoint(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Listens on {@code host:port}.
     *
     * @throws IOException when it cannot listen (the message names the address)
     */
    static HttpEndpoint start(String host, int port, PrometheusMeterRegistry registry, Supplier<Health> health)
            throws IOException {
        return start(host, port, registry, health, null);
    }

    /**
     * As {@link #start(String, int, PrometheusMeterRegistry, Supplier)}, with the admin API under
     * {@link AdminApi#PATH} and the admin console that calls it on {@link ConsolePages#PATH} when {@code admin} is
     * not null.
     */
    static HttpEndpoint start(String host, int port, PrometheusMeterRegistry registry, Supplier<Health> health,
            HttpHandler admin) throws IOException {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 16);
        } catch (IOException e) {
            throw new IOException("the HTTP endpoint cannot listen on " + host + ":" + port + " (" + e.getMessage()
                    + "); choose another metrics.port or metrics.host", e);
        }
        ExecutorService executor = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "profilesync-http");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/health", exchange -> {
            Health now = health.get();
            respond(exchange, now.up() ? 200 : 503, "application/json", now.json());
        });
        server.createContext("/metrics", exchange -> respond(exchange, 200, PROMETHEUS_TEXT, registry.scrape()));
        if (admin != null) {
            server.createContext(AdminApi.PATH, admin);
            ConsolePages console = new ConsolePages();
            server.createContext(ConsolePages.PATH, console);
            server.createContext(ConsolePages.STYLE, console);
        }
        server.createContext("/", exchange -> respond(exchange, 404, "text/plain; charset=utf-8",
                "not found: try /health or /metrics\n"));
        server.start();
        return new HttpEndpoint(server, executor);
    }

    int port() {
        return server.getAddress().getPort();
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body)
            throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().add("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", contentType);
            boolean head = "HEAD".equals(exchange.getRequestMethod());
            exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("HTTP request {} failed", exchange.getRequestURI(), e);
            throw e;
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
