package io.profilesync.master;

import com.esotericsoftware.kryonet.Connection;
import com.esotericsoftware.kryonet.Listener;
import com.esotericsoftware.kryonet.Server;
import io.profilesync.core.IProfilesDatabaseAccessor;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.ProfilesException;
import io.profilesync.master.internal.ConnectionGate;
import io.profilesync.master.internal.MasterHealth;
import io.profilesync.populators.ProfileSchema;
import io.profilesync.protocol.internal.Protocol;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master server: owns every profile, serves game servers and clients over KryoNet, and keeps profiles safe in
 * an {@link IProfilesDatabaseAccessor}. Start one with {@link #start}; {@link #close()} stops accepting work, tells
 * every peer what was applied, and saves every dirty profile before it returns.
 *
 * <p>Threading: thread-safe. Every public method may be called from any thread. Internally all profile state lives
 * on one profile thread ("profilesync-master"); KryoNet's network thread only hands it messages, and database calls
 * run on the accessor's executor.
 */
public final class MasterServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MasterServer.class);
    private static final long TICK_MILLIS = 10;

    private final MasterConfig config;
    private final ScheduledExecutorService executor;
    private final ProfilesModule module;
    private final Server server;
    private final MasterHealth health = new MasterHealth();
    private final ConnectionGate gate;
    private final int port;
    private volatile boolean closed;

    private MasterServer(MasterConfig config, ProfileSchema schema, IProfilesDatabaseAccessor accessor)
            throws IOException {
        this.config = config;
        this.executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "profilesync-master");
            thread.setDaemon(true);
            thread.setUncaughtExceptionHandler((t, e) -> health.fail("the master's profile thread", e));
            return thread;
        });
        this.module = new ProfilesModule(config, schema, accessor, executor);
        this.gate = new ConnectionGate(config, health);
        this.server = Protocol.newServer(config.writeBufferSize(), config.objectBufferSize(), gate.serialization());
        server.addListener(gate.guard(new Listener() {
            @Override
            public void connected(Connection connection) {
                executor.execute(() -> module.onConnected(connection));
            }

            @Override
            public void received(Connection connection, Object object) {
                executor.execute(() -> module.onReceived(connection, object));
            }

            @Override
            public void disconnected(Connection connection) {
                executor.execute(() -> module.onDisconnected(connection));
            }
        }));
        executor.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        int chosen = config.port() == 0 ? freePort(config.host()) : config.port();
        try {
            server.bind(new InetSocketAddress(config.host(), chosen), null);
        } catch (IOException e) {
            executor.shutdownNow();
            server.close();
            throw new IOException("cannot listen on " + config.host() + ":" + chosen + " (" + e.getMessage()
                    + "); choose another host or port, or stop what uses it", e);
        }
        this.port = chosen;
        gate.startNetworkThread(server);
    }

    /**
     * Starts a master listening on {@code config}'s host and port.
     *
     * @param schema what every profile holds
     * @param accessor where profiles are loaded from and saved to; the master does not close it
     * @throws ProfilesException when it cannot listen (the message names the address and the fix)
     */
    public static MasterServer start(MasterConfig config, ProfileSchema schema, IProfilesDatabaseAccessor accessor) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(accessor, "accessor");
        try {
            MasterServer master = new MasterServer(config, schema, accessor);
            LOG.info("Master listening on {}:{} with a schema of {} properties (fingerprint {})", config.host(),
                    master.port, schema.size(), schema.fingerprint());
            return master;
        } catch (IOException e) {
            throw new MasterStartException(e.getMessage(), e);
        }
    }

    /** The port the master listens on (the chosen one when configured with 0). */
    public int port() {
        return port;
    }

    public MasterConfig config() {
        return config;
    }

    /**
     * Changes a profile on the master itself (loading it if needed); the change reaches every holder and is saved
     * like any other. {@code edit} runs on the profile thread: keep it short.
     */
    public CompletableFuture<Void> editProfile(String userId, Consumer<ObservableServerProfile> edit) {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(edit, "edit");
        CompletableFuture<Void> done = new CompletableFuture<>();
        executor.execute(() -> module.edit(userId, edit, done));
        return done;
    }

    /** Reads a profile on the profile thread (loading it if needed) and returns what {@code read} makes of it. */
    public <T> CompletableFuture<T> readProfile(String userId,
            java.util.function.Function<ObservableServerProfile, T> read) {
        CompletableFuture<T> result = new CompletableFuture<>();
        editProfile(userId, profile -> result.complete(read.apply(profile)))
                .whenComplete((ignored, error) -> {
                    if (error != null) {
                        result.completeExceptionally(error);
                    }
                });
        return result;
    }

    /** For tests: closes every connection of peers in that role, as a network failure would. */
    void dropConnections(io.profilesync.protocol.internal.Messages.Role role) {
        call(() -> {
            module.dropConnections(role);
            return null;
        }, System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
    }

    /** Figures about the master right now; thread-safe. */
    public Stats stats() {
        return new Stats(module.connectedClients.get(), module.connectedGameServers.get(), module.loadedProfiles.get(),
                module.dirtyProfiles.get(), module.conflictedProfiles.get());
    }

    /**
     * Why the master can no longer serve (a thread it needs ended by an {@link Error}, logged at ERROR), or empty
     * while it can; {@code /health} reports DOWN with it. Thread-safe.
     */
    public Optional<String> failure() {
        return health.failure();
    }

    /** For tests: how many connections wait to authenticate now. */
    int waitingToAuthenticate() {
        return gate.waiting();
    }

    /** A snapshot of the master's figures. */
    public record Stats(int clients, int gameServers, int loadedProfiles, int dirtyProfiles, int conflictedProfiles) {
    }

    private void tick() {
        try {
            module.tick();
        } catch (RuntimeException e) {
            LOG.error("The master's housekeeping failed; it runs again shortly", e);
        } catch (Error e) {
            health.fail("the master's housekeeping on the profile thread", e); // a scheduled task that throws stops
        }
    }

    /**
     * Stops accepting work, pushes every pending acknowledgement, closes every connection, then saves every dirty
     * profile (retrying failed saves until {@link MasterConfig#shutdownTimeout()}), and logs how many it saved.
     * Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        long deadline = System.nanoTime() + config.shutdownTimeout().toNanos();
        LOG.info("Master shutting down: no new work; telling peers what was applied");
        List<Connection> connections = call(() -> {
            module.beginShutdown();
            return module.connections();
        }, deadline);
        waitForWriteBuffers(connections, Math.min(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(2)));
        server.stop();
        server.close();
        int saved = 0;
        int before = call(module::dirtyCount, deadline);
        while (call(module::savableDirtyCount, deadline) > 0 && System.nanoTime() < deadline) {
            List<CompletableFuture<Void>> saves = call(() -> module.saveDue(true), deadline);
            for (CompletableFuture<Void> save : saves) {
                await(save, deadline);
            }
            if (call(module::savableDirtyCount, deadline) > 0) {
                sleepQuietly(saves.isEmpty() ? 20 : 200); // a failing database is retried, not hammered
            }
        }
        int left = call(module::dirtyCount, deadline);
        saved = before - left;
        if (left > 0) {
            LOG.error("Master stopped with {} profile(s) NOT saved (conflicts or a database that kept failing); "
                    + "see the errors above", left);
        }
        LOG.info("Master stopped; saved {} profile(s) on the way out", saved);
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private <T> T call(java.util.concurrent.Callable<T> task, long deadline) {
        try {
            return executor.submit(task).get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MasterShutdownException("interrupted while shutting down", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new MasterShutdownException("the master's profile thread did not answer while shutting down: " + e, e);
        }
    }

    private static void await(CompletableFuture<?> future, long deadline) {
        try {
            future.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("A save did not finish while shutting down: {}", e.toString());
        }
    }

    private static void waitForWriteBuffers(List<Connection> connections, long deadline) {
        for (Connection connection : connections) {
            while (connection.isConnected() && connection.getTcpWriteBufferSize() > 0
                    && System.nanoTime() < deadline) {
                sleepQuietly(5);
            }
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort(String host) throws IOException {
        // KryoNet's bind does not report the port it chose, so pick a free one first.
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(host, 0));
            return socket.getLocalPort();
        }
    }
}
