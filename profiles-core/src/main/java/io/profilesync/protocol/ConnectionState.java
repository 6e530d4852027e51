package io.profilesync.protocol;

/**
 * Where a game server's or client's link to the master stands. Immutable.
 *
 * <pre>
 * CONNECTING → CONNECTED → RECONNECTING → CONNECTED → … → CLOSED
 *            ↘ FAILED (refused for good: bad credential, protocol version or schema)
 * </pre>
 *
 * <p>Immutable and thread-safe.
 */
public enum ConnectionState {
    /** The first connection attempt and its handshake are under way. */
    CONNECTING,
    /** Welcomed by the master: profiles can be had and changes flow. */
    CONNECTED,
    /**
     * The connection dropped; attempts to reconnect run with a growing delay, local changes are kept. Listeners are
     * told again after each failed attempt, with its cause.
     */
    RECONNECTING,
    /** The master refused this peer for a reason that retrying cannot fix; nothing more happens. */
    FAILED,
    /** {@code close()} was called. */
    CLOSED
}
