package com.esotericsoftware.kryonet;

import io.profilesync.protocol.internal.WireSerialization;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * KryoNet's {@link TcpConnection} with buffers allocated on demand: the same frames, keep-alives and timeouts, but
 * KryoNet's two fixed buffers are made empty and these take their place.
 *
 * <ul>
 *   <li>Reading: a buffer of {@value #FIRST_READ_BYTES} bytes is made when the socket has something to read, grown to
 *       the frame's length when a frame is longer (at most {@code objectBufferSize}, as KryoNet), and dropped once
 *       every byte read has been handed on.</li>
 *   <li>Writing: each message is serialized into the server's shared buffer and written to the socket at once; only
 *       what the socket does not take is copied into a buffer of this connection (grown as needed, at most
 *       {@code writeBufferSize} bytes queued, as KryoNet), dropped once the socket has taken it all.</li>
 * </ul>
 *
 * <p>Threading: as KryoNet's. Reads come from the server's update thread only; sends from any thread, under the
 * connection's write lock and then the shared buffer's lock (always in that order).
 */
final class OnDemandTcpConnection extends TcpConnection {
    /** The first read buffer: a Hello, a client's update and a keep-alive fit (larger frames grow it). */
    static final int FIRST_READ_BYTES = 1024;

    final int maxWrite;
    private final int maxObject;
    private final ByteBuffer scratch;
    private final Object writeLock = new Object();
    private SelectionKey key;
    /** Bytes read and not yet handed on, between position and limit; null while there are none. Update thread only. */
    private ByteBuffer in;
    /** Bytes queued for the socket, from 0 to position; null while there are none. Guarded by writeLock. */
    private ByteBuffer out;
    private volatile int queued;
    private volatile int inCapacity;
    private int objectLength;
    private volatile long lastRead;
    private volatile long lastWrite;
    private volatile boolean keep;

    OnDemandTcpConnection(Serialization serialization, int writeBufferSize, int objectBufferSize, ByteBuffer scratch) {
        super(serialization, 0, 0);
        this.maxWrite = writeBufferSize;
        this.maxObject = objectBufferSize;
        this.scratch = scratch;
    }

    void keepBuffers() {
        keep = true;
    }

    boolean keepsBuffers() {
        return keep;
    }

    int queued() {
        return queued;
    }

    int heldBufferBytes() {
        int held = inCapacity;
        synchronized (writeLock) {
            held += out == null ? 0 : out.capacity();
        }
        return held;
    }

    @Override
    public SelectionKey accept(Selector selector, SocketChannel socketChannel) throws IOException {
        in = null;
        inCapacity = 0;
        objectLength = 0;
        synchronized (writeLock) {
            out = null;
            queued = 0;
        }
        key = super.accept(selector, socketChannel);
        lastRead = lastWrite = System.currentTimeMillis();
        return key;
    }

    @Override
    public void connect(Selector selector, SocketAddress remoteAddress, int timeout) {
        throw new UnsupportedOperationException("an OnDemandServer's connections are accepted, never connected");
    }

    @Override
    public Object readObject(Connection connection) throws IOException {
        SocketChannel channel = socketChannel;
        if (channel == null) {
            throw new SocketException("Connection is closed.");
        }
        int lengthLength = serialization.getLengthLength();
        if (objectLength == 0) {
            if (unread() < lengthLength) {
                fill(channel, lengthLength);
                if (unread() < lengthLength) {
                    dropIfEmpty();
                    return null;
                }
            }
            objectLength = serialization instanceof WireSerialization wire ? wire.readLength(connection, in)
                    : serialization.readLength(in);
            if (objectLength <= 0) {
                int invalid = objectLength;
                objectLength = 0;
                throw new KryoNetException("Invalid object length: " + invalid);
            }
            if (objectLength > maxObject) {
                throw new KryoNetException("Unable to read object larger than read buffer: " + objectLength
                        + " (objectBufferSize " + maxObject + ")");
            }
        }
        int length = objectLength;
        if (unread() < length) {
            fill(channel, length);
            if (unread() < length) {
                dropIfEmpty();
                return null;
            }
        }
        objectLength = 0;

        ByteBuffer buffer = in;
        int startPosition = buffer.position();
        int oldLimit = buffer.limit();
        buffer.limit(startPosition + length);
        Object object;
        try {
            object = serialization.read(connection, buffer);
        } catch (Exception ex) {
            throw new KryoNetException("Error during deserialization.", ex);
        }
        buffer.limit(oldLimit);
        if (buffer.position() - startPosition != length) {
            throw new KryoNetException("Incorrect number of bytes (" + (startPosition + length - buffer.position())
                    + " remaining) used to deserialize object: " + object);
        }
        dropIfEmpty();
        return object;
    }

    private int unread() {
        return in == null ? 0 : in.remaining();
    }

    /** Makes room for {@code needed} unread bytes and reads once from the socket. */
    private void fill(SocketChannel channel, int needed) throws IOException {
        if (in == null || in.capacity() < needed) {
            int capacity = keep ? Math.max(maxObject, needed) : Math.max(FIRST_READ_BYTES, needed);
            ByteBuffer bigger = ByteBuffer.allocate(capacity);
            if (in != null) {
                bigger.put(in);
            }
            bigger.flip();
            in = bigger;
            inCapacity = capacity;
        }
        in.compact();
        int bytesRead = channel.read(in);
        in.flip();
        if (bytesRead == -1) {
            throw new SocketException("Connection is closed.");
        }
        lastRead = System.currentTimeMillis();
    }

    private void dropIfEmpty() {
        if (in != null && !in.hasRemaining() && !keep) {
            in = null;
            inCapacity = 0;
        }
    }

    @Override
    public void writeOperation() throws IOException {
        synchronized (writeLock) {
            if (out != null) {
                out.flip();
                writeTo(out);
                out.compact();
                queued = out.position();
            }
            if (queued == 0) {
                key.interestOps(SelectionKey.OP_READ); // all written: clear OP_WRITE
                if (!keep) {
                    out = null;
                }
            }
            lastWrite = System.currentTimeMillis();
        }
    }

    /** Writes what {@code buffer} holds until the socket takes no more. */
    private void writeTo(ByteBuffer buffer) throws IOException {
        SocketChannel channel = socketChannel;
        if (channel == null) {
            throw new SocketException("Connection is closed.");
        }
        while (buffer.hasRemaining()) {
            if (bufferPositionFix) {
                buffer.compact();
                buffer.flip();
            }
            if (channel.write(buffer) == 0) {
                break;
            }
        }
    }

    @Override
    public int send(Connection connection, Object object) throws IOException {
        if (socketChannel == null) {
            throw new SocketException("Connection is closed.");
        }
        synchronized (writeLock) {
            int length;
            boolean wasEmpty = queued == 0;
            synchronized (scratch) {
                int lengthLength = serialization.getLengthLength();
                scratch.clear();
                try {
                    scratch.position(lengthLength);
                    serialization.write(connection, scratch, object);
                } catch (Throwable ex) {
                    throw new KryoNetException("Error serializing object of type: " + object.getClass().getName(), ex);
                }
                length = scratch.position();
                scratch.position(0);
                serialization.writeLength(scratch, length - lengthLength);
                scratch.position(length);
                scratch.flip();
                if (!wasEmpty && queued + length > maxWrite) {
                    // Where KryoNet's own write buffer would overflow (and the connection close).
                    throw new KryoNetException("Buffer overflow: " + length + " bytes to queue behind " + queued
                            + ", more than the write buffer's " + maxWrite + " (writeBufferSize)");
                }
                if (wasEmpty) {
                    writeTo(scratch);
                }
                if (scratch.hasRemaining()) {
                    queue(scratch);
                }
            }
            if (wasEmpty && queued > 0) {
                key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE); // a partial write: wait for room
            } else {
                key.selector().wakeup(); // as KryoNet: so the idle event fires
            }
            lastWrite = System.currentTimeMillis();
            return length;
        }
    }

    /** Copies what {@code frame} still holds behind the bytes already queued. Under writeLock. */
    private void queue(ByteBuffer frame) {
        int needed = queued + frame.remaining();
        if (out == null || out.capacity() < needed) {
            int capacity = keep ? maxWrite : Math.min(maxWrite, Math.max(needed, out == null ? 0 : out.capacity() * 2));
            ByteBuffer bigger = ByteBuffer.allocate(capacity);
            if (out != null) {
                out.flip();
                bigger.put(out);
            }
            out = bigger;
        }
        out.put(frame);
        queued = out.position();
    }

    @Override
    public void close() {
        super.close();
        synchronized (writeLock) {
            out = null;
            queued = 0;
        }
    }

    @Override
    public boolean needsKeepAlive(long time) {
        return socketChannel != null && keepAliveMillis > 0 && time - lastWrite > keepAliveMillis;
    }

    @Override
    public boolean isTimedOut(long time) {
        return socketChannel != null && timeoutMillis > 0 && time - lastRead > timeoutMillis;
    }
}
