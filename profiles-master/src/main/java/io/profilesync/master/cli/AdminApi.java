package io.profilesync.master.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.profilesync.core.ObservableProperty;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.ProfileFormatException;
import io.profilesync.core.UpdateRejectedException;
import io.profilesync.core.UserIds;
import io.profilesync.db.BackupContents;
import io.profilesync.db.BackupNotSupportedException;
import io.profilesync.db.JdbiProfilesAccessor;
import io.profilesync.db.StoredProfile;
import io.profilesync.master.AdminRefusedException;
import io.profilesync.master.MasterServer;
import io.profilesync.populators.ProfileSchema;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP API of a running master, under {@code /admin/} on the metrics endpoint, for the command line and
 * operators' tools. Every request must carry {@code Authorization: Bearer <secrets.adminToken>}; without it the
 * answer is 401. Bodies are JSON ({@code {"error": "…"}} on failure); an export is JSON lines.
 *
 * <ul>
 *   <li>{@code GET /admin/stats}: live counts, {@code {"gameServers","clients","loadedProfiles","dirtyProfiles",
 *       "conflictedProfiles","databaseAvailable"}} ({@link MasterServer#stats()});</li>
 *   <li>{@code GET /admin/profiles/USER}: the profile as the master holds it now (loaded if it was not):
 *       {@code {"userId","source":"live","version","data"}}, 404 when none is stored; with {@code ?source=stored}
 *       the database's row instead, not loading it: {@code {"userId","source":"stored","version","savedAt",
 *       "data"}};</li>
 *   <li>{@code PUT /admin/profiles/USER/properties/NAME} with the new value as JSON: sets one property through the
 *       profile thread ({@link MasterServer#editProfile}), checked as a game server's update is (type and
 *       constraints; 400 with the reason); needs an {@value #OPERATOR} header naming who edits, logged at INFO
 *       with the remote address, since the one admin token does not tell operators apart;</li>
 *   <li>{@code GET /admin/profiles}: every stored profile as JSON lines, as {@code profile export} writes them (as
 *       saved: changes still inside the save debounce are not in it);</li>
 *   <li>{@code POST /admin/backup}: an H2 or SQLite backup now, {@code {"file": "…"}}; 409 for PostgreSQL;</li>
 *   <li>{@code POST /admin/profiles[?overwrite=true]}: imports the JSON lines of the body, checked exactly as
 *       {@code profile import} checks them ({@link ImportFile}); 400 listing every problem and its line, 409 when
 *       profiles exist and {@code overwrite} is not given; each profile is applied through the profile thread
 *       ({@link MasterServer#editProfile}), so holders are pushed the change, and saved like any change;</li>
 *   <li>{@code POST /admin/profiles/USER/evict}: unloads the profile after saving it, {@code {"evicted": bool}};
 *       409 while a peer holds it;</li>
 *   <li>{@code POST /admin/restore} with {@code {"file": "…"}} (a backup on the master's machine): see
 *       {@link Restore}; 409 while peers are connected;</li>
 *   <li>{@code GET /admin/peers}: every connected peer (role, user id or secret index, address, since when, the
 *       profiles it holds).</li>
 * </ul>
 *
 * <p>Threading: called on the HTTP endpoint's one thread; the master and the accessor are thread-safe.
 */
final class AdminApi implements HttpHandler {
    static final String PATH = "/admin/";
    private static final String PROFILES = "/admin/profiles/";
    private static final String EVICT = "/evict";
    private static final String PROPERTIES = "/properties/";
    /** The request header naming who makes an edit, for the log. */
    static final String OPERATOR = "X-Profilesync-Operator";
    private static final int OPERATOR_MAX = 100;
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
        // The exchange is closed only after the answer, failures included (a try-with-resources would close it
        // before its catch blocks run, and the client would get no answer at all).
        try (exchange) {
            try {
                String given = exchange.getRequestHeaders().getFirst("Authorization");
                // Constant-time: how long the check takes tells nothing about the token.
                if (given == null || !MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8))) {
                    exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"profilesync admin\"");
                    error(exchange, 401, "missing or wrong admin token: send Authorization: Bearer "
                            + "<secrets.adminToken>");
                    return;
                }
                route(exchange);
            } catch (AdminRefusedException e) {
                error(exchange, 409, e.getMessage());
            } catch (ImportException e) {
                error(exchange, 400, e.getMessage());
            } catch (RuntimeException e) {
                LOG.warn("Admin request {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
                error(exchange, 500, "failed: " + e);
            }
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        String profile = path.startsWith(PROFILES) ? path.substring(PROFILES.length()) : null;
        int properties = profile == null ? -1 : profile.indexOf(PROPERTIES);
        if (path.equals("/admin/stats") && method.equals("GET")) {
            stats(exchange);
        } else if (properties > 0 && method.equals("PUT")) {
            editProperty(exchange, profile.substring(0, properties), profile.substring(properties
                    + PROPERTIES.length()));
        } else if (path.equals("/admin/profiles") && method.equals("GET")) {
            export(exchange);
        } else if (path.equals("/admin/profiles") && method.equals("POST")) {
            importProfiles(exchange);
        } else if (profile != null && profile.endsWith(EVICT) && method.equals("POST")) {
            evict(exchange, profile.substring(0, profile.length() - EVICT.length()));
        } else if (profile != null && method.equals("GET")) {
            show(exchange, profile);
        } else if (path.equals("/admin/backup") && method.equals("POST")) {
            backup(exchange);
        } else if (path.equals("/admin/restore") && method.equals("POST")) {
            restore(exchange);
        } else if (path.equals("/admin/peers") && method.equals("GET")) {
            peers(exchange);
        } else {
            error(exchange, 404, "no such admin request: " + method + " " + path + "; there are GET /admin/stats, "
                    + "GET /admin/profiles, GET /admin/profiles/USER, PUT /admin/profiles/USER/properties/NAME, "
                    + "POST /admin/profiles, POST /admin/profiles/USER/evict, POST /admin/backup, "
                    + "POST /admin/restore and GET /admin/peers");
        }
    }

    private void stats(HttpExchange exchange) throws IOException {
        MasterServer.Stats stats = master.stats();
        ObjectNode body = JSON.createObjectNode();
        body.put("gameServers", stats.gameServers());
        body.put("clients", stats.clients());
        body.put("loadedProfiles", stats.loadedProfiles());
        body.put("dirtyProfiles", stats.dirtyProfiles());
        body.put("conflictedProfiles", stats.conflictedProfiles());
        body.put("databaseAvailable", stats.databaseAvailable());
        respond(exchange, 200, "application/json", body.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void show(HttpExchange exchange, String userId) throws IOException {
        String problem = UserIds.problem(userId);
        if (problem != null) {
            error(exchange, 400, problem);
            return;
        }
        String query = exchange.getRequestURI().getQuery();
        if (query != null && List.of(query.split("&")).contains("source=stored")) {
            // The database's row, as saved, without loading the profile into the master.
            Optional<StoredProfile> row = accessor.findStored(userId);
            if (row.isEmpty()) {
                error(exchange, 404, "no profile stored for user '" + userId + "'");
                return;
            }
            ObjectNode shown = line(row.get());
            shown.put("source", "stored");
            respond(exchange, 200, "application/json", shown.toString().getBytes(StandardCharsets.UTF_8));
            return;
        }
        // The master's copy when it is loaded (it holds changes the database may not have yet), else the row; looking
        // does not load the profile.
        Optional<ObservableServerProfile> found = await(master.peekProfile(userId));
        if (found.isEmpty()) {
            error(exchange, 404, "no profile stored for user '" + userId + "'");
            return;
        }
        ObservableServerProfile profile = found.get();
        ObjectNode shown = JSON.createObjectNode();
        shown.put("userId", userId);
        shown.put("source", "live");
        shown.put("version", profile.storedVersion());
        shown.set("data", parse(profile.toJson()));
        respond(exchange, 200, "application/json", shown.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Sets one property of a stored profile, as a change made on the master: checked first as a game server's
     * update is (the schema's type and constraints), then applied on the profile thread, so every holder is pushed
     * it and it is saved like any change; logged at INFO with the operator and the remote address.
     */
    private void editProperty(HttpExchange exchange, String userId, String name) throws IOException {
        String operator = exchange.getRequestHeaders().getFirst(OPERATOR);
        String operatorProblem = operatorProblem(operator);
        if (operatorProblem != null) {
            error(exchange, 400, operatorProblem);
            return;
        }
        String problem = UserIds.problem(userId);
        if (problem != null) {
            error(exchange, 400, problem);
            return;
        }
        if (!schema.has(name)) {
            error(exchange, 404, "property '" + name + "' is not in the schema (" + schema.fingerprint()
                    .substring(0, 12) + "); its properties are " + schema.definitions().stream()
                    .map(definition -> definition.name()).toList());
            return;
        }
        JsonNode value;
        try (InputStream body = exchange.getRequestBody()) {
            value = JSON.readTree(body);
        } catch (IOException e) {
            value = null;
        }
        if (value == null || value.isMissingNode()) {
            error(exchange, 400, "the body is not JSON: send the new value of '" + name + "' as JSON, such as 120, "
                    + "\"Alice\" or [1, 2]");
            return;
        }
        String change = JSON.createObjectNode().set(name, value).toString();
        // Checked on a scratch profile first, so a refused value never reaches the master's copy.
        ObservableServerProfile scratch = schema.newServerProfile(userId);
        try {
            scratch.fromJson(change);
            ObservableProperty<?> property = scratch.get(name);
            schema.validatorFor(ProfileSchema.Writer.SERVER).validate(property, property.value());
        } catch (ProfileFormatException | UpdateRejectedException e) {
            error(exchange, 400, "refused " + value + " for '" + name + "': " + e.getMessage());
            return;
        }
        if (!await(accessor.restoreProfileAsync(schema.newServerProfile(userId)))) {
            error(exchange, 404, "no profile stored for user '" + userId + "': the console edits existing profiles; "
                    + "create one with POST /admin/profiles (an import)");
            return;
        }
        JsonNode[] before = new JsonNode[1];
        await(master.editProfile(userId, profile -> {
            before[0] = parse(profile.toJson()).get(name);
            profile.setFromJson(change);
        }));
        LOG.info("Admin edit by operator '{}' from {}: {}.{} = {} (was {})", operator,
                exchange.getRemoteAddress(), userId, name, value, before[0]);
        ObjectNode answer = JSON.createObjectNode();
        answer.put("userId", userId);
        answer.put("property", name);
        answer.set("value", value);
        answer.set("before", before[0]);
        answer.put("operator", operator);
        respond(exchange, 200, "application/json", answer.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Why {@code operator} cannot name who edits (it goes into the log as it is), or null. */
    static String operatorProblem(String operator) {
        if (operator == null || operator.isBlank()) {
            return "an edit needs the " + OPERATOR + " header naming who makes it (such as " + OPERATOR
                    + ": alice@ops), for the log: the admin token is shared, so it does not say who edits";
        }
        if (operator.length() > OPERATOR_MAX || operator.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            return OPERATOR + " '" + operator.replaceAll("\\p{Cntrl}", "?") + "' must be at most " + OPERATOR_MAX
                    + " printable characters (a name or an e-mail address)";
        }
        return null;
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

    /**
     * Imports the body's profiles into the running master: refused whole when any line is wrong (400) or when
     * profiles exist and {@code overwrite=true} is not in the query (409); else each is applied through the
     * profile thread, as a change made on the master: every holder is pushed it, and it is saved like any change
     * (the file's versions and times are not used: the master's versions move on).
     */
    private void importProfiles(HttpExchange exchange) throws IOException {
        String query = exchange.getRequestURI().getQuery();
        boolean overwrite = query != null && List.of(query.split("&")).contains("overwrite=true");
        List<StoredProfile> rows;
        try (BufferedReader body = new BufferedReader(new InputStreamReader(exchange.getRequestBody(),
                StandardCharsets.UTF_8))) {
            rows = ImportFile.read(body, "the posted file", schema);
        }
        Set<String> existing = ImportFile.stored(accessor, rows);
        if (!existing.isEmpty() && !overwrite) {
            error(exchange, 409, ImportFile.exists(existing, rows.size(), "the posted file", "Add --overwrite "
                    + "(overwrite=true) to replace them.").getMessage());
            return;
        }
        List<CompletableFuture<Void>> edits = new ArrayList<>();
        for (StoredProfile row : rows) {
            // The whole profile: properties the line leaves out go back to the schema's defaults, as with the
            // master stopped, where the row is replaced.
            ObservableServerProfile imported = schema.newServerProfile(row.userId());
            imported.fromJson(row.json());
            String json = imported.toJson();
            edits.add(master.editProfile(row.userId(), profile -> profile.setFromJson(json)));
        }
        for (CompletableFuture<Void> edit : edits) {
            await(edit);
        }
        LOG.info("Admin import: {} profile(s) applied, {} of them replaced", rows.size(), existing.size());
        ObjectNode answer = JSON.createObjectNode();
        answer.put("imported", rows.size());
        answer.put("replaced", existing.size());
        respond(exchange, 200, "application/json", answer.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void evict(HttpExchange exchange, String userId) throws IOException {
        String problem = UserIds.problem(userId);
        if (problem != null) {
            error(exchange, 400, problem);
            return;
        }
        boolean evicted = await(master.evict(userId));
        ObjectNode answer = JSON.createObjectNode();
        answer.put("userId", userId);
        answer.put("evicted", evicted);
        respond(exchange, 200, "application/json", answer.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void restore(HttpExchange exchange) throws IOException {
        JsonNode request;
        try (InputStream body = exchange.getRequestBody()) {
            request = JSON.readTree(body);
        } catch (IOException e) {
            error(exchange, 400, "the body is not JSON: send {\"file\": \"/path/of/a/backup\"}");
            return;
        }
        if (request == null || !request.path("file").isTextual()) {
            error(exchange, 400, "send {\"file\": \"/path/of/a/backup\"}, a backup on the master's machine");
            return;
        }
        BackupContents backup;
        try {
            backup = BackupContents.read(Path.of(request.get("file").asText()));
        } catch (IllegalArgumentException e) {
            error(exchange, 400, e.getMessage());
            return;
        }
        Restore.Result result = Restore.into(accessor, backup, master);
        LOG.warn("Admin restore from {}: {} profile(s); the database as it was is in {}; {} unsaved profile(s) "
                + "replaced", backup.file(), result.profiles(), result.before(), result.discarded());
        ObjectNode answer = JSON.createObjectNode();
        answer.put("restored", result.profiles());
        answer.put("before", result.before() == null ? null : result.before().toString());
        answer.put("discardedUnsaved", result.discarded());
        respond(exchange, 200, "application/json", answer.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void peers(HttpExchange exchange) throws IOException {
        ArrayNode list = JSON.createArrayNode();
        for (MasterServer.Peer peer : await(master.peers())) {
            ObjectNode node = list.addObject();
            node.put("role", peer.role());
            if (peer.userId() != null) {
                node.put("userId", peer.userId());
            }
            if (peer.secretIndex() >= 0) {
                node.put("secretIndex", peer.secretIndex());
            }
            node.put("remoteAddress", peer.remoteAddress());
            node.put("connectedSince", peer.connectedSince().toString());
            ArrayNode held = node.putArray("profilesHeld");
            peer.profilesHeld().forEach(held::add);
        }
        respond(exchange, 200, "application/json", list.toString().getBytes(StandardCharsets.UTF_8));
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

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof AdminRefusedException refused) {
                throw refused; // the master's reason, answered 409
            }
            throw new IllegalStateException(e.getCause() == null ? e.toString() : e.getCause().toString(), e);
        } catch (java.util.concurrent.TimeoutException e) {
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
