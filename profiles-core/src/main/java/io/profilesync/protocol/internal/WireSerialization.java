package io.profilesync.protocol.internal;

import com.esotericsoftware.kryo.io.ByteBufferInput;
import com.esotericsoftware.kryo.io.ByteBufferOutput;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryonet.Connection;
import com.esotericsoftware.kryonet.FrameworkMessage;
import com.esotericsoftware.kryonet.FrameworkMessage.DiscoverHost;
import com.esotericsoftware.kryonet.FrameworkMessage.KeepAlive;
import com.esotericsoftware.kryonet.FrameworkMessage.Ping;
import com.esotericsoftware.kryonet.FrameworkMessage.RegisterTCP;
import com.esotericsoftware.kryonet.FrameworkMessage.RegisterUDP;
import com.esotericsoftware.kryonet.KryoNetException;
import com.esotericsoftware.kryonet.Serialization;
import io.profilesync.protocol.internal.Messages.Welcome;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * How every KryoNet endpoint of profilesync turns frames into messages and back, in place of KryoNet's
 * {@code KryoSerialization}: it knows only {@link Protocol}'s messages (ids 100 to 125) and KryoNet's five
 * {@link FrameworkMessage}s, so no peer can name another class, by id or by name. Each message's reader gets an
 * input that ends where the frame ends, and bounds every string, array and count it reads by the bytes that remain
 * before it allocates anything. Whatever goes wrong while reading a frame, {@link Error}s included, becomes a
 * {@link KryoNetException}, which makes KryoNet close that one connection and go on serving the others.
 *
 * <p>The bytes are those of a Kryo with {@link Protocol#register} behind {@code KryoSerialization}: a 4-byte
 * big-endian length, the class id plus 2 as a varint, then the fields (pinned by the golden files and by
 * {@code WireSerializationTest} against KryoNet's own serialization).
 *
 * <p>A master's serialization may also hold peers that have not authenticated to small frames: a length prefix
 * over {@code unauthenticatedFrameLimit} from a connection that has not been sent a {@link Welcome} is refused before
 * its bytes are read. The connection is admitted to full frames (up to KryoNet's object buffer) when its Welcome is
 * written; {@link #forget} drops what is kept about a connection once it is gone. KryoNet's own connections keep one
 * read buffer for their life, so {@link #readLength(ByteBuffer)} knows a connection by it; a connection whose buffers
 * come and go (the master's, allocated on demand) reads lengths through {@link #readLength(Connection, ByteBuffer)}
 * instead, and no buffer of it is kept.
 *
 * <p>Threading: thread-safe. Writes are serialized by a lock (KryoNet writes from any thread that sends); reads come
 * from the endpoint's update thread, under another lock.
 */
public final class WireSerialization implements Serialization {
    /** Bytes of the length prefix of each frame. */
    public static final int LENGTH_BYTES = 4;

    // KryoNet registers its framework messages right after Kryo 5's nine default classes (ids 0..8).
    static final int REGISTER_TCP = 9;
    static final int REGISTER_UDP = 10;
    static final int KEEP_ALIVE = 11;
    static final int DISCOVER_HOST = 12;
    static final int PING = 13;
    /** Kryo writes a class id as id + 2: 0 is null, 1 a class given by name. */
    private static final int ID_OFFSET = 2;

    private static final Protocol.Codec<?>[] READERS = new Protocol.Codec<?>[128];
    private static final Map<Class<?>, Protocol.Codec<?>> WRITERS = new HashMap<>();

    static {
        for (Protocol.Codec<?> codec : Protocol.CODECS) {
            READERS[codec.id()] = codec;
            WRITERS.put(codec.type(), codec);
        }
    }

    private final int unauthenticatedFrameLimit;
    private final BiConsumer<Connection, Welcome> onAdmitted;
    private final ByteBufferOutput output = new ByteBufferOutput();
    private final ByteBufferInput input = new ByteBufferInput();
    private final Object readLock = new Object();
    private final Object admissionLock = new Object();
    /** The read buffer KryoNet gave each connection's frames (seen at its first frame). Guarded by admissionLock. */
    private final Map<Connection, ByteBuffer> readBuffers = new HashMap<>();
    /** The read buffers of connections allowed full frames. Identity: a ByteBuffer's equals compares contents. */
    private final Set<ByteBuffer> admitted = Collections.newSetFromMap(new IdentityHashMap<>());
    /** The connections allowed full frames. Guarded by admissionLock. */
    private final Set<Connection> admittedConnections = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Connections that read lengths with {@link #readLength(Connection, ByteBuffer)}: none of their buffers is kept. */
    private final Set<Connection> knownByConnection = Collections.newSetFromMap(new IdentityHashMap<>());

    /** A serialization without a limit before authentication (game servers, clients, test masters). */
    public WireSerialization() {
        this(0, (connection, welcome) -> { });
    }

    /**
     * A master's serialization.
     *
     * @param unauthenticatedFrameLimit the largest frame (bytes after the length prefix) read from a connection not
     *     yet sent a Welcome; 0 for no limit but KryoNet's object buffer
     * @param onAdmitted called with the connection and its Welcome when the Welcome is written (on the thread that
     *     sends it), before the peer can see it
     */
    public WireSerialization(int unauthenticatedFrameLimit, BiConsumer<Connection, Welcome> onAdmitted) {
        if (unauthenticatedFrameLimit < 0) {
            throw new IllegalArgumentException("unauthenticatedFrameLimit must be 0 (none) or positive, not "
                    + unauthenticatedFrameLimit);
        }
        this.unauthenticatedFrameLimit = unauthenticatedFrameLimit;
        this.onAdmitted = onAdmitted;
    }

    @Override
    public void write(Connection connection, ByteBuffer buffer, Object object) {
        if (object instanceof Welcome welcome && connection != null && unauthenticatedFrameLimit > 0) {
            admit(connection, welcome);
        }
        synchronized (output) {
            output.setBuffer(buffer);
            writeObject(output, object);
            output.flush();
        }
    }

    /** Writes {@code object} as Kryo would: its class id plus 2 as a varint, then its fields. */
    static void writeObject(Output out, Object object) {
        Protocol.Codec<?> codec = object == null ? null : WRITERS.get(object.getClass());
        if (codec != null) {
            out.writeVarInt(codec.id() + ID_OFFSET, true);
            codec.write(out, object);
        } else if (object instanceof RegisterTCP register) {
            out.writeVarInt(REGISTER_TCP + ID_OFFSET, true);
            out.writeVarInt(register.connectionID, false);
        } else if (object instanceof RegisterUDP register) {
            out.writeVarInt(REGISTER_UDP + ID_OFFSET, true);
            out.writeVarInt(register.connectionID, false);
        } else if (object instanceof KeepAlive) {
            out.writeVarInt(KEEP_ALIVE + ID_OFFSET, true);
        } else if (object instanceof DiscoverHost) {
            out.writeVarInt(DISCOVER_HOST + ID_OFFSET, true);
        } else if (object instanceof Ping ping) {
            out.writeVarInt(PING + ID_OFFSET, true);
            out.writeVarInt(ping.id, false);
            out.writeBoolean(ping.isReply);
        } else {
            throw new KryoNetException("not a profilesync message: " + (object == null ? "null"
                    : object.getClass().getName()) + "; only the messages Protocol registers travel");
        }
    }

    @Override
    public Object read(Connection connection, ByteBuffer buffer) {
        if (unauthenticatedFrameLimit > 0 && connection != null) {
            remember(connection, buffer);
        }
        synchronized (readLock) {
            int length = buffer.remaining();
            try {
                input.setBuffer(buffer);
                Object message = readObject(input);
                buffer.position(input.position());
                return message;
            } catch (KryoNetException e) {
                throw e;
            } catch (Throwable e) { // an Error from one peer's frame must not end the shared network thread
                throw new KryoNetException("unreadable frame of " + length + " bytes from " + connection + ": " + e,
                        e);
            }
        }
    }

    /**
     * Reads one message from {@code in}, which must end where the frame ends.
     *
     * @throws KryoNetException for a class id that is not one of the protocol's or KryoNet's
     * @throws RuntimeException anything a reader throws on bytes that do not form its message
     */
    static Object readObject(Input in) {
        int classId = in.readVarInt(true) - ID_OFFSET;
        if (classId >= 0 && classId < READERS.length && READERS[classId] != null) {
            return READERS[classId].read(in);
        }
        switch (classId) {
            case REGISTER_TCP: {
                RegisterTCP register = new RegisterTCP();
                register.connectionID = in.readVarInt(false);
                return register;
            }
            case REGISTER_UDP: {
                RegisterUDP register = new RegisterUDP();
                register.connectionID = in.readVarInt(false);
                return register;
            }
            case KEEP_ALIVE:
                return FrameworkMessage.keepAlive;
            case DISCOVER_HOST:
                return new DiscoverHost();
            case PING: {
                Ping ping = new Ping();
                ping.id = in.readVarInt(false);
                ping.isReply = in.readBoolean();
                return ping;
            }
            case -ID_OFFSET:
                throw new KryoNetException("a null frame: every frame carries a message");
            case 1 - ID_OFFSET:
                throw new KryoNetException("a class given by name: only registered message ids travel");
            default:
                throw new KryoNetException("unknown class id " + classId + ": profilesync's messages are 100 to 125");
        }
    }

    @Override
    public int getLengthLength() {
        return LENGTH_BYTES;
    }

    @Override
    public void writeLength(ByteBuffer buffer, int length) {
        buffer.putInt(length);
    }

    @Override
    public int readLength(ByteBuffer buffer) {
        int length = buffer.getInt();
        if (unauthenticatedFrameLimit > 0 && length > unauthenticatedFrameLimit && !isAdmitted(buffer)) {
            throw new KryoNetException("a frame of " + length + " bytes before authentication; the limit is "
                    + unauthenticatedFrameLimit + " (unauthenticatedFrameLimit)");
        }
        return length;
    }

    /**
     * {@link #readLength(ByteBuffer)} for a connection whose read buffer may change from one frame to the next: the
     * limit before authentication is checked against {@code connection}, and no buffer of it is kept.
     */
    public int readLength(Connection connection, ByteBuffer buffer) {
        int length = buffer.getInt();
        if (unauthenticatedFrameLimit > 0 && length > unauthenticatedFrameLimit) {
            boolean admittedNow;
            synchronized (admissionLock) {
                knownByConnection.add(connection);
                admittedNow = admittedConnections.contains(connection);
            }
            if (!admittedNow) {
                throw new KryoNetException("a frame of " + length + " bytes before authentication; the limit is "
                        + unauthenticatedFrameLimit + " (unauthenticatedFrameLimit)");
            }
        } else if (unauthenticatedFrameLimit > 0) {
            synchronized (admissionLock) {
                knownByConnection.add(connection);
            }
        }
        return length;
    }

    private void remember(Connection connection, ByteBuffer buffer) {
        synchronized (admissionLock) {
            if (!knownByConnection.contains(connection)) {
                readBuffers.putIfAbsent(connection, buffer);
            }
        }
    }

    private void admit(Connection connection, Welcome welcome) {
        synchronized (admissionLock) {
            admittedConnections.add(connection);
            ByteBuffer buffer = readBuffers.get(connection);
            if (buffer != null) {
                admitted.add(buffer);
            }
        }
        onAdmitted.accept(connection, welcome);
    }

    private boolean isAdmitted(ByteBuffer buffer) {
        synchronized (admissionLock) {
            return admitted.contains(buffer);
        }
    }

    /** Drops what is kept about {@code connection} (call when it is gone). */
    public void forget(Connection connection) {
        synchronized (admissionLock) {
            ByteBuffer buffer = readBuffers.remove(connection);
            if (buffer != null) {
                admitted.remove(buffer);
            }
            admittedConnections.remove(connection);
            knownByConnection.remove(connection);
        }
    }

    /** Whether {@code connection} was sent its Welcome and may send full frames. */
    public boolean isAdmitted(Connection connection) {
        synchronized (admissionLock) {
            if (admittedConnections.contains(connection)) {
                return knownByConnection.contains(connection) || admitted.contains(readBuffers.get(connection));
            }
            return false;
        }
    }
}
