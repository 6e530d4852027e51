package io.profilesync.master.internal;

import io.profilesync.protocol.internal.EventLoop;
import io.profilesync.protocol.internal.Messages.Message;
import io.profilesync.protocol.internal.PeerChannel;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * What the master sends one peer: now if the channel has room, else queued behind what waits already, in order, and
 * retried every {@link #RETRY_NANOS}; nothing is ever written into a full write buffer (KryoNet would throw and corrupt
 * the stream). A peer with {@link #MAX_QUEUED_MESSAGES} messages waiting is not reading: {@code onStalled} is told,
 * and it disconnects the peer. Pushes use {@link #trySend} instead, so they keep coalescing while the peer is slow.
 *
 * <p>Threading: the profile thread only.
 */
final class OutboundQueue {
    /** A peer with this many messages waiting for its write buffer is not reading: it is disconnected. */
    static final int MAX_QUEUED_MESSAGES = 10_000;
    /** How soon a full write buffer is tried again. */
    static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final PeerChannel channel;
    private final EventLoop loop;
    private final MasterMetrics metrics;
    private final Runnable onStalled;
    private final ArrayDeque<Message> queued = new ArrayDeque<>();
    private EventLoop.Cancellable drain;
    private boolean closed;

    OutboundQueue(PeerChannel channel, EventLoop loop, MasterMetrics metrics, Runnable onStalled) {
        this.channel = channel;
        this.loop = loop;
        this.metrics = metrics;
        this.onStalled = onStalled;
    }

    /** Sends now if nothing waits and the channel has room, else queues behind what waits already. */
    void send(Message message) {
        if (trySend(message) || closed) {
            return;
        }
        if (queued.size() >= MAX_QUEUED_MESSAGES) {
            onStalled.run();
            return;
        }
        queued.addLast(message);
        if (drain == null) {
            drain = loop.schedule(RETRY_NANOS, this::drain);
        }
    }

    /** Sends only if nothing is queued and the channel has room; says whether it did (pushes retry later if not). */
    boolean trySend(Message message) {
        if (closed || !queued.isEmpty() || !channel.trySend(message)) {
            return false;
        }
        metrics.sent(message);
        return true;
    }

    int size() {
        return queued.size();
    }

    /** The peer is gone: drop what waits and stop retrying. */
    void close() {
        closed = true;
        queued.clear();
        if (drain != null) {
            drain.cancel();
            drain = null;
        }
    }

    private void drain() {
        drain = null;
        while (!closed && !queued.isEmpty()) {
            if (!channel.trySend(queued.peekFirst())) {
                drain = loop.schedule(RETRY_NANOS, this::drain);
                return;
            }
            metrics.sent(queued.pollFirst());
        }
    }
}
