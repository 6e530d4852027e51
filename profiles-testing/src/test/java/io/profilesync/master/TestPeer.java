package io.profilesync.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.esotericsoftware.kryonet.Client;
import com.esotericsoftware.kryonet.Connection;
import com.esotericsoftware.kryonet.Listener;
import io.profilesync.protocol.internal.Messages.Message;
import io.profilesync.protocol.internal.Protocol;
import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A raw protocol peer for master tests: sends any message, records every message it receives. */
final class TestPeer implements ProbePeer, AutoCloseable {
    private final Client client = Protocol.newClient(256 * 1024, 256 * 1024);
    private final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
    private final CountDownLatch disconnected = new CountDownLatch(1);

    private TestPeer() {
    }

    static TestPeer connect(int port) throws IOException {
        TestPeer peer = new TestPeer();
        peer.client.addListener(new Listener() {
            @Override
            public void received(Connection connection, Object object) {
                if (object instanceof Message) {
                    peer.received.add(object);
                }
            }

            @Override
            public void disconnected(Connection connection) {
                peer.disconnected.countDown();
            }
        });
        peer.client.start();
        peer.client.connect(5000, "127.0.0.1", port);
        return peer;
    }

    @Override
    public void send(Object message) {
        client.sendTCP(message);
    }

    Connection connection() {
        return client;
    }

    /** The next message of that type, skipping others; fails after 10 s. */
    @Override
    public <T> T next(Class<T> type) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            Object message = received.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (type.isInstance(message)) {
                return type.cast(message);
            }
        }
        return fail("no " + type.getSimpleName() + " within 10 s");
    }

    /** Waits until the master drops the connection. */
    void awaitDisconnected() throws InterruptedException {
        assertThat(disconnected.await(10, TimeUnit.SECONDS)).as("disconnected within 10 s").isTrue();
    }

    boolean isConnected() {
        return client.isConnected();
    }

    @Override
    public void close() {
        client.stop();
        client.close();
    }
}
