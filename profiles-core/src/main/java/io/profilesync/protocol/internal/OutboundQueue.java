package io.profilesync.protocol.internal;

import io.profilesync.protocol.internal.Messages.Message;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The messages waiting for one {@link PeerChannel}'s write buffer, in the order they were sent: a message goes out at
 * once when nothing waits before it and the channel has room, else it waits behind the others until {@link #flush()}
 * finds room. A full write buffer is an answer (the message waits), never an exception, and the queue itself is
 * bounded: a reader so slow that {@code maxQueued} messages wait is the caller's to drop. Used by the peer core for
 * its one connection to the master, and meant for the master's connection to each peer.
 *
 * <p>Threading: not thread-safe; used on the owning core's {@link EventLoop} thread only.
 */
public final class OutboundQueue {
    private final PeerChannel channel;
    private final int maxQueued;
    private final Consumer<Message> sent;
    private final Deque<Message> waiting = new ArrayDeque<>();

    /**
     * @param maxQueued how many messages may wait at most (at least 1)
     * @param sent told of every message handed to the channel (for byte counters), on the loop
     */
    public OutboundQueue(PeerChannel channel, int maxQueued, Consumer<Message> sent) {
        this.channel = Objects.requireNonNull(channel, "channel");
        if (maxQueued < 1) {
            throw new IllegalArgumentException("maxQueued must be at least 1, was " + maxQueued);
        }
        this.maxQueued = maxQueued;
        this.sent = Objects.requireNonNull(sent, "sent");
    }

    /** A queue of at most {@code maxQueued} messages that counts nothing. */
    public OutboundQueue(PeerChannel channel, int maxQueued) {
        this(channel, maxQueued, message -> { });
    }

    public PeerChannel channel() {
        return channel;
    }

    /**
     * Sends {@code message} now if nothing waits and the channel has room, else queues it behind what waits.
     *
     * @return false when {@code maxQueued} messages wait already: {@code message} was neither sent nor queued (the
     *     reader is too slow; the caller decides, typically by closing the channel)
     */
    public boolean send(Message message) {
        Objects.requireNonNull(message, "message");
        if (trySendNow(message)) {
            return true;
        }
        if (waiting.size() >= maxQueued) {
            return false;
        }
        waiting.addLast(message);
        return true;
    }

    /**
     * Sends {@code message} only if nothing waits and the channel has room now; else leaves it to the caller (for a
     * message rebuilt later with more in it, such as a push that keeps coalescing).
     */
    public boolean trySendNow(Message message) {
        if (!waiting.isEmpty() || !channel.trySend(message)) {
            return false;
        }
        sent.accept(message);
        return true;
    }

    /**
     * Hands the waiting messages to the channel, oldest first, while it has room.
     *
     * @return whether nothing waits any more
     */
    public boolean flush() {
        while (!waiting.isEmpty()) {
            Message next = waiting.peekFirst();
            if (!channel.trySend(next)) {
                return false;
            }
            waiting.pollFirst();
            sent.accept(next);
        }
        return true;
    }

    public boolean isEmpty() {
        return waiting.isEmpty();
    }

    /** How many messages wait. */
    public int size() {
        return waiting.size();
    }

    /** Forgets every waiting message (the channel closed: the owner sends again from its own state). */
    public void clear() {
        waiting.clear();
    }
}
