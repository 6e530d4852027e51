package io.profilesync.master;

import com.esotericsoftware.kryonet.Connection;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.protocol.internal.Messages.Refusal;
import io.profilesync.protocol.internal.Messages.Role;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One connected peer, client or game server. Touched only on the profile thread. */
final class Session {
    enum State { AWAITING_HELLO, AUTHENTICATING, READY, CLOSED }

    final Connection connection;
    final long connectedAt;
    State state = State.AWAITING_HELLO;
    Role role;
    long instanceId;

    /** Whose batches these are: the authenticated identity (user id, or the game-server role) and the instance. */
    record DedupeKey(String identity, long instanceId) {
    }

    /** Valid once authenticated: a client by its user id, a game server by its role (every secret is one role). */
    DedupeKey dedupeKey() {
        return new DedupeKey(role == Role.CLIENT ? "client " + userId : "game server", instanceId);
    }

    /** Batches up to this one are applied; the peer is told in the next push. */
    long ackSeq;
    long ackSent;
    final List<Refusal> refusals = new ArrayList<>();

    // Client: its user, the profile it holds, its outbox, when it was last pushed to.
    String userId;
    ProfileEntry entry;
    ObservableServerProfile outbox;
    long lastPushAt;
    long pushScheduledFor;

    // Game server: its holdings by handle and by profile, and those whose outbox has something to push.
    final Map<Integer, Holding> holdingsByHandle = new HashMap<>();
    final Map<ProfileEntry, Holding> holdingsByEntry = new HashMap<>();
    final Set<Holding> dirtyHoldings = new LinkedHashSet<>();
    int nextHandle = 1;
    boolean flushScheduled;

    /** Messages waiting for room in the connection's write buffer, in order; pushes wait behind them. */
    final java.util.ArrayDeque<Object> queued = new java.util.ArrayDeque<>();
    /** Protocol.estimateSize of everything in {@link #queued}. */
    long queuedBytes;
    boolean drainScheduled;

    Session(Connection connection, long connectedAt) {
        this.connection = connection;
        this.connectedAt = connectedAt;
    }

    boolean open() {
        return state != State.CLOSED;
    }

    @Override
    public String toString() {
        String who = role == null ? "peer" : role == Role.CLIENT ? "client" : "game server";
        String address = connection.getRemoteAddressTCP() == null ? "" : " " + connection.getRemoteAddressTCP();
        return who + " #" + connection.getID() + address + (userId == null ? "" : " (user '" + userId + "')");
    }
}
