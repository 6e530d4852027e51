package io.profilesync.benchmarks;

import io.profilesync.master.HmacTokens;
import io.profilesync.protocol.internal.Messages.Hello;
import io.profilesync.protocol.internal.Messages.ProfileRequest;
import io.profilesync.protocol.internal.Messages.ProfileSnapshot;
import io.profilesync.protocol.internal.Messages.Refused;
import io.profilesync.protocol.internal.Messages.Role;
import io.profilesync.protocol.internal.Messages.Welcome;
import io.profilesync.protocol.internal.Protocol;
import io.profilesync.protocol.internal.WireSerialization;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an idle connected client costs the master's heap. The master jar runs as its own process (embedded H2 in a
 * temporary folder, the demo schema); this process connects N clients from one thread, each a raw socket speaking
 * the protocol (Hello with a token, Welcome, ProfileRequest, the snapshot; then a KeepAlive every 6 s, as a
 * KryoNet client sends), over TCP or the WebSocket endpoint (the upgrade, masked binary frames, pongs to the
 * master's pings). The master's live heap is read with {@code jcmd PID GC.class_histogram} (which runs a full GC
 * first) with 0 clients (after 10 clients connected and left, so lazily made caches exist) and with N connected
 * and idle; the difference divided by N is the heap per client. Each count runs in a fresh master process.
 *
 * <p>Run: {@code mvn -q -pl benchmarks -am package -DskipTests && java -cp benchmarks/target/benchmarks.jar
 * io.profilesync.benchmarks.ConnectionMemoryHarness [--jar profiles-master/target/profiles-master.jar] [--runs 3]
 * [--websocket] [--histogram] [counts…]} (default counts 1000 10000; {@code --histogram} prints the classes that
 * grew most in the first run). The master gets {@code -Xmx8g}; this process needs a file
 * descriptor per client ({@code ulimit -n}) and the loopback's ephemeral ports (about 28,000 by default).
 * Threading: the main thread does everything.
 */
public final class ConnectionMemoryHarness {
    static {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }

    private static final String TOKEN_SECRET = "connection-memory-harness-token-secret-0123456789";
    private static final String GAME_SERVER_SECRET = "connection-memory-harness-game-server";
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    /** At most this many handshakes in flight (the master's per-address limit is raised above it). */
    private static final int IN_FLIGHT = 200;
    private static final byte[] KEEP_ALIVE_FRAME = {0, 0, 0, 1, 13};

    private ConnectionMemoryHarness() {
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of("profiles-master/target/profiles-master.jar");
        int runs = 3;
        boolean webSocket = false;
        List<Integer> counts = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--jar" -> jar = Path.of(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--websocket" -> webSocket = true;
                case "--histogram" -> printHistogram = true;
                default -> counts.add(Integer.parseInt(args[i]));
            }
        }
        if (counts.isEmpty()) {
            counts = List.of(1000, 10_000);
        }
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("no master jar at " + jar.toAbsolutePath() + "; build it with "
                    + "`mvn -q -pl profiles-master -am package -DskipTests` or pass --jar");
        }
        System.out.printf(Locale.ROOT, "master jar %s, %d run(s) per count, transport %s%n", jar, runs,
                webSocket ? "WebSocket" : "TCP");
        for (int count : counts) {
            List<Double> perClient = new ArrayList<>();
            for (int run = 1; run <= runs; run++) {
                double bytes = measure(jar, count, webSocket, run);
                perClient.add(bytes);
            }
            Collections.sort(perClient);
            System.out.printf(Locale.ROOT, "%,d clients: median %.1f KiB per client (runs: %s)%n", count,
                    perClient.get(perClient.size() / 2) / 1024, kib(perClient));
        }
    }

    private static String kib(List<Double> values) {
        List<String> out = new ArrayList<>();
        for (double value : values) {
            out.add(String.format(Locale.ROOT, "%.1f", value / 1024));
        }
        return String.join(", ", out);
    }

    /** One fresh master, its heap with 0 and with {@code count} clients; returns bytes per client. */
    private static double measure(Path jar, int count, boolean webSocket, int run) throws Exception {
        Path dir = Files.createTempDirectory("profilesync-memory-");
        int port = freePort();
        int wsPort = freePort();
        Files.writeString(dir.resolve("master.yaml"), String.join("\n",
                "server:",
                "  host: 127.0.0.1",
                "  port: " + port,
                "  maxUnauthenticatedConnections: 1000",
                "  maxUnauthenticatedConnectionsPerAddress: 1000",
                "  unloadProfileAfter: 1h",
                // KryoNet's server does work proportional to its connections for every socket event (its keep-alive
                // scan), so with thousands connected a handshake can wait longer than the default 5 s.
                "  authenticationTimeout: 60s",
                "secrets:",
                "  tokenSecret: " + TOKEN_SECRET,
                "  gameServerSecrets: " + GAME_SERVER_SECRET,
                "  file: \"\"",
                "database:",
                "  url: jdbc:h2:" + dir.resolve("profiles"),
                "backup:",
                "  interval: 0",
                "websocket:",
                "  enabled: " + webSocket,
                "  host: 127.0.0.1",
                "  port: " + wsPort,
                "  pages: false",
                ""));
        Process master = new ProcessBuilder(JAVA, "-Xmx8g", "-jar", jar.toAbsolutePath().toString(), "--config",
                "master.yaml").directory(dir.toFile()).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(master.getInputStream(),
                    StandardCharsets.UTF_8));
            waitForLine(out, "Master listening", master);
            Thread drain = new Thread(() -> {
                try {
                    String line;
                    int shown = 0;
                    while ((line = out.readLine()) != null) {
                        if ((line.contains("WARN") || line.contains("ERROR")) && shown++ < 20) {
                            System.err.println("[master] " + line); // the first problems only
                        }
                    }
                } catch (IOException ignored) {
                    // the master ended
                }
            }, "master-output");
            drain.setDaemon(true);
            drain.start();
            int target = webSocket ? wsPort : port;
            try (Driver warmUp = new Driver(target, webSocket)) {
                warmUp.connect(10, "warmup-");
            }
            Thread.sleep(1000);
            long empty = liveHeap(master.pid());
            java.util.Map<String, Long> emptyHistogram = lastHistogram;
            long full;
            String load;
            int retried;
            try (Driver driver = new Driver(target, webSocket)) {
                long start = System.nanoTime();
                driver.connect(count, "player-");
                double seconds = (System.nanoTime() - start) / 1e9;
                retried = driver.retries;
                driver.idle(Duration.ofSeconds(3));
                full = liveHeap(master.pid());
                if (printHistogram && run == 1) {
                    printGrowth(emptyHistogram, lastHistogram, count);
                }
                driver.idle(Duration.ofMillis(200));
                int open = driver.stillOpen();
                if (open != count) {
                    throw new IllegalStateException(count - open + " of " + count + " clients were disconnected "
                            + "before the measurement");
                }
                load = Files.readString(Path.of("/proc/loadavg")).trim();
                System.out.printf(Locale.ROOT, "  run %d: %,d clients connected in %.1f s; live heap %,d B with 0, "
                        + "%,d B with %,d: %.1f KiB per client (load average %s; %d handshake(s) reset and "
                        + "retried)%n", run, count, seconds, empty, full, count, (full - empty) / (double) count / 1024,
                        load, retried);
            }
            return (full - empty) / (double) count;
        } finally {
            master.destroy();
            if (!master.waitFor(60, TimeUnit.SECONDS)) {
                master.destroyForcibly();
            }
        }
    }

    private static void waitForLine(BufferedReader out, String text, Process master) throws IOException {
        String line;
        while ((line = out.readLine()) != null) {
            if (line.contains(text)) {
                return;
            }
        }
        throw new IllegalStateException("the master ended (exit " + master.exitValue() + ") before logging '" + text
                + "'");
    }

    private static final Pattern TOTAL = Pattern.compile("^Total\\s+\\d+\\s+(\\d+)", Pattern.MULTILINE);

    private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)", Pattern.MULTILINE);
    /** The last histogram read, by class: bytes. */
    private static java.util.Map<String, Long> lastHistogram = java.util.Map.of();
    private static boolean printHistogram;

    /** The classes whose live bytes grew most from {@code before} to {@code after}, per client. */
    private static void printGrowth(java.util.Map<String, Long> before, java.util.Map<String, Long> after, int count) {
        List<java.util.Map.Entry<String, Long>> growth = new ArrayList<>();
        for (var entry : after.entrySet()) {
            growth.add(java.util.Map.entry(entry.getKey(), entry.getValue() - before.getOrDefault(entry.getKey(), 0L)));
        }
        growth.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
        for (var entry : growth.subList(0, Math.min(15, growth.size()))) {
            System.out.printf(Locale.ROOT, "    %8.0f B per client  %s%n", entry.getValue() / (double) count,
                    entry.getKey());
        }
    }

    /** Bytes of live objects in the master's heap, after the full GC that GC.class_histogram runs first. */
    static long liveHeap(long pid) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process process = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.class_histogram")
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        java.util.Map<String, Long> histogram = new java.util.HashMap<>();
        Matcher row = ROW.matcher(output);
        while (row.find()) {
            histogram.merge(row.group(3), Long.parseLong(row.group(2)), Long::sum);
        }
        lastHistogram = histogram;
        Matcher matcher = TOTAL.matcher(output);
        if (!matcher.find()) {
            throw new IllegalStateException("no Total in jcmd's class histogram: " + output.lines().limit(5)
                    .toList());
        }
        return Long.parseLong(matcher.group(1));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The bytes of one message as a KryoNet frame (4-byte length first) or a WebSocket payload (without it). */
    static byte[] encode(Object message, boolean withLength) {
        ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
        buffer.position(WireSerialization.LENGTH_BYTES);
        new WireSerialization().write(null, buffer, message);
        int end = buffer.position();
        buffer.putInt(0, end - WireSerialization.LENGTH_BYTES);
        return withLength ? Arrays.copyOf(buffer.array(), end)
                : Arrays.copyOfRange(buffer.array(), WireSerialization.LENGTH_BYTES, end);
    }

    /** A masked binary WebSocket frame (opcode 2) or pong (opcode 10) carrying {@code payload}. */
    static byte[] maskedFrame(int opcode, byte[] payload) {
        int header = payload.length < 126 ? 2 : 4;
        byte[] frame = new byte[header + 4 + payload.length];
        frame[0] = (byte) (0x80 | opcode);
        if (payload.length < 126) {
            frame[1] = (byte) (0x80 | payload.length);
        } else {
            frame[1] = (byte) (0x80 | 126);
            frame[2] = (byte) (payload.length >>> 8);
            frame[3] = (byte) payload.length;
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        System.arraycopy(mask, 0, frame, header, 4);
        for (int i = 0; i < payload.length; i++) {
            frame[header + 4 + i] = (byte) (payload[i] ^ mask[i & 3]);
        }
        return frame;
    }

    /** Many protocol clients on one selector and one thread. */
    private static final class Driver implements AutoCloseable {
        private final int port;
        private final boolean webSocket;
        private final Selector selector;
        private final List<Peer> peers = new ArrayList<>();
        private long nextKeepAlive;
        /** Clients whose connection was reset during the handshake and that connected again. */
        int retries;

        Driver(int port, boolean webSocket) throws IOException {
            this.port = port;
            this.webSocket = webSocket;
            this.selector = Selector.open();
        }

        /** One client: its socket, what it has read and not yet parsed, and how far its handshake went. */
        private final class Peer {
            final SocketChannel channel;
            final String userId;
            ByteBuffer in = ByteBuffer.allocate(4096);
            boolean socketConnected;
            boolean upgraded;
            boolean welcomed;
            boolean ready;
            boolean closed;
            Exception cause;

            Peer(SocketChannel channel, String userId) {
                this.channel = channel;
                this.userId = userId;
            }

            void send(byte[] bytes) throws IOException {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    if (channel.write(buffer) == 0) {
                        Thread.onSpinWait(); // small frames to a socket with room: never more than a moment
                    }
                }
            }

            void sendMessage(Object message) throws IOException {
                send(webSocket ? maskedFrame(2, encode(message, false)) : encode(message, true));
            }

            void connected() throws IOException {
                socketConnected = true;
                if (webSocket) {
                    send(("GET /profilesync HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                            + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                            + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                } else {
                    hello();
                }
            }

            void hello() throws IOException {
                sendMessage(new Hello(Protocol.VERSION, Role.CLIENT, ThreadLocalRandom.current().nextLong(),
                        HmacTokens.mint(TOKEN_SECRET, userId, Duration.ofHours(1)), ""));
            }

            /** Reads what the socket has and handles every whole frame. */
            void read() throws IOException {
                while (true) {
                    if (!in.hasRemaining()) {
                        in = ByteBuffer.allocate(in.capacity() * 2).put(in.flip());
                    }
                    int read = channel.read(in);
                    if (read < 0) {
                        in.flip();
                        while (webSocket ? webSocketFrame() : kryoFrame()) {
                            // what came before the end, a Refused with its reason among it
                        }
                        close(new IOException("the master closed the connection"));
                        return;
                    }
                    if (read == 0) {
                        break;
                    }
                }
                in.flip();
                while (webSocket ? webSocketFrame() : kryoFrame()) {
                    // each call handles one frame
                }
                in.compact();
            }

            private boolean kryoFrame() throws IOException {
                if (in.remaining() < 4 || in.remaining() < 4 + in.getInt(in.position())) {
                    return false;
                }
                byte[] body = new byte[in.getInt()];
                in.get(body);
                handle(new WireSerialization().read(null, ByteBuffer.wrap(body)));
                return true;
            }

            private boolean webSocketFrame() throws IOException {
                if (!upgraded) {
                    String text = StandardCharsets.US_ASCII.decode(in.duplicate()).toString();
                    int end = text.indexOf("\r\n\r\n");
                    if (end < 0) {
                        return false;
                    }
                    if (!text.startsWith("HTTP/1.1 101")) {
                        throw new IllegalStateException(userId + ": the upgrade was refused: "
                                + text.lines().findFirst().orElse(""));
                    }
                    in.position(in.position() + end + 4);
                    upgraded = true;
                    hello();
                    return true;
                }
                if (in.remaining() < 2) {
                    return false;
                }
                int start = in.position();
                int opcode = in.get(start) & 0x0F;
                int length = in.get(start + 1) & 0x7F;
                int header = 2;
                if (length == 126) {
                    if (in.remaining() < 4) {
                        return false;
                    }
                    length = ((in.get(start + 2) & 0xFF) << 8) | (in.get(start + 3) & 0xFF);
                    header = 4;
                } else if (length == 127) {
                    throw new IllegalStateException("a frame over 64 KiB from the master");
                }
                if (in.remaining() < header + length) {
                    return false;
                }
                byte[] payload = new byte[length];
                in.position(start + header);
                in.get(payload);
                switch (opcode) {
                    case 2 -> handle(new WireSerialization().read(null, ByteBuffer.wrap(payload)));
                    case 9 -> send(maskedFrame(10, payload));
                    case 8 -> close(new IOException("the master closed the WebSocket"));
                    default -> { }
                }
                return true;
            }

            private void handle(Object message) throws IOException {
                if (message instanceof Welcome) {
                    welcomed = true;
                    sendMessage(new ProfileRequest());
                } else if (message instanceof ProfileSnapshot) {
                    ready = true;
                } else if (message instanceof Refused refused) {
                    throw new IllegalStateException(userId + " was refused: " + refused.code() + " "
                            + refused.reason());
                }
            }

            void close(Exception why) throws IOException {
                if (!closed) {
                    closed = true;
                    cause = why;
                }
                channel.close();
            }
        }

        /** Connects {@code count} clients, at most {@link #IN_FLIGHT} handshakes at once, until each has its profile. */
        void connect(int count, String prefix) throws IOException {
            int started = 0;
            int ready = 0;
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            List<Peer> handshaking = new ArrayList<>();
            while (ready < count) {
                while (started < count && handshaking.size() < IN_FLIGHT) {
                    handshaking.add(open(prefix + started));
                    started++;
                }
                poll(100);
                for (int i = handshaking.size() - 1; i >= 0; i--) {
                    Peer peer = handshaking.get(i);
                    if (peer.closed) {
                        // KryoNet's accept loop falls behind with thousands connected (its per-event scan of every
                        // connection) and the kernel resets a few connections: that client connects again.
                        retries++;
                        if (retries > Math.max(10, count / 20)) {
                            throw new IllegalStateException(peer.userId + " was disconnected during its handshake ("
                                    + retries + " retries so far): " + peer.cause, peer.cause);
                        }
                        peers.remove(peer);
                        handshaking.set(i, open(peer.userId));
                        continue;
                    }
                    if (peer.ready) {
                        handshaking.remove(i);
                        ready++;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + ready + " of " + count + " clients connected in 5 min");
                }
            }
        }

        private Peer open(String userId) throws IOException {
            SocketChannel channel = SocketChannel.open();
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.configureBlocking(false);
            Peer peer = new Peer(channel, userId);
            channel.register(selector, SelectionKey.OP_CONNECT, peer);
            channel.connect(new InetSocketAddress("127.0.0.1", port));
            peers.add(peer);
            return peer;
        }

        /** Keeps every client alive (reads, pongs, keep-alives) for {@code time}. */
        void idle(Duration time) throws IOException {
            long end = System.nanoTime() + time.toNanos();
            while (System.nanoTime() < end) {
                poll(Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())));
            }
        }

        private void poll(long millis) throws IOException {
            selector.select(Math.min(millis, 100));
            for (SelectionKey key : selector.selectedKeys()) {
                Peer peer = (Peer) key.attachment();
                try {
                    if (key.isConnectable()) {
                        peer.channel.finishConnect();
                        key.interestOps(SelectionKey.OP_READ);
                        peer.connected();
                    } else if (key.isReadable()) {
                        peer.read();
                    }
                } catch (IOException e) {
                    peer.close(e);
                }
            }
            selector.selectedKeys().clear();
            long now = System.nanoTime();
            if (!webSocket && now > nextKeepAlive) {
                // The master closes a KryoNet connection that sends nothing for 12 s, as KryoNet does.
                nextKeepAlive = now + TimeUnit.SECONDS.toNanos(6);
                for (Peer peer : peers) {
                    if (peer.socketConnected && !peer.closed) { // from the connect on, as a KryoNet client
                        peer.send(KEEP_ALIVE_FRAME);
                    }
                }
            }
        }

        int stillOpen() {
            int open = 0;
            for (Peer peer : peers) {
                if (!peer.closed && peer.channel.isOpen()) {
                    open++;
                }
            }
            return open;
        }

        @Override
        public void close() throws IOException {
            for (Peer peer : peers) {
                peer.channel.close();
            }
            selector.close();
        }
    }
}
