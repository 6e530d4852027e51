package io.profilesync.master;

import com.esotericsoftware.kryonet.Connection;
import com.esotericsoftware.kryonet.Listener;
import com.esotericsoftware.kryonet.OnDemandConnection;
import com.esotericsoftware.kryonet.OnDemandServer;
import com.esotericsoftware.kryonet.Server;
import io.profilesync.core.IProfilesDatabaseAccessor;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.Precondition;
import io.profilesync.core.ProfilesException;
import io.profilesync.master.hooks.Author;
import io.profilesync.master.hooks.MasterHooks;
import io.profilesync.master.internal.MasterCore;
import io.profilesync.master.internal.MasterCoreEvents;
import io.profilesync.master.transport.ConnectionGate;
import io.profilesync.master.transport.KryoNetGate;
import io.profilesync.master.transport.MasterHealth;
import io.profilesync.master.transport.websocket.PagesHandler;
import io.profilesync.master.transport.websocket.WebSocketTransport;
import io.profilesync.populators.ProfileSchema;
import io.profilesync.protocol.ProfileUnavailableException;
import io.profilesync.protocol.internal.ExecutorEventLoop;
import io.profilesync.protocol.internal.Messages.Message;
import io.profilesync.protocol.internal.Messages.Role;
import io.profilesync.protocol.internal.PeerChannel;
import io.profilesync.protocol.internal.Protocol;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master server: owns every profile, serves game servers and clients over KryoNet, and keeps profiles safe in
 * an {@link IProfilesDatabaseAccessor}. Start one with {@link #start}; {@link #close()} stops accepting work, tells
 * every peer what was applied, and saves every dirty profile before it returns.
 *
 * <p>This is the only master class that knows KryoNet: it adapts each connection to a {@link PeerChannel} and runs
 * the master core ({@link MasterCore}, the protocol logic, with no sockets, threads or clock of its own) on one
 * profile thread, "profilesync-master", through an {@link ExecutorEventLoop}.
 *
 * <p>Threading: thread-safe. Every public method may be called from any thread. Internally all profile state lives
 * on the profile thread; KryoNet's network thread only hands it each connection, message and disconnect, and
 * database calls run on the accessor's executor and hand their results back to it.
 */
public final class MasterServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MasterServer.class);
    static final String THREAD_NAME = "profilesync-master";

    private final MasterConfig config;
    private final ExecutorEventLoop loop;
    private final ScheduledExecutorService executor;
    private final MasterCore core;
    private final Server server;
    private final MasterHealth health = new MasterHealth();
    /** The one gate of every transport: its limits count TCP and WebSocket connections together. */
    private final ConnectionGate gate;
    /** The channel of each open connection, by KryoNet's connection id. */
    private final Map<Integer, KryoChannel> channels = new ConcurrentHashMap<>();
    private final int port;
    /** KryoNet's update thread, started here rather than by Server.start() so that its life can be checked. */
    private final Thread networkThread;
    private final WebSocketTransport webSocket;
    private volatile boolean closed;

    private MasterServer(MasterConfig config, ProfileSchema schema, IProfilesDatabaseAccessor accessor)
            throws IOException {
        this.config = config;
        this.loop = ExecutorEventLoop.singleThread(THREAD_NAME);
        this.executor = loop.executor();
        this.core = new MasterCore(config, schema, accessor, loop);
        this.gate = new ConnectionGate(config, health);
        KryoNetGate tcpGate = new KryoNetGate(gate);
        // Buffers on demand: an idle connection holds none (a client costs a few KiB, not writeBufferSize +
        // objectBufferSize); game servers keep theirs once welcomed (KryoNetGate). docs/master.md, Connection memory.
        Protocol.routeKryoNetLogging();
        try {
            this.server = new OnDemandServer(config.writeBufferSize(), config.objectBufferSize(),
                    tcpGate.serialization());
        } catch (IllegalStateException e) { // KryoNet is not the one the on-demand buffers were written for
            executor.shutdownNow();
            throw new IOException(e.getMessage(), e);
        }
        server.addListener(tcpGate.guard(new Listener() {
            @Override
            public void connected(Connection connection) {
                KryoChannel channel = new KryoChannel(connection, config.writeBufferSize());
                channels.put(connection.getID(), channel);
                loop.execute(() -> core.onConnected(channel));
            }

            @Override
            public void received(Connection connection, Object object) {
                KryoChannel channel = channels.get(connection.getID());
                if (channel != null && object instanceof Message message) { // not KryoNet's keep-alives and pings
                    loop.execute(() -> core.onReceived(channel, message));
                }
            }

            @Override
            public void disconnected(Connection connection) {
                KryoChannel channel = channels.remove(connection.getID());
                if (channel != null) {
                    loop.execute(() -> core.onDisconnected(channel));
                }
            }
        }));
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
        this.networkThread = tcpGate.startNetworkThread(server);
        this.webSocket = config.webSocket().isPresent() ? startWebSocket(config.webSocket().get()) : null;
    }

    /**
     * The WebSocket endpoint: one more adapter of the same core, every event handed to the profile thread, behind
     * the same gate as KryoNet TCP.
     */
    private WebSocketTransport startWebSocket(WebSocketConfig ws) throws IOException {
        WebSocketTransport transport = new WebSocketTransport(ws, loop, new MasterCoreEvents(core),
                new PagesHandler(ws.path(), null), gate);
        try {
            transport.start();
        } catch (IOException e) {
            server.stop();
            server.close();
            executor.shutdownNow();
            throw e;
        }
        return transport;
    }

    /** The WebSocket endpoint's port, when it is on. */
    public java.util.OptionalInt webSocketPort() {
        return webSocket == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(webSocket.port());
    }

    /** One KryoNet connection as the master core sees it. Called on the profile thread (KryoNet's calls are safe). */
    private static final class KryoChannel implements PeerChannel {
        private final Connection connection;
        private final int writeBufferSize;
        private final String remoteAddress;

        KryoChannel(Connection connection, int writeBufferSize) {
            this.connection = connection;
            this.writeBufferSize = writeBufferSize;
            InetSocketAddress address = connection.getRemoteAddressTCP();
            this.remoteAddress = address == null ? "unknown" : address.getHostString() + ":" + address.getPort();
        }

        @Override
        public boolean trySend(Message message) {
            // Never into a full write buffer: KryoNet would throw and corrupt the stream.
            return connection.isConnected() && Protocol.trySend(connection, message, writeBufferSize);
        }

        @Override
        public void close() {
            connection.close();
        }

        @Override
        public String remoteAddress() {
            return remoteAddress;
        }

        @Override
        public String describe() {
            return "connection " + connection.getID() + " (" + remoteAddress + ")";
        }

        boolean writing() {
            return connection.isConnected() && connection.getTcpWriteBufferSize() > 0;
        }
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
        return onLoop(() -> core.edit(userId, edit));
    }

    /**
     * Changes a profile on the master as one unit, all or nothing (loading it if needed): only if every one of
     * {@code preconditions} holds on the master's current state does {@code edit} run, on a scratch copy; only if it
     * returns normally and its result keeps every constraint of the schema ({@code min}, {@code max}...) does the
     * profile take what it changed, reaching every holder and saved at once. Otherwise nothing changes anywhere.
     *
     * <pre>{@code
     * master.transact(userId, List.of(Precondition.atLeast("gold", price)), profile -> {
     *     profile.get("gold", ObservableInt.class).subtract(price);
     *     profile.getList("items", ElementType.STRING).add("sword");
     * });
     * }</pre>
     *
     * {@code edit} runs on the profile thread: keep it short, and do not keep the profile it is given.
     *
     * @return completed once the change is committed to the database (at once when {@code edit} changed nothing);
     *     failed with {@link io.profilesync.protocol.TransactionRefusedException} when a precondition does not hold
     *     or a constraint would be broken (each reason named), with what {@code edit} throws, and with
     *     {@link io.profilesync.protocol.ProfileUnavailableException} when the profile cannot be loaded
     */
    public CompletableFuture<Void> transact(String userId, List<Precondition> preconditions,
            Consumer<ObservableServerProfile> edit) {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(preconditions, "preconditions");
        Objects.requireNonNull(edit, "edit");
        List<Precondition> checks = List.copyOf(preconditions);
        return onLoop(() -> core.transact(userId, checks, edit));
    }

    /** A connected peer, for operators (the admin API lists them). */
    public record Peer(String role, String userId, int secretIndex, String remoteAddress, Instant connectedSince,
            List<String> profilesHeld) {
        /**
         * @param role {@code client}, {@code game_server}, or {@code authenticating} (not past the handshake yet)
         * @param userId a client's user id; null for the others
         * @param secretIndex which of {@link MasterConfig#gameServerSecrets()} a game server proved (from 0); -1 for
         *     the others
         * @param remoteAddress the peer's address and port
         * @param connectedSince when it connected (to the precision of the master's clock)
         * @param profilesHeld the user ids of the profiles it holds
         */
        public Peer {
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(remoteAddress, "remoteAddress");
            Objects.requireNonNull(connectedSince, "connectedSince");
            profilesHeld = List.copyOf(profilesHeld);
        }
    }

    /** Every connected peer, in the order they connected. */
    public CompletableFuture<List<Peer>> peers() {
        return onLoop(() -> {
            // The core counts on the loop's clock only; the time of day is the adapter's to add.
            long nowNanos = loop.nanoTime();
            Instant now = Instant.now();
            List<Peer> peers = new ArrayList<>();
            for (MasterCore.Peer peer : core.peers()) {
                String role = peer.role() == null ? "authenticating" : peer.role() == Role.CLIENT ? "client"
                        : "game_server";
                peers.add(new Peer(role, peer.userId(), peer.secretIndex(), peer.remoteAddress(),
                        now.minusNanos(nowNanos - peer.connectedAtNanos()), peer.profilesHeld()));
            }
            return CompletableFuture.completedFuture(peers);
        });
    }

    /**
     * Unloads the profile of {@code userId} from memory, after saving it if it has unsaved changes; completes with
     * true once it is unloaded, false when it was not loaded. Fails with {@link AdminRefusedException} while a peer
     * holds it (they keep it; it unloads by itself once they release it) or while it is still loading.
     */
    public CompletableFuture<Boolean> evict(String userId) {
        Objects.requireNonNull(userId, "userId");
        return onLoop(() -> core.evict(userId));
    }

    /**
     * Restores a backup while the master runs: refused ({@link AdminRefusedException}) while any peer is connected.
     * Otherwise every profile leaves memory unsaved, new connections are closed meanwhile, and {@code replaceRows}
     * replaces the database's rows; it must write after the saves already submitted to the accessor
     * ({@code JdbiProfilesAccessor.replaceAllAsync} does). Completes with how many profiles in memory had unsaved
     * changes, discarded because the backup replaces them.
     */
    public CompletableFuture<Integer> restore(Supplier<CompletableFuture<Void>> replaceRows) {
        Objects.requireNonNull(replaceRows, "replaceRows");
        return onLoop(() -> core.restore(replaceRows));
    }

    /** Runs {@code task} on the profile thread; the future completes as the one it returns (or fails as it threw). */
    private <T> CompletableFuture<T> onLoop(Supplier<CompletableFuture<T>> task) {
        CompletableFuture<T> done = new CompletableFuture<>();
        loop.execute(() -> {
            CompletableFuture<T> result;
            try {
                result = task.get();
            } catch (RuntimeException e) {
                result = CompletableFuture.failedFuture(e);
            }
            result.whenComplete((value, error) -> {
                if (error == null) {
                    done.complete(value);
                } else {
                    done.completeExceptionally(error);
                }
            });
        });
        return done;
    }

    /**
     * Where game logic registers with this master: listeners, validators, reactions ({@link MasterHooks}). Plugins
     * in the configuration registered before the master started listening; what registers here takes effect for the
     * next event or change.
     */
    public MasterHooks hooks() {
        return core.hooks();
    }

    /**
     * A copy of a profile, read without loading it: the live one when it is loaded (its unsaved changes included),
     * else the database's row; empty when the user has no profile. Fails with {@link ProfileUnavailableException}
     * when the database cannot be read.
     */
    public CompletableFuture<Optional<ObservableServerProfile>> peekProfile(String userId) {
        Objects.requireNonNull(userId, "userId");
        return onLoop(() -> core.peek(userId));
    }

    /** A profile in memory, whether it has unsaved changes, and who holds it. */
    public record LoadedProfile(String userId, boolean dirty, List<Author> holders) {
        public LoadedProfile {
            Objects.requireNonNull(userId, "userId");
            holders = List.copyOf(holders);
        }
    }

    /** Every profile in memory (not still loading), in the order they were first needed, with their holders. */
    public CompletableFuture<List<LoadedProfile>> loadedProfiles() {
        return onLoop(() -> CompletableFuture.completedFuture(core.loadedProfiles()));
    }

    /**
     * Reads a profile on the profile thread, loading it if needed (it then stays in memory until
     * {@code unloadProfileAfter}, and is created from the schema's defaults when the user has none), and returns what
     * {@code read} makes of it. To look without loading, use {@link #peekProfile}.
     */
    public <T> CompletableFuture<T> readProfile(String userId, Function<ObservableServerProfile, T> read) {
        Objects.requireNonNull(read, "read");
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
    void dropConnections(Role role) {
        call(() -> {
            core.closeConnections(role);
            return null;
        }, System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
    }

    /**
     * What keeps the master from doing its work now, one line each, or an empty list: the network thread has
     * stopped (no peer is served), or saves keep failing. For health checks; thread-safe.
     */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (!closed && !networkThread.isAlive()) {
            problems.add("network: the network thread has stopped, so no peer is served; restart the master");
        }
        String saves = core.saveProblem();
        if (saves != null) {
            problems.add("saves: " + saves);
        }
        return problems;
    }

    /** For tests: stops the network thread as a crash of it would, leaving everything else running. */
    void stopNetworkThread() throws InterruptedException {
        while (networkThread.isAlive()) {
            server.stop(); // again if the thread had not started yet: its run() clears the stop flag
            networkThread.join(100);
        }
    }

    /** Figures about the master right now; thread-safe. */
    /**
     * Why the master can no longer serve (a thread it needs ended by an {@link Error}, logged at ERROR), or empty
     * while it can; {@code /health} reports DOWN with it. Thread-safe.
     */
    public Optional<String> failure() {
        return health.failure();
    }

    /** For tests: the master's side of KryoNet connection {@code id} (the id its peer was told), or null. */
    OnDemandConnection connection(int id) {
        KryoChannel channel = channels.get(id);
        return channel == null ? null : (OnDemandConnection) channel.connection;
    }

    /** For tests: how many connections wait to authenticate now. */
    int waitingToAuthenticate() {
        return gate.waiting();
    }

    public Stats stats() {
        return core.stats();
    }

    /**
     * A snapshot of the master's figures. {@code databaseAvailable} is false from a failed save (not a conflict) until
     * a save succeeds again: meanwhile durable acknowledgements wait and writers keep their batches (for /health).
     */
    public record Stats(int clients, int gameServers, int loadedProfiles, int dirtyProfiles, int conflictedProfiles,
            boolean databaseAvailable) {
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
        call(() -> {
            core.beginShutdown();
            return null;
        }, deadline);
        waitForWriteBuffers(new ArrayList<>(channels.values()),
                Math.min(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(2)));
        server.stop();
        server.close();
        if (webSocket != null) {
            webSocket.close();
        }
        int before = call(core::dirtyCount, deadline);
        while (call(core::savableDirtyCount, deadline) > 0 && System.nanoTime() < deadline) {
            List<CompletableFuture<Void>> saves = call(() -> core.saveDue(true), deadline);
            for (CompletableFuture<Void> save : saves) {
                await(save, deadline);
            }
            if (call(core::savableDirtyCount, deadline) > 0) {
                sleepQuietly(saves.isEmpty() ? 20 : 200); // a failing database is retried, not hammered
            }
        }
        int left = call(core::dirtyCount, deadline);
        int saved = before - left;
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

    /** Runs {@code task} on the profile thread and waits for it, at most until {@code deadline}. */
    private <T> T call(Callable<T> task, long deadline) {
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

    private static void waitForWriteBuffers(List<KryoChannel> channels, long deadline) {
        for (KryoChannel channel : channels) {
            while (channel.writing() && System.nanoTime() < deadline) {
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
