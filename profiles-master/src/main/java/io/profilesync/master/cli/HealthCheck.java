package io.profilesync.master.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.profilesync.db.JdbiProfilesAccessor;
import io.profilesync.master.MasterServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What {@code GET /health} answers: UP only when the master accepts work and the database accepts writes (a write
 * probe, {@link JdbiProfilesAccessor#checkWritable()}, rolled back), its network thread runs and its saves do not
 * keep failing ({@link MasterServer#problems()}); DOWN with each reason in {@code problems} otherwise, such as
 * {@code "database: the profile database does not accept writes (…)"} or {@code "network: the network thread has
 * stopped…"}.
 *
 * <p>Threading: called on the HTTP endpoint's thread; the master and the accessor are thread-safe.
 */
final class HealthCheck implements Supplier<HttpEndpoint.Health> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long PROBE_TIMEOUT_SECONDS = 2;

    private final MasterServer master;
    private final JdbiProfilesAccessor accessor;
    private final BooleanSupplier stopping;

    HealthCheck(MasterServer master, JdbiProfilesAccessor accessor, BooleanSupplier stopping) {
        this.master = master;
        this.accessor = accessor;
        this.stopping = stopping;
    }

    @Override
    public HttpEndpoint.Health get() {
        List<String> problems = new ArrayList<>();
        boolean listening = !stopping.getAsBoolean();
        if (!listening) {
            problems.add("master: stopping");
        }
        String database = databaseProblem();
        if (database != null) {
            problems.add("database: " + database);
        }
        if (listening) {
            problems.addAll(master.problems());
        }
        MasterServer.Stats stats = master.stats();
        ObjectNode body = JSON.createObjectNode();
        body.put("status", problems.isEmpty() ? "UP" : "DOWN");
        body.putPOJO("problems", problems);
        body.put("listening", listening);
        body.put("port", master.port());
        body.put("database", database == null ? "UP" : "DOWN");
        body.put("clients", stats.clients());
        body.put("gameServers", stats.gameServers());
        body.put("loadedProfiles", stats.loadedProfiles());
        body.put("dirtyProfiles", stats.dirtyProfiles());
        return new HttpEndpoint.Health(problems.isEmpty(), body.toString());
    }

    /** Why the database cannot take a save now, or null; a probe that hangs counts as unreachable. */
    private String databaseProblem() {
        try {
            CompletableFuture.runAsync(accessor::checkWritable).get(PROBE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while probing it";
        } catch (TimeoutException e) {
            return "unreachable: a write probe got no answer within " + PROBE_TIMEOUT_SECONDS + " s";
        } catch (ExecutionException e) {
            return e.getCause().getMessage();
        }
    }
}
