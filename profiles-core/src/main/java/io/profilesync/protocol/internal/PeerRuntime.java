package io.profilesync.protocol.internal;

import io.profilesync.protocol.PeerConfig;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;

/**
 * The threads around a game server's or client's peer core in production: the profile executor (the one the config
 * names, or the peer's own daemon thread {@code <threadName>}), a timer thread {@code <threadName>-timer} when the
 * executor is the game's (timers then hand their tasks to it), the {@link ExecutorEventLoop} over them, and the
 * {@link KryoNetConnector} (or, for a {@code ws://} or {@code wss://} url, the {@link WebSocketConnector}) with its
 * threads. The core itself starts none of them.
 *
 * <p>Threading: every method may be called from any thread; {@link #shutdown()} is idempotent.
 */
public final class PeerRuntime {
    private final ScheduledThreadPoolExecutor own;
    private final ScheduledThreadPoolExecutor timer;
    private final ExecutorEventLoop loop;
    private final Connector connector;
    private final Executor executor;

    public PeerRuntime(PeerConfig config, String threadName) {
        Executor given = config.executor().orElse(null);
        if (given == null) {
            own = scheduler(threadName);
            timer = own;
            loop = new ExecutorEventLoop(own);
        } else {
            own = null;
            timer = scheduler(threadName + "-timer");
            loop = new ExecutorEventLoop(given, timer);
        }
        // The URL's scheme chooses the transport: ws:// and wss:// the master's WebSocket endpoint, else KryoNet TCP.
        connector = config.webSocketUri().isPresent() ? new WebSocketConnector(config, loop, threadName)
                : new KryoNetConnector(config, loop, threadName);
        executor = loop::execute;
    }

    private static ScheduledThreadPoolExecutor scheduler(String name) {
        ThreadFactory daemon = runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, daemon);
        scheduler.setRemoveOnCancelPolicy(true);
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        scheduler.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
        return scheduler;
    }

    public ExecutorEventLoop loop() {
        return loop;
    }

    public Connector connector() {
        return connector;
    }

    /** The profile executor as game code uses it: a task that throws is logged. */
    public Executor executor() {
        return executor;
    }

    /**
     * Stops the connector's threads, the timer and the own executor (tasks already queued on it still run; delayed
     * ones do not). Safe from the profile executor itself.
     */
    public void shutdown() {
        connector.shutdown();
        timer.shutdown();
        if (own != null) {
            own.shutdown();
        }
    }
}
