package io.profilesync.protocol.internal;

import io.profilesync.protocol.ConnectionListener;
import io.profilesync.protocol.ConnectionState;
import io.profilesync.protocol.PeerConfig;
import io.profilesync.protocol.RefusalCode;
import io.profilesync.protocol.RefusedException;
import io.profilesync.protocol.internal.EventLoop.Cancellable;
import io.profilesync.protocol.internal.Messages.Challenge;
import io.profilesync.protocol.internal.Messages.Hello;
import io.profilesync.protocol.internal.Messages.Proof;
import io.profilesync.protocol.internal.Messages.Message;
import io.profilesync.protocol.internal.Messages.Refused;
import io.profilesync.protocol.internal.Messages.Role;
import io.profilesync.protocol.internal.Messages.Welcome;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peer core's room for its connection to the master: one attempt at a time through the {@link Connector},
 * {@code Hello} on every new channel, {@code Welcome} or {@code Refused} within {@code connectTimeout} (else the
 * channel is closed), a new attempt after each drop or failure with {@link io.profilesync.protocol.ReconnectBackoff},
 * the public {@link ConnectionState} with its listeners, and the channel's {@link OutboundQueue}.
 *
 * <pre>
 * IDLE -start-> OPENING -onOpen-> HANDSHAKING -Welcome-> WELCOMED
 *                 |  onOpenFailed     | Refused/timeout/onClosed   | onClosed
 *                 v                   v                            v
 *               WAITING (backoff timer) -> OPENING ...          WAITING
 * any -stop-> STOPPED (FAILED: refused for good; CLOSED)
 * </pre>
 *
 * <p>Threading: not thread-safe; every method runs on the core's {@link EventLoop}, except {@link #state()} and the
 * listener list, which any thread may read or change. Listeners are called on the loop.
 */
final class PeerConnection implements Connector.Events {
    private static final Logger LOG = LoggerFactory.getLogger(PeerConnection.class);
    /** A peer's queue is bounded by its in-flight window and its requests; this only guards against a runaway. */
    private static final int MAX_QUEUED = 1 << 20;

    /** What the core does with the connection's events; called on the loop. */
    interface Owner {
        /** The master welcomed this peer; false refuses the welcome (the owner has stopped the connection). */
        boolean onWelcome(Welcome welcome);

        /** A message after the welcome. */
        void onMessage(Message message);

        /** A welcomed connection ended; a new attempt follows. */
        void onLost();

        /** The master refused this peer for a reason retrying cannot fix; the owner stops. */
        void onRefusedForGood(RefusedException refused);
    }

    private enum Phase { IDLE, OPENING, HANDSHAKING, WELCOMED, WAITING, STOPPED }

    private final PeerConfig config;
    private final Role role;
    private final long instanceId;
    private final EventLoop loop;
    private final Connector connector;
    private final RandomGenerator random;
    private final Owner owner;
    private final List<ConnectionListener> listeners = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> connected = new CompletableFuture<>();

    private Phase phase = Phase.IDLE;
    private PeerChannel channel;
    private OutboundQueue queue;
    private Welcome welcome;
    private int failedAttempts;
    private Throwable lastCause;
    private Cancellable timer;
    private volatile ConnectionState state = ConnectionState.CONNECTING;

    PeerConnection(PeerConfig config, Role role, long instanceId, EventLoop loop, Connector connector,
            RandomGenerator random, Owner owner) {
        this.config = config;
        this.role = role;
        this.instanceId = instanceId;
        this.loop = loop;
        this.connector = connector;
        this.random = random;
        this.owner = owner;
    }

    void start() {
        if (phase == Phase.IDLE) {
            attempt();
        }
    }

    ConnectionState state() {
        return state;
    }

    CompletableFuture<Void> connected() {
        return connected;
    }

    List<ConnectionListener> listeners() {
        return listeners;
    }

    boolean isWelcomed() {
        return phase == Phase.WELCOMED;
    }

    boolean isStopped() {
        return phase == Phase.STOPPED;
    }

    /** The last welcome, or null before the first. */
    Welcome welcome() {
        return welcome;
    }

    /**
     * Queues {@code message} behind what waits and writes what fits. Only while welcomed; otherwise it is dropped,
     * since everything the core sends is sent again from its own state after the next welcome.
     */
    void send(Message message) {
        if (phase != Phase.WELCOMED) {
            LOG.debug("Not welcomed; {} dropped (sent again after the next welcome)",
                    message.getClass().getSimpleName());
            return;
        }
        if (!queue.send(message)) {
            drop("its outbound queue is full (" + queue.size() + " messages)");
        }
    }

    /** Writes what waits, while there is room. */
    void flush() {
        if (queue != null) {
            queue.flush();
        }
    }

    /** Whether nothing waits for the write buffer (a tick writes new batches only then). */
    boolean idle() {
        return queue == null || queue.isEmpty();
    }

    /** Closes the current channel so a fresh one starts (for a copy that can no longer follow the master). */
    void drop(String why) {
        if (channel != null && phase != Phase.STOPPED) {
            LOG.warn("Dropping the connection to the master ({}): {}", channel.describe(), why);
            channel.close();
        }
    }

    /** Stops for good: no more attempts, the channel closed, the state final, {@link #connected()} failed. */
    void stop(ConnectionState finalState, Throwable cause) {
        if (phase == Phase.STOPPED) {
            return;
        }
        phase = Phase.STOPPED;
        cancelTimer();
        if (channel != null) {
            channel.close();
            channel = null;
        }
        if (queue != null) {
            queue.clear();
            queue = null;
        }
        connected.completeExceptionally(cause);
        setState(finalState, finalState == ConnectionState.CLOSED ? null : cause);
    }

    // ---------------------------------------------------------------- attempts

    private void attempt() {
        phase = Phase.OPENING;
        connector.connect(this);
    }

    private void retryLater() {
        phase = Phase.WAITING;
        long delayMillis = config.reconnectBackoff().delayMillis(failedAttempts++, random.nextDouble());
        if (state != ConnectionState.CONNECTING) {
            setState(ConnectionState.RECONNECTING, lastCause);
        }
        timer = loop.schedule(delayMillis * 1_000_000L, () -> {
            timer = null;
            if (phase == Phase.WAITING) {
                attempt();
            }
        });
    }

    @Override
    public void onOpen(PeerChannel opened) {
        if (phase != Phase.OPENING) {
            opened.close();
            return;
        }
        channel = opened;
        queue = new OutboundQueue(opened, MAX_QUEUED);
        phase = Phase.HANDSHAKING;
        // A game server's secret never travels: it answers the master's Challenge with a Proof instead.
        String credential = role == Role.GAME_SERVER ? "" : config.credential();
        queue.send(new Hello(Protocol.VERSION, role, instanceId, credential, config.schemaFingerprint()));
        timer = loop.schedule(config.connectTimeout().toNanos(), () -> {
            timer = null;
            if (phase == Phase.HANDSHAKING && channel == opened) {
                LOG.warn("The master ({}) did not answer Hello within {}; reconnecting", opened.describe(),
                        config.connectTimeout());
                lastCause = new TimeoutException("the master did not answer Hello within " + config.connectTimeout());
                opened.close();
            }
        });
    }

    @Override
    public void onOpenFailed(Throwable cause) {
        if (phase != Phase.OPENING) {
            return;
        }
        LOG.debug("Connecting to the master at {}:{} failed: {}", config.host(), config.port(), cause.toString());
        lastCause = cause;
        retryLater();
    }

    @Override
    public void onMessage(PeerChannel from, Message message) {
        if (from != channel || phase == Phase.STOPPED) {
            return;
        }
        if (message instanceof Welcome w) {
            onWelcome(w);
        } else if (message instanceof Challenge c && phase == Phase.HANDSHAKING && role == Role.GAME_SERVER) {
            queue.send(new Proof(SecretProofs.proof(config.credential(), c.nonce(), instanceId,
                    config.schemaFingerprint())));
        } else if (message instanceof Refused r) {
            onRefused(r);
        } else if (phase != Phase.WELCOMED) {
            LOG.warn("Ignoring {} from the master before its Welcome", message.getClass().getSimpleName());
        } else {
            owner.onMessage(message);
        }
    }

    private void onWelcome(Welcome w) {
        if (phase != Phase.HANDSHAKING) {
            LOG.warn("Ignoring a second Welcome from the master");
            return;
        }
        cancelTimer();
        phase = Phase.WELCOMED;
        welcome = w;
        failedAttempts = 0;
        lastCause = null;
        if (!owner.onWelcome(w) || phase != Phase.WELCOMED) {
            return;
        }
        setState(ConnectionState.CONNECTED, null);
        connected.complete(null);
        flush();
    }

    private void onRefused(Refused r) {
        RefusedException refused = new RefusedException(r.code(), r.reason());
        if (r.code() == RefusalCode.AUTHENTICATION || r.code() == RefusalCode.PROTOCOL_VERSION
                || r.code() == RefusalCode.SCHEMA_MISMATCH) {
            LOG.error("{}; not reconnecting", refused.getMessage());
            owner.onRefusedForGood(refused);
        } else {
            LOG.warn("{}; will reconnect", refused.getMessage());
            lastCause = refused;
            channel.close();
        }
    }

    @Override
    public void onClosed(PeerChannel closed) {
        if (closed != channel || phase == Phase.STOPPED) {
            return;
        }
        cancelTimer();
        boolean wasWelcomed = phase == Phase.WELCOMED;
        channel = null;
        queue.clear();
        queue = null;
        if (wasWelcomed) {
            LOG.info("Lost the connection to the master ({}); reconnecting", closed.describe());
            owner.onLost();
            if (phase == Phase.STOPPED) {
                return;
            }
        }
        retryLater();
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    private void setState(ConnectionState newState, Throwable cause) {
        if (state == newState && newState != ConnectionState.RECONNECTING) {
            return;
        }
        state = newState;
        PeerCore.fire(listeners, listener -> listener.onStateChanged(newState, cause));
    }
}
