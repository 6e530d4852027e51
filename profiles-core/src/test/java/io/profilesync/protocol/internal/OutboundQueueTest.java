package io.profilesync.protocol.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.profilesync.protocol.internal.Messages.Message;
import io.profilesync.protocol.internal.Messages.ReleaseProfile;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutboundQueueTest {
    /** A channel whose write buffer takes {@code room} more messages. */
    private static final class Buffer implements PeerChannel {
        final List<Message> written = new ArrayList<>();
        int room;

        @Override
        public boolean trySend(Message message) {
            if (room == 0) {
                return false;
            }
            room--;
            written.add(message);
            return true;
        }

        @Override
        public void close() {
        }

        @Override
        public String remoteAddress() {
            return "memory";
        }

        @Override
        public String describe() {
            return "buffer";
        }
    }

    @Test
    void messagesWaitInOrderWhileTheBufferIsFullAndLeaveInOrderOnceItDrains() {
        Buffer buffer = new Buffer();
        buffer.room = 1;
        List<Message> counted = new ArrayList<>();
        OutboundQueue queue = new OutboundQueue(buffer, 10, counted::add);

        assertThat(queue.send(new ReleaseProfile(1))).isTrue();
        assertThat(queue.send(new ReleaseProfile(2))).isTrue();
        buffer.room = 5;
        assertThat(queue.send(new ReleaseProfile(3))).as("queued behind 2, though there is room").isTrue();
        assertThat(buffer.written).containsExactly(new ReleaseProfile(1));
        assertThat(queue.trySendNow(new ReleaseProfile(9))).as("never overtakes what waits").isFalse();

        assertThat(queue.flush()).isTrue();
        assertThat(buffer.written).containsExactly(new ReleaseProfile(1), new ReleaseProfile(2),
                new ReleaseProfile(3));
        assertThat(counted).isEqualTo(buffer.written);
        assertThat(queue.trySendNow(new ReleaseProfile(4))).isTrue();
    }

    @Test
    void aFullQueueSaysSoAndQueuesNothing() {
        Buffer buffer = new Buffer();
        OutboundQueue queue = new OutboundQueue(buffer, 2);
        assertThat(queue.send(new ReleaseProfile(1))).isTrue();
        assertThat(queue.send(new ReleaseProfile(2))).isTrue();

        assertThat(queue.send(new ReleaseProfile(3))).isFalse();
        assertThat(queue.size()).isEqualTo(2);
        queue.clear();
        assertThat(queue.isEmpty()).isTrue();
    }
}
