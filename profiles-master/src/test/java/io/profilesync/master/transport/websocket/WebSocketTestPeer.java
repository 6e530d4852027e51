package io.profilesync.master.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.profilesync.protocol.internal.Frames;
import io.profilesync.protocol.internal.Messages.Message;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A raw protocol peer over the master's WebSocket endpoint, for tests: the JDK's WebSocket, one message per binary
 * frame, every message it receives recorded, and the close code. Also raw-socket helpers for what the JDK's client
 * will not send (a hand-made upgrade, frame headers alone). The WebSocket counterpart of the KryoNet TestPeer.
 *
 * <p>Threading: {@link #send} from one thread at a time; the rest from any thread.
 */
public final class WebSocketTestPeer implements AutoCloseable {
    private final BlockingQueue<Message> received = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private WebSocket socket;

    private WebSocketTestPeer() {
    }

    /**
     * Upgrades to {@code url}; the future fails (WebSocketHandshakeException for an HTTP answer) when it cannot.
     * Each peer has an HttpClient of its own: the JDK's clients serve all their WebSockets from one selector thread,
     * so a flooding peer would otherwise slow the bystanders of the same test down on the client's side.
     */
    public static CompletableFuture<WebSocketTestPeer> connectAsync(String url) {
        WebSocketTestPeer peer = new WebSocketTestPeer();
        return HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(URI.create(url), peer.listener()).thenApply(ws -> {
            peer.socket = ws;
            return peer;
        });
    }

    /** Upgrades to {@code url} within 10 s. */
    public static WebSocketTestPeer connect(String url) throws Exception {
        return connectAsync(url).get(10, TimeUnit.SECONDS);
    }

    private WebSocket.Listener listener() {
        return listener(bytes -> received.add(Frames.decode(bytes, 0, bytes.length)), closed);
    }

    /**
     * A listener that reassembles each binary message and hands it to {@code onMessage}, and completes
     * {@code closed} with the master's close code (-1 for a connection dropped without one).
     */
    public static WebSocket.Listener listener(Consumer<byte[]> onMessage, CompletableFuture<Integer> closed) {
        return new WebSocket.Listener() {
            private ByteBuffer partial = ByteBuffer.allocate(0);

            @Override
            public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
                ByteBuffer joined = ByteBuffer.allocate(partial.remaining() + data.remaining());
                joined.put(partial).put(data).flip();
                partial = joined;
                if (last) {
                    byte[] bytes = new byte[partial.remaining()];
                    partial.get(bytes);
                    onMessage.accept(bytes);
                    partial = ByteBuffer.allocate(0);
                }
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
                closed.complete(statusCode);
                return null;
            }

            @Override
            public void onError(WebSocket ws, Throwable error) {
                closed.complete(-1);
            }
        };
    }

    /** Sends {@code message} in one binary frame, waiting until the JDK has written it. */
    public void send(Message message) {
        sendBytes(Frames.encode(message));
    }

    /** Sends {@code bytes} in one binary frame, waiting until the JDK has written it. */
    public void sendBytes(byte[] bytes) {
        socket.sendBinary(ByteBuffer.wrap(bytes), true).join();
    }

    /** Like {@link #send}, but false instead of an exception once the master has closed the connection. */
    public boolean trySend(Message message) {
        try {
            send(message);
            return true;
        } catch (CompletionException | IllegalStateException closedMeanwhile) {
            return false;
        }
    }

    /** The next message of that type, skipping others; fails after 10 s. */
    public <T> T next(Class<T> type) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            Message message = received.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (type.isInstance(message)) {
                return type.cast(message);
            }
        }
        return fail("no " + type.getSimpleName() + " over WebSocket within 10 s");
    }

    /** The code of the close the master sent (-1 for a connection dropped without one), within 10 s. */
    public int awaitClosed() throws Exception {
        try {
            return closed.get(10, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            return fail("the master did not close the WebSocket within 10 s");
        }
    }

    public boolean isOpen() {
        return !closed.isDone() && !socket.isInputClosed();
    }

    @Override
    public void close() {
        if (socket != null) {
            socket.abort();
        }
    }

    // ------------------------------------------------------------ raw sockets

    /** The upgrade request of docs/protocol.md, by hand. */
    public static byte[] upgradeRequest(String path) {
        return ("GET " + path + " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A raw socket to {@code port} from {@code localAddress} (any 127.x address), reads timing out after 10 s. */
    public static Socket rawSocket(String localAddress, int port) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(localAddress, 0));
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** Writes the upgrade request on {@code socket} and reads the answer's head (up to the blank line). */
    public static String upgrade(Socket socket, String path) throws IOException {
        socket.getOutputStream().write(upgradeRequest(path));
        socket.getOutputStream().flush();
        return readHead(socket.getInputStream());
    }

    /** Reads an HTTP head, up to and with the blank line. */
    public static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
    }

    /** A client's binary frame header (fin set, masked with 0 0 0 0) declaring {@code length} bytes of payload. */
    public static byte[] binaryFrameHeader(long length) {
        ByteBuffer header = ByteBuffer.allocate(14);
        header.put((byte) 0x82);
        if (length < 126) {
            header.put((byte) (0x80 | length));
        } else if (length <= 0xFFFF) {
            header.put((byte) (0x80 | 126)).putShort((short) length);
        } else {
            header.put((byte) (0x80 | 127)).putLong(length);
        }
        header.putInt(0); // the mask: zeros leave the payload as it is
        byte[] bytes = new byte[header.position()];
        header.flip().get(bytes);
        return bytes;
    }

    /** Reads frames the master sends on a raw upgraded socket until its close frame; returns the close code. */
    public static int closeCode(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        while (true) {
            int first = in.read();
            int second = in.read();
            if (first < 0 || second < 0) {
                return -1;
            }
            int length = second & 0x7F;
            if (length == 126) {
                length = (in.read() << 8) | in.read();
            } else if (length == 127) {
                length = (int) ByteBuffer.wrap(in.readNBytes(8)).getLong();
            }
            byte[] payload = in.readNBytes(length);
            if ((first & 0x0F) == 0x8) {
                assertThat(payload.length).as("a close frame with a code").isGreaterThanOrEqualTo(2);
                return ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
            }
        }
    }
}
