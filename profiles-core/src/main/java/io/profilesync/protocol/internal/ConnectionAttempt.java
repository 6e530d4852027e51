package io.profilesync.protocol.internal;

import io.profilesync.protocol.internal.Messages.Message;

/**
 * What every transport's connection attempt promises the peer core, written once for the KryoNet and WebSocket
 * connectors: {@link Connector.Events#onOpen} at most once, then messages only while open, then
 * {@link Connector.Events#onClosed} exactly once, even when the transport reported the close before the open reached
 * the loop; {@link Connector.Events#onOpenFailed} only for an attempt that never opened.
 *
 * <p>Threading: {@link #opened}, {@link #failed}, {@link #received} and {@link #closed} run on the peer's loop;
 * {@link #usable} is read by senders on any thread.
 */
abstract class ConnectionAttempt implements PeerChannel {
    private final Connector.Events events;
    private boolean open;
    private boolean closedSeen;
    private boolean closeDelivered;
    /** Open and not closing: a send may go out. Cleared as soon as a close starts, from either side. */
    protected volatile boolean usable;

    ConnectionAttempt(Connector.Events events) {
        this.events = events;
    }

    /** The transport connected: the core hears of it, and of a close already seen, in that order. */
    void opened() {
        open = true;
        events.onOpen(this);
        if (closedSeen) {
            closed();
        }
    }

    void failed(Throwable cause) {
        if (!open) {
            events.onOpenFailed(cause);
        }
    }

    void received(Message message) {
        if (open && !closeDelivered) {
            events.onMessage(this, message);
        }
    }

    void closed() {
        closedSeen = true;
        usable = false;
        if (open && !closeDelivered) {
            closeDelivered = true;
            events.onClosed(this);
        }
    }
}
