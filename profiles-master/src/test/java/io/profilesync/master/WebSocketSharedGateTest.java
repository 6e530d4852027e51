package io.profilesync.master;

import static io.profilesync.master.transport.websocket.WebSocketTestPeer.rawSocket;
import static io.profilesync.master.transport.websocket.WebSocketTestPeer.upgrade;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.profilesync.db.JdbiProfilesAccessor;
import io.profilesync.master.transport.websocket.WebSocketTestPeer;
import io.profilesync.populators.ProfileSchema;
import io.profilesync.protocol.RefusalCode;
import io.profilesync.protocol.internal.Messages.Refused;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real master with its WebSocket endpoint on: one gate for both transports, so TCP and WebSocket connections
 * waiting to authenticate count against the same limits, and the core's authentication timeout refuses an upgraded
 * WebSocket that never says Hello.
 */
@Timeout(60)
class WebSocketSharedGateTest {
    private final JdbiProfilesAccessor accessor = JdbiProfilesAccessor.create("jdbc:h2:mem:" + UUID.randomUUID()
            + ";DB_CLOSE_DELAY=-1");
    private final List<Socket> sockets = new ArrayList<>();
    private MasterServer master;

    private void start(MasterConfig.Builder config) {
        master = MasterServer.start(config.host("127.0.0.1").port(0).meterRegistry(new SimpleMeterRegistry())
                .webSocket(WebSocketConfig.plain("127.0.0.1", 0)).build(), ProfileSchema.demo(), accessor);
    }

    @AfterEach
    void stop() throws Exception {
        for (Socket socket : sockets) {
            socket.close();
        }
        if (master != null) {
            master.close();
        }
        accessor.close();
    }

    private Socket tcp(String localAddress) throws IOException {
        Socket socket = rawSocket(localAddress, master.port());
        sockets.add(socket);
        return socket;
    }

    private Socket webSocket(String localAddress) throws IOException {
        Socket socket = rawSocket(localAddress, master.webSocketPort().orElseThrow());
        sockets.add(socket);
        return socket;
    }

    /** Reads KryoNet frames until the master closes; the code of a Refused among them, or -1. */
    private static int tcpRefusal(Socket socket) throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        int code = -1;
        try {
            while (true) {
                byte[] frame = in.readNBytes(in.readInt());
                if (frame.length > 1 && (frame[0] & 0xFF) == 102 + 2) { // Refused: class id 102, written 104
                    code = frame[1];
                }
            }
        } catch (IOException closed) {
            return code;
        }
    }

    @Test
    void tcpAndWebSocketConnectionsWaitingToAuthenticateCountAgainstOneLimit() throws Exception {
        start(MasterConfig.builder().maxUnauthenticatedConnections(4).maxUnauthenticatedConnectionsPerAddress(4)
                .authenticationTimeout(Duration.ofSeconds(30)));
        Socket firstTcp = tcp("127.0.0.2");
        tcp("127.0.0.3");
        assertThat(upgrade(webSocket("127.0.0.4"), "/profilesync")).startsWith("HTTP/1.1 101");
        assertThat(upgrade(webSocket("127.0.0.5"), "/profilesync")).startsWith("HTTP/1.1 101");
        await().until(() -> master.waitingToAuthenticate() == 4);

        // Full: one more on either transport is refused, each in its own way.
        assertThat(upgrade(webSocket("127.0.0.6"), "/profilesync")).startsWith("HTTP/1.1 503")
                .containsIgnoringCase("retry-after");
        assertThat(tcpRefusal(tcp("127.0.0.6"))).isEqualTo(RefusalCode.OVERLOADED.code);

        // A TCP connection leaving makes room for a WebSocket one.
        firstTcp.close();
        await().until(() -> master.waitingToAuthenticate() == 3);
        assertThat(upgrade(webSocket("127.0.0.6"), "/profilesync")).startsWith("HTTP/1.1 101");
        await().until(() -> master.waitingToAuthenticate() == 4);
    }

    @Test
    void anUpgradedWebSocketThatNeverSaysHelloIsRefusedWithTimeoutAndClosed() throws Exception {
        start(MasterConfig.builder().authenticationTimeout(Duration.ofMillis(300)));
        try (WebSocketTestPeer silent = WebSocketTestPeer.connect("ws://127.0.0.1:"
                + master.webSocketPort().orElseThrow() + "/profilesync")) {
            long started = System.nanoTime();
            Refused refused = silent.next(Refused.class);
            assertThat(refused.code()).isEqualTo(RefusalCode.TIMEOUT);
            assertThat(silent.awaitClosed()).isEqualTo(1000);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(9));
        }
        // And one that never upgrades is closed by the endpoint itself.
        Socket neverUpgrades = webSocket("127.0.0.2");
        assertThat(neverUpgrades.getInputStream().read()).isEqualTo(-1);
        await().until(() -> master.waitingToAuthenticate() == 0);
        assertThat(master.failure()).isEmpty();
    }
}
