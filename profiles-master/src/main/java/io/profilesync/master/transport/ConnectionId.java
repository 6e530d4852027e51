package io.profilesync.master.transport;

import java.util.Objects;

/**
 * One open connection as the {@link ConnectionGate} knows it: its transport and the number that transport gave it.
 * Each transport numbers its connections on its own (KryoNet from 1, the WebSocket endpoint from 1 too), so the
 * transport is part of the id and the two never collide in the gate. Immutable and thread-safe.
 *
 * @param transport which endpoint accepted the connection
 * @param number the connection's number within that transport
 */
public record ConnectionId(Transport transport, int number) {
    /** The master's endpoints. */
    public enum Transport {
        /** KryoNet TCP. */
        TCP,
        /** The Netty WebSocket endpoint. */
        WEBSOCKET
    }

    public ConnectionId {
        Objects.requireNonNull(transport, "transport");
    }

    @Override
    public String toString() {
        return transport.name().toLowerCase(java.util.Locale.ROOT) + " " + number;
    }
}
