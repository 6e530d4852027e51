package io.profilesync.master.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.esotericsoftware.kryonet.Connection;
import com.esotericsoftware.kryonet.FrameworkMessage.RegisterTCP;
import com.esotericsoftware.kryonet.Listener;
import com.esotericsoftware.kryonet.OnDemandConnection;
import com.esotericsoftware.kryonet.OnDemandServer;
import io.profilesync.protocol.internal.Messages.ClientUpdate;
import io.profilesync.protocol.internal.Messages.ProfileSnapshot;
import io.profilesync.protocol.internal.Messages.Welcome;
import io.profilesync.protocol.internal.WireSerialization;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The master's KryoNet connections hold buffers only while a message is in flight: nothing while idle, a read buffer
 * grown to a frame longer than the first one and dropped once handed on, a write queue for what the socket does not
 * take and dropped once written; and the same limits as KryoNet's fixed buffers. Raw sockets on 127.0.0.1 play the
 * peer, so the test controls when it reads.
 */
@Timeout(30)
class OnDemandBuffersTest {
    private static final int WRITE_BUFFER = 256 * 1024;
    private static final int OBJECT_BUFFER = 64 * 1024;
    private static final int UNAUTHENTICATED_LIMIT = 4096;

    static {
        io.profilesync.protocol.internal.Protocol.routeKryoNetLogging();
    }

    private final WireSerialization serialization = new WireSerialization(UNAUTHENTICATED_LIMIT, (c, w) -> { });
    private final OnDemandServer server = new OnDemandServer(WRITE_BUFFER, OBJECT_BUFFER, serialization);
    private final BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
    private final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
    private final List<Connection> disconnected = new CopyOnWriteArrayList<>();
    private int port;

    private void start() throws IOException {
        server.addListener(new Listener() {
            @Override
            public void connected(Connection connection) {
                connected.add(connection);
            }

            @Override
            public void received(Connection connection, Object object) {
                if (!(object instanceof com.esotericsoftware.kryonet.FrameworkMessage)) {
                    received.add(object);
                }
            }

            @Override
            public void disconnected(Connection connection) {
                disconnected.add(connection);
            }
        });
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        server.bind(new InetSocketAddress("127.0.0.1", port), null);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop();
        server.close();
    }

    private OnDemandConnection accepted() throws InterruptedException {
        Connection connection = connected.poll(10, TimeUnit.SECONDS);
        assertThat(connection).isInstanceOf(OnDemandConnection.class);
        return (OnDemandConnection) connection;
    }

    /** One frame as a peer writes it: the 4-byte length, then the message. */
    private byte[] frame(Object message) {
        ByteBuffer buffer = ByteBuffer.allocate(WRITE_BUFFER);
        buffer.position(WireSerialization.LENGTH_BYTES);
        new WireSerialization().write(null, buffer, message);
        int end = buffer.position();
        buffer.putInt(0, end - WireSerialization.LENGTH_BYTES);
        return Arrays.copyOf(buffer.array(), end);
    }

    private static Object readFrame(DataInputStream in) throws IOException {
        byte[] body = new byte[in.readInt()];
        in.readFully(body);
        return new WireSerialization().read(null, ByteBuffer.wrap(body));
    }

    @Test
    void anIdleConnectionHoldsNoBuffer() throws Exception {
        start();
        try (Socket peer = new Socket("127.0.0.1", port)) {
            OnDemandConnection connection = accepted();
            DataInputStream in = new DataInputStream(peer.getInputStream());
            assertThat(readFrame(in)).isInstanceOf(RegisterTCP.class); // KryoNet's first frame, written at once
            peer.getOutputStream().write(frame(new ClientUpdate(1, new byte[100])));
            assertThat(received.poll(10, TimeUnit.SECONDS)).isInstanceOf(ClientUpdate.class);

            await().atMost(Duration.ofSeconds(5)).until(() -> connection.heldBufferBytes() == 0);
            assertThat(connection.getTcpWriteBufferSize()).isZero();
            assertThat(connection.keepsBuffers()).isFalse();
        }
    }

    @Test
    void aFrameLongerThanTheFirstReadBufferArrivingInPiecesIsReadWholeAndItsBufferDropped() throws Exception {
        start();
        try (Socket peer = new Socket("127.0.0.1", port)) {
            OnDemandConnection connection = accepted();
            serialization.write(connection, ByteBuffer.allocate(4096), new Welcome("alice", "{}", OBJECT_BUFFER));
            byte[] delta = new byte[OBJECT_BUFFER - 64];
            for (int i = 0; i < delta.length; i++) {
                delta[i] = (byte) (i * 31);
            }
            byte[] frame = frame(new ClientUpdate(7, delta));
            OutputStream out = peer.getOutputStream();
            int half = frame.length / 2;
            out.write(frame, 0, 3); // not even the whole length
            out.flush();
            Thread.sleep(50);
            out.write(frame, 3, half - 3);
            out.flush();
            await().atMost(Duration.ofSeconds(5)).until(() -> connection.heldBufferBytes() >= frame.length - 4);
            assertThat(received).isEmpty();
            out.write(frame, half, frame.length - half);
            out.flush();

            Object message = received.poll(10, TimeUnit.SECONDS);
            assertThat(message).isInstanceOfSatisfying(ClientUpdate.class, update -> {
                assertThat(update.seq()).isEqualTo(7);
                assertThat(update.delta()).isEqualTo(delta);
            });
            await().atMost(Duration.ofSeconds(5)).until(() -> connection.heldBufferBytes() == 0);
        }
    }

    @Test
    void theLimitsOfKryoNetsBuffersStillHold() throws Exception {
        start();
        // Before its Welcome, a frame over unauthenticatedFrameLimit closes the connection.
        try (Socket peer = new Socket("127.0.0.1", port)) {
            OnDemandConnection connection = accepted();
            peer.getOutputStream().write(frame(new ClientUpdate(1, new byte[UNAUTHENTICATED_LIMIT])));
            await().atMost(Duration.ofSeconds(5)).until(() -> disconnected.contains(connection));
        }
        // After it, a frame over objectBufferSize does.
        try (Socket peer = new Socket("127.0.0.1", port)) {
            OnDemandConnection connection = accepted();
            serialization.write(connection, ByteBuffer.allocate(4096), new Welcome("alice", "{}", OBJECT_BUFFER));
            peer.getOutputStream().write(frame(new ClientUpdate(1, new byte[OBJECT_BUFFER])));
            await().atMost(Duration.ofSeconds(5)).until(() -> disconnected.contains(connection));
            assertThat(received).isEmpty();
        }
    }

    @Test
    void whatTheSocketDoesNotTakeIsQueuedInOrderThenDroppedOnceWritten() throws Exception {
        start();
        try (Socket peer = new Socket()) {
            peer.setReceiveBufferSize(4096);
            peer.connect(new InetSocketAddress("127.0.0.1", port));
            OnDemandConnection connection = accepted();
            DataInputStream in = new DataInputStream(peer.getInputStream());
            assertThat(readFrame(in)).isInstanceOf(RegisterTCP.class);
            // The peer does not read: the kernel's buffers fill, and the rest waits in the connection's queue.
            int count = 0;
            while (connection.getTcpWriteBufferSize() == 0 || count < 4) {
                byte[] profile = new byte[16 * 1024];
                Arrays.fill(profile, (byte) count);
                connection.sendTCP(new ProfileSnapshot(count, profile));
                count++;
                assertThat(count).as("the socket should stop taking bytes").isLessThan(200);
            }
            int queued = connection.getTcpWriteBufferSize();
            assertThat(connection.heldBufferBytes()).isGreaterThanOrEqualTo(queued);
            assertThat(connection.isIdle()).isEqualTo(queued < WRITE_BUFFER / 10);

            for (int n = 0; n < count; n++) {
                Object message = readFrame(in);
                long seq = n;
                assertThat(message).isInstanceOfSatisfying(ProfileSnapshot.class, snapshot -> {
                    assertThat(snapshot.lastAppliedSeq()).isEqualTo(seq);
                    assertThat(snapshot.profile()).hasSize(16 * 1024).containsOnly((byte) seq);
                });
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> connection.heldBufferBytes() == 0
                    && connection.getTcpWriteBufferSize() == 0);
        }
    }

    @Test
    void aConnectionThatKeepsItsBuffersHoldsThemAtFullSize() throws Exception {
        start();
        try (Socket peer = new Socket("127.0.0.1", port)) {
            OnDemandConnection connection = accepted();
            connection.keepBuffers();
            peer.getOutputStream().write(frame(new ClientUpdate(1, new byte[10])));
            assertThat(received.poll(10, TimeUnit.SECONDS)).isInstanceOf(ClientUpdate.class);
            Thread.sleep(100); // nothing to wait for: the buffer must stay
            assertThat(connection.heldBufferBytes()).isEqualTo(OBJECT_BUFFER);
        }
    }
}
