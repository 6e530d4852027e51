package io.profilesync.master;

/**
 * A peer whose round trips the attack tests time, over either transport: {@link TestPeer} on KryoNet TCP,
 * {@link BlockingWebSocketPeer} on WebSocket. Threading: one thread at a time.
 */
interface ProbePeer {
    void send(Object message);

    /** The next message of that type, skipping others; fails after 10 s. */
    <T> T next(Class<T> type) throws InterruptedException;
}
