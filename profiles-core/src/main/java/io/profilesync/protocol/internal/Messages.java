package io.profilesync.protocol.internal;

import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.profilesync.protocol.ProtocolException;
import io.profilesync.protocol.RefusalCode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * Every message of the profilesync protocol. Each is an immutable record written field by field by
 * {@link Protocol}'s serializers: varints are unsigned LEB128, strings a varint byte length and UTF-8, byte arrays a
 * varint length and the bytes. Ids and bytes are documented in {@code docs/protocol.md}
 * (the profile and delta formats inside them in {@code docs/wire-format.md}).
 *
 * <p>Every message is an immutable record: thread-safe.
 */
public final class Messages {
    private Messages() {
    }

    /** Who a peer is. */
    public enum Role {
        CLIENT(1), GAME_SERVER(2);

        final int code;

        Role(int code) {
            this.code = code;
        }

        static Role of(int code) {
            for (Role role : values()) {
                if (role.code == code) {
                    return role;
                }
            }
            throw new IllegalArgumentException("unknown role " + code);
        }
    }

    /** Marker of every message. */
    public interface Message {
    }

    /**
     * First message of every peer. {@code instanceId} identifies the peer process across reconnects, so the master
     * applies each numbered batch once. {@code schemaFingerprint} is empty, or the fingerprint of the schema the peer
     * brought, checked against the master's.
     */
    public record Hello(int protocolVersion, Role role, long instanceId, String credential, String schemaFingerprint)
            implements Message {
        public Hello {
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(credential, "credential");
            Objects.requireNonNull(schemaFingerprint, "schemaFingerprint");
        }

        /** Never shows the credential. */
        @Override
        public String toString() {
            return "Hello[protocolVersion=" + protocolVersion + ", role=" + role + ", instanceId=" + instanceId + "]";
        }
    }

    /**
     * The master accepts a peer: the schema as JSON (a client gets its view, without hidden properties), the
     * authenticated user id (empty for a game server) and the largest delta the master accepts.
     */
    public record Welcome(String userId, String schemaJson, int maxUpdateSize) implements Message {
    }

    /**
     * Master to game server, in answer to a Hello without a secret: prove you know a game-server secret by answering
     * {@link Proof} with an HMAC over this nonce, fresh for every connection, so the secret never travels and a
     * captured answer is worth nothing on another connection.
     */
    public record Challenge(byte[] nonce) implements Message {
    }

    /** Game server to master: HMAC-SHA256 under the shared secret over the Challenge (see {@code SecretProofs}). */
    public record Proof(byte[] hmac) implements Message {
    }

    /** The master refuses a peer (and closes the connection) or a request. */
    public record Refused(RefusalCode code, String reason) implements Message {
    }

    /**
     * Peer (client or game server) to master: save now, without waiting for {@code saveProfileDebounce}, every
     * profile that this peer's batches up to {@code seq} changed and that is not yet committed; their durable
     * acknowledgement follows in a push as usual. Sent after the batch {@code seq} (the connection keeps the order),
     * and again after a reconnection while the writer still waits.
     */
    public record Flush(long seq) implements Message {
    }

    /** Client: send me my profile. */
    public record ProfileRequest() implements Message {
    }

    /**
     * Master to client: the whole profile (client view), the last of this client instance's batches whose effects it
     * includes, and its number among the pushes of this copy ({@code push}, see {@link HandleDelta}'s base: the
     * copy counts the pushes it applies on from it; a number not above the copy's last one means the master's
     * numbering started again, so bases the copy recorded before mean nothing any more).
     */
    public record ProfileSnapshot(long lastAppliedSeq, long push, byte[] profile) implements Message {
        /** A snapshot that is push number 1 of its copy. */
        public ProfileSnapshot(long lastAppliedSeq, byte[] profile) {
            this(lastAppliedSeq, 1, profile);
        }
    }

    /**
     * Client to master: batch {@code seq} of this client instance's changes, a delta in the client view, made on the
     * copy as push number {@code base} left it (see {@link HandleDelta}).
     */
    public record ClientUpdate(long seq, long base, long overlay, byte[] delta) implements Message {
        /** A batch that names no base (its list operations apply at the indices they carry). */
        public ClientUpdate(long seq, byte[] delta) {
            this(seq, 0, 0, delta);
        }
    }

    /** One refused change: the batch, the profile handle (0 for a client), the property if known, and why. */
    public record Refusal(long seq, int handle, String property, String reason) {
    }

    /**
     * Master to client: the delta of everything the master accepted since the last push (the client's own changes
     * included), that the client's batches up to {@code ackSeq} are applied, included in it (or were refused), and
     * that its batches up to {@code durableSeq} are committed to the database: the client may forget those, and keeps
     * the others to send again to the next master. {@code ackSeq} drives the in-flight window, {@code durableSeq}
     * what the client holds.
     */
    public record ClientPush(long ackSeq, long durableSeq, byte[] delta, List<Refusal> refusals) implements Message {
        public ClientPush {
            refusals = List.copyOf(refusals);
        }
    }

    /** Game server: I need the profile of {@code userId}; answered by the same {@code requestId}. */
    public record AcquireProfile(int requestId, String userId) implements Message {
    }

    /**
     * Master to game server: the profile, the handle that names it from now on, the last of this game server's
     * batches whose effects it includes, and its number among the pushes of this copy (as in
     * {@link ProfileSnapshot}).
     */
    public record ProfileAcquired(int requestId, int handle, long lastAppliedSeq, long push, byte[] profile)
            implements Message {
        /** An acquire whose snapshot is push number 1 of its copy. */
        public ProfileAcquired(int requestId, int handle, long lastAppliedSeq, byte[] profile) {
            this(requestId, handle, lastAppliedSeq, 1, profile);
        }
    }

    /**
     * Master to game server: the profile asked for by {@code requestId} could not be loaded. Also master to client,
     * with {@code requestId} 0, in answer to a {@link ProfileRequest}.
     */
    public record AcquireFailed(int requestId, String reason) implements Message {
    }

    /**
     * The delta of one held profile, named by its handle. In a batch, also where the writer's copy stood when the
     * changes were made, so the master can move their list indices onto its own list (see {@code docs/protocol.md},
     * "Lists under concurrent writers"): {@code base} is the number of the last push of this profile the copy had
     * applied (1 for the snapshot it started from, 0: not said), and its batches from {@code seq - overlay} on were
     * laid over it, not yet acknowledged. In a push both are 0 and do not travel.
     */
    public record HandleDelta(int handle, long base, long overlay, byte[] delta) {
        /** An entry that names no base: a push's, or a batch's sent again to a new connection. */
        public HandleDelta(int handle, byte[] delta) {
            this(handle, 0, 0, delta);
        }
    }

    /** Game server to master: batch {@code seq}, the changes of every held profile that changed. */
    public record ServerBatch(long seq, List<HandleDelta> entries) implements Message {
        public ServerBatch {
            entries = List.copyOf(entries);
        }
    }

    /**
     * Game server to master: batch {@code seq} holds one atomic change of the profile of {@code handle}: its
     * {@code delta} applies whole or not at all, and only if every one of its {@code preconditions} (encoded by
     * {@link io.profilesync.core.Precondition#encode}) holds on the master's state first; {@code base} and
     * {@code overlay} as in {@link HandleDelta}. Numbered, acknowledged,
     * sent again and applied once like any {@link ServerBatch}; a refusal names its {@code seq}.
     */
    public record ServerTransaction(long seq, int handle, long base, long overlay, byte[] preconditions, byte[] delta)
            implements Message {
        public ServerTransaction {
            Objects.requireNonNull(preconditions, "preconditions");
            Objects.requireNonNull(delta, "delta");
        }

        /** An atomic change that names no base (see {@link HandleDelta}). */
        public ServerTransaction(long seq, int handle, byte[] preconditions, byte[] delta) {
            this(seq, handle, 0, 0, preconditions, delta);
        }
    }

    /**
     * Master to game server: for each held profile that changed, the delta of everything the master accepted since
     * the last push (this game server's changes included), that its batches up to {@code ackSeq} are applied and
     * included (or refused), and that those up to {@code durableSeq} are committed to the database (the others it
     * keeps, to send again to the next master). Both are -1 in a push that is continued by another (the last one
     * carries the acks).
     */
    public record ServerPush(long ackSeq, long durableSeq, List<HandleDelta> entries, List<Refusal> refusals)
            implements Message {
        public ServerPush {
            entries = List.copyOf(entries);
            refusals = List.copyOf(refusals);
        }
    }

    /** Game server to master: I no longer hold this profile (sent after the batch with its last changes). */
    public record ReleaseProfile(int handle) implements Message {
    }

    // ------------------------------------------------------------ field codecs shared by the serializers

    static void writeString(Output out, String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        out.writeVarInt(utf8.length, true);
        out.writeBytes(utf8);
    }

    static String readString(Input in, int maxBytes) {
        int length = in.readVarInt(true);
        if (length < 0 || length > maxBytes) {
            throw new ProtocolException("string of " + length + " bytes exceeds the limit of " + maxBytes);
        }
        return new String(in.readBytes(length), StandardCharsets.UTF_8);
    }

    static void writeBytes(Output out, byte[] value) {
        out.writeVarInt(value.length, true);
        out.writeBytes(value);
    }

    static byte[] readBytes(Input in, int maxBytes) {
        int length = in.readVarInt(true);
        if (length < 0 || length > maxBytes) {
            throw new ProtocolException("byte array of " + length + " bytes exceeds the limit of " + maxBytes);
        }
        return in.readBytes(length);
    }
}
