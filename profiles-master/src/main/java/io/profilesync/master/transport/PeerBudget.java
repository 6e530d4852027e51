package io.profilesync.master.transport;

import io.profilesync.protocol.internal.Messages.AcquireProfile;
import io.profilesync.protocol.internal.Messages.ClientUpdate;
import io.profilesync.protocol.internal.Messages.Flush;
import io.profilesync.protocol.internal.Messages.HandleDelta;
import io.profilesync.protocol.internal.Messages.ProfileRequest;
import io.profilesync.protocol.internal.Messages.ServerBatch;
import io.profilesync.protocol.internal.Messages.ServerTransaction;

/**
 * What one authenticated peer may ask of the master per second: requests (client updates, profile requests, game
 * server batches, acquires, flushes: each may start a database save) from one token bucket, bytes of delta to decode from another, each filling at its rate
 * and holding up to two seconds' worth. Charged when a message arrives, on the network thread, before the message is
 * handed to the profile thread: a peer over its budget is refused there and never costs the others anything.
 * Not thread-safe: one owner thread (the network thread of the peer's transport).
 */
public final class PeerBudget {
    /** How many seconds' worth a bucket holds: room for bursts, such as a game server acquiring many at once. */
    static final int BURST_SECONDS = 2;

    private final TokenBucket requests;
    private final TokenBucket decodeBytes;
    private final int requestRate;
    private final int decodeRate;

    public PeerBudget(int requestsPerSecond, int decodeBytesPerSecond, long nowNanos) {
        this.requestRate = requestsPerSecond;
        this.decodeRate = decodeBytesPerSecond;
        this.requests = new TokenBucket(requestsPerSecond, (double) requestsPerSecond * BURST_SECONDS, nowNanos);
        this.decodeBytes = new TokenBucket(decodeBytesPerSecond, (double) decodeBytesPerSecond * BURST_SECONDS,
                nowNanos);
    }

    /** Charges {@code message}; returns why the peer is over its budget, or null when it is within it. */
    public String charge(Object message, long nowNanos) {
        long deltaBytes;
        if (message instanceof ClientUpdate update) {
            deltaBytes = update.delta().length;
        } else if (message instanceof ServerBatch batch) {
            deltaBytes = 0;
            for (HandleDelta entry : batch.entries()) {
                deltaBytes += entry.delta().length;
            }
        } else if (message instanceof ServerTransaction transaction) {
            deltaBytes = transaction.delta().length + transaction.preconditions().length;
        } else if (message instanceof ProfileRequest || message instanceof AcquireProfile
                || message instanceof Flush) {
            deltaBytes = 0;
        } else {
            return null; // releases and handshakes cost nothing worth budgeting
        }
        if (!requests.tryTake(1, nowNanos)) {
            return "more than " + requestRate + " requests a second (updates, batches, atomic changes, profile "
                    + "requests and flushes); "
                    + "batch changes, or raise the master's limit";
        }
        if (deltaBytes > 0 && !decodeBytes.tryTake(deltaBytes, nowNanos)) {
            return "more than " + decodeRate + " bytes of changes a second to decode; send smaller changes, or "
                    + "raise the master's limit";
        }
        return null;
    }
}
