package io.profilesync.protocol.internal;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.Pool;
import io.profilesync.protocol.ProtocolException;
import io.profilesync.protocol.internal.Messages.Message;

/**
 * One message as one frame of a message-oriented transport (a WebSocket binary frame): exactly the body KryoNet
 * puts after its 4-byte length on TCP (docs/protocol.md, "WebSocket framing"), the class id as a varint then the
 * fields, and nothing after it. Thread-safe: Kryo instances come from a pool.
 */
public final class Frames {
    private static final Pool<Kryo> KRYOS = new Pool<>(true, false, 64) {
        @Override
        protected Kryo create() {
            Kryo kryo = new Kryo();
            Protocol.register(kryo);
            return kryo;
        }
    };

    private Frames() {
    }

    /** The bytes of {@code message}. */
    public static byte[] encode(Message message) {
        Kryo kryo = KRYOS.obtain();
        try {
            Output out = new Output(64 + Protocol.estimateSize(message), -1);
            kryo.writeClassAndObject(out, message);
            return out.toBytes();
        } finally {
            KRYOS.free(kryo);
        }
    }

    /**
     * The one message held by {@code frame[offset, offset + length)}.
     *
     * @throws ProtocolException when the bytes are not exactly one registered message (forged lengths, truncation,
     *     an unknown class id, a null, bytes after the message)
     */
    public static Message decode(byte[] frame, int offset, int length) {
        if (length == 0) {
            throw new ProtocolException("an empty frame holds no message; every frame holds exactly one");
        }
        Kryo kryo = KRYOS.obtain();
        try {
            Input in = new Input(frame, offset, length);
            Object message;
            try {
                message = kryo.readClassAndObject(in);
            } catch (ProtocolException e) {
                throw e;
            } catch (KryoException | IllegalArgumentException | IndexOutOfBoundsException e) {
                // Kryo's own failures (unknown class id, buffer underflow, a varint that never ends).
                throw new ProtocolException("malformed message in a frame of " + length + " bytes: " + e.getMessage());
            }
            if (!(message instanceof Message m)) {
                throw new ProtocolException("a frame of " + length + " bytes holds " + message + ", not a message");
            }
            int rest = in.limit() - in.position();
            if (rest != 0) {
                throw new ProtocolException(rest + " bytes follow the " + m.getClass().getSimpleName()
                        + " in the same frame; a frame holds exactly one message");
            }
            return m;
        } finally {
            KRYOS.free(kryo);
        }
    }
}
