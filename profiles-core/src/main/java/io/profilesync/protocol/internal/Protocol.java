package io.profilesync.protocol.internal;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryonet.Client;
import com.esotericsoftware.kryonet.Connection;
import com.esotericsoftware.kryonet.Server;
import io.profilesync.protocol.internal.Messages.AcquireFailed;
import io.profilesync.protocol.internal.Messages.Challenge;
import io.profilesync.protocol.internal.Messages.Proof;
import io.profilesync.protocol.internal.Messages.AcquireProfile;
import io.profilesync.protocol.internal.Messages.ClientPush;
import io.profilesync.protocol.internal.Messages.ClientUpdate;
import io.profilesync.protocol.internal.Messages.Flush;
import io.profilesync.protocol.internal.Messages.HandleDelta;
import io.profilesync.protocol.internal.Messages.Hello;
import io.profilesync.protocol.internal.Messages.ProfileAcquired;
import io.profilesync.protocol.internal.Messages.ProfileRequest;
import io.profilesync.protocol.internal.Messages.ProfileSnapshot;
import io.profilesync.protocol.internal.Messages.Refusal;
import io.profilesync.protocol.ProtocolException;
import io.profilesync.protocol.RefusalCode;
import io.profilesync.protocol.internal.Messages.Refused;
import io.profilesync.protocol.internal.Messages.ReleaseProfile;
import io.profilesync.protocol.internal.Messages.Role;
import io.profilesync.protocol.internal.Messages.ServerBatch;
import io.profilesync.protocol.internal.Messages.ServerPush;
import io.profilesync.protocol.internal.Messages.ServerTransaction;
import io.profilesync.protocol.internal.Messages.Welcome;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The one place that registers every wire message with Kryo, each under an explicit id with its own serializer; the
 * master, game servers and clients all call {@link #register(Kryo)}, and make their KryoNet endpoints through
 * {@link #newServer} and {@link #newClient} so buffers are sized from configuration. Thread-safe (stateless).
 */
public final class Protocol {
    /** Bumped on any incompatible change of the messages; a peer speaking another version is refused at Hello. */
    public static final int VERSION = 6;

    /** The first message id; ids below are left to Kryo's and KryoNet's own registrations. */
    public static final int FIRST_ID = 100;

    private Protocol() {
    }

    /** Registers every message under its explicit id. Call once per Kryo instance, before any message travels. */
    public static void register(Kryo kryo) {
        kryo.setRegistrationRequired(true);
        for (Codec<?> codec : CODECS) {
            codec.register(kryo);
        }
    }

    /**
     * How one message travels: its class, its id, and its field writer and reader. The reader is given an input that
     * ends where the frame ends, so every length it reads is bounded by the bytes that remain.
     */
    record Codec<T>(Class<T> type, int id, BiConsumer<Output, T> writer, Function<Input, T> reader) {
        void write(Output output, Object message) {
            writer.accept(output, type.cast(message));
        }

        T read(Input input) {
            return reader.apply(input);
        }

        void register(Kryo kryo) {
            kryo.register(type, new Serializer<T>(false, true) {
                @Override
                public void write(Kryo k, Output output, T message) {
                    writer.accept(output, message);
                }

                @Override
                public T read(Kryo k, Input input, Class<? extends T> t) {
                    return reader.apply(input);
                }
            }, id);
        }
    }

    private static <T> Codec<T> codec(Class<T> type, int id, BiConsumer<Output, T> writer, Function<Input, T> reader) {
        return new Codec<>(type, id, writer, reader);
    }

    /** Every message, in id order. */
    static final List<Codec<?>> CODECS = List.of(
        codec(Hello.class, 100, (o, m) -> {
            o.writeVarInt(m.protocolVersion(), true);
            o.writeByte(m.role().code);
            o.writeLong(m.instanceId());
            Messages.writeString(o, m.credential());
            Messages.writeString(o, m.schemaFingerprint());
        }, i -> {
            int version = i.readVarInt(true);
            int role = i.readByte();
            long instanceId = i.readLong();
            return new Hello(version, roleOf(role), instanceId, string(i), string(i));
        }),
        codec(Welcome.class, 101, (o, m) -> {
            Messages.writeString(o, m.userId());
            Messages.writeString(o, m.schemaJson());
            o.writeVarInt(m.maxUpdateSize(), true);
        }, i -> new Welcome(string(i), string(i), i.readVarInt(true))),
        codec(Refused.class, 102, (o, m) -> {
            o.writeVarInt(m.code().code, true);
            Messages.writeString(o, m.reason());
        }, i -> new Refused(RefusalCode.of(i.readVarInt(true)), string(i))),
        codec(Challenge.class, 103, (o, m) -> Messages.writeBytes(o, m.nonce()), i -> new Challenge(bytes(i))),
        codec(Proof.class, 104, (o, m) -> Messages.writeBytes(o, m.hmac()), i -> new Proof(bytes(i))),
        codec(Flush.class, 105, (o, m) -> o.writeVarLong(m.seq(), true), i -> new Flush(i.readVarLong(true))),
        codec(ProfileRequest.class, 110, (o, m) -> { }, i -> new ProfileRequest()),
        codec(ProfileSnapshot.class, 111, (o, m) -> {
            o.writeVarLong(m.lastAppliedSeq(), true);
            o.writeVarLong(m.push(), true);
            Messages.writeBytes(o, m.profile());
        }, i -> new ProfileSnapshot(i.readVarLong(true), i.readVarLong(true), bytes(i))),
        codec(ClientUpdate.class, 112, (o, m) -> {
            o.writeVarLong(m.seq(), true);
            writeBase(o, m.base(), m.overlay());
            Messages.writeBytes(o, m.delta());
        }, i -> {
            long seq = i.readVarLong(true);
            long base = i.readVarLong(true);
            return new ClientUpdate(seq, base, base > 0 ? i.readVarLong(true) : 0, bytes(i));
        }),
        codec(ClientPush.class, 113, (o, m) -> {
            o.writeVarLong(m.ackSeq(), true);
            o.writeVarLong(m.durableSeq(), true);
            Messages.writeBytes(o, m.delta());
            writeRefusals(o, m.refusals());
        }, i -> new ClientPush(i.readVarLong(true), i.readVarLong(true), bytes(i), readRefusals(i))),
        codec(AcquireProfile.class, 120, (o, m) -> {
            o.writeVarInt(m.requestId(), true);
            Messages.writeString(o, m.userId());
        }, i -> new AcquireProfile(i.readVarInt(true), string(i))),
        codec(ProfileAcquired.class, 121, (o, m) -> {
            o.writeVarInt(m.requestId(), true);
            o.writeVarInt(m.handle(), true);
            o.writeVarLong(m.lastAppliedSeq(), true);
            o.writeVarLong(m.push(), true);
            Messages.writeBytes(o, m.profile());
        }, i -> new ProfileAcquired(i.readVarInt(true), i.readVarInt(true), i.readVarLong(true), i.readVarLong(true),
                bytes(i))),
        codec(AcquireFailed.class, 122, (o, m) -> {
            o.writeVarInt(m.requestId(), true);
            Messages.writeString(o, m.reason());
        }, i -> new AcquireFailed(i.readVarInt(true), string(i))),
        codec(ServerBatch.class, 123, (o, m) -> {
            o.writeVarLong(m.seq(), true);
            writeEntries(o, m.entries(), true);
        }, i -> new ServerBatch(i.readVarLong(true), readEntries(i, true))),
        codec(ServerPush.class, 124, (o, m) -> {
            // ackSeq -1 (continued) travels as 0; real sequence numbers start at 1.
            o.writeVarLong(m.ackSeq() + 1, true);
            o.writeVarLong(m.durableSeq() + 1, true);
            writeEntries(o, m.entries(), false);
            writeRefusals(o, m.refusals());
        }, i -> new ServerPush(i.readVarLong(true) - 1, i.readVarLong(true) - 1, readEntries(i, false),
                readRefusals(i))),
        codec(ReleaseProfile.class, 125, (o, m) -> o.writeVarInt(m.handle(), true),
                i -> new ReleaseProfile(i.readVarInt(true))),
        codec(ServerTransaction.class, 126, (o, m) -> {
            o.writeVarLong(m.seq(), true);
            o.writeVarInt(m.handle(), true);
            writeBase(o, m.base(), m.overlay());
            Messages.writeBytes(o, m.preconditions());
            Messages.writeBytes(o, m.delta());
        }, i -> {
            long seq = i.readVarLong(true);
            int handle = i.readVarInt(true);
            long base = i.readVarLong(true);
            long overlay = base > 0 ? i.readVarLong(true) : 0;
            return new ServerTransaction(seq, handle, base, overlay, bytes(i), bytes(i));
        }));

    private static Role roleOf(int code) {
        try {
            return Role.of(code);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("Hello names unknown role " + code
                    + "; expected 1 (client) or 2 (game server)");
        }
    }

    private static int remaining(Input in) {
        return in.limit() - in.position();
    }

    private static String string(Input in) {
        return Messages.readString(in, remaining(in));
    }

    private static byte[] bytes(Input in) {
        return Messages.readBytes(in, remaining(in));
    }

    private static int count(Input in, int minBytesEach) {
        int count = in.readVarInt(true);
        if (count < 0 || (long) count * minBytesEach > remaining(in)) {
            throw new ProtocolException("count " + count + " cannot fit the " + remaining(in) + " bytes that remain");
        }
        return count;
    }

    /** A batch's base: the push number (0: none), then, only when there is one, how many batches were laid over. */
    private static void writeBase(Output out, long base, long overlay) {
        out.writeVarLong(Math.max(0, base), true);
        if (base > 0) {
            out.writeVarLong(Math.max(0, overlay), true);
        }
    }

    /** {@code withBase}: a batch's entries, each with its base; a push's carry none. */
    private static void writeEntries(Output out, List<HandleDelta> entries, boolean withBase) {
        out.writeVarInt(entries.size(), true);
        for (HandleDelta entry : entries) {
            out.writeVarInt(entry.handle(), true);
            if (withBase) {
                writeBase(out, entry.base(), entry.overlay());
            }
            Messages.writeBytes(out, entry.delta());
        }
    }

    private static List<HandleDelta> readEntries(Input in, boolean withBase) {
        int count = count(in, withBase ? 3 : 2);
        List<HandleDelta> entries = new ArrayList<>(count);
        for (int n = 0; n < count; n++) {
            int handle = in.readVarInt(true);
            long base = withBase ? in.readVarLong(true) : 0;
            long overlay = base > 0 ? in.readVarLong(true) : 0;
            entries.add(new HandleDelta(handle, base, overlay, bytes(in)));
        }
        return entries;
    }

    private static void writeRefusals(Output out, List<Refusal> refusals) {
        out.writeVarInt(refusals.size(), true);
        for (Refusal refusal : refusals) {
            out.writeVarLong(refusal.seq(), true);
            out.writeVarInt(refusal.handle(), true);
            Messages.writeString(out, refusal.property());
            Messages.writeString(out, refusal.reason());
        }
    }

    private static List<Refusal> readRefusals(Input in) {
        int count = count(in, 4);
        List<Refusal> refusals = new ArrayList<>(count);
        for (int n = 0; n < count; n++) {
            refusals.add(new Refusal(in.readVarLong(true), in.readVarInt(true), string(in), string(in)));
        }
        return refusals;
    }

    /**
     * A KryoNet server with the given buffer sizes (bytes) that reads and writes frames through a
     * {@link WireSerialization}: only the protocol's messages and KryoNet's own, every claimed length bounded by the
     * frame. No limit on frames before authentication (the master passes its own serialization).
     */
    public static Server newServer(int writeBufferSize, int objectBufferSize) {
        return newServer(writeBufferSize, objectBufferSize, new WireSerialization());
    }

    /** A KryoNet server with the given buffer sizes (bytes) and {@code serialization}. */
    public static Server newServer(int writeBufferSize, int objectBufferSize, WireSerialization serialization) {
        KryoNetLogging.routeToSlf4j();
        return new Server(writeBufferSize, objectBufferSize, serialization);
    }

    /**
     * Routes KryoNet's logging to SLF4J, as {@link #newServer} and {@link #newClient} do; for an endpoint made another
     * way (the master's server with on-demand buffers).
     */
    public static void routeKryoNetLogging() {
        KryoNetLogging.routeToSlf4j();
    }

    /** A KryoNet client with the given buffer sizes (bytes), reading and writing through a {@link WireSerialization}. */
    public static Client newClient(int writeBufferSize, int objectBufferSize) {
        KryoNetLogging.routeToSlf4j();
        return new Client(writeBufferSize, objectBufferSize, new WireSerialization());
    }

    /**
     * An upper bound of the bytes {@code message} takes on the wire, for back-pressure: a send that would not fit the
     * free part of the write buffer must wait (KryoNet throws on overflow and corrupts the stream).
     */
    public static int estimateSize(Object message) {
        int size = 32;
        if (message instanceof ClientPush m) {
            size += m.delta().length + refusalsSize(m.refusals());
        } else if (message instanceof ServerPush m) {
            size += entriesSize(m.entries()) + refusalsSize(m.refusals());
        } else if (message instanceof ServerBatch m) {
            size += entriesSize(m.entries());
        } else if (message instanceof ServerTransaction m) {
            size += varLongSize(m.base()) + varLongSize(m.overlay()) + m.preconditions().length + m.delta().length;
        } else if (message instanceof ClientUpdate m) {
            size += varLongSize(m.base()) + varLongSize(m.overlay()) + m.delta().length;
        } else if (message instanceof ProfileSnapshot m) {
            size += m.profile().length;
        } else if (message instanceof ProfileAcquired m) {
            size += m.profile().length;
        } else if (message instanceof Welcome m) {
            size += 3 * (m.schemaJson().length() + m.userId().length());
        } else if (message instanceof Hello m) {
            size += 3 * (m.credential().length() + m.schemaFingerprint().length());
        } else if (message instanceof Refused m) {
            size += 3 * m.reason().length();
        } else if (message instanceof AcquireProfile m) {
            size += 3 * m.userId().length();
        } else if (message instanceof Challenge m) {
            size += m.nonce().length;
        } else if (message instanceof Proof m) {
            size += m.hmac().length;
        } else if (message instanceof AcquireFailed m) {
            size += 3 * m.reason().length();
        }
        return size;
    }

    private static int varLongSize(long value) {
        return value >= 0 && value < (1L << 35) ? 5 : 10;
    }

    private static int entriesSize(List<HandleDelta> entries) {
        int size = 0;
        for (HandleDelta entry : entries) {
            // Handle and length at most 10 bytes of varints, a batch's base and overlay at most 10 while under 2^35.
            size += 10 + varLongSize(entry.base()) + varLongSize(entry.overlay()) + entry.delta().length;
        }
        return size;
    }

    private static int refusalsSize(List<Refusal> refusals) {
        int size = 0;
        for (Refusal refusal : refusals) {
            size += 20 + 3 * (refusal.property().length() + refusal.reason().length());
        }
        return size;
    }

    /**
     * Sends {@code message} if it fits the free part of the connection's write buffer, else leaves it to the caller
     * to retry later.
     *
     * @return whether it was sent
     */
    public static boolean trySend(Connection connection, Object message, int writeBufferSize) {
        int size = estimateSize(message);
        if (connection.getTcpWriteBufferSize() + size > writeBufferSize) {
            return false;
        }
        connection.sendTCP(message);
        return true;
    }
}
