package io.profilesync.protocol.internal;

import io.profilesync.protocol.internal.Messages.Message;

/**
 * One connection as protocol logic sees it: the master core holds one per peer, the peer core one to the master.
 * Transports (KryoNet TCP, in-memory channels of the simulation, later WebSocket) implement it; what arrives on the
 * connection, and its end, reach the core as inputs through its own methods, never through this interface.
 *
 * <p>Threading: called only on the owning core's {@link EventLoop} thread.
 */
public interface PeerChannel {
    /**
     * Hands {@code message} to the transport if its write buffer has room for it, and says whether it did. Never
     * blocks and never throws for a full buffer: {@code false} means nothing was sent, try again later (back-pressure).
     * Also {@code false} once the channel is closed.
     */
    boolean trySend(Message message);

    /** Closes the connection; the core learns that it ended through its own disconnect input. Idempotent. */
    void close();

    /** The remote address ({@code host:port}), for logs, limits per address and events; never null. */
    String remoteAddress();

    /** A short description for logs, such as {@code connection 7 (127.0.0.1:5123)}. */
    String describe();
}
