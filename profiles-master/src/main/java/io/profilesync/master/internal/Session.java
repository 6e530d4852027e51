package io.profilesync.master.internal;

import io.profilesync.master.hooks.Author;
import io.profilesync.protocol.internal.EventLoop;
import io.profilesync.protocol.internal.Messages.Refusal;
import io.profilesync.protocol.internal.Messages.Role;
import io.profilesync.protocol.internal.PeerChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One connected peer, client or game server: its channel and outbound queue, where it is in the handshake, who it
 * is, and what it has not been told yet (acknowledgements, refusals). What it holds lives in its role's part:
 * {@link #client} or {@link #gameServer}, set once it said Hello. Touched only on the profile thread.
 */
final class Session {
    enum State { AWAITING_HELLO, AUTHENTICATING, READY, CLOSED }

    final PeerChannel channel;
    final OutboundQueue outbound;
    /** When it connected, on the loop's clock (for the admin API's list of peers). */
    final long connectedAt;
    State state = State.AWAITING_HELLO;
    /** Refuses the peer if it is not READY in time; cancelled once it is, or once it is gone. */
    EventLoop.Cancellable authenticationTimeout;
    /** A game server's challenge, until it proves its secret; and the fingerprint its Hello named. */
    byte[] nonce;
    String schemaFingerprintOfHello = "";
    Role role;
    /** Which of the configured game-server secrets it proved (game servers only; -1 otherwise). */
    int secretIndex = -1;
    long instanceId;
    String userId;
    /**
     * Names this writer in the exactly-once records: its authenticated identity (the client's user id, the game
     * server's secret) and its instance id, so a peer presenting someone else's instance id names another writer.
     */
    String writerKey;

    /** Batches up to this one are applied (the in-flight window's signal); the peer is told in the next push. */
    long ackSeq;
    long ackSent;
    /** Batches up to this one are committed by the accessor (the durable acknowledgement). */
    long durableSeq;
    long durableSent;
    /** Applied batches not yet durable, oldest first, with what each waits for ({@link DurableAcks}). */
    final ArrayDeque<DurableAcks.Waiting> notDurable = new ArrayDeque<>();
    final List<Refusal> refusals = new ArrayList<>();

    /** Who it is, as the master's hooks see it; made when first needed ({@link Hooks#author}). */
    Author author;

    /** The client's hold on its own profile (clients only). */
    ClientHolder client;
    /** The game server's holdings (game servers only). */
    GameServerHoldings gameServer;

    Session(PeerChannel channel, long connectedAt, OutboundQueueFactory outbound) {
        this.channel = channel;
        this.connectedAt = connectedAt;
        this.outbound = outbound.create(this);
    }

    /** Makes the session's outbound queue, which needs to know its session to report it stalled. */
    @FunctionalInterface
    interface OutboundQueueFactory {
        OutboundQueue create(Session session);
    }

    boolean open() {
        return state != State.CLOSED;
    }

    boolean ready() {
        return state == State.READY;
    }

    /** Whether an acknowledgement or a refusal waits for the next push. */
    boolean owesAnswer() {
        return !refusals.isEmpty() || ackSeq != ackSent || durableSeq != durableSent;
    }

    /** What the push just sent carried: the acknowledgement and the refusals are delivered. */
    void answered() {
        refusals.clear();
        ackSent = ackSeq;
        durableSent = durableSeq;
    }

    @Override
    public String toString() {
        String who = role == null ? "peer" : role == Role.CLIENT ? "client" : "game server";
        return who + " " + channel.describe() + (userId == null ? "" : " (user '" + userId + "')");
    }
}
