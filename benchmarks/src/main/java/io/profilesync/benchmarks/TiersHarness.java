package io.profilesync.benchmarks;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryonet.KryoSerialization;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.profilesync.client.ProfilesClient;
import io.profilesync.client.ProfilesClientConfig;
import io.profilesync.core.ObservableInt;
import io.profilesync.core.ObservableLong;
import io.profilesync.core.ObservableProfile;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.gameserver.ProfilesServer;
import io.profilesync.gameserver.ProfilesServerConfig;
import io.profilesync.master.HmacTokens;
import io.profilesync.master.MasterConfig;
import io.profilesync.master.MasterServer;
import io.profilesync.master.WebSocketConfig;
import io.profilesync.populators.ProfileSchema;
import io.profilesync.protocol.internal.Messages.ClientPush;
import io.profilesync.protocol.internal.Messages.HandleDelta;
import io.profilesync.protocol.internal.Messages.ServerBatch;
import io.profilesync.protocol.internal.Protocol;
import io.profilesync.testing.InMemoryProfilesDatabaseAccessor;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The three tiers on loopback in one process: bytes on the wire for one changed int, then one master, several game
 * servers and many clients, reporting property changes per second through the master and the latency from a game
 * server's {@code set} to the client's listener (median, p99). Bounded: a fixed duration, then everything stops.
 *
 * <p>Run: {@code mvn -q -pl benchmarks -am package -DskipTests && java -cp benchmarks/target/benchmarks.jar
 * io.profilesync.benchmarks.TiersHarness [gameServers] [clients] [seconds] [extra profiles per game server]}
 */
public final class TiersHarness {
    static {
        // The benchmarks jar binds slf4j-simple, which reads its level once, when the first logger is made: that is
        // during this class's initialization (SCHEMA below), so setting it in main was too late and every run
        // printed about 9,000 INFO lines of connection chatter.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }

    private static final String TOKEN_SECRET = "harness-token-secret-0123456789abcdef";
    private static final String SECRET = "harness-game-server-secret";
    private static final ProfileSchema SCHEMA = ProfileSchema.builder()
            .intProperty("gold", 0)
            .longProperty("stamp", 0)
            .intProperty("level", 1)
            .stringProperty("displayName", "")
            .build();

    private TiersHarness() {
    }

    public static void main(String[] args) throws Exception {
        int gameServers = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        wireBytes();
        System.out.println();
        int extra = args.length > 3 ? Integer.parseInt(args[3]) : 2000;
        if (args.length > 4 && args[4].equals("websocket")) { // set -> listener over ws:// against TCP, alternating
            for (int pair = 1; pair <= 2; pair++) {
                for (boolean webSocket : new boolean[] {false, true}) {
                    run("low latency over " + (webSocket ? "WebSocket (ws://)" : "KryoNet TCP") + ", pair " + pair,
                            gameServers, clients, 0, seconds, Duration.ofMillis(10), Duration.ZERO, webSocket);
                }
            }
            System.exit(0);
        }
        if (args.length > 4 && args[4].equals("cadence")) { // MST's cadence taken apart: each half alone
            run("tick only (updateInterval 100 ms, clientUpdateDebounce 0)", gameServers, clients, 0, seconds,
                    Duration.ofMillis(100), Duration.ZERO);
            run("debounce only (updateInterval 10 ms, clientUpdateDebounce 1 s)", gameServers, clients, 0, seconds,
                    Duration.ofMillis(10), Duration.ofSeconds(1));
            System.exit(0);
        }
        // "saturation" runs only the last case, for before/after comparisons.
        if (args.length <= 4 || !args[4].equals("saturation")) {
            rawRelay(gameServers, clients, seconds, Duration.ofMillis(10));
            run("low latency (game-server updateInterval 10 ms, clientUpdateDebounce 0)", gameServers, clients, 0,
                    seconds, Duration.ofMillis(10), Duration.ZERO);
            run("MST's cadence (updateInterval 100 ms, clientUpdateDebounce 1 s)", gameServers, clients, 0, seconds,
                    Duration.ofMillis(100), Duration.ofSeconds(1));
        }
        run("saturation (each game server also changes " + extra + " profiles nobody's client holds, every 10 ms)",
                gameServers, clients, extra, seconds, Duration.ofMillis(10), Duration.ZERO);
        System.exit(0);
    }

    /**
     * Updates the master applied, over every kind of writer: the counter is labelled by writer, so a lookup by name
     * alone would make a new, empty counter (the harness printed 0 /s for a while).
     */
    static double accepted(SimpleMeterRegistry meters) {
        return meters.find("profilesync.updates.accepted").counters().stream().mapToDouble(c -> c.count()).sum();
    }

    /** Exact bytes KryoNet writes for one changed int: its 4-byte length prefix, the class id, the message. */
    static void wireBytes() {
        ObservableProfile profile = SCHEMA.newProfile();
        profile.get("gold", ObservableInt.class).set(5);
        byte[] delta = profile.getUpdates();
        Kryo kryo = new Kryo();
        Protocol.register(kryo);
        KryoSerialization serialization = new KryoSerialization(kryo);
        // Made on push 2 of the copy, nothing of it laid over (the base every batch entry carries since protocol 6).
        int batch = frame(serialization, new ServerBatch(1, List.of(new HandleDelta(1, 2, 0, delta))));
        int batchLater = frame(serialization, new ServerBatch(100_000, List.of(new HandleDelta(1, 2, 0, delta))));
        int push = frame(serialization, new ClientPush(0, 0, delta, List.of()));
        System.out.println("== bytes on the wire for one changed int (gold = 5)");
        System.out.printf("delta                                 %3d bytes   (MST: 14)%n", delta.length);
        System.out.printf("game server -> master (ServerBatch)   %3d bytes   (%d once seq > 16383; MST: ~67)%n", batch,
                batchLater);
        System.out.printf("master -> client (ClientPush)         %3d bytes   (MST: 21)%n", push);
    }

    private static int frame(KryoSerialization serialization, Object message) {
        ByteBuffer buffer = ByteBuffer.allocate(1024);
        serialization.write(null, buffer, message);
        return serialization.getLengthLength() + buffer.position();
    }

    static void run(String title, int gameServerCount, int clientCount, int extraPerServer, int seconds,
            Duration updateInterval, Duration clientDebounce) throws Exception {
        run(title, gameServerCount, clientCount, extraPerServer, seconds, updateInterval, clientDebounce, false);
    }

    /** As above; {@code webSocket}: every peer connects over the master's ws:// endpoint instead of KryoNet TCP. */
    static void run(String title, int gameServerCount, int clientCount, int extraPerServer, int seconds,
            Duration updateInterval, Duration clientDebounce, boolean webSocket) throws Exception {
        InMemoryProfilesDatabaseAccessor accessor = new InMemoryProfilesDatabaseAccessor();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        MasterConfig.Builder masterConfig = MasterConfig.builder().host("127.0.0.1").port(0)
                .tokenSecret(TOKEN_SECRET).gameServerSecret(SECRET).clientUpdateDebounce(clientDebounce)
                .meterRegistry(meters);
        if (webSocket) {
            masterConfig.webSocket(WebSocketConfig.plain("127.0.0.1", 0));
        }
        MasterServer master = MasterServer.start(masterConfig.build(), SCHEMA, accessor);
        String url = webSocket ? "ws://127.0.0.1:" + master.webSocketPort().orElseThrow() + "/profilesync"
                : "tcp://127.0.0.1:" + master.port();
        List<ProfilesServer> gameServers = new ArrayList<>();
        List<ProfilesClient> clients = new ArrayList<>();
        List<List<ObservableServerProfile>> held = new ArrayList<>();
        LatencyRecorder latencies = new LatencyRecorder(4_000_000);
        AtomicLong clientEvents = new AtomicLong();
        try {
            for (int g = 0; g < gameServerCount; g++) {
                ProfilesServer server = ProfilesServer.connect(ProfilesServerConfig.builder().url(url)
                        .secret(SECRET).updateInterval(updateInterval).build());
                server.connected().get(10, TimeUnit.SECONDS);
                gameServers.add(server);
                held.add(new ArrayList<>());
            }
            for (int c = 0; c < clientCount; c++) {
                String user = "user" + c;
                ProfilesClient client = ProfilesClient.connect(ProfilesClientConfig.builder().url(url)
                        .token(HmacTokens.mint(TOKEN_SECRET, user, Duration.ofHours(1))).build());
                ObservableProfile profile = client.fillInProfileValues().get(20, TimeUnit.SECONDS);
                client.executor().execute(() -> profile.get("stamp", ObservableLong.class).addListener((old, now) -> {
                    latencies.record(System.nanoTime() - now);
                    clientEvents.incrementAndGet();
                }));
                clients.add(client);
                int g = c % gameServerCount;
                held.get(g).add(gameServers.get(g).fillProfileValues(user).get(20, TimeUnit.SECONDS));
            }
            for (int g = 0; g < gameServerCount; g++) {
                List<CompletableFuture<ObservableServerProfile>> loads = new ArrayList<>();
                for (int n = 0; n < extraPerServer; n++) {
                    loads.add(gameServers.get(g).fillProfileValues("npc" + g + "-" + n));
                }
                for (CompletableFuture<ObservableServerProfile> load : loads) {
                    held.get(g).add(load.get(60, TimeUnit.SECONDS));
                }
            }
            // Each game server changes every profile it holds on each of its ticks (2 properties per profile).
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            long warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.min(3, seconds / 3));
            boolean measuring = false;
            double acceptedAtStart = 0;
            long eventsAtStart = 0;
            long measureStart = 0;
            while (System.nanoTime() < end) {
                if (!measuring && System.nanoTime() > warmupEnd) {
                    measuring = true;
                    latencies.reset();
                    acceptedAtStart = accepted(meters);
                    eventsAtStart = clientEvents.get();
                    measureStart = System.nanoTime();
                }
                for (int g = 0; g < gameServerCount; g++) {
                    List<ObservableServerProfile> profiles = held.get(g);
                    gameServers.get(g).executor().execute(() -> {
                        for (ObservableServerProfile profile : profiles) {
                            profile.get("gold", ObservableInt.class).add(1, Integer.MAX_VALUE);
                            profile.get("stamp", ObservableLong.class).set(System.nanoTime());
                        }
                    });
                }
                Thread.sleep(updateInterval.toMillis());
            }
            double elapsed = (System.nanoTime() - measureStart) / 1e9;
            double deltas = accepted(meters) - acceptedAtStart;
            long events = clientEvents.get() - eventsAtStart;
            System.out.println("== " + title + ": " + gameServerCount + " game servers, " + clientCount + " clients, "
                    + (gameServerCount * extraPerServer + clientCount) + " profiles changing, " + seconds
                            + " s (first " + Math.min(3, seconds / 3) + " s warm-up)");
            System.out.printf("profile deltas accepted by the master   %,10.0f /s  (2 property changes each: %,.0f "
                    + "property changes/s)%n", deltas / elapsed, 2 * deltas / elapsed);
            System.out.printf("client listener events (stamp)          %,10.0f /s%n", events / elapsed);
            System.out.printf("latency game-server set -> client listener: median %.2f ms, p99 %.2f ms "
                    + "(%d samples)%n", latencies.percentile(0.5) / 1e6, latencies.percentile(0.99) / 1e6,
                    latencies.count());
        } finally {
            for (ProfilesClient client : clients) {
                client.close();
            }
            for (ProfilesServer server : gameServers) {
                server.close();
            }
            master.close();
            accessor.close();
        }
    }

    /**
     * The baseline, in the same run: plain KryoNet with the same shape and no profilesync logic. Each game server
     * sends one message per tick carrying an 8-byte timestamp for each of its clients; a relay forwards each entry to
     * its client at once on its network thread. No decoding, validation, outboxes, replicas or acknowledgements.
     */
    static void rawRelay(int gameServerCount, int clientCount, int seconds, Duration interval) throws Exception {
        com.esotericsoftware.kryonet.Server relay = Protocol.newServer(1 << 20, 256 << 10);
        java.util.Map<Integer, com.esotericsoftware.kryonet.Connection> clientsByHandle =
                new java.util.concurrent.ConcurrentHashMap<>();
        relay.addListener(new com.esotericsoftware.kryonet.Listener() {
            @Override
            public void received(com.esotericsoftware.kryonet.Connection connection, Object object) {
                if (object instanceof ServerBatch batch) {
                    for (HandleDelta entry : batch.entries()) {
                        com.esotericsoftware.kryonet.Connection client = clientsByHandle.get(entry.handle());
                        if (client != null) {
                            client.sendTCP(new ClientPush(0, 0, entry.delta(), List.of()));
                        }
                    }
                } else if (object instanceof io.profilesync.protocol.internal.Messages.AcquireProfile hello) {
                    clientsByHandle.put(hello.requestId(), connection); // a client announcing its handle
                }
            }
        });
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        relay.bind(new java.net.InetSocketAddress("127.0.0.1", port), null);
        relay.start();
        LatencyRecorder latencies = new LatencyRecorder(4_000_000);
        AtomicLong events = new AtomicLong();
        List<com.esotericsoftware.kryonet.Client> endpoints = new ArrayList<>();
        try {
            for (int c = 0; c < clientCount; c++) {
                com.esotericsoftware.kryonet.Client client = Protocol.newClient(64 << 10, 256 << 10);
                client.addListener(new com.esotericsoftware.kryonet.Listener() {
                    @Override
                    public void received(com.esotericsoftware.kryonet.Connection connection, Object object) {
                        if (object instanceof ClientPush push) {
                            latencies.record(System.nanoTime() - ByteBuffer.wrap(push.delta()).getLong());
                            events.incrementAndGet();
                        }
                    }
                });
                client.start();
                client.connect(5000, "127.0.0.1", port);
                client.sendTCP(new io.profilesync.protocol.internal.Messages.AcquireProfile(c, "user" + c));
                endpoints.add(client);
            }
            List<com.esotericsoftware.kryonet.Client> servers = new ArrayList<>();
            for (int g = 0; g < gameServerCount; g++) {
                com.esotericsoftware.kryonet.Client server = Protocol.newClient(1 << 20, 256 << 10);
                server.start();
                server.connect(5000, "127.0.0.1", port);
                servers.add(server);
                endpoints.add(server);
            }
            while (clientsByHandle.size() < clientCount) {
                Thread.sleep(10);
            }
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            long warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.min(3, seconds / 3));
            boolean measuring = false;
            long eventsAtStart = 0;
            long measureStart = 0;
            long seq = 0;
            while (System.nanoTime() < end) {
                if (!measuring && System.nanoTime() > warmupEnd) {
                    measuring = true;
                    latencies.reset();
                    eventsAtStart = events.get();
                    measureStart = System.nanoTime();
                }
                seq++;
                for (int g = 0; g < gameServerCount; g++) {
                    List<HandleDelta> entries = new ArrayList<>();
                    for (int c = g; c < clientCount; c += gameServerCount) {
                        entries.add(new HandleDelta(c, ByteBuffer.allocate(8).putLong(System.nanoTime()).array()));
                    }
                    servers.get(g).sendTCP(new ServerBatch(seq, entries));
                }
                Thread.sleep(interval.toMillis());
            }
            double elapsed = (System.nanoTime() - measureStart) / 1e9;
            System.out.println("== baseline, raw KryoNet relay (same shape, no profilesync): " + gameServerCount
                    + " senders, " + clientCount + " receivers, one message per sender every " + interval.toMillis()
                    + " ms");
            System.out.printf("messages relayed to receivers             %,10.0f /s%n",
                    (events.get() - eventsAtStart) / elapsed);
            System.out.printf("latency sender -> receiver: median %.2f ms, p99 %.2f ms (%d samples)%n",
                    latencies.percentile(0.5) / 1e6, latencies.percentile(0.99) / 1e6, latencies.count());
        } finally {
            for (com.esotericsoftware.kryonet.Client endpoint : endpoints) {
                endpoint.stop();
                endpoint.close();
            }
            relay.stop();
            relay.close();
        }
    }

    /** Latencies in nanoseconds, recorded from several threads. */
    static final class LatencyRecorder {
        private final long[] samples;
        private final AtomicLong next = new AtomicLong();

        LatencyRecorder(int capacity) {
            samples = new long[capacity];
        }

        void record(long nanos) {
            long index = next.getAndIncrement();
            if (index < samples.length) {
                samples[(int) index] = nanos;
            }
        }

        void reset() {
            next.set(0);
        }

        int count() {
            return (int) Math.min(next.get(), samples.length);
        }

        double percentile(double p) {
            int count = count();
            if (count == 0) {
                return Double.NaN;
            }
            long[] sorted = Arrays.copyOf(samples, count);
            Arrays.sort(sorted);
            return sorted[Math.min(count - 1, (int) Math.floor(p * count))];
        }
    }
}
