package io.profilesync.protocol.internal;

import io.profilesync.protocol.PeerConfig;
import io.profilesync.protocol.ProtocolException;
import io.profilesync.protocol.internal.Messages.Message;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peer core's {@link Connector} over WebSocket ({@code ws://} or {@code wss://}), on the JDK's own
 * {@link java.net.http.WebSocket}: no dependency for game servers and clients, TLS through the JDK's trust store or
 * the config's {@code SSLContext}, and asynchronous connects (no thread blocks on one). One message per binary frame
 * (docs/protocol.md, "WebSocket framing"); a text frame, a malformed frame or a message larger than
 * {@code objectBufferSize} closes the connection. The JDK's WebSocket allows one send at a time, so sends queue here,
 * and {@code trySend} answers false once the queued bytes would pass {@code writeBufferSize} (back-pressure, as
 * KryoNet's write buffer does on TCP).
 *
 * <p>Threading: {@link #connect} and the channels' methods on the loop; the HTTP client's daemon threads
 * {@code <threadName>-websocket} read and complete sends, and only hand events to the loop;
 * {@link #shutdown} from any thread.
 */
public final class WebSocketConnector implements Connector {
    private static final Logger LOG = LoggerFactory.getLogger(WebSocketConnector.class);

    private final PeerConfig config;
    private final URI uri;
    private final EventLoop loop;
    private final ExecutorService threads;
    private final HttpClient http;
    private volatile boolean shut;
    private volatile Attempt current;

    public WebSocketConnector(PeerConfig config, EventLoop loop, String threadName) {
        this.config = Objects.requireNonNull(config, "config");
        this.uri = config.webSocketUri().orElseThrow(() -> new IllegalArgumentException(
                "a WebSocketConnector needs a ws:// or wss:// url in the config"));
        this.loop = Objects.requireNonNull(loop, "loop");
        this.threads = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, threadName + "-websocket");
            thread.setDaemon(true);
            return thread;
        });
        HttpClient.Builder builder = HttpClient.newBuilder().executor(threads)
                .connectTimeout(config.connectTimeout());
        config.sslContext().ifPresent(builder::sslContext);
        this.http = builder.build();
    }

    @Override
    public void connect(Events events) {
        if (shut) {
            return;
        }
        Attempt attempt = new Attempt(events);
        current = attempt;
        http.newWebSocketBuilder().connectTimeout(config.connectTimeout()).buildAsync(uri, attempt)
                .whenComplete((ws, failure) -> {
                    if (failure != null) {
                        loop.execute(() -> attempt.failed(failure));
                    } else {
                        loop.execute(() -> attempt.opened(ws));
                    }
                });
    }

    @Override
    public void shutdown() {
        shut = true;
        Attempt attempt = current;
        if (attempt != null) {
            attempt.abort();
        }
        threads.shutdownNow();
    }

    /** One attempt and, once open, its channel. Listener callbacks on the client's threads; the rest on the loop. */
    private final class Attempt extends ConnectionAttempt implements WebSocket.Listener {
        private volatile WebSocket socket;
        /** Reading side: the fragments of the message being received (client threads, one at a time). */
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
        /** Writing side, guarded by {@code this}: frames waiting for the one send in flight to finish. */
        private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
        private long queuedBytes;
        private boolean sending;

        Attempt(Events events) {
            super(events);
        }

        // ------------------------------------------------------------ on the loop

        void opened(WebSocket ws) {
            socket = ws;
            if (shut) {
                ws.abort();
                return;
            }
            usable = true;
            opened();
        }

        @Override
        public boolean trySend(Message message) {
            if (!usable || current != this) {
                return false;
            }
            byte[] frame = Frames.encode(message);
            synchronized (this) {
                if (queuedBytes + frame.length > config.writeBufferSize() && queuedBytes > 0) {
                    return false;
                }
                queue.addLast(ByteBuffer.wrap(frame));
                queuedBytes += frame.length;
                if (!sending) {
                    sending = true;
                    sendNext();
                }
            }
            return true;
        }

        /** Holding the lock: starts the send of the queue's head; its completion starts the next. */
        private void sendNext() {
            ByteBuffer head = queue.peekFirst();
            WebSocket ws = socket;
            if (head == null || ws == null) {
                sending = false;
                return;
            }
            ws.sendBinary(head, true).whenComplete((w, failure) -> {
                synchronized (this) {
                    queue.pollFirst();
                    queuedBytes -= head.capacity();
                    if (failure != null) {
                        queue.clear();
                        queuedBytes = 0;
                        sending = false;
                        abort();
                        return;
                    }
                    sendNext();
                }
            });
        }

        @Override
        public void close() {
            if (usable && current == this) {
                usable = false;
                WebSocket ws = socket;
                if (ws != null) {
                    ws.sendClose(WebSocket.NORMAL_CLOSURE, "closed by the peer").whenComplete((w, f) -> ws.abort());
                }
                loop.execute(this::closed);
            }
        }

        void abort() {
            WebSocket ws = socket;
            if (ws != null) {
                ws.abort();
            }
            loop.execute(this::closed);
        }

        @Override
        public String remoteAddress() {
            return uri.getHost() + ":" + (uri.getPort() == -1 ? (uri.getScheme().equals("wss") ? 443 : 80)
                    : uri.getPort());
        }

        @Override
        public String describe() {
            return "the master at " + uri;
        }

        // ------------------------------------------------------------ WebSocket.Listener, on the client's threads

        @Override
        public void onOpen(WebSocket ws) {
            ws.request(1);
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            if (partial.size() + data.remaining() > config.objectBufferSize()) {
                LOG.warn("{} sent a message of more than {} bytes (objectBufferSize); closing", describe(),
                        config.objectBufferSize());
                abort();
                return null;
            }
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            partial.write(chunk, 0, chunk.length);
            if (last) {
                byte[] frame = partial.toByteArray();
                partial.reset();
                try {
                    Message message = Frames.decode(frame, 0, frame.length);
                    loop.execute(() -> received(message));
                } catch (ProtocolException e) {
                    LOG.warn("{} sent a malformed frame: {}; closing", describe(), e.getMessage());
                    abort();
                    return null;
                }
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            LOG.warn("{} sent a text frame; the protocol has binary frames only; closing", describe());
            abort();
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            LOG.debug("{} closed the WebSocket: {} {}", describe(), statusCode, reason);
            loop.execute(this::closed);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            LOG.debug("{}: {}", describe(), error.toString());
            loop.execute(this::closed);
        }
    }
}
