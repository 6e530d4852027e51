package io.profilesync.master.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.profilesync.core.UserIds;
import io.profilesync.db.BackupNotSupportedException;
import io.profilesync.db.JdbiProfilesAccessor;
import io.profilesync.db.StoredProfile;
import io.profilesync.master.MasterServer;
import io.profilesync.populators.ProfileSchema;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP API of a running master, under {@code /admin/} on the metrics endpoint, for the command line and
 * operators' tools. Every request must carry {@code Authorization: Bearer <secrets.adminToken>}; without it the
 * answer is 401. Bodies are JSON ({@code {"error": "…"}} on failure); an export is JSON lines.
 *
 * <ul>
 *   <li>{@code GET /admin/profiles/USER}: the profile as the master holds it now: {@code {"userId","version","data"}},
 *       404 when none is stored;</li>
 *   <li>{@code GET /admin/profiles}: every stored profile as JSON lines, as {@code profile export} writes them (as
 *       saved: changes still inside the save debounce are not in it);</li>
 *   <li>{@code POST /admin/backup}: an H2 or SQLite backup now, {@code {"file": "…"}}; 409 for PostgreSQL.</li>
 * </ul>
 *
 * <p>Threading: called on the HTTP endpoint's one thread; the master and the accessor are thread-safe.
 */
final class AdminApi implements HttpHandler {
    static final String PATH = "/admin/";
    private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long TIMEOUT_SECONDS = 30;

    private final byte[] token;
    private final MasterServer master;
    private final JdbiProfilesAccessor accessor;
    private final ProfileSchema schema;

    AdminApi(String token, MasterServer master, JdbiProfilesAccessor accessor, ProfileSchema schema) {
        this.token = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        this.master = master;
        this.accessor = accessor;
        this.schema = schema;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String given = exchange.getRequestHeaders().getFirst("Authorization");
            // Constant-time: how long the check takes tells nothing about the token.
            if (given == null || !MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8))) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"profilesync admin\"");
                error(exchange, 401, "missing or wrong admin token: send Authorization: Bearer <secrets.adminToken>");
                return;
            }
            route(exchange);
        } catch (RuntimeException e) {
            LOG.warn("Admin request {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
            error(exchange, 500, "failed: " + e);
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        if (path.equals("/admin/profiles") && method.equals("GET")) {
            export(exchange);
        } else if (path.startsWith("/admin/profiles/") && method.equals("GET")) {
            show(exchange, path.substring("/admin/profiles/".length()));
        } else if (path.equals("/admin/backup") && method.equals("POST")) {
            backup(exchange);
        } else {
            error(exchange, 404, "no such admin request: " + method + " " + path + "; there are GET /admin/profiles, "
                    + "GET /admin/profiles/USER and POST /admin/backup");
        }
    }

    private void show(HttpExchange exchange, String userId) throws IOException {
        String problem = UserIds.problem(userId);
        if (problem != null) {
            error(exchange, 400, problem);
            return;
        }
        boolean stored = await(accessor.restoreProfileAsync(schema.newServerProfile(userId)));
        if (!stored) {
            error(exchange, 404, "no profile stored for user '" + userId + "'");
            return;
        }
        // The master's copy: it holds changes the database may not have yet.
        ObjectNode shown = await(master.readProfile(userId, profile -> {
            ObjectNode node = JSON.createObjectNode();
            node.put("userId", userId);
            node.put("version", profile.storedVersion());
            node.set("data", parse(profile.toJson()));
            return node;
        }));
        respond(exchange, 200, "application/json", shown.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void export(HttpExchange exchange) throws IOException {
        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        accessor.forEachStored(row -> {
            try {
                lines.write(JSON.writeValueAsBytes(line(row)));
                lines.write('\n');
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        respond(exchange, 200, "application/x-ndjson", lines.toByteArray());
    }

    private void backup(HttpExchange exchange) throws IOException {
        try {
            ObjectNode body = JSON.createObjectNode();
            body.put("file", accessor.backupNow().toAbsolutePath().normalize().toString());
            respond(exchange, 200, "application/json", body.toString().getBytes(StandardCharsets.UTF_8));
        } catch (BackupNotSupportedException e) {
            error(exchange, 409, e.getMessage());
        }
    }

    /** One line of an export: {"userId","version","savedAt","data"}. */
    static ObjectNode line(StoredProfile row) {
        ObjectNode node = JSON.createObjectNode();
        node.put("userId", row.userId());
        node.put("version", row.version());
        node.put("savedAt", row.savedAt().toString());
        node.set("data", parse(row.json()));
        return node;
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> future) {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(e.getCause() == null ? e.toString() : e.getCause().toString(), e);
        }
    }

    private static void error(HttpExchange exchange, int status, String message) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        body.put("error", message);
        respond(exchange, status, "application/json", body.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void respond(HttpExchange exchange, int status, String contentType, byte[] body)
            throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
