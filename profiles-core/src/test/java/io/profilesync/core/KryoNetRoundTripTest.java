package io.profilesync.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryonet.Client;
import com.esotericsoftware.kryonet.Connection;
import com.esotericsoftware.kryonet.Listener;
import com.esotericsoftware.kryonet.Server;
import com.esotericsoftware.minlog.Log;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.channels.ServerSocketChannel;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Proves the dependency set works on Java 17: KryoNet 2.22.0-RC1 over loopback with Kryo 5 (a record carrying a
 * profile delta as byte[] and an Instant), and Kryo 2.24, which KryoNet would drag in, is not on the classpath.
 */
class KryoNetRoundTripTest {
    private static final long TIMEOUT_SECONDS = 10;

    /** A test message; the real messages live in io.profilesync.protocol. */
    record DeltaMessage(String userId, byte[] delta, Instant sentAt) {
    }

    private static void register(Kryo kryo) {
        kryo.register(byte[].class, 100);
        kryo.register(Instant.class, 101);
        kryo.register(DeltaMessage.class, 102);
    }

    @Test
    @Timeout(30)
    void aDeltaTravelsToTheServerAndBackOverLoopback() throws Exception {
        Log.set(Log.LEVEL_WARN);
        ObservableProfile source = Fixtures.everyType();
        ObservableProfile replica = source.copy();
        Fixtures.fillEveryType(source);
        DeltaMessage sent = new DeltaMessage("user-1", source.getUpdates(), Instant.parse("2026-11-21T08:00:00Z"));

        Server server = new Server();
        Client client = new Client();
        Thread serverThread = null;
        Thread clientThread = null;
        List<Throwable> crashes = new CopyOnWriteArrayList<>();
        try {
            register(server.getKryo());
            register(client.getKryo());
            server.addListener(new Listener() {
                @Override
                public void received(Connection connection, Object object) {
                    if (object instanceof DeltaMessage message) {
                        connection.sendTCP(message); // echo it back
                    }
                }
            });
            server.bind(new InetSocketAddress("127.0.0.1", 0), null);
            // Our own threads (start() would make them too, but sets getUpdateThread() only once running).
            serverThread = new Thread(server, "test-kryonet-server");
            serverThread.setUncaughtExceptionHandler((thread, e) -> crashes.add(e));
            serverThread.start();
            int port = boundPort(server);
            assertThat(port).isPositive();

            CompletableFuture<DeltaMessage> echoed = new CompletableFuture<>();
            client.addListener(new Listener() {
                @Override
                public void received(Connection connection, Object object) {
                    if (object instanceof DeltaMessage message) {
                        echoed.complete(message);
                    }
                }
            });
            clientThread = new Thread(client, "test-kryonet-client");
            clientThread.setUncaughtExceptionHandler((thread, e) -> crashes.add(e));
            clientThread.start();
            client.connect((int) TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS), "127.0.0.1", port);
            client.sendTCP(sent);

            DeltaMessage received = echoed.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertThat(received.userId()).isEqualTo(sent.userId());
            assertThat(received.sentAt()).isEqualTo(sent.sentAt());
            assertThat(received.delta()).isEqualTo(sent.delta());
            replica.applyUpdates(received.delta());
            Fixtures.assertSame(source, replica);
        } finally {
            client.stop();
            server.stop();
            // Their update threads are not daemons: once stopped they must end, or the JVM would not exit. Only
            // then dispose (closing a selector an update thread still uses makes it throw).
            for (Thread thread : new Thread[] {serverThread, clientThread}) {
                if (thread != null) {
                    thread.join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
                    assertThat(thread.isAlive()).as(thread.getName()).isFalse();
                }
            }
            client.dispose();
            server.dispose();
        }
        assertThat(serverThread).isNotNull();
        assertThat(clientThread).isNotNull();
        assertThat(crashes).as("exceptions on the endpoints' update threads").isEmpty();
    }

    /** KryoNet 2.22 has no getter for the port it bound; read it from its channel. */
    private static int boundPort(Server server) throws ReflectiveOperationException {
        Field channel = Server.class.getDeclaredField("serverChannel");
        channel.setAccessible(true);
        return ((ServerSocketChannel) channel.get(server)).socket().getLocalPort();
    }

    @Test
    void onlyKryo5IsOnTheClasspath() throws Exception {
        List<URL> kryoClasses = Collections.list(
                getClass().getClassLoader().getResources("com/esotericsoftware/kryo/Kryo.class"));
        assertThat(kryoClasses).as("exactly one Kryo.class, from the kryo 5 jar").hasSize(1);
        assertThat(kryoClasses.get(0).toString()).contains("kryo-5.");
        assertThat(Kryo.class.getProtectionDomain().getCodeSource().getLocation().toString()).contains("kryo-5.");
        // Only Kryo 5 has Pool; only Kryo 2.24 shades Objenesis into com.esotericsoftware.shaded.
        assertThat(Class.forName("com.esotericsoftware.kryo.util.Pool")).isNotNull();
        assertThatThrownBy(() -> Class.forName("com.esotericsoftware.shaded.org.objenesis.Objenesis"))
                .isInstanceOf(ClassNotFoundException.class);
    }
}
