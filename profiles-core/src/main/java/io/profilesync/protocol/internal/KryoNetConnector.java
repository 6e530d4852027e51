package io.profilesync.protocol.internal;

import com.esotericsoftware.kryonet.Client;
import com.esotericsoftware.kryonet.Connection;
import com.esotericsoftware.kryonet.FrameworkMessage;
import com.esotericsoftware.kryonet.Listener;
import io.profilesync.protocol.PeerConfig;
import io.profilesync.protocol.internal.Messages.Message;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peer core's {@link Connector} over KryoNet TCP, and the only class of the tiers that touches KryoNet's
 * {@link Client}: one client, reused for every attempt. A connection attempt blocks (up to {@code connectTimeout}),
 * so it runs on this connector's own daemon thread {@code <threadName>-connect}; KryoNet's update thread reads. Both
 * only hand events to the loop ({@link EventLoop#execute}), where every {@link Connector.Events} method is called,
 * in order, per attempt: {@code onOpen} or {@code onOpenFailed}, then messages, then one {@code onClosed}.
 *
 * <p>Threading: {@link #connect} and the channels' methods on the loop; {@link #shutdown} from any thread.
 */
public final class KryoNetConnector implements Connector {
    private static final Logger LOG = LoggerFactory.getLogger(KryoNetConnector.class);

    private final PeerConfig config;
    private final EventLoop loop;
    private final Client client;
    private final ExecutorService connecting;
    private volatile Attempt current;
    private volatile boolean shut;
    private boolean started;

    public KryoNetConnector(PeerConfig config, EventLoop loop, String threadName) {
        this.config = Objects.requireNonNull(config, "config");
        this.loop = Objects.requireNonNull(loop, "loop");
        this.client = Protocol.newClient(config.writeBufferSize(), config.objectBufferSize());
        this.connecting = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                runnable -> {
                    Thread thread = new Thread(runnable, threadName + "-connect");
                    thread.setDaemon(true);
                    return thread;
                });
        client.addListener(new Listener() {
            @Override
            public void received(Connection connection, Object object) {
                Attempt attempt = current;
                if (attempt != null && object instanceof Message message) {
                    loop.execute(() -> attempt.received(message));
                } else if (!(object instanceof FrameworkMessage)) {
                    LOG.warn("Ignoring a {} from the master that is no protocol message", object.getClass());
                }
            }

            @Override
            public void disconnected(Connection connection) {
                Attempt attempt = current;
                if (attempt != null) {
                    loop.execute(attempt::closed);
                }
            }
        });
    }

    @Override
    public void connect(Events events) {
        if (shut) {
            return;
        }
        if (!started) {
            started = true;
            client.start();
        }
        Attempt attempt = new Attempt(events);
        try {
            connecting.execute(attempt::run);
        } catch (RejectedExecutionException e) {
            LOG.debug("Connector is shut; no attempt");
        }
    }

    @Override
    public void shutdown() {
        shut = true;
        connecting.shutdownNow();
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
    }

    /** One connection attempt and, once open, its channel. Its event methods run on the loop. */
    private final class Attempt extends ConnectionAttempt {
        private String remote;

        Attempt(Events events) {
            super(events);
        }

        /** On the connecting thread. */
        void run() {
            if (shut) {
                return;
            }
            current = this;
            try {
                client.connect((int) config.connectTimeout().toMillis(), config.host(), config.port());
                InetSocketAddress address = client.getRemoteAddressTCP();
                remote = address == null ? config.host() + ":" + config.port()
                        : address.getHostString() + ":" + address.getPort();
                usable = true;
                loop.execute(this::opened);
            } catch (IOException | RuntimeException e) {
                loop.execute(() -> failed(e));
            }
        }

        /**
         * Room means the write buffer is at most half full and the message fits what is free: a batch takes at most
         * half of it, so one that waits fits once the buffer drains, and while anything waits the peer takes no new
         * batch (its changes keep coalescing in the profiles instead of in the buffer).
         */
        @Override
        public boolean trySend(Message message) {
            return usable && current == this && client.getTcpWriteBufferSize() <= config.writeBufferSize() / 2
                    && Protocol.trySend(client, message, config.writeBufferSize());
        }

        @Override
        public void close() {
            if (usable && current == this) {
                usable = false;
                client.close();
                // KryoNet tells of the disconnection itself, unless its update thread saw it first; either way the
                // core hears of it once.
                loop.execute(this::closed);
            }
        }

        @Override
        public String remoteAddress() {
            return remote == null ? config.host() + ":" + config.port() : remote;
        }

        @Override
        public String describe() {
            return "the master at " + remoteAddress();
        }
    }
}
