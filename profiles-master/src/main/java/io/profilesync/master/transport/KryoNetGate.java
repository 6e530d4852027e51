package io.profilesync.master.transport;

import com.esotericsoftware.kryonet.Connection;
import com.esotericsoftware.kryonet.Listener;
import com.esotericsoftware.kryonet.OnDemandConnection;
import com.esotericsoftware.kryonet.Server;
import io.profilesync.master.MasterConfig;
import io.profilesync.protocol.RefusalCode;
import io.profilesync.protocol.internal.Messages.Refused;
import io.profilesync.protocol.internal.WireSerialization;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * The {@link ConnectionGate} in front of KryoNet TCP: frames from peers that have not authenticated are held to
 * {@link MasterConfig#unauthenticatedFrameLimit()} by the {@link WireSerialization} it makes (which tells the gate of
 * each Welcome it writes), a connection over the gate's limits is sent {@link RefusalCode#OVERLOADED} and closed
 * before the protocol hears of it, and each message of a welcomed peer is charged to its budget.
 *
 * <p>A connection welcomed as a game server (its Welcome carries no user id) keeps its buffers once allocated
 * ({@link OnDemandConnection#keepBuffers()}); clients and peers still authenticating hold buffers only while a message
 * is in flight.
 *
 * <p>It also guards KryoNet's network thread: the listener it wraps can throw nothing back into KryoNet (which would
 * end the thread for every peer), and {@link #startNetworkThread} reports an {@link Error} that still ends that
 * thread to the master's health.
 *
 * <p>Threading: thread-safe. Connects, messages and disconnects come from KryoNet's network thread, admissions from
 * the thread that writes a Welcome.
 */
public final class KryoNetGate {
    private final ConnectionGate gate;
    private final WireSerialization serialization;

    public KryoNetGate(ConnectionGate gate) {
        this.gate = Objects.requireNonNull(gate, "gate");
        this.serialization = new WireSerialization(gate.unauthenticatedFrameLimit(),
                (connection, welcome) -> {
                    if (welcome.userId().isEmpty() && connection instanceof OnDemandConnection onDemand) {
                        onDemand.keepBuffers(); // a game server's traffic never stops: it keeps full-size buffers
                    }
                    gate.admit(new Kryo(connection), welcome);
                });
    }

    /** One KryoNet connection as the gate sees it; {@code remote} only for the logs, null when not known. */
    private record Kryo(Connection connection, InetSocketAddress remote) implements GatedConnection {
        Kryo(Connection connection) {
            this(connection, null);
        }

        @Override
        public ConnectionId id() {
            return new ConnectionId(ConnectionId.Transport.TCP, connection.getID());
        }

        @Override
        public boolean isOpen() {
            return connection.isConnected();
        }

        @Override
        public void refuse(Refused refused) {
            connection.sendTCP(refused);
        }

        @Override
        public void close() {
            connection.close();
        }

        @Override
        public String toString() {
            return remote == null ? connection.toString() : connection + " from " + remote;
        }
    }

    /** The serialization for the master's KryoNet server. */
    public WireSerialization serialization() {
        return serialization;
    }

    /**
     * {@code protocol} behind the gate: a connection over the limits never reaches it, and nothing it throws reaches
     * KryoNet's thread (a RuntimeException is logged; an Error is reported to the master's health and the connection
     * closed).
     */
    public Listener guard(Listener protocol) {
        return new Listener() {
            @Override
            public void connected(Connection connection) {
                Kryo gated = new Kryo(connection);
                try {
                    InetSocketAddress remote = connection.getRemoteAddressTCP();
                    gated = new Kryo(connection, remote);
                    String refusal = gate.enter(gated, remote == null ? null : remote.getAddress());
                    if (refusal != null) {
                        connection.sendTCP(new Refused(RefusalCode.OVERLOADED, refusal));
                        connection.close();
                        return;
                    }
                    protocol.connected(connection);
                } catch (Throwable e) {
                    gate.failed("connected", gated, e);
                }
            }

            @Override
            public void received(Connection connection, Object object) {
                Kryo gated = new Kryo(connection);
                try {
                    if (gate.pass(gated, object)) {
                        protocol.received(connection, object);
                    }
                } catch (Throwable e) {
                    gate.failed("received", gated, e);
                }
            }

            @Override
            public void disconnected(Connection connection) {
                Kryo gated = new Kryo(connection);
                try {
                    gate.left(gated);
                    serialization.forget(connection);
                    protocol.disconnected(connection);
                } catch (Throwable e) {
                    gate.failed("disconnected", gated, e);
                }
            }

            @Override
            public void idle(Connection connection) {
                try {
                    protocol.idle(connection);
                } catch (Throwable e) {
                    gate.failed("idle", new Kryo(connection), e);
                }
            }
        };
    }

    /**
     * Runs {@code server}'s update loop on a thread named "Server" (what {@link Server#start()} does), reporting to
     * the master's health anything that ends it other than {@link Server#stop()}.
     */
    public Thread startNetworkThread(Server server) {
        Thread thread = new Thread(() -> {
            try {
                server.run();
            } catch (Throwable e) {
                gate.fatal("KryoNet's network thread ended; no peer can connect or be read", e);
            }
        }, "Server");
        thread.start();
        return thread;
    }
}
