package io.profilesync.master.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.profilesync.master.MasterConfig;
import io.profilesync.master.WebSocketConfig;
import io.profilesync.master.transport.ConnectionGate;
import io.profilesync.master.transport.MasterHealth;
import io.profilesync.protocol.internal.ExecutorEventLoop;
import io.profilesync.protocol.internal.Frames;
import io.profilesync.protocol.internal.Messages.Hello;
import io.profilesync.protocol.internal.Messages.Message;
import io.profilesync.protocol.internal.Messages.ProfileSnapshot;
import io.profilesync.protocol.internal.Messages.Role;
import io.profilesync.protocol.internal.Messages.Welcome;
import io.profilesync.protocol.internal.PeerChannel;
import io.profilesync.protocol.internal.Protocol;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Netty side of the WebSocket endpoint against a stub core (the real core is wired in MasterServer): framing,
 * TLS, the PeerChannel adapter and its back-pressure, and hostile frames, over real sockets on 127.0.0.1.
 */
@Timeout(60)
class WebSocketTransportTest {
    private final ScheduledExecutorService coreThread = Executors.newSingleThreadScheduledExecutor();
    private final StubCore core = new StubCore();
    private WebSocketTransport transport;

    /** Records events in order; answers Hello with Welcome, as a core would. Runs on the core thread. */
    static final class StubCore implements PeerEvents {
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<Message> messages = new CopyOnWriteArrayList<>();
        final List<PeerChannel> channels = new CopyOnWriteArrayList<>();
        final List<Thread> threads = new CopyOnWriteArrayList<>();

        @Override
        public void onConnected(PeerChannel channel) {
            threads.add(Thread.currentThread());
            channels.add(channel);
            events.add("connected");
        }

        @Override
        public void onReceived(PeerChannel channel, Message message) {
            threads.add(Thread.currentThread());
            messages.add(message);
            events.add("message " + message.getClass().getSimpleName());
            if (message instanceof Hello) {
                channel.trySend(new Welcome("u1", "{\"properties\":[]}", 1 << 20));
            }
        }

        @Override
        public void onDisconnected(PeerChannel channel) {
            threads.add(Thread.currentThread());
            events.add("disconnected");
        }
    }

    /** A JDK WebSocket peer that collects binary messages and the close code. */
    static final class Peer implements WebSocket.Listener {
        final List<byte[]> binary = new CopyOnWriteArrayList<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final WebSocket.Listener collecting = WebSocketTestPeer.listener(binary::add, closed);

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            return collecting.onBinary(ws, data, last);
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            return collecting.onClose(ws, statusCode, reason);
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            collecting.onError(ws, error);
        }
    }

    /** A gate with the master's default limits, on a registry of its own. */
    static ConnectionGate defaultGate() {
        return new ConnectionGate(MasterConfig.builder().meterRegistry(new SimpleMeterRegistry()).build(),
                new MasterHealth());
    }

    private WebSocketTransport start(WebSocketConfig settings) throws Exception {
        transport = new WebSocketTransport(settings, new ExecutorEventLoop(coreThread), core, null, defaultGate());
        transport.start();
        return transport;
    }

    @AfterEach
    void stop() {
        if (transport != null) {
            transport.close();
        }
        coreThread.shutdownNow();
    }

    private static WebSocket connect(HttpClient http, String url, Peer peer) {
        return http.newWebSocketBuilder().buildAsync(URI.create(url), peer).join();
    }

    private static byte[] helloBytes() {
        return Frames.encode(new Hello(Protocol.VERSION, Role.CLIENT, 42, "token", ""));
    }

    @Test
    void oneMessagePerBinaryFrameBothWaysAndEveryEventOnTheCoreThread() throws Exception {
        start(WebSocketConfig.plain("127.0.0.1", 0));
        Peer peer = new Peer();
        WebSocket ws = connect(HttpClient.newHttpClient(), "ws://127.0.0.1:" + transport.port() + "/profilesync",
                peer);
        ws.sendBinary(ByteBuffer.wrap(helloBytes()), true).join();

        await().until(() -> peer.binary.size() == 1);
        assertThat(HexFormat.of().formatHex(peer.binary.get(0)))
                .isEqualTo(HexFormat.of().formatHex(Frames.encode(new Welcome("u1", "{\"properties\":[]}", 1 << 20))));
        assertThat(core.messages).singleElement().usingRecursiveComparison()
                .isEqualTo(new Hello(Protocol.VERSION, Role.CLIENT, 42, "token", ""));
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
        await().until(() -> core.events.contains("disconnected"));
        assertThat(core.events).containsExactly("connected", "message Hello", "disconnected");
        Thread coreOwn = coreThread.submit(Thread::currentThread).get();
        assertThat(core.threads).allMatch(t -> t == coreOwn);
        assertThat(core.channels.get(0).remoteAddress()).startsWith("127.0.0.1:");
    }

    @Test
    void thePagesAndTheCompiledClientAreServedBesideTheUpgrade() throws Exception {
        transport = new WebSocketTransport(WebSocketConfig.plain("127.0.0.1", 0), new ExecutorEventLoop(coreThread),
                core, new PagesHandler("/profilesync", null), defaultGate());
        transport.start();
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + transport.port();
        java.net.http.HttpResponse<String> page = http.send(java.net.http.HttpRequest.newBuilder(URI.create(base + "/"))
                .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-security-policy")).hasValueSatisfying(
                csp -> assertThat(csp).contains("default-src 'self'"));
        assertThat(page.body()).contains("content=\"/profilesync\"").doesNotContain("{{WS_PATH}}");
        java.net.http.HttpResponse<String> client = http.send(java.net.http.HttpRequest.newBuilder(
                URI.create(base + "/client/index.js")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(client.statusCode()).as("the client is compiled into the jar when node is there").isIn(200, 404);
        java.net.http.HttpResponse<String> module = http.send(java.net.http.HttpRequest.newBuilder(
                URI.create(base + "/client/list-views.js")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(module.statusCode()).as("a module named with a hyphen, served as the others").isEqualTo(
                client.statusCode());
        for (String bad : new String[] {"/client/../index.html", "/etc/passwd", "/client/x.ts", "/client/x-.js"}) {
            assertThat(http.send(java.net.http.HttpRequest.newBuilder(URI.create(base + bad)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode()).as(bad).isEqualTo(404);
        }
        // The upgrade still works on the same port.
        Peer peer = new Peer();
        WebSocket ws = connect(http, "ws://127.0.0.1:" + transport.port() + "/profilesync", peer);
        ws.sendBinary(ByteBuffer.wrap(helloBytes()), true).join();
        await().until(() -> peer.binary.size() == 1);
    }

    @Test
    void wssWithAPemCertificateAndKeyFromTheConfiguration(@TempDir Path dir) throws Exception {
        SelfSignedPem pem = SelfSignedPem.create(dir);
        start(WebSocketConfig.plain("127.0.0.1", 0).withTls(pem.certificate(), pem.privateKey()));
        SSLContext trusting = pem.trustingContext();
        Peer peer = new Peer();
        WebSocket ws = connect(HttpClient.newBuilder().sslContext(trusting).build(),
                "wss://localhost:" + transport.port() + "/profilesync", peer);
        ws.sendBinary(ByteBuffer.wrap(helloBytes()), true).join();
        await().until(() -> peer.binary.size() == 1);
        assertThat(Frames.decode(peer.binary.get(0), 0, peer.binary.get(0).length)).isInstanceOf(Welcome.class);

        // A client that does not trust the certificate gets no connection at all.
        Peer untrusting = new Peer();
        CompletableFuture<WebSocket> refused = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("wss://localhost:" + transport.port() + "/profilesync"), untrusting);
        await().until(refused::isDone);
        assertThat(refused).isCompletedExceptionally();
    }

    @Test
    void aPlainConnectionToATlsPortNeverReachesTheCore(@TempDir Path dir) throws Exception {
        SelfSignedPem pem = SelfSignedPem.create(dir);
        start(WebSocketConfig.plain("127.0.0.1", 0).withTls(pem.certificate(), pem.privateKey()));
        CompletableFuture<WebSocket> plain = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + transport.port() + "/profilesync"), new Peer());
        await().until(plain::isDone);
        assertThat(plain).isCompletedExceptionally();
        assertThat(core.events).isEmpty();
    }

    @Test
    void aTextFrameClosesWith1003AndReachesTheCoreOnlyAsADisconnect() throws Exception {
        start(WebSocketConfig.plain("127.0.0.1", 0));
        Peer peer = new Peer();
        WebSocket ws = connect(HttpClient.newHttpClient(), "ws://127.0.0.1:" + transport.port() + "/profilesync",
                peer);
        ws.sendText("{\"hello\":1}", true).join();
        assertThat(peer.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1003);
        await().until(() -> core.events.contains("disconnected"));
        assertThat(core.messages).isEmpty();
    }

    @Test
    void garbageInABinaryFrameClosesWith1002() throws Exception {
        start(WebSocketConfig.plain("127.0.0.1", 0));
        for (String hex : new String[] {"5a00", "7d01ffffffff07", "7000ff", "00", "6601020102030405060708808080800400"}) {
            Peer peer = new Peer();
            WebSocket ws = connect(HttpClient.newHttpClient(),
                    "ws://127.0.0.1:" + transport.port() + "/profilesync", peer);
            ws.sendBinary(ByteBuffer.wrap(HexFormat.of().parseHex(hex)), true).join();
            assertThat(peer.closed.get(10, TimeUnit.SECONDS)).as(hex).isEqualTo(1002);
        }
        assertThat(core.messages).isEmpty();
    }

    @Test
    void aFrameLargerThanTheLimitClosesTheConnectionBeforeItIsRead() throws Exception {
        WebSocketConfig small = new WebSocketConfig("127.0.0.1", 0, "/profilesync", 1024, 64 * 1024, null, null,
                Duration.ofSeconds(30), false);
        start(small);
        Peer peer = new Peer();
        WebSocket ws = connect(HttpClient.newHttpClient(), "ws://127.0.0.1:" + transport.port() + "/profilesync",
                peer);
        ws.sendBinary(ByteBuffer.wrap(Frames.encode(new ProfileSnapshot(1, new byte[4096]))), true);
        assertThat(peer.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1009);
        // So is one sent in fragments that add up to more.
        Peer fragmented = new Peer();
        WebSocket ws2 = connect(HttpClient.newHttpClient(), "ws://127.0.0.1:" + transport.port() + "/profilesync",
                fragmented);
        CompletableFuture<WebSocket> sending = CompletableFuture.completedFuture(ws2);
        for (int i = 0; i < 4; i++) {
            boolean last = i == 3;
            // Later fragments may fail: the master closes as soon as the sum passes the limit.
            sending = sending.thenCompose(w -> w.sendBinary(ByteBuffer.wrap(new byte[700]), last));
        }
        assertThat(fragmented.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1009);
        assertThat(core.messages).isEmpty();
    }

    @Test
    void rawGarbageAndWrongPathsGetNoPeer() throws Exception {
        start(WebSocketConfig.plain("127.0.0.1", 0));
        try (Socket socket = new Socket("127.0.0.1", transport.port())) {
            socket.getOutputStream().write(new byte[] {0, 0, 0, 8, 0x7d, 1, 1, 1, 3, 1, 0, 10});
            socket.getOutputStream().flush();
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(answer).startsWith("HTTP/1.1 400");
        }
        try (Socket socket = new Socket("127.0.0.1", transport.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET /elsewhere HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            socket.setSoTimeout(10_000);
            byte[] head = new byte[12];
            int n = socket.getInputStream().readNBytes(head, 0, 12);
            assertThat(new String(head, 0, n, StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 404");
        }
        assertThat(core.events).isEmpty();
    }

    /** Upgrades a raw socket by hand, as docs/protocol.md describes. */
    private static Socket rawUpgrade(int port) throws Exception {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(("GET /profilesync HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            head.append((char) in.read());
        }
        assertThat(head.toString()).startsWith("HTTP/1.1 101")
                .contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        return socket;
    }

    @Test
    void theFramesOnTheWireAreTheDocumentedBytes() throws Exception {
        start(WebSocketConfig.plain("127.0.0.1", 0));
        try (Socket socket = rawUpgrade(transport.port())) {
            await().until(() -> core.channels.size() == 1);
            // ProfileRequest, masked with 01 02 03 04: 70 ^ 01 = 71.
            socket.getOutputStream().write(HexFormat.of().parseHex("82810102030471"));
            socket.getOutputStream().flush();
            await().until(() -> core.messages.size() == 1);
            assertThat(core.messages.get(0)).isInstanceOf(io.profilesync.protocol.internal.Messages.ProfileRequest.class);
            coreThread.submit(() -> core.channels.get(0).trySend(new io.profilesync.protocol.internal.Messages
                    .ClientPush(1, 0, new byte[] {1, 0, 10}, List.of()))).get();
            byte[] frame = socket.getInputStream().readNBytes(10);
            assertThat(HexFormat.of().formatHex(frame)).isEqualTo("82087301000301000a00");
        }
    }

    @Test
    void anUnmaskedClientFrameIsAProtocolError() throws Exception {
        start(WebSocketConfig.plain("127.0.0.1", 0));
        try (Socket socket = rawUpgrade(transport.port())) {
            socket.getOutputStream().write(HexFormat.of().parseHex("820170"));
            socket.getOutputStream().flush();
            byte[] close = socket.getInputStream().readNBytes(4);
            assertThat(HexFormat.of().formatHex(close)).startsWith("88").endsWith("03ea");
        }
        assertThat(core.messages).isEmpty();
    }

    @Test
    void aPeerThatSendsNothingIsClosedAfterTheIdleTimeout() throws Exception {
        start(new WebSocketConfig("127.0.0.1", 0, "/profilesync", 1024, 64 * 1024, null, null,
                Duration.ofMillis(600), false));
        try (Socket socket = rawUpgrade(transport.port())) {
            await().until(() -> core.events.contains("disconnected"));
            byte[] rest = socket.getInputStream().readAllBytes();
            assertThat(HexFormat.of().formatHex(rest)).as("a ping (89 00), then the close 1008 (03f0)")
                    .startsWith("8900").contains("8806" + "03f0");
        }
    }

    @Test
    void trySendAnswersFalseOnceAPeerThatDoesNotReadFillsTheBuffer() throws Exception {
        WebSocketConfig settings = new WebSocketConfig("127.0.0.1", 0, "/profilesync", 1 << 20, 64 * 1024, null,
                null, Duration.ofSeconds(30), false);
        start(settings);
        try (Socket socket = new Socket("127.0.0.1", transport.port())) {
            socket.setReceiveBufferSize(16 * 1024);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /profilesync HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            await().until(() -> core.channels.size() == 1);
            PeerChannel channel = core.channels.get(0);
            // Never read from here on: the kernel's buffers fill, then Netty's passes the water mark.
            int sent = coreThread.submit(() -> {
                int count = 0;
                while (count < 20_000 && channel.trySend(new ProfileSnapshot(count, new byte[16 * 1024]))) {
                    count++;
                }
                return count;
            }).get();
            // The kernel's loopback buffers grow as they fill, so writability may come back later; what matters is
            // that trySend said no instead of queueing without bound.
            assertThat(sent).as("messages accepted before back-pressure").isLessThan(20_000).isGreaterThan(0);
        }
        await().until(() -> core.events.contains("disconnected"));
    }
}
