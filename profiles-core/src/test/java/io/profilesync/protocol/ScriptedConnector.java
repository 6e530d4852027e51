package io.profilesync.protocol;

import io.profilesync.protocol.internal.Connector;
import io.profilesync.protocol.internal.EventLoop;
import io.profilesync.protocol.internal.Messages.Message;
import io.profilesync.protocol.internal.PeerChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Test helper: a {@link Connector} the test plays the master through, in memory. Each {@link #connect} is recorded
 * (with its virtual time); the test then opens or fails it, reads what the core sent on the channel, and delivers
 * the master's messages or drops the channel. Every event reaches the core through the loop, as the contract says.
 */
public final class ScriptedConnector implements Connector {
    private final EventLoop loop;
    private final List<Duration> attemptTimes = new ArrayList<>();
    private Events pending;
    private Channel channel;

    public ScriptedConnector(EventLoop loop) {
        this.loop = loop;
    }

    @Override
    public void connect(Events events) {
        if (pending != null) {
            throw new AssertionError("a second connection attempt while one is under way");
        }
        pending = events;
        attemptTimes.add(Duration.ofNanos(loop.nanoTime()));
    }

    /** When each attempt began, in virtual time. */
    public List<Duration> attemptTimes() {
        return attemptTimes;
    }

    /** Whether an attempt waits for the test to open or fail it. */
    public boolean attemptPending() {
        return pending != null;
    }

    /** Opens the pending attempt. */
    public Channel open() {
        Events events = take();
        Channel opened = new Channel(events, attemptTimes.size());
        channel = opened;
        loop.execute(() -> events.onOpen(opened));
        return opened;
    }

    /** Fails the pending attempt. */
    public void fail(String why) {
        Events events = take();
        loop.execute(() -> events.onOpenFailed(new java.io.IOException(why)));
    }

    /** The last channel opened. */
    public Channel channel() {
        return channel;
    }

    private Events take() {
        if (pending == null) {
            throw new AssertionError("no connection attempt is pending");
        }
        Events events = pending;
        pending = null;
        return events;
    }

    /** One in-memory connection: what the core sent, and the master's side of it. */
    public final class Channel implements PeerChannel {
        private final Events events;
        private final int number;
        private final List<Message> sent = new ArrayList<>();
        private int room = Integer.MAX_VALUE;
        private boolean closed;

        private Channel(Events events, int number) {
            this.events = events;
            this.number = number;
        }

        @Override
        public boolean trySend(Message message) {
            if (closed || room == 0) {
                return false;
            }
            room--;
            sent.add(message);
            return true;
        }

        @Override
        public void close() {
            drop();
        }

        /** The master (or the network) ends the connection. */
        public void drop() {
            if (!closed) {
                closed = true;
                loop.execute(() -> events.onClosed(this));
            }
        }

        /** The master sends {@code message}. */
        public void deliver(Message message) {
            loop.execute(() -> events.onMessage(this, message));
        }

        /** How many more messages the write buffer takes (back-pressure); unlimited at first. */
        public void room(int messages) {
            room = messages;
        }

        public boolean closed() {
            return closed;
        }

        /** Everything the core sent on this channel, in order. */
        public List<Message> sent() {
            return sent;
        }

        /** What the core sent of {@code type}, in order. */
        public <T> List<T> sent(Class<T> type) {
            List<T> matching = new ArrayList<>();
            for (Message message : sent) {
                if (type.isInstance(message)) {
                    matching.add(type.cast(message));
                }
            }
            return matching;
        }

        @Override
        public String remoteAddress() {
            return "memory:" + number;
        }

        @Override
        public String describe() {
            return "scripted channel " + number;
        }
    }
}
