package io.profilesync.master.transport;

import com.esotericsoftware.kryonet.Connection;
import com.esotericsoftware.kryonet.Listener;
import com.esotericsoftware.kryonet.Server;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.profilesync.master.MasterConfig;
import io.profilesync.protocol.RefusalCode;
import io.profilesync.protocol.internal.Messages.Refused;
import io.profilesync.protocol.internal.Messages.Welcome;
import io.profilesync.protocol.internal.WireSerialization;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What stands between the master's socket and its protocol logic, for peers that have not authenticated yet: their
 * frames are held to {@link MasterConfig#unauthenticatedFrameLimit()} (by the {@link WireSerialization} it makes),
 * and their number to {@link MasterConfig#maxUnauthenticatedConnections()} overall and
 * {@link MasterConfig#maxUnauthenticatedConnectionsPerAddress()} per IP address; one more is refused with
 * {@link RefusalCode#OVERLOADED} and closed before the protocol hears of it. A connection counts from its accept until
 * its Welcome is written or it closes (the handshake timeout, {@link MasterConfig#authenticationTimeout()}, closes
 * those that never finish).
 *
 * <p>Once a peer is welcomed, each message it sends is charged to its {@link PeerBudget} (requests and bytes of delta
 * a second, {@link MasterConfig#clientRequestsPerSecond()} and the others) on the network thread, before the
 * protocol sees it: a peer over its budget is sent {@link RefusalCode#OVERLOADED} with the reason and closed.
 *
 * <p>It also guards KryoNet's network thread: the listener it wraps can throw nothing back into KryoNet (which would
 * end the thread for every peer), and {@link #startNetworkThread} reports an {@link Error} that still ends that
 * thread to {@link MasterHealth}.
 *
 * <p>Threading: thread-safe. Connects and disconnects come from KryoNet's network thread, admissions from the thread
 * that writes a Welcome.
 */
public final class ConnectionGate {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGate.class);

    private final int maxTotal;
    private final int maxPerAddress;
    private final MasterHealth health;
    private final WireSerialization serialization;
    private final Counter refusedConnections;
    private final Counter overloadedPeers;
    private final MasterConfig config;
    private final LongSupplier nanoClock;
    /** The budget of each welcomed connection, by id: made on the thread that welcomes, used on the network thread. */
    private final Map<Integer, PeerBudget> budgets = new ConcurrentHashMap<>();
    /** Connections refused for their budget, whose messages are dropped until they close. */
    private final Set<Integer> closing = ConcurrentHashMap.newKeySet();
    /**
     * Closes refused connections a moment after their Refused, so it leaves first: closing a socket with unread
     * input at once resets it and the peer never learns why. One daemon thread for every gate.
     */
    private static final ScheduledExecutorService CLOSER = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "profilesync-gate-closer");
        thread.setDaemon(true);
        return thread;
    });
    private static final long CLOSE_GRACE_MILLIS = 100;
    /** Connections waiting to authenticate, by id, with their address. Guarded by this. */
    private final Map<Integer, InetAddress> waiting = new HashMap<>();
    /** How many of those come from each address. Guarded by this. */
    private final Map<InetAddress, Integer> waitingPerAddress = new HashMap<>();

    public ConnectionGate(MasterConfig config, MasterHealth health) {
        this(config, health, System::nanoTime);
    }

    /** With the clock the budgets fill by (tests). */
    public ConnectionGate(MasterConfig config, MasterHealth health, LongSupplier nanoClock) {
        this.config = config;
        this.nanoClock = nanoClock;
        this.maxTotal = config.maxUnauthenticatedConnections();
        this.maxPerAddress = config.maxUnauthenticatedConnectionsPerAddress();
        this.health = health;
        this.serialization = new WireSerialization(config.unauthenticatedFrameLimit(), this::admitted);
        MeterRegistry registry = config.meterRegistry();
        String refusedHelp = "Connections closed by the gate before or after the handshake, by reason "
                + "(unauthenticated: pre-handshake limits; overloaded: a peer over its budgets)";
        this.refusedConnections = Counter.builder("profilesync.connections.refused").description(refusedHelp)
                .tag("reason", "unauthenticated").register(registry);
        this.overloadedPeers = Counter.builder("profilesync.connections.refused").description(refusedHelp)
                .tag("reason", "overloaded").register(registry);
        Gauge.builder("profilesync.connections.unauthenticated", this, ConnectionGate::waiting)
                .description("Connections open that have not finished the handshake yet").register(registry);
    }

    /** The serialization for the master's KryoNet server. */
    public WireSerialization serialization() {
        return serialization;
    }

    /** How many connections wait to authenticate now. */
    public synchronized int waiting() {
        return waiting.size();
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
                try {
                    String refusal = enter(connection);
                    if (refusal != null) {
                        refusedConnections.increment();
                        LOG.warn("Refused {} from {}: {}", connection, connection.getRemoteAddressTCP(), refusal);
                        connection.sendTCP(new Refused(RefusalCode.OVERLOADED, refusal));
                        connection.close();
                        return;
                    }
                    protocol.connected(connection);
                } catch (Throwable e) {
                    failed("connected", connection, e);
                }
            }

            @Override
            public void received(Connection connection, Object object) {
                try {
                    if (closing.contains(connection.getID())) {
                        return; // refused already: nothing more of it reaches the protocol
                    }
                    PeerBudget budget = budgets.get(connection.getID());
                    String over = budget == null ? null : budget.charge(object, nanoClock.getAsLong());
                    if (over != null) {
                        overloadedPeers.increment();
                        closing.add(connection.getID());
                        budgets.remove(connection.getID());
                        LOG.warn("Disconnecting {}: it sent {}", connection, over);
                        connection.sendTCP(new Refused(RefusalCode.OVERLOADED, "the peer sent " + over));
                        CLOSER.schedule(connection::close, CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
                        return;
                    }
                    protocol.received(connection, object);
                } catch (Throwable e) {
                    failed("received", connection, e);
                }
            }

            @Override
            public void disconnected(Connection connection) {
                try {
                    leave(connection);
                    budgets.remove(connection.getID());
                    closing.remove(connection.getID());
                    serialization.forget(connection);
                    protocol.disconnected(connection);
                } catch (Throwable e) {
                    failed("disconnected", connection, e);
                }
            }

            @Override
            public void idle(Connection connection) {
                try {
                    protocol.idle(connection);
                } catch (Throwable e) {
                    failed("idle", connection, e);
                }
            }
        };
    }

    private void failed(String event, Connection connection, Throwable e) {
        if (e instanceof Error) {
            health.fail("the master's listener (" + event + " of " + connection + ")", e);
            connection.close();
        } else {
            LOG.warn("The master's listener failed on {} of {}; the network thread goes on", event, connection, e);
        }
    }

    /** Counts {@code connection} in, or says why it may not enter. */
    private synchronized String enter(Connection connection) {
        InetSocketAddress remote = connection.getRemoteAddressTCP();
        if (remote == null) {
            return "closed before it was accepted";
        }
        InetAddress address = remote.getAddress();
        if (waiting.size() >= maxTotal) {
            return waiting.size() + " connections are waiting to authenticate, the limit "
                    + "(maxUnauthenticatedConnections); try again shortly";
        }
        int fromAddress = waitingPerAddress.getOrDefault(address, 0);
        if (fromAddress >= maxPerAddress) {
            return fromAddress + " connections from " + address.getHostAddress() + " are waiting to authenticate, "
                    + "the limit (maxUnauthenticatedConnectionsPerAddress); try again shortly";
        }
        waiting.put(connection.getID(), address);
        waitingPerAddress.merge(address, 1, Integer::sum);
        return null;
    }

    private void admitted(Connection connection, Welcome welcome) {
        leave(connection);
        boolean client = !welcome.userId().isEmpty(); // a game server's Welcome carries no user id
        budgets.put(connection.getID(), client
                ? new PeerBudget(config.clientRequestsPerSecond(), config.clientDecodeBytesPerSecond(),
                        nanoClock.getAsLong())
                : new PeerBudget(config.gameServerRequestsPerSecond(), config.gameServerDecodeBytesPerSecond(),
                        nanoClock.getAsLong()));
        if (!connection.isConnected()) {
            budgets.remove(connection.getID()); // it closed while being welcomed: no disconnect will come to clear it
        }
    }

    private synchronized void leave(Connection connection) {
        InetAddress address = waiting.remove(connection.getID());
        if (address != null) {
            waitingPerAddress.computeIfPresent(address, (a, n) -> n == 1 ? null : n - 1);
        }
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
                health.fail("KryoNet's network thread ended; no peer can connect or be read", e);
            }
        }, "Server");
        thread.start();
        return thread;
    }
}
