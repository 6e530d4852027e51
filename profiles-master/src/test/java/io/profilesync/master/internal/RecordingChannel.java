package io.profilesync.master.internal;

import io.profilesync.protocol.internal.Messages.Message;
import io.profilesync.protocol.internal.PeerChannel;
import java.util.ArrayList;
import java.util.List;

/** A {@link PeerChannel} that records what the core sends it; the test says whether its write buffer has room. */
final class RecordingChannel implements PeerChannel {
    private final int id;
    final List<Message> sent = new ArrayList<>();
    boolean room = true;
    boolean closed;

    RecordingChannel(int id) {
        this.id = id;
    }

    @Override
    public boolean trySend(Message message) {
        if (closed || !room) {
            return false;
        }
        sent.add(message);
        return true;
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String remoteAddress() {
        return "10.0.0." + id + ":5000";
    }

    @Override
    public String describe() {
        return "test channel " + id;
    }

    /** The messages of that type sent so far, in order. */
    <T extends Message> List<T> sent(Class<T> type) {
        List<T> matching = new ArrayList<>();
        for (Message message : sent) {
            if (type.isInstance(message)) {
                matching.add(type.cast(message));
            }
        }
        return matching;
    }

    /** The last message of that type; fails when there is none. */
    <T extends Message> T last(Class<T> type) {
        List<T> matching = sent(type);
        if (matching.isEmpty()) {
            throw new AssertionError("no " + type.getSimpleName() + " was sent on " + describe() + "; sent: " + sent);
        }
        return matching.get(matching.size() - 1);
    }
}
