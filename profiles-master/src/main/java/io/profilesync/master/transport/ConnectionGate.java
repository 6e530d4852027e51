package io.profilesync.master.transport;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.profilesync.master.MasterConfig;
import io.profilesync.protocol.RefusalCode;
import io.profilesync.protocol.internal.Messages.Refused;
import io.profilesync.protocol.internal.Messages.Welcome;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What stands between the master's sockets and its protocol logic, the same for every transport (KryoNet TCP through
 * {@link KryoNetGate}, the WebSocket endpoint through its own handlers); one instance serves them all, so its limits
 * count the connections of every transport together.
 *
 * <p>Peers that have not authenticated yet are held to {@link MasterConfig#maxUnauthenticatedConnections()} overall
 * and {@link MasterConfig#maxUnauthenticatedConnectionsPerAddress()} per IP address: {@link #enter} counts a
 * connection in or says why it may not enter, and its transport refuses it before the protocol hears of it. A
 * connection counts from its accept until its Welcome is written ({@link #admit}) or it closes ({@link #left}); the
 * transports hold its frames to {@link #unauthenticatedFrameLimit()} meanwhile, and the handshake timeout,
 * {@link #authenticationTimeout()}, closes those that never finish.
 *
 * <p>Once a peer is welcomed, each message it sends is charged to its {@link PeerBudget} (requests and bytes of delta
 * a second, {@link MasterConfig#clientRequestsPerSecond()} and the others) by {@link #pass} on the transport's
 * network thread, before the protocol sees it: a peer over its budget is sent {@link RefusalCode#OVERLOADED} with the
 * reason and closed {@value #CLOSE_GRACE_MILLIS} ms later, and its further messages are dropped.
 *
 * <p>Whatever a transport's network thread catches while handling one peer comes to {@link #failed}: an
 * {@link Error} is reported to {@link MasterHealth} (so {@code /health} says DOWN) and closes that peer.
 *
 * <p>Threading: thread-safe. Enters, messages and departures come from the transports' network threads, admissions
 * from the thread that writes a Welcome.
 */
public final class ConnectionGate {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGate.class);
    /** How long a refused peer's Refused has to leave before its connection is closed. */
    static final long CLOSE_GRACE_MILLIS = 100;
    /**
     * Closes refused connections a moment after their Refused, so it leaves first: closing a socket with unread
     * input at once resets it and the peer never learns why. One daemon thread for every gate.
     */
    private static final ScheduledExecutorService CLOSER = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "profilesync-gate-closer");
        thread.setDaemon(true);
        return thread;
    });

    private final MasterConfig config;
    private final MasterHealth health;
    private final LongSupplier nanoClock;
    private final int maxTotal;
    private final int maxPerAddress;
    private final Counter refusedConnections;
    private final Counter overloadedPeers;
    /** The budget of each welcomed connection: made on the thread that welcomes, used on the network thread. */
    private final Map<ConnectionId, PeerBudget> budgets = new ConcurrentHashMap<>();
    /** Connections refused for their budget, whose messages are dropped until they close. */
    private final Set<ConnectionId> closing = ConcurrentHashMap.newKeySet();
    /** Connections waiting to authenticate, with their address. Guarded by this. */
    private final Map<ConnectionId, InetAddress> waiting = new HashMap<>();
    /** How many of those come from each address. Guarded by this. */
    private final Map<InetAddress, Integer> waitingPerAddress = new HashMap<>();

    public ConnectionGate(MasterConfig config, MasterHealth health) {
        this(config, health, System::nanoTime);
    }

    /** With the clock the budgets fill by (tests). */
    public ConnectionGate(MasterConfig config, MasterHealth health, LongSupplier nanoClock) {
        this.config = Objects.requireNonNull(config, "config");
        this.health = Objects.requireNonNull(health, "health");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.maxTotal = config.maxUnauthenticatedConnections();
        this.maxPerAddress = config.maxUnauthenticatedConnectionsPerAddress();
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

    /** The largest frame, in bytes, a transport reads from a connection that has not been welcomed. */
    public int unauthenticatedFrameLimit() {
        return config.unauthenticatedFrameLimit();
    }

    /** How long a connection has to authenticate. */
    public Duration authenticationTimeout() {
        return config.authenticationTimeout();
    }

    /** How many connections, of every transport, wait to authenticate now. */
    public synchronized int waiting() {
        return waiting.size();
    }

    /**
     * Counts a newly accepted {@code connection} in as waiting to authenticate, or says why it may not enter (the
     * refusal is counted and logged; the transport answers the peer in its own way and closes it).
     *
     * @param address the peer's IP address, or null when the connection closed before it could be read
     * @return null when it entered, or the reason it may not (how to fix it included)
     */
    public String enter(GatedConnection connection, InetAddress address) {
        String refusal = count(connection.id(), address);
        if (refusal != null) {
            refusedConnections.increment();
            LOG.warn("Refused {}: {}", connection, refusal);
        }
        return refusal;
    }

    private synchronized String count(ConnectionId id, InetAddress address) {
        if (address == null) {
            return "closed before it was accepted";
        }
        if (waiting.size() >= maxTotal) {
            return waiting.size() + " connections are waiting to authenticate, the limit "
                    + "(maxUnauthenticatedConnections); try again shortly";
        }
        int fromAddress = waitingPerAddress.getOrDefault(address, 0);
        if (fromAddress >= maxPerAddress) {
            return fromAddress + " connections from " + address.getHostAddress() + " are waiting to authenticate, "
                    + "the limit (maxUnauthenticatedConnectionsPerAddress); try again shortly";
        }
        waiting.put(id, address);
        waitingPerAddress.merge(address, 1, Integer::sum);
        return null;
    }

    /**
     * {@code connection} is being sent {@code welcome} (call before the peer can see it): it no longer counts as
     * waiting, and from now on its messages are charged to a budget, a client's or a game server's.
     */
    public void admit(GatedConnection connection, Welcome welcome) {
        ConnectionId id = connection.id();
        uncount(id);
        boolean client = !welcome.userId().isEmpty(); // a game server's Welcome carries no user id
        long now = nanoClock.getAsLong();
        budgets.put(id, client
                ? new PeerBudget(config.clientRequestsPerSecond(), config.clientDecodeBytesPerSecond(), now)
                : new PeerBudget(config.gameServerRequestsPerSecond(), config.gameServerDecodeBytesPerSecond(), now));
        if (!connection.isOpen()) {
            budgets.remove(id); // it closed while being welcomed: its departure may have come already
        }
    }

    /**
     * Charges {@code message} from {@code connection} to its budget, on the transport's network thread. A peer over
     * its budget is sent {@link RefusalCode#OVERLOADED} with the reason and closed shortly after.
     *
     * @return whether the message goes on to the protocol; false for a peer over its budget, now or before
     */
    public boolean pass(GatedConnection connection, Object message) {
        ConnectionId id = connection.id();
        if (closing.contains(id)) {
            return false; // refused already: nothing more of it reaches the protocol
        }
        PeerBudget budget = budgets.get(id);
        String over = budget == null ? null : budget.charge(message, nanoClock.getAsLong());
        if (over == null) {
            return true;
        }
        overloadedPeers.increment();
        closing.add(id);
        budgets.remove(id);
        LOG.warn("Disconnecting {}: it sent {}", connection, over);
        connection.refuse(new Refused(RefusalCode.OVERLOADED, "the peer sent " + over));
        CLOSER.schedule(connection::close, CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        return false;
    }

    /** {@code connection} closed: whatever the gate kept about it goes, and it no longer counts. */
    public void left(GatedConnection connection) {
        ConnectionId id = connection.id();
        uncount(id);
        budgets.remove(id);
        closing.remove(id);
    }

    private synchronized void uncount(ConnectionId id) {
        InetAddress address = waiting.remove(id);
        if (address != null) {
            waitingPerAddress.computeIfPresent(address, (a, n) -> n == 1 ? null : n - 1);
        }
    }

    /**
     * The network thread caught {@code e} while handling {@code event} of {@code connection}: an {@link Error} is
     * reported to the master's health and closes the connection; anything else is logged, and the thread goes on.
     */
    public void failed(String event, GatedConnection connection, Throwable e) {
        if (e instanceof Error) {
            health.fail("the master's listener (" + event + " of " + connection + ")", e);
            connection.close();
        } else {
            LOG.warn("The master's listener failed on {} of {}; the network thread goes on", event, connection, e);
        }
    }

    /** Reports to the master's health that {@code what} ended with {@code error} (a network thread that died). */
    public void fatal(String what, Throwable error) {
        health.fail(what, error);
    }
}
