package io.profilesync.master.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;

import com.esotericsoftware.kryonet.Connection;
import com.esotericsoftware.kryonet.Listener;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.profilesync.master.MasterConfig;
import io.profilesync.protocol.RefusalCode;
import io.profilesync.protocol.internal.Messages.ProfileRequest;
import io.profilesync.protocol.internal.Messages.Refused;
import io.profilesync.protocol.internal.Messages.Welcome;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The KryoNet adapter of the gate keeps TCP's behaviour: nothing the protocol's listener throws reaches KryoNet's
 * thread, an Error makes the master say it is down, a connection over the limits is refused before the protocol
 * hears of it, and a welcomed peer over its budget is refused and closed.
 */
class KryoNetGateTest {
    private final MasterHealth health = new MasterHealth();
    private final KryoNetGate gate = new KryoNetGate(new ConnectionGate(MasterConfig.builder()
            .meterRegistry(new SimpleMeterRegistry()).maxUnauthenticatedConnections(2)
            .maxUnauthenticatedConnectionsPerAddress(2).clientRequestsPerSecond(10).build(), health, () -> 0L));
    private static final AtomicInteger IDS = new AtomicInteger();

    /** A connection without a socket: records what is sent to it and whether it was closed. */
    private static final class FakeConnection extends Connection {
        final List<Object> sent = new CopyOnWriteArrayList<>();
        volatile boolean closed;
        private final int id = IDS.incrementAndGet();

        @Override
        public int getID() {
            return id;
        }

        @Override
        public InetSocketAddress getRemoteAddressTCP() {
            return new InetSocketAddress("127.0.0.9", 40_000 + id);
        }

        @Override
        public boolean isConnected() {
            return !closed;
        }

        @Override
        public int sendTCP(Object object) {
            sent.add(object);
            return 1;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** What reaches the protocol's listener. */
    private static final class Recording extends Listener {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void connected(Connection connection) {
            events.add("connected " + connection.getID());
        }

        @Override
        public void received(Connection connection, Object object) {
            events.add("received " + object.getClass().getSimpleName());
        }

        @Override
        public void disconnected(Connection connection) {
            events.add("disconnected " + connection.getID());
        }
    }

    @Test
    void anErrorFromTheListenerIsReportedAndClosesOnlyThatConnection() {
        Listener guarded = gate.guard(new Listener() {
            @Override
            public void received(Connection connection, Object object) {
                throw new OutOfMemoryError("Java heap space (simulated)");
            }
        });
        FakeConnection connection = new FakeConnection();

        assertThatCode(() -> guarded.received(connection, "x")).doesNotThrowAnyException();

        assertThat(connection.closed).isTrue();
        assertThat(health.failure()).hasValueSatisfying(f -> assertThat(f).contains("OutOfMemoryError"));
    }

    @Test
    void aRuntimeExceptionFromTheListenerIsLoggedAndTheMasterStaysUp() {
        Listener guarded = gate.guard(new Listener() {
            @Override
            public void disconnected(Connection connection) {
                throw new java.util.concurrent.RejectedExecutionException("executor shut down");
            }
        });
        FakeConnection connection = new FakeConnection();

        assertThatCode(() -> guarded.disconnected(connection)).doesNotThrowAnyException();

        assertThat(health.failure()).isEmpty();
    }

    @Test
    void anErrorThatEndsTheNetworkThreadMakesTheMasterReportItselfDown() throws InterruptedException {
        com.esotericsoftware.kryonet.Server server = new com.esotericsoftware.kryonet.Server() {
            @Override
            public void run() {
                throw new OutOfMemoryError("Java heap space (simulated)");
            }
        };
        try {
            gate.startNetworkThread(server).join(10_000);
        } finally {
            server.close();
        }

        assertThat(health.failure()).hasValueSatisfying(f -> assertThat(f).contains("network thread"));
    }

    @Test
    void aConnectionOverTheLimitIsRefusedOverloadedAndClosedBeforeTheProtocolHearsOfIt() {
        Recording protocol = new Recording();
        Listener guarded = gate.guard(protocol);
        FakeConnection first = new FakeConnection();
        FakeConnection second = new FakeConnection();
        FakeConnection third = new FakeConnection();
        guarded.connected(first);
        guarded.connected(second);
        guarded.connected(third);

        assertThat(third.closed).isTrue();
        assertThat(third.sent).singleElement().isInstanceOfSatisfying(Refused.class, refused -> {
            assertThat(refused.code()).isEqualTo(RefusalCode.OVERLOADED);
            assertThat(refused.reason()).contains("maxUnauthenticatedConnections");
        });
        assertThat(protocol.events).containsExactly("connected " + first.getID(), "connected " + second.getID());

        // A departure makes room again.
        guarded.disconnected(first);
        FakeConnection fourth = new FakeConnection();
        guarded.connected(fourth);
        assertThat(fourth.closed).isFalse();
    }

    @Test
    void theWelcomeWrittenByTheSerializationAdmitsTheConnectionAndItsMessagesAreCharged() {
        Recording protocol = new Recording();
        Listener guarded = gate.guard(protocol);
        FakeConnection connection = new FakeConnection();
        guarded.connected(connection);
        gate.serialization().write(connection, ByteBuffer.allocate(4096), new Welcome("player", "{}", 1024));
        // A fresh client budget holds 2 s of 10 requests a second; the clock stands still, so the 21st is over it.
        for (int i = 0; i < 30; i++) {
            guarded.received(connection, new ProfileRequest());
        }

        assertThat(protocol.events.stream().filter(e -> e.startsWith("received"))).hasSize(20);
        assertThat(connection.sent).singleElement().isInstanceOfSatisfying(Refused.class, refused -> {
            assertThat(refused.code()).isEqualTo(RefusalCode.OVERLOADED);
            assertThat(refused.reason()).contains("more than 10 requests a second");
        });
        await().until(() -> connection.closed);
        assertThat(health.failure()).isEmpty();
    }
}
