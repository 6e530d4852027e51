package io.profilesync.protocol.internal;

import io.profilesync.protocol.ConnectionListener;
import io.profilesync.protocol.ConnectionState;
import io.profilesync.protocol.NotDurableException;
import io.profilesync.protocol.PeerConfig;
import io.profilesync.protocol.ProfileUnavailableException;
import io.profilesync.protocol.RefusedException;
import io.profilesync.protocol.internal.EventLoop.Cancellable;
import io.profilesync.protocol.internal.Messages.HandleDelta;
import io.profilesync.protocol.internal.Messages.Message;
import io.profilesync.protocol.internal.Messages.Welcome;
import java.security.SecureRandom;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peer core: what a game server and a client share, as one single-threaded state machine with no socket, thread
 * or wall clock. Its inputs are the {@link Connector}'s events, the timers of its {@link EventLoop} (the update tick,
 * the handshake and close timeouts, the reconnection backoff) and the calls of its {@link Role} (the game server's
 * acquire and release, the client's fill); its outputs are messages on the channel and calls of the role and the
 * listeners. Its rooms: {@link PeerConnection} (attempts, backoff, handshake, state), {@link ReplicaSet} (copies,
 * batch numbers, in-flight window, batching, pushes, resend), {@link OutboundQueue} (back-pressure),
 * {@link SchemaAdoption}, and here the update tick, resynchronization after a reconnection, refusals and the close
 * sequence.
 *
 * <p>Threading: not thread-safe: every method runs on the loop's thread, except {@link #state()}, {@link #connected()},
 * {@link #stopped()} and the listener lists, which any thread may use. Listeners are called on the loop.
 *
 * @param <S> the schema type (the tiers' {@code ProfileSchema}; profiles-core does not know it)
 */
public final class PeerCore<S> {
    private static final Logger LOG = LoggerFactory.getLogger(PeerCore.class);
    private static final SecureRandom INSTANCE_IDS = new SecureRandom();
    /** Room kept free in every message for the frame and the message's own fields. */
    public static final int MESSAGE_HEADROOM = 1024;

    /** What the game server's or the client's own logic does; every method is called on the loop. */
    public interface Role<S> {
        /** Welcomed with {@code schema} (already adopted), first and after each reconnection: ask for profiles. */
        void onWelcome(Welcome welcome, S schema);

        /** A message from the master after its welcome (pushes, answers to requests). */
        void onMessage(Message message);

        /** The welcomed connection ended; handles are forgotten already, a reconnection follows. */
        void onLost();

        /** After each tick, push and resynchronization: releases move on. */
        void onProgress();

        /** Closing began: fail requests under way, release what is held. */
        void onClosing();

        /** Whether a request of the role (a fetch, a release) is under way. */
        boolean busy();

        /** Stopped for good ({@link ConnectionState#FAILED} or {@link ConnectionState#CLOSED}): fail what waits. */
        void onStopped(Throwable cause);

        /** The message that carries batch {@code seq} with {@code entries} (a client's has one, handle 0). */
        Message batch(long seq, List<HandleDelta> entries);

        /**
         * The message that carries batch {@code seq} holding one atomic change, {@code entry}, of one copy; a role
         * that makes none (the client) never gets this call.
         */
        default Message atomic(long seq, HandleDelta entry, byte[] preconditions) {
            throw new IllegalStateException("this peer sends no atomic changes");
        }

        /** What closing fails requests with. */
        ProfileUnavailableException closedException();
    }

    /** Makes a core for its role (the role is built first and keeps the core it gets). */
    @FunctionalInterface
    public interface Factory<S> {
        PeerCore<S> create(Role<S> role);
    }

    /**
     * The factory of a tier's core: {@code instanceId} goes in Hello, {@code random} (null: seeded from
     * {@code instanceId}, so a run replays) spreads the reconnection delays.
     */
    public static <S> Factory<S> factory(PeerConfig config, Messages.Role wireRole, long instanceId, EventLoop loop,
            Connector connector, RandomGenerator random, Function<String, S> readSchema,
            Function<S, String> fingerprint) {
        RandomGenerator jitter = random != null ? random : new SplittableRandom(instanceId);
        return role -> new PeerCore<>(config, wireRole, instanceId, loop, connector, jitter, readSchema, fingerprint,
                role);
    }

    /** A random instance id, for a peer process that does not choose its own. */
    public static long newInstanceId() {
        return INSTANCE_IDS.nextLong();
    }

    private record Registered(Object key, ReplicaSet.RefusalSink sink) {
    }

    private final PeerConfig config;
    private final long instanceId;
    private final EventLoop loop;
    private final SchemaAdoption<S> schemas;
    private final Role<S> role;
    private final PeerConnection connection;
    private final ReplicaSet replicas;
    private final List<Registered> refusalListeners = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();

    private boolean resynced;
    private boolean started;
    private boolean closing;
    private boolean halted;
    /** Read by {@link #stoppedException()} from any thread. */
    private volatile Throwable stopCause;
    private volatile ConnectionState finalState;
    private Cancellable tickTimer;
    /** When the next tick is due on the loop's clock: ticks keep a fixed rate (see {@link #scheduleNextTick}). */
    private long nextTickAt;
    private Cancellable closeTimer;

    /**
     * @param wireRole what this peer says it is in Hello
     * @param instanceId this peer's id in Hello, the same over every reconnection (the master applies each numbered
     *     batch of an instance once)
     * @param random spreads the reconnection delays
     * @param readSchema reads the schema the master sends (throws when it cannot)
     * @param fingerprint the fingerprint of a schema, checked against {@link PeerConfig#schemaFingerprint()}
     */
    public PeerCore(PeerConfig config, Messages.Role wireRole, long instanceId, EventLoop loop, Connector connector,
            RandomGenerator random, Function<String, S> readSchema, Function<S, String> fingerprint, Role<S> role) {
        this.config = Objects.requireNonNull(config, "config");
        Objects.requireNonNull(wireRole, "wireRole");
        this.instanceId = instanceId;
        this.loop = Objects.requireNonNull(loop, "loop");
        this.schemas = new SchemaAdoption<>(Objects.requireNonNull(readSchema, "readSchema"),
                Objects.requireNonNull(fingerprint, "fingerprint"), config.schemaFingerprint(),
                wireRole == Messages.Role.CLIENT ? "this client" : "this game server");
        this.role = Objects.requireNonNull(role, "role");
        this.replicas = new ReplicaSet(this::refused, this::drop);
        this.connection = new PeerConnection(config, wireRole, instanceId, loop, Objects.requireNonNull(connector,
                "connector"), Objects.requireNonNull(random, "random"), new Events());
    }

    // ---------------------------------------------------------------- life cycle and state

    /** Begins connecting, and the update tick. Idempotent. */
    public void start() {
        if (started || halted) {
            return;
        }
        started = true;
        nextTickAt = loop.nanoTime();
        scheduleNextTick();
        connection.start();
    }

    public long instanceId() {
        return instanceId;
    }

    public EventLoop loop() {
        return loop;
    }

    public PeerConfig config() {
        return config;
    }

    public ConnectionState state() {
        return connection.state();
    }

    /** Completes at the first welcome; fails when refused for good or stopped first. Any thread. */
    public CompletableFuture<Void> connected() {
        return connection.connected();
    }

    /** Completes (on the loop) once stopped for good, closed or failed. Any thread. */
    public CompletableFuture<Void> stopped() {
        return stopped;
    }

    public boolean isStopped() {
        return halted;
    }

    public boolean isClosing() {
        return closing;
    }

    /** Any thread. */
    public void addConnectionListener(ConnectionListener listener) {
        connection.listeners().add(Objects.requireNonNull(listener, "listener"));
    }

    /** Any thread. */
    public void removeConnectionListener(ConnectionListener listener) {
        connection.listeners().remove(listener);
    }

    /** Adds {@code sink}, told of refusals on the loop, under {@code key} (the public listener it adapts). */
    public void addRefusalListener(Object key, ReplicaSet.RefusalSink sink) {
        refusalListeners.add(new Registered(Objects.requireNonNull(key, "listener"), sink));
    }

    public void removeRefusalListener(Object key) {
        refusalListeners.removeIf(registered -> registered.key().equals(key));
    }

    /** The adopted schema, or null before the first welcome. */
    public S schema() {
        return schemas.schema();
    }

    /** The copies held, for the role. */
    public ReplicaSet replicas() {
        return replicas;
    }

    /** Whether the current connection is welcomed (and the core not stopped). */
    public boolean isWelcomed() {
        return !halted && connection.isWelcomed();
    }

    /** Whether every copy is back after the last welcome and its unacknowledged batches went again. */
    public boolean isResynced() {
        return resynced;
    }

    /**
     * Whether nothing is under way: stopped, or no request of the role pending, no copy with changes unsent or
     * unacknowledged, nothing waiting for the write buffer, and (when copies are held) resynchronized.
     */
    public boolean quiescent() {
        return halted || (!role.busy() && replicas.settled() && connection.idle()
                && (replicas.isEmpty() || resynced));
    }

    /**
     * Why a request can no longer be served: closed, or refused for good (the master's reason as the cause). Any
     * thread.
     */
    public ProfileUnavailableException stoppedException() {
        if (finalState == ConnectionState.FAILED && stopCause != null) {
            return new ProfileUnavailableException("the master refused this peer for good, so nothing more can be "
                    + "had from it: " + stopCause.getMessage(), stopCause);
        }
        return role.closedException();
    }

    // ---------------------------------------------------------------- for the role

    /** Sends {@code message} in order behind what waits (dropped when not welcomed: resend after the welcome). */
    public void send(Message message) {
        if (!halted) {
            connection.send(message);
        }
    }

    /** The role has every copy back after a welcome: the unacknowledged batches go again, then ticks resume. */
    public void resynced() {
        if (resynced || !isWelcomed()) {
            return;
        }
        int resent = replicas.resend((seq, entries) -> connection.send(role.batch(seq, entries)),
                (seq, entry, preconditions) -> connection.send(role.atomic(seq, entry, preconditions)));
        if (resent > 0) {
            LOG.info("Sent {} unacknowledged batches again after reconnecting", resent);
        }
        resynced = true;
        // A flush still waiting asks this master too: the one it asked may have gone before saving.
        askFlush();
        progress();
    }

    /** Closes the current connection so the next one starts from fresh snapshots. */
    public void drop(String why) {
        if (!halted) {
            connection.drop(why);
        }
    }

    /** Stops for good with {@link ConnectionState#FAILED}. */
    public void fail(Throwable cause) {
        halt(ConnectionState.FAILED, cause);
    }

    /** Tells the refusal listeners; one shape for both roles (a client's user is its own). */
    public void refused(String userId, String property, String reason) {
        fire(refusalListeners, registered -> registered.sink().refused(userId, property, reason));
    }

    /** A tick now (a release sends its profile's last changes at once). */
    public void tickNow() {
        if (isWelcomed()) {
            connection.flush();
            takeBatches();
            askFlush();
        }
        progress();
    }

    /**
     * Everything written to {@code copy} before this call, made durable as soon as possible: its unsent changes go in
     * a batch now (when the window allows; else at a later tick), and the master is asked ({@link Messages.Flush}) to
     * save the profiles of those batches at once instead of after its {@code saveProfileDebounce}.
     *
     * <p>The future completes on the loop, when a push's {@code durableSeq} covers those batches. It stays pending
     * while the connection is down (after the reconnection the batches and the request go to the next master) and
     * while the master's database is down; it fails with {@link NotDurableException} when the copy is released or
     * lost first ({@link ReplicaSet#remove}) or the core stops ({@link NotDurableException.Reason#STOPPED}).
     */
    public CompletableFuture<Void> flush(ReplicaSet.Copy copy) {
        Objects.requireNonNull(copy, "copy");
        if (halted) {
            return stoppedBeforeDurable();
        }
        CompletableFuture<Void> flushed = replicas.flush(copy);
        // Even when nothing waits: the role moves on at once (a release of a profile already durable ends now).
        tickNow();
        return flushed;
    }

    /**
     * Makes what {@code edit} changes in {@code copy} one atomic change with {@code preconditions}: the changes made
     * before it go first in their own batch, then it goes at once (when the window allows; else at a later tick) in a
     * batch of its own, which the master applies whole or not at all, only if every precondition holds on its state,
     * and saves at once. See {@link Replica#atomically}.
     *
     * @return completed on the loop once the master applied it and made it durable; failed with
     *     {@link io.profilesync.protocol.TransactionRefusedException} when it refused it (the copy shows its state
     *     again), with {@link NotDurableException} as {@link #flush} fails
     * @throws RuntimeException what {@code edit} throws (nothing of it stays)
     */
    public CompletableFuture<Void> atomically(ReplicaSet.Copy copy, byte[] preconditions, Runnable edit) {
        Objects.requireNonNull(copy, "copy");
        if (halted) {
            return stoppedBeforeDurable();
        }
        CompletableFuture<Void> outcome = copy.replica().atomically(preconditions, edit);
        tickNow();
        return outcome;
    }

    /**
     * Completes once everything written to {@code copy} before this call is durable, asking nothing of the master:
     * the latency of ordinary saves (for benchmarks and tests). Fails as {@link #flush} does. On the loop.
     */
    public CompletableFuture<Void> whenDurable(ReplicaSet.Copy copy) {
        Objects.requireNonNull(copy, "copy");
        if (halted) {
            return stoppedBeforeDurable();
        }
        return replicas.whenDurable(copy);
    }

    private CompletableFuture<Void> stoppedBeforeDurable() {
        return CompletableFuture.failedFuture(new NotDurableException(NotDurableException.Reason.STOPPED,
                stoppedMessage()));
    }

    /** Sends the flush request a waiting flush needs and this connection has not had yet. */
    private void askFlush() {
        if (resynced && isWelcomed()) {
            long seq = replicas.flushToAsk();
            if (seq > 0) {
                connection.send(new Messages.Flush(seq));
            }
        }
    }

    private String stoppedMessage() {
        return "this peer stopped (closed, or refused for good by the master) before the master said the changes "
                + "are committed to its database";
    }

    /** After the role's own progress: while closing, stops once nothing is left to acknowledge. */
    public void checkClosed() {
        if (closing && !halted && !role.busy() && replicas.settled()) {
            halt(ConnectionState.CLOSED, role.closedException());
        }
    }

    /**
     * The largest message this peer sends (as {@code Protocol.estimateSize} counts it): the object buffer (the master
     * reads with one of the same default size) or half the write buffer, whichever is smaller, less
     * {@link #MESSAGE_HEADROOM}; once welcomed at most the master's {@code maxUpdateSize}, the size it promises to
     * read (a message larger than its object buffer would drop the connection again at every attempt).
     */
    public int maxMessageSize() {
        int limit = Math.min(config.objectBufferSize(), config.writeBufferSize() / 2) - MESSAGE_HEADROOM;
        Welcome welcome = connection.welcome();
        if (welcome != null && welcome.maxUpdateSize() > 0) {
            limit = Math.min(limit, welcome.maxUpdateSize());
        }
        return limit;
    }

    private String oversizeReason(int size) {
        Welcome welcome = connection.welcome();
        return "the changes made in one update interval take " + size + " bytes, more than the " + maxMessageSize()
                + " one message may carry (the master's maxUpdateSize " + (welcome == null ? "?" : welcome
                .maxUpdateSize()) + ", and objectBufferSize - 1 KiB and half the writeBufferSize here); they were "
                + "dropped and the profile set back: make smaller changes per interval, or raise those limits";
    }

    // ---------------------------------------------------------------- the tick

    private void tick() {
        scheduleNextTick();
        if (!halted) {
            tickNow();
        }
    }

    /**
     * The next tick one interval after the last one was due, not after it ran: at a fixed rate, as the game server
     * before the cores (a scheduleAtFixedRate) and MST's. Scheduled from "now", each tick drifted later by the loop's
     * lateness, so against a client's debounced pushes, which keep an exact period (the master's ClientPushes), the
     * batches slid from just before a push to just after it, which then carried a value a whole tick older (MST's
     * cadence in BENCHMARKS.md). A loop late by more than an interval skips the ticks it missed, keeping the phase,
     * rather than running them in a burst.
     */
    private void scheduleNextTick() {
        long interval = config.updateInterval().toNanos();
        long now = loop.nanoTime();
        nextTickAt += interval;
        long late = now - nextTickAt;
        if (late >= 0) {
            nextTickAt += (late / interval + 1) * interval;
        }
        tickTimer = loop.schedule(nextTickAt - now, this::tick);
    }

    /**
     * New batches only when resynchronized, when nothing waits for the write buffer (changes keep coalescing in the
     * profiles instead of in buffers) and when the in-flight window is open (a master that falls behind holds its
     * peers back to its pace).
     */
    private void takeBatches() {
        if (resynced && connection.idle() && replicas.windowOpen()) {
            replicas.takeBatches(maxMessageSize(), (seq, entries) -> connection.send(role.batch(seq, entries)),
                    (seq, entry, preconditions) -> connection.send(role.atomic(seq, entry, preconditions)),
                    this::oversizeReason);
        }
    }

    private void progress() {
        role.onProgress();
        checkClosed();
    }

    /** For the role, after a push it applied. */
    public void afterPush() {
        progress();
    }

    // ---------------------------------------------------------------- closing

    /**
     * The close sequence: the role fails its requests and releases what it holds, a tick sends the last changes,
     * and the core stops with {@link ConnectionState#CLOSED} once the master acknowledged everything or the close
     * timeout passed; at once when {@code now} (a caller on the loop cannot wait: the loop delivers the acks).
     *
     * @return completed when stopped
     */
    public CompletableFuture<Void> close(boolean now) {
        if (closing || halted) {
            closing = true;
            if (now) {
                halt(ConnectionState.CLOSED, role.closedException());
            }
            return stopped;
        }
        closing = true;
        role.onClosing();
        tickNow();
        if (now) {
            halt(ConnectionState.CLOSED, role.closedException());
        } else if (!halted) {
            closeTimer = loop.schedule(config.closeTimeout().toNanos(), () -> {
                if (!halted) {
                    LOG.warn("Closing: the master did not acknowledge everything within {}; stopping anyway",
                            config.closeTimeout());
                }
                halt(ConnectionState.CLOSED, role.closedException());
            });
        }
        return stopped;
    }

    private void halt(ConnectionState state, Throwable cause) {
        if (halted) {
            return;
        }
        halted = true;
        finalState = state;
        stopCause = cause;
        resynced = false;
        cancel(tickTimer);
        cancel(closeTimer);
        try {
            // Before the role's own clean-up, so the flushes name the stop rather than a release.
            replicas.failFlushes(NotDurableException.Reason.STOPPED, stoppedMessage());
            role.onStopped(cause);
        } finally {
            connection.stop(state, cause);
            stopped.complete(null);
        }
    }

    private static void cancel(Cancellable timer) {
        if (timer != null) {
            timer.cancel();
        }
    }

    /** Calls {@code call} for each listener; one that throws is logged and does not stop the others. */
    public static <L> void fire(List<L> listeners, Consumer<L> call) {
        for (L listener : listeners) {
            try {
                call.accept(listener);
            } catch (RuntimeException e) {
                LOG.warn("A listener threw", e);
            }
        }
    }

    /** The connection's events, as the core handles them. */
    private final class Events implements PeerConnection.Owner {
        @Override
        public boolean onWelcome(Welcome welcome) {
            RefusedException refusal = schemas.adopt(welcome.schemaJson(), replicas.size());
            if (refusal != null) {
                fail(refusal);
                return false;
            }
            resynced = false;
            replicas.clearHandles();
            role.onWelcome(welcome, schemas.schema());
            return !halted;
        }

        @Override
        public void onMessage(Message message) {
            role.onMessage(message);
        }

        @Override
        public void onLost() {
            resynced = false;
            replicas.clearHandles();
            role.onLost();
            // A release whose changes were all acknowledged ends with the connection: closing may be done.
            checkClosed();
        }

        @Override
        public void onRefusedForGood(RefusedException refused) {
            fail(refused);
        }
    }
}
