package io.profilesync.protocol.internal;

import io.profilesync.protocol.internal.Messages.Message;

/**
 * How the peer core (game server or client) reaches the master: it asks for a connection, and everything that then
 * happens on it comes back as inputs of {@link Events}. KryoNet TCP implements it in production (the only class
 * that touches KryoNet's {@code Client}); the simulation implements it with in-memory channels under virtual time.
 *
 * <p>Threading: {@link #connect} is called on the peer core's {@link EventLoop}; every {@link Events} method is
 * called on that same loop, never from a transport thread directly.
 */
public interface Connector {
    /**
     * Starts one connection attempt. Later, on the loop, exactly one of {@link Events#onOpen} or
     * {@link Events#onOpenFailed} follows; after {@code onOpen}, any number of {@link Events#onMessage} and then
     * exactly one {@link Events#onClosed} for that channel (also when the core closed it itself).
     */
    void connect(Events events);

    /** Releases what the connector holds (threads, sockets); no event follows. Idempotent. */
    default void shutdown() {
    }

    /** The inputs a connection gives the peer core. */
    interface Events {
        void onOpen(PeerChannel channel);

        void onOpenFailed(Throwable cause);

        void onMessage(PeerChannel channel, Message message);

        void onClosed(PeerChannel channel);
    }
}
