package io.profilesync.master.transport;

import io.profilesync.protocol.internal.Messages.Refused;

/**
 * What the {@link ConnectionGate} needs of one connection, whatever its transport: its id, whether it is still open,
 * and how to refuse and close it. Each transport adapts its own connections (KryoNet's in {@link KryoNetGate}, the
 * WebSocket endpoint's in its peer handler); {@code toString()} names the connection and its address for the logs.
 *
 * <p>Threading: every method may be called from any thread (the gate calls {@link #close()} from its closer
 * thread).
 */
public interface GatedConnection {
    /** The connection's id, unique among the open connections of every transport. */
    ConnectionId id();

    /** Whether the connection is still open. */
    boolean isOpen();

    /** Writes {@code refused} to the peer, best effort (nothing is written once it is closed). */
    void refuse(Refused refused);

    /** Closes the connection; the transport then reports it gone to {@link ConnectionGate#left}. */
    void close();
}
