package io.profilesync.master.internal;

import io.profilesync.protocol.internal.EventLoop;
import io.profilesync.protocol.internal.Messages.Refusal;
import io.profilesync.protocol.internal.Messages.Role;
import io.profilesync.protocol.internal.PeerChannel;
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
    State state = State.AWAITING_HELLO;
    /** Refuses the peer if it is not READY in time; cancelled once it is, or once it is gone. */
    EventLoop.Cancellable authenticationTimeout;
    /** A game server's challenge, until it proves its secret; and the fingerprint its Hello named. */
    byte[] nonce;
    String schemaFingerprintOfHello = "";
    Role role;
    long instanceId;
    String userId;

    /** Whose batches these are: the authenticated identity (user id, or the game-server role) and the instance. */
    record DedupeKey(String identity, long instanceId) {
    }

    /**
     * Valid once authenticated: a client by its user id, a game server by its role (every secret is one role), so a
     * client presenting another user's instance id gets a record of its own instead of overwriting theirs.
     */
    DedupeKey dedupeKey() {
        return new DedupeKey(role == Role.CLIENT ? "client " + userId : "game server", instanceId);
    }

    /** Batches up to this one are applied; the peer is told in the next push. */
    long ackSeq;
    long ackSent;
    final List<Refusal> refusals = new ArrayList<>();

    /** The client's hold on its own profile (clients only). */
    ClientHolder client;
    /** The game server's holdings (game servers only). */
    GameServerHoldings gameServer;

    Session(PeerChannel channel, OutboundQueueFactory outbound) {
        this.channel = channel;
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
        return !refusals.isEmpty() || ackSeq != ackSent;
    }

    /** What the push just sent carried: the acknowledgement and the refusals are delivered. */
    void answered() {
        refusals.clear();
        ackSent = ackSeq;
    }

    @Override
    public String toString() {
        String who = role == null ? "peer" : role == Role.CLIENT ? "client" : "game server";
        return who + " " + channel.describe() + (userId == null ? "" : " (user '" + userId + "')");
    }
}
