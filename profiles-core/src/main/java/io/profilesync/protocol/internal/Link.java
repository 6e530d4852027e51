package io.profilesync.protocol.internal;

import com.esotericsoftware.kryonet.Client;
import com.esotericsoftware.kryonet.Connection;
import com.esotericsoftware.kryonet.FrameworkMessage;
import com.esotericsoftware.kryonet.Listener;
import io.profilesync.protocol.ConnectionListener;
import io.profilesync.protocol.ConnectionState;
import io.profilesync.protocol.internal.Messages.Hello;
import io.profilesync.protocol.internal.Messages.Message;
import io.profilesync.protocol.RefusalCode;
import io.profilesync.protocol.internal.Messages.Refused;
import io.profilesync.protocol.internal.Messages.Welcome;
import io.profilesync.protocol.ProfileUnavailableException;
import io.profilesync.protocol.internal.Protocol;
import io.profilesync.protocol.RefusedException;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The part the game server and the client share: one KryoNet client to the master, connected and reconnected with
 * exponential backoff, the handshake ({@link Hello} answered by {@link Welcome} or {@link Refused}), the update tick,
 * an ordered outbox with back-pressure, and the hand-off of every received message to the profile executor.
 *
 * <p>Threading: three kinds of thread. KryoNet's update thread only hands messages and disconnections to the
 * profile executor. A timer thread ({@code <threadName>-timer}) runs the blocking connection attempts and the
 * periodic tick trigger. Everything else, the {@link Handler} callbacks, {@link #send}, the outbox and the state,
 * runs on the profile executor, which is what makes the tier's profiles single-threaded. Messages from a connection
 * that has since been replaced are dropped (each connection attempt has an epoch).
 */
public final class Link {
    private static final Logger LOG = LoggerFactory.getLogger(Link.class);
    private static final SecureRandom INSTANCE_IDS = new SecureRandom();

    /** What the tier does; every method is called on the profile executor. */
    public interface Handler {
        /** The master welcomed this peer (after every connection, the first and each reconnection). */
        void onWelcome(Welcome welcome);

        /** A message from the master, after its welcome. */
        void onMessage(Message message);

        /** Every update interval while welcomed; the outbox has been flushed first. */
        void onTick();

        /** The connection was lost after a welcome; a reconnection follows. */
        void onDisconnected();

        /** The link stopped for good: {@link ConnectionState#FAILED} or {@link ConnectionState#CLOSED}. */
        void onStopped(Throwable cause);
    }

    private final LinkSettings settings;
    private final Handler handler;
    private final long instanceId = INSTANCE_IDS.nextLong();
    private final Client client;
    private final Executor userExecutor;
    private final ExecutorService ownExecutor;
    private final ScheduledThreadPoolExecutor timer;
    private final ThreadLocal<Boolean> inside = ThreadLocal.withInitial(() -> false);
    private final List<ConnectionListener> listeners = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> connected = new CompletableFuture<>();
    private final AtomicInteger epoch = new AtomicInteger();
    private final AtomicBoolean tickQueued = new AtomicBoolean();
    private final Executor executor = this::execute;

    // Profile executor only:
    private final Deque<Object> outbox = new ArrayDeque<>();
    private boolean welcomed;
    private Welcome welcome;
    private int failedAttempts;
    private Throwable lastCause;
    private ScheduledFuture<?> handshakeTimeout;
    private CompletableFuture<Void> closing;
    private java.util.function.BooleanSupplier settled;
    private Throwable closeCause;

    private volatile ConnectionState state = ConnectionState.CONNECTING;
    private volatile Throwable stopCause;
    private volatile boolean stopped;

    public Link(LinkSettings settings, Handler handler) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.client = Protocol.newClient(settings.writeBufferSize(), settings.objectBufferSize());
        if (settings.executor() != null) {
            this.userExecutor = settings.executor();
            this.ownExecutor = null;
        } else {
            this.ownExecutor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                    daemon(settings.threadName()));
            this.userExecutor = ownExecutor;
        }
        // Two threads: a connection attempt blocks one for up to connectTimeout, timeouts and ticks keep running.
        this.timer = new ScheduledThreadPoolExecutor(2, daemon(settings.threadName() + "-timer"));
        this.timer.setRemoveOnCancelPolicy(true);
        this.timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        client.addListener(new Listener() {
            @Override
            public void received(Connection connection, Object object) {
                if (object instanceof FrameworkMessage) {
                    return;
                }
                int at = epoch.get();
                execute(() -> onReceived(at, object));
            }

            @Override
            public void disconnected(Connection connection) {
                int at = epoch.get();
                execute(() -> onConnectionLost(at));
            }
        });
    }

    private static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    // ---------------------------------------------------------------- life cycle

    /** Starts connecting (on the timer thread) and ticking. */
    public void start() {
        client.start();
        timer.execute(this::attemptConnect);
        long interval = settings.updateInterval().toNanos();
        timer.scheduleAtFixedRate(() -> {
            if (tickQueued.compareAndSet(false, true)) {
                execute(this::tick);
            }
        }, interval, interval, TimeUnit.NANOSECONDS);
    }

    /** This peer's random id, the same over every reconnection. */
    public long instanceId() {
        return instanceId;
    }

    /** Completes at the first welcome; fails if the master refuses this peer for good or the link is closed first. */
    public CompletableFuture<Void> connected() {
        return connected;
    }

    public ConnectionState state() {
        return state;
    }

    /** The last welcome, or null before the first (profile executor only). */
    public Welcome welcome() {
        return welcome;
    }

    /** Whether the current connection has been welcomed (profile executor only). */
    public boolean isWelcomed() {
        return welcomed && !stopped;
    }

    public boolean isStopped() {
        return stopped;
    }

    public void addListener(ConnectionListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public void removeListener(ConnectionListener listener) {
        listeners.remove(listener);
    }

    // ---------------------------------------------------------------- executor

    /** The profile executor, as game code should use it. */
    public Executor executor() {
        return executor;
    }

    /** Whether the calling thread is running a task of this link's profile executor. */
    public boolean inExecutor() {
        return inside.get();
    }

    /** Runs {@code task} on the profile executor; a task that throws is logged; nothing runs once it is shut. */
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        try {
            userExecutor.execute(() -> {
                boolean nested = inside.get();
                inside.set(true);
                try {
                    task.run();
                } catch (RuntimeException | Error e) {
                    LOG.error("A task on the profile executor threw", e);
                } finally {
                    inside.set(nested);
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("Profile executor is shut; task dropped");
        }
    }

    /** Runs {@code task} on the profile executor after {@code delayMillis}; cancel the returned future to drop it. */
    public ScheduledFuture<?> schedule(Runnable task, long delayMillis) {
        try {
            return timer.schedule(() -> execute(task), delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            return null;
        }
    }

    // ---------------------------------------------------------------- sending

    /**
     * The largest message this peer sends (as {@code Protocol.estimateSize} counts it): the local limit of
     * {@link LinkSettings#maxMessageSize()}, and once welcomed at most the master's {@code maxUpdateSize}, which the
     * master promises to be able to read (its object buffer is larger); the master's object buffer size itself is
     * not told, so a larger message could be one it cannot read, which would drop the connection again at every
     * attempt.
     */
    public int maxMessageSize() {
        int limit = settings.maxMessageSize();
        if (welcome != null && welcome.maxUpdateSize() > 0) {
            limit = Math.min(limit, welcome.maxUpdateSize());
        }
        return limit;
    }

    /** Why changes of {@code size} bytes, too large for any message, were dropped (for logs and refusal events). */
    public String oversizeReason(int size) {
        return "the changes made in one update interval take " + size + " bytes, more than the " + maxMessageSize()
                + " one message may carry (the master's maxUpdateSize " + (welcome == null ? "?" : welcome
                .maxUpdateSize()) + ", and objectBufferSize - 1 KiB and half the writeBufferSize here); they were "
                + "dropped and the profile set back: make smaller changes per interval, or raise those limits";
    }

    /**
     * Whether a tick may write: welcomed, nothing waits in the outbox, and the write buffer is at most half full.
     * Profile executor only.
     */
    public boolean canWrite() {
        return isWelcomed() && outbox.isEmpty()
                && client.getTcpWriteBufferSize() <= settings.writeBufferSize() / 2;
    }

    /**
     * Queues {@code message} after every message queued before it and writes what fits the write buffer. What is
     * still queued when the connection drops is discarded: the tier sends it again from its own state after the
     * next welcome. Profile executor only.
     */
    public void send(Object message) {
        outbox.addLast(Objects.requireNonNull(message, "message"));
        flush();
    }

    private void flush() {
        while (!outbox.isEmpty() && welcomed && client.isConnected()) {
            if (!Protocol.trySend(client, outbox.peekFirst(), settings.writeBufferSize())) {
                return;
            }
            outbox.pollFirst();
        }
    }

    /** Runs a tick now (profile executor only): flushes the outbox, then lets the tier send its changes. */
    public void tickNow() {
        if (isWelcomed()) {
            flush();
            handler.onTick();
        }
    }

    private void tick() {
        tickQueued.set(false);
        if (!stopped) {
            tickNow();
        }
    }

    // ---------------------------------------------------------------- connecting

    private void attemptConnect() {
        if (stopped) {
            return;
        }
        int at = epoch.incrementAndGet();
        try {
            client.connect((int) settings.connectTimeout().toMillis(), settings.host(), settings.port());
            execute(() -> onConnected(at));
        } catch (IOException | RuntimeException e) {
            execute(() -> onConnectFailed(at, e));
        }
    }

    private void onConnectFailed(int at, Exception e) {
        if (stopped || at != epoch.get()) {
            return;
        }
        LOG.debug("Connecting to the master at {}:{} failed: {}", settings.host(), settings.port(), e.toString());
        lastCause = e;
        scheduleReconnect();
    }

    private void onConnected(int at) {
        if (stopped || at != epoch.get()) {
            return;
        }
        client.sendTCP(new Hello(Protocol.VERSION, settings.role(), instanceId, settings.credential(),
                settings.schemaFingerprint()));
        handshakeTimeout = schedule(() -> {
            if (at == epoch.get() && !welcomed && !stopped) {
                LOG.warn("The master at {}:{} did not answer Hello within {}; reconnecting", settings.host(),
                        settings.port(), settings.connectTimeout());
                client.close();
            }
        }, settings.connectTimeout().toMillis());
    }

    private void onReceived(int at, Object object) {
        if (stopped || at != epoch.get()) {
            return;
        }
        if (object instanceof Welcome w) {
            cancelHandshakeTimeout();
            welcomed = true;
            welcome = w;
            failedAttempts = 0;
            lastCause = null;
            handler.onWelcome(w);
            if (stopped) {
                return;
            }
            setState(ConnectionState.CONNECTED, null);
            connected.complete(null);
            flush();
        } else if (object instanceof Refused r) {
            RefusedException refused = new RefusedException(r.code(), r.reason());
            if (r.code() == RefusalCode.AUTHENTICATION || r.code() == RefusalCode.PROTOCOL_VERSION
                    || r.code() == RefusalCode.SCHEMA_MISMATCH) {
                LOG.error("{}; not reconnecting", refused.getMessage());
                stop(ConnectionState.FAILED, refused);
            } else {
                LOG.warn("{}; will reconnect", refused.getMessage());
                lastCause = refused;
            }
        } else if (!welcomed) {
            LOG.warn("Ignoring {} from the master before its Welcome", object.getClass().getSimpleName());
        } else if (object instanceof Message message) {
            handler.onMessage(message);
        }
    }

    private void onConnectionLost(int at) {
        if (stopped || at != epoch.get()) {
            return;
        }
        cancelHandshakeTimeout();
        boolean wasWelcomed = welcomed;
        welcomed = false;
        outbox.clear();
        if (wasWelcomed) {
            LOG.info("Lost the connection to the master at {}:{}; reconnecting", settings.host(), settings.port());
            handler.onDisconnected();
        }
        scheduleReconnect();
    }

    private void scheduleReconnect() {
        long delay = settings.backoff().delayMillis(failedAttempts++, ThreadLocalRandom.current().nextDouble());
        if (state != ConnectionState.CONNECTING) {
            setState(ConnectionState.RECONNECTING, lastCause);
        }
        try {
            timer.schedule(this::attemptConnect, delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("Timer is shut; not reconnecting");
        }
    }

    private void cancelHandshakeTimeout() {
        if (handshakeTimeout != null) {
            handshakeTimeout.cancel(false);
            handshakeTimeout = null;
        }
    }

    private void setState(ConnectionState newState, Throwable cause) {
        if (state == newState && newState != ConnectionState.RECONNECTING) {
            return;
        }
        state = newState;
        fire(listeners, listener -> listener.onStateChanged(newState, cause));
    }

    // ---------------------------------------------------------------- stopping

    /**
     * Stops for good (profile executor only): the state becomes {@code finalState}, the handler and the listeners are
     * told, KryoNet's thread and the timer stop. The link's own executor, if any, stops after this task.
     */
    public void stop(ConnectionState finalState, Throwable cause) {
        if (stopped) {
            return;
        }
        stopCause = cause;
        stopped = true;
        welcomed = false;
        outbox.clear();
        cancelHandshakeTimeout();
        connected.completeExceptionally(cause);
        try {
            handler.onStopped(cause);
        } finally {
            setState(finalState, finalState == ConnectionState.CLOSED ? null : cause);
            shutDownThreads();
            if (closing != null) {
                closing.complete(null);
            }
        }
    }

    /**
     * Drops the current connection so the next one starts from fresh snapshots (for a copy that can no longer
     * follow the master's deltas). Profile executor only.
     */
    public void reconnectNow() {
        if (!stopped) {
            client.close();
        }
    }

    /**
     * Begins closing (profile executor only): ticks once so the last changes go out, then stops with
     * {@link ConnectionState#CLOSED} as soon as {@link #checkClosed()} finds {@code settled} true (the master
     * acknowledged everything), or when {@code timeout} has passed; at once when {@code now}.
     *
     * @return completed when the link has stopped
     */
    public CompletableFuture<Void> beginClose(boolean now, java.time.Duration timeout,
            java.util.function.BooleanSupplier settledCheck, Throwable cause) {
        if (closing != null) {
            return closing;
        }
        closing = new CompletableFuture<>();
        settled = settledCheck;
        closeCause = cause;
        tickNow();
        if (now || stopped) {
            stop(ConnectionState.CLOSED, cause);
        } else {
            schedule(() -> stop(ConnectionState.CLOSED, cause), timeout.toMillis());
            checkClosed();
        }
        return closing;
    }

    /** Whether {@link #beginClose} was called. */
    public boolean isClosing() {
        return closing != null;
    }

    /** While closing, stops once everything is acknowledged; call after each acknowledgement. */
    public void checkClosed() {
        if (closing != null && !stopped && settled.getAsBoolean()) {
            stop(ConnectionState.CLOSED, closeCause);
        }
    }

    /** Stops every thread at once, from any thread (the end of a close that could not wait). */
    public void shutDownThreads() {
        stopped = true;
        timer.shutdownNow();
        client.stop();
        client.close();
        Thread update = client.getUpdateThread();
        if (update != null && update != Thread.currentThread()) {
            try {
                update.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            client.dispose();
        } catch (IOException e) {
            LOG.debug("Closing KryoNet's selector failed", e);
        }
        if (ownExecutor != null) {
            ownExecutor.shutdown();
        }
    }

    /**
     * Closes from any thread: runs {@code beginClose} on the profile executor (its argument says whether the caller
     * is that executor, which then cannot wait for acknowledgements, since that executor delivers them), waits for
     * the future it returns up to {@code closeTimeout} plus a second, then stops every thread.
     */
    public void closeAndWait(java.util.function.Function<Boolean, CompletableFuture<Void>> beginClose,
            java.time.Duration closeTimeout) {
        if (stopped) {
            shutDownThreads();
            return;
        }
        if (inExecutor()) {
            beginClose.apply(true);
            return;
        }
        CompletableFuture<Void> closed = new CompletableFuture<>();
        execute(() -> beginClose.apply(false).whenComplete((r, e) -> closed.complete(null)));
        try {
            closed.get(closeTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.warn("Closing did not finish within {}; stopping at once", closeTimeout);
        } finally {
            shutDownThreads();
        }
    }

    /**
     * Runs {@code task} on the profile executor, or fails {@code result} at once with {@link #stoppedException()} if
     * the link has stopped (its executor may be gone).
     */
    public void executeOrFail(Runnable task, CompletableFuture<?> result) {
        if (stopped) {
            result.completeExceptionally(stoppedException());
        } else {
            execute(task);
        }
    }

    /** Why a request can no longer be served: closed, or refused for good (the master's reason as the cause). */
    public ProfileUnavailableException stoppedException() {
        Throwable cause = stopCause;
        if (state == ConnectionState.FAILED && cause != null) {
            return new ProfileUnavailableException("the master refused this peer for good, so nothing more can be "
                    + "had from it: " + cause.getMessage(), cause);
        }
        return new ProfileUnavailableException("closed before the master answered; connect a new one to go on");
    }

    /** Calls {@code call} for each listener; one that throws is logged and does not stop the others. */
    public static <L> void fire(List<L> listeners, java.util.function.Consumer<L> call) {
        for (L listener : listeners) {
            try {
                call.accept(listener);
            } catch (RuntimeException e) {
                LOG.warn("A listener threw", e);
            }
        }
    }

    /** Completes {@code target} as {@code source} completes. */
    public static <T> void relay(CompletableFuture<T> source, CompletableFuture<T> target) {
        source.whenComplete((value, error) -> {
            if (error != null) {
                target.completeExceptionally(error);
            } else {
                target.complete(value);
            }
        });
    }

    /** The KryoNet client (for tests that need its update thread). */
    Client kryoClient() {
        return client;
    }
}
