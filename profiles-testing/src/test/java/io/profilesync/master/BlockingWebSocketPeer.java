package io.profilesync.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.profilesync.master.transport.websocket.WebSocketTestPeer;
import io.profilesync.protocol.internal.Frames;
import io.profilesync.protocol.internal.Messages.Message;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;

/**
 * A WebSocket peer on one blocking socket, for timing round trips: it writes each message as one masked binary
 * frame and reads the master's frames on the caller's thread, with no thread of its own in between (the JDK's
 * WebSocket hands every frame across two or three threads, which on a loaded machine measures the client more than
 * the master). Threading: one thread at a time for sending and one for reading ({@link #next}, {@link #awaitClose});
 * they may be two.
 */
final class BlockingWebSocketPeer implements ProbePeer, AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;

    private BlockingWebSocketPeer(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new DataInputStream(socket.getInputStream());
    }

    /** Upgrades a socket to the master's endpoint on {@code port}; reads time out after 10 s. */
    static BlockingWebSocketPeer connect(int port) throws IOException {
        Socket socket = WebSocketTestPeer.rawSocket("127.0.0.1", port);
        socket.setTcpNoDelay(true);
        assertThat(WebSocketTestPeer.upgrade(socket, "/profilesync")).startsWith("HTTP/1.1 101");
        return new BlockingWebSocketPeer(socket);
    }

    @Override
    public void send(Object message) {
        try {
            sendFrames(frame((Message) message));
        } catch (IOException e) {
            fail("cannot write to the master: " + e, e);
        }
    }

    /** {@code message} as a client's binary frame (masked with zeros, so the payload reads as it is). */
    static byte[] frame(Message message) {
        byte[] payload = Frames.encode(message);
        byte[] header = WebSocketTestPeer.binaryFrameHeader(payload.length);
        return ByteBuffer.allocate(header.length + payload.length).put(header).put(payload).array();
    }

    /** Writes {@code frames} (made by {@link #frame}, any number of them back to back) at once. */
    void sendFrames(byte[] frames) throws IOException {
        out.write(frames);
        out.flush();
    }

    @Override
    public <T> T next(Class<T> type) throws InterruptedException {
        try {
            while (true) {
                Frame frame = readFrame();
                if (frame.opcode() == 0x8) {
                    return fail("the master closed the WebSocket while a " + type.getSimpleName() + " was awaited");
                }
                if (frame.opcode() == 0x2) {
                    Message message = Frames.decode(frame.payload(), 0, frame.payload().length);
                    if (type.isInstance(message)) {
                        return type.cast(message);
                    }
                } // pings (0x9) and anything else: skipped
            }
        } catch (IOException e) {
            return fail("no " + type.getSimpleName() + " over WebSocket: " + e, e);
        }
    }

    /** Reads until the master closes: its close code, or -1 for a connection dropped without one. */
    int awaitClose() {
        try {
            while (true) {
                Frame frame = readFrame();
                if (frame.opcode() == 0x8) {
                    byte[] code = frame.payload();
                    return code.length < 2 ? -1 : ((code[0] & 0xFF) << 8) | (code[1] & 0xFF);
                }
            }
        } catch (IOException e) {
            return -1;
        }
    }

    /** One frame of the master's (unmasked, whole: the master does not fragment). */
    private record Frame(int opcode, byte[] payload) {
    }

    private Frame readFrame() throws IOException {
        int first = in.readUnsignedByte();
        int length = in.readUnsignedByte() & 0x7F;
        long size = length == 126 ? in.readUnsignedShort() : length == 127 ? in.readLong() : length;
        byte[] payload = new byte[Math.toIntExact(size)];
        in.readFully(payload);
        return new Frame(first & 0x0F, payload);
    }

    boolean isOpen() {
        return !socket.isClosed() && socket.isConnected();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
