package io.profilesync.master;

import io.profilesync.master.transport.websocket.WebSocketTestPeer;
import io.profilesync.protocol.internal.Messages.Message;

/**
 * A peer whose round trips the attack tests time, over either transport: {@link TestPeer} on KryoNet TCP, or a
 * {@link WebSocketTestPeer} through {@link #of}. Threading: one thread at a time.
 */
interface ProbePeer {
    void send(Object message);

    /** The next message of that type, skipping others; fails after 10 s. */
    <T> T next(Class<T> type) throws InterruptedException;

    /** {@code peer} as a probe. */
    static ProbePeer of(WebSocketTestPeer peer) {
        return new ProbePeer() {
            @Override
            public void send(Object message) {
                peer.send((Message) message);
            }

            @Override
            public <T> T next(Class<T> type) throws InterruptedException {
                return peer.next(type);
            }
        };
    }
}
