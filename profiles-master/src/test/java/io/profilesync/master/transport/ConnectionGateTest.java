package io.profilesync.master.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.esotericsoftware.kryonet.Connection;
import com.esotericsoftware.kryonet.Listener;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.profilesync.master.MasterConfig;
import org.junit.jupiter.api.Test;

/** Nothing the protocol's listener throws reaches KryoNet's thread; an Error makes the master say it is down. */
class ConnectionGateTest {
    private final MasterHealth health = new MasterHealth();
    private final ConnectionGate gate = new ConnectionGate(MasterConfig.builder()
            .meterRegistry(new SimpleMeterRegistry()).build(), health);

    private static final class ClosableConnection extends Connection {
        boolean closed;

        @Override
        public void close() {
            closed = true;
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
        ClosableConnection connection = new ClosableConnection();

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
        ClosableConnection connection = new ClosableConnection();

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
}
