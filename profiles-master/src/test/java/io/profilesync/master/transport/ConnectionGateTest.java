package io.profilesync.master.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.profilesync.master.MasterConfig;
import io.profilesync.master.transport.ConnectionId.Transport;
import io.profilesync.protocol.RefusalCode;
import io.profilesync.protocol.internal.Messages.ClientUpdate;
import io.profilesync.protocol.internal.Messages.ProfileRequest;
import io.profilesync.protocol.internal.Messages.Refused;
import io.profilesync.protocol.internal.Messages.ReleaseProfile;
import io.profilesync.protocol.internal.Messages.Welcome;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The transport-neutral gate on its own, with connections that are plain objects and a clock the test moves: the
 * limits on connections waiting to authenticate (overall and per address, both transports together), their release
 * on the Welcome or the close, the budgets of welcomed peers, and the refusal of a peer over its budget.
 */
class ConnectionGateTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MasterHealth health = new MasterHealth();
    private final AtomicLong now = new AtomicLong();
    private final ConnectionGate gate = new ConnectionGate(MasterConfig.builder().meterRegistry(registry)
            .maxUnauthenticatedConnections(4).maxUnauthenticatedConnectionsPerAddress(2)
            .clientRequestsPerSecond(10).clientDecodeBytesPerSecond(64 * 1024)
            .gameServerRequestsPerSecond(1000).build(), health, now::get);

    /** A connection that records what the gate does to it. */
    static final class Peer implements GatedConnection {
        final ConnectionId id;
        final List<Refused> refusals = new CopyOnWriteArrayList<>();
        volatile boolean closed;

        Peer(Transport transport, int number) {
            this.id = new ConnectionId(transport, number);
        }

        @Override
        public ConnectionId id() {
            return id;
        }

        @Override
        public boolean isOpen() {
            return !closed;
        }

        @Override
        public void refuse(Refused refused) {
            refusals.add(refused);
        }

        @Override
        public void close() {
            closed = true;
        }

        @Override
        public String toString() {
            return "peer " + id;
        }
    }

    private static InetAddress address(String ip) throws Exception {
        return InetAddress.getByName(ip);
    }

    /** A connection that entered from {@code ip} and was welcomed as {@code userId} (empty: a game server). */
    private Peer welcomed(Transport transport, int number, String ip, String userId) throws Exception {
        Peer peer = new Peer(transport, number);
        assertThat(gate.enter(peer, address(ip))).isNull();
        gate.admit(peer, new Welcome(userId, "{}", 1024));
        return peer;
    }

    private double refused(String reason) {
        return registry.get("profilesync.connections.refused").tag("reason", reason).counter().count();
    }

    @Test
    void connectionsOfBothTransportsCountTogetherAgainstTheOverallAndPerAddressLimits() throws Exception {
        // The same number on both transports: two connections, not one.
        assertThat(gate.enter(new Peer(Transport.TCP, 1), address("10.0.0.1"))).isNull();
        assertThat(gate.enter(new Peer(Transport.WEBSOCKET, 1), address("10.0.0.1"))).isNull();
        assertThat(gate.waiting()).isEqualTo(2);

        assertThat(gate.enter(new Peer(Transport.WEBSOCKET, 2), address("10.0.0.1")))
                .contains("2 connections from 10.0.0.1").contains("maxUnauthenticatedConnectionsPerAddress");
        assertThat(gate.enter(new Peer(Transport.TCP, 3), address("10.0.0.2"))).isNull();
        assertThat(gate.enter(new Peer(Transport.WEBSOCKET, 4), address("10.0.0.3"))).isNull();
        assertThat(gate.enter(new Peer(Transport.TCP, 5), address("10.0.0.4")))
                .contains("4 connections are waiting").contains("maxUnauthenticatedConnections");
        assertThat(gate.enter(new Peer(Transport.TCP, 6), null)).contains("closed before it was accepted");

        assertThat(gate.waiting()).isEqualTo(4);
        assertThat(refused("unauthenticated")).isEqualTo(3);
        assertThat(registry.get("profilesync.connections.unauthenticated").gauge().value()).isEqualTo(4);
    }

    @Test
    void aConnectionStopsCountingAtItsWelcomeOrItsCloseAndRoomComesBack() throws Exception {
        Peer tcp = new Peer(Transport.TCP, 1);
        Peer ws = new Peer(Transport.WEBSOCKET, 1);
        assertThat(gate.enter(tcp, address("10.0.0.1"))).isNull();
        assertThat(gate.enter(ws, address("10.0.0.1"))).isNull();
        assertThat(gate.enter(new Peer(Transport.TCP, 2), address("10.0.0.1"))).isNotNull();

        gate.admit(ws, new Welcome("player", "{}", 1024));
        assertThat(gate.waiting()).isEqualTo(1);
        Peer next = new Peer(Transport.WEBSOCKET, 3);
        assertThat(gate.enter(next, address("10.0.0.1"))).isNull();

        gate.left(tcp);
        gate.left(ws);
        gate.left(tcp); // twice: nothing more
        assertThat(gate.waiting()).isEqualTo(1);
        assertThat(gate.enter(new Peer(Transport.TCP, 4), address("10.0.0.1"))).isNull();
        assertThat(gate.waiting()).isEqualTo(2);
    }

    @Test
    void aWelcomedClientOverItsRequestBudgetIsRefusedOverloadedThenClosedAndItsMessagesDropped() throws Exception {
        Peer client = new Peer(Transport.WEBSOCKET, 7);
        gate.enter(client, address("10.0.0.1"));
        // Before its Welcome nothing is charged (the handshake's own limits hold it).
        assertThat(gate.pass(client, new ProfileRequest())).isTrue();
        gate.admit(client, new Welcome("player", "{}", 1024));

        int passed = 0;
        for (int i = 0; i < 25; i++) {
            passed += gate.pass(client, new ProfileRequest()) ? 1 : 0;
        }
        assertThat(passed).as("two seconds' worth of 10 a second").isEqualTo(20);
        assertThat(client.refusals).singleElement().satisfies(refused -> {
            assertThat(refused.code()).isEqualTo(RefusalCode.OVERLOADED);
            assertThat(refused.reason()).contains("more than 10 requests a second");
        });
        await().atMost(5, TimeUnit.SECONDS).until(() -> client.closed);
        // Time passing does not let it back in: it is on its way out.
        now.addAndGet(TimeUnit.SECONDS.toNanos(10));
        assertThat(gate.pass(client, new ProfileRequest())).isFalse();
        assertThat(refused("overloaded")).isEqualTo(1);
        // Once gone, its number may be reused by a new connection, which starts afresh.
        gate.left(client);
        Peer reused = welcomed(Transport.WEBSOCKET, 7, "10.0.0.1", "player");
        assertThat(gate.pass(reused, new ProfileRequest())).isTrue();
    }

    @Test
    void budgetsRefillWithTimeAndDeltaBytesAreChargedToo() throws Exception {
        Peer client = welcomed(Transport.TCP, 1, "10.0.0.1", "player");
        for (int i = 0; i < 20; i++) {
            assertThat(gate.pass(client, new ProfileRequest())).isTrue();
        }
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(500)); // five more requests' worth
        for (int i = 0; i < 5; i++) {
            assertThat(gate.pass(client, new ProfileRequest())).isTrue();
        }
        // Releases cost nothing.
        assertThat(gate.pass(client, new ReleaseProfile(1))).isTrue();

        Peer bytes = welcomed(Transport.TCP, 2, "10.0.0.2", "other");
        assertThat(gate.pass(bytes, new ClientUpdate(1, new byte[100 * 1024]))).isTrue();
        assertThat(gate.pass(bytes, new ClientUpdate(2, new byte[100 * 1024]))).isFalse();
        assertThat(bytes.refusals).singleElement().satisfies(refused ->
                assertThat(refused.reason()).contains("bytes of changes a second"));
    }

    @Test
    void aGameServerGetsTheGameServersBudget() throws Exception {
        Peer server = welcomed(Transport.WEBSOCKET, 1, "10.0.0.1", ""); // a game server's Welcome has no user id
        for (int i = 0; i < 2000; i++) {
            assertThat(gate.pass(server, new ProfileRequest())).isTrue();
        }
        assertThat(gate.pass(server, new ProfileRequest())).isFalse();
        assertThat(server.refusals).singleElement().satisfies(refused ->
                assertThat(refused.reason()).contains("more than 1000 requests a second"));
    }

    @Test
    void aConnectionClosedWhileBeingWelcomedKeepsNoBudget() throws Exception {
        Peer client = new Peer(Transport.TCP, 1);
        gate.enter(client, address("10.0.0.1"));
        client.closed = true;
        gate.admit(client, new Welcome("player", "{}", 1024));
        assertThat(gate.waiting()).isZero();
        for (int i = 0; i < 50; i++) {
            assertThat(gate.pass(client, new ProfileRequest())).isTrue();
        }
    }

    @Test
    void anErrorOnANetworkThreadIsReportedAndClosesThePeerWhileAnExceptionIsOnlyLogged() {
        Peer peer = new Peer(Transport.WEBSOCKET, 1);
        gate.failed("received", peer, new IllegalStateException("a bug"));
        assertThat(peer.closed).isFalse();
        assertThat(health.failure()).isEmpty();

        gate.failed("received", peer, new OutOfMemoryError("Java heap space (simulated)"));
        assertThat(peer.closed).isTrue();
        assertThat(health.failure()).hasValueSatisfying(f ->
                assertThat(f).contains("received of peer websocket 1").contains("OutOfMemoryError"));
    }
}
