package io.profilesync.master.transport.websocket;

import static io.profilesync.master.transport.websocket.WebSocketTestPeer.binaryFrameHeader;
import static io.profilesync.master.transport.websocket.WebSocketTestPeer.closeCode;
import static io.profilesync.master.transport.websocket.WebSocketTestPeer.rawSocket;
import static io.profilesync.master.transport.websocket.WebSocketTestPeer.upgrade;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.profilesync.master.MasterConfig;
import io.profilesync.master.WebSocketConfig;
import io.profilesync.master.transport.ConnectionGate;
import io.profilesync.master.transport.MasterHealth;
import io.profilesync.protocol.RefusalCode;
import io.profilesync.protocol.internal.EventLoop;
import io.profilesync.protocol.internal.ExecutorEventLoop;
import io.profilesync.protocol.internal.Messages.Hello;
import io.profilesync.protocol.internal.Messages.ProfileRequest;
import io.profilesync.protocol.internal.Messages.ProfileSnapshot;
import io.profilesync.protocol.internal.Messages.Refused;
import io.profilesync.protocol.internal.Messages.Role;
import io.profilesync.protocol.internal.Messages.Welcome;
import io.profilesync.protocol.internal.Protocol;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The connection gate on the WebSocket endpoint, over real sockets on 127.0.0.x against a stub core that welcomes
 * every Hello: 503 with Retry-After over the limits before any upgrade, the frame limit before the Welcome judged
 * from the header alone, the upgrade timeout, budgets after the Welcome, and an Error on Netty's thread reported.
 */
@Timeout(60)
class WebSocketGateTest {
    private final ScheduledExecutorService coreThread = Executors.newSingleThreadScheduledExecutor();
    private final WebSocketTransportTest.StubCore core = new WebSocketTransportTest.StubCore();
    private final MasterHealth health = new MasterHealth();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private ConnectionGate gate;
    private WebSocketTransport transport;

    private MasterConfig.Builder limits() {
        return MasterConfig.builder().meterRegistry(new SimpleMeterRegistry()).maxUnauthenticatedConnections(4)
                .maxUnauthenticatedConnectionsPerAddress(2).authenticationTimeout(Duration.ofSeconds(30));
    }

    private void start(MasterConfig config, EventLoop loop) throws Exception {
        gate = new ConnectionGate(config, health);
        // 1 MiB messages once welcomed: far more than the 4 KiB allowed before.
        transport = new WebSocketTransport(new WebSocketConfig("127.0.0.1", 0, "/profilesync", 1 << 20, 1 << 20,
                null, null, Duration.ofSeconds(30), false), loop, core, null, gate);
        transport.start();
    }

    private void start(MasterConfig config) throws Exception {
        start(config, new ExecutorEventLoop(coreThread));
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
        if (transport != null) {
            transport.close();
        }
        coreThread.shutdownNow();
    }

    private String url() {
        return "ws://127.0.0.1:" + transport.port() + "/profilesync";
    }

    /** An upgraded raw socket from {@code localAddress}, counted as waiting to authenticate. */
    private Socket waitingSocket(String localAddress) throws Exception {
        Socket socket = rawSocket(localAddress, transport.port());
        closeables.add(socket);
        assertThat(upgrade(socket, "/profilesync")).startsWith("HTTP/1.1 101");
        return socket;
    }

    private WebSocketTestPeer welcomedPeer() throws Exception {
        WebSocketTestPeer peer = WebSocketTestPeer.connect(url());
        closeables.add(peer);
        peer.send(new Hello(Protocol.VERSION, Role.CLIENT, 1, "token", ""));
        peer.next(Welcome.class);
        return peer;
    }

    @Test
    void overTheUnauthenticatedLimitsTheUpgradeIsAnswered503WithRetryAfter() throws Exception {
        start(limits().build());
        waitingSocket("127.0.0.2");
        waitingSocket("127.0.0.2");
        await().until(() -> gate.waiting() == 2);

        // A third from the same address: 503 to its upgrade request, then the close.
        try (Socket third = rawSocket("127.0.0.2", transport.port())) {
            String head = upgrade(third, "/profilesync");
            assertThat(head).startsWith("HTTP/1.1 503").containsIgnoringCase("retry-after: 30")
                    .containsIgnoringCase("connection: close");
            String body = new String(third.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(body).contains("maxUnauthenticatedConnectionsPerAddress");
        }
        // Another address still gets in; then the overall limit of 4 is full.
        waitingSocket("127.0.0.3");
        waitingSocket("127.0.0.4");
        await().until(() -> gate.waiting() == 4);
        CompletableFuture<WebSocketTestPeer> refused = WebSocketTestPeer.connectAsync(url());
        assertThat(refused).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOfSatisfying(WebSocketHandshakeException.class, e -> {
                    assertThat(e.getResponse().statusCode()).isEqualTo(503);
                    assertThat(e.getResponse().headers().firstValue("retry-after")).hasValue("30");
                });
        assertThat(core.events).as("the refused never reached the core").hasSize(4)
                .allMatch("connected"::equals);

        // As the waiting ones are welcomed or leave, room comes back.
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
        closeables.clear();
        await().until(() -> gate.waiting() == 0);
        welcomedPeer();
        assertThat(gate.waiting()).isZero();
    }

    @Test
    void aFrameOverTheUnauthenticatedLimitIsClosed1009FromItsHeaderAloneAndAfterTheWelcomeLargeOnesPass()
            throws Exception {
        start(limits().unauthenticatedFrameLimit(4096).build());
        for (long claimed : new long[] {4097, 1 << 20, 1L << 40}) {
            Socket socket = waitingSocket("127.0.0.2");
            // Only the header: were the payload awaited, no close would come.
            socket.getOutputStream().write(binaryFrameHeader(claimed));
            socket.getOutputStream().flush();
            assertThat(closeCode(socket)).as("claimed %d", claimed).isEqualTo(1009);
            socket.close();
        }
        assertThat(core.messages).isEmpty();
        await().until(() -> gate.waiting() == 0);

        // Once welcomed, a message of 64 KiB (well within maxFrameSize) goes through.
        WebSocketTestPeer peer = welcomedPeer();
        peer.send(new ProfileSnapshot(1, new byte[64 * 1024]));
        await().until(() -> core.messages.size() == 2);
        assertThat(core.messages.get(1)).isInstanceOf(ProfileSnapshot.class);
        assertThat(peer.isOpen()).isTrue();
    }

    @Test
    void aConnectionThatDoesNotCompleteItsUpgradeWithinTheAuthenticationTimeoutIsClosed() throws Exception {
        start(limits().authenticationTimeout(Duration.ofMillis(300)).build());
        try (Socket silent = rawSocket("127.0.0.2", transport.port());
             Socket slow = rawSocket("127.0.0.2", transport.port())) {
            OutputStream out = slow.getOutputStream();
            out.write("GET /profilesync HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush(); // the rest of the request never comes
            long started = System.nanoTime();
            assertThat(silent.getInputStream().read()).isEqualTo(-1);
            assertThat(slow.getInputStream().readAllBytes()).isEmpty();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(9));
        }
        await().until(() -> gate.waiting() == 0);
        assertThat(core.events).isEmpty();
    }

    @Test
    void aWelcomedPeerOverItsBudgetIsRefusedOverloadedThenClosedAndTheCoreSeesNoMore() throws Exception {
        start(limits().clientRequestsPerSecond(10).build());
        WebSocketTestPeer peer = welcomedPeer();
        int sent = 0;
        while (sent < 200 && peer.trySend(new ProfileRequest())) {
            sent++;
        }
        Refused refused = peer.next(Refused.class);
        assertThat(refused.code()).isEqualTo(RefusalCode.OVERLOADED);
        assertThat(refused.reason()).contains("more than 10 requests a second");
        assertThat(peer.awaitClosed()).isEqualTo(1008);
        await().until(() -> core.events.contains("disconnected"));
        long requests = core.messages.stream().filter(ProfileRequest.class::isInstance).count();
        assertThat(requests).as("two seconds' worth at most, and a little refill").isBetween(20L, 25L);
        assertThat(health.failure()).isEmpty();
    }

    @Test
    void anErrorOnNettysThreadIsReportedToTheMastersHealthAndClosesOnlyThatPeer() throws Exception {
        AtomicBoolean failing = new AtomicBoolean();
        ExecutorEventLoop real = new ExecutorEventLoop(coreThread);
        EventLoop loop = new EventLoop() {
            @Override
            public long nanoTime() {
                return real.nanoTime();
            }

            @Override
            public Cancellable schedule(long delayNanos, Runnable task) {
                return real.schedule(delayNanos, task);
            }

            @Override
            public void execute(Runnable task) {
                if (failing.get()) {
                    throw new OutOfMemoryError("unable to create native thread (simulated)");
                }
                real.execute(task);
            }
        };
        start(limits().build(), loop);
        WebSocketTestPeer victim = welcomedPeer();
        WebSocketTestPeer other = welcomedPeer();
        failing.set(true);
        victim.send(new ProfileRequest()); // handed to the loop on Netty's thread: the Error comes there
        assertThat(victim.awaitClosed()).isEqualTo(1008);
        assertThat(health.failure()).hasValueSatisfying(f -> assertThat(f).contains("OutOfMemoryError")
                .contains("websocket"));
        assertThat(other.isOpen()).isTrue();
        failing.set(false);
        other.send(new ProfileRequest());
        await().until(() -> core.messages.stream().filter(ProfileRequest.class::isInstance).count() == 1);
    }

    @Test
    void theMessageSizeAfterTheWelcomeIsBoundedForNettysDecoderAndAggregator() {
        for (int size : new int[] {0, 255, (1 << 30) + 1, Integer.MAX_VALUE}) {
            assertThatThrownBy(() -> new WebSocketConfig("127.0.0.1", 0, "/profilesync", size, 1 << 20, null, null,
                    Duration.ofSeconds(30), false)).as("maxFrameSize %d", size)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxFrameSize must be from 256");
        }
    }
}
