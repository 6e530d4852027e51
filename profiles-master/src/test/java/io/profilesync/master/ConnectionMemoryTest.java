package io.profilesync.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.esotericsoftware.kryonet.Client;
import com.esotericsoftware.kryonet.Connection;
import com.esotericsoftware.kryonet.Listener;
import com.esotericsoftware.kryonet.OnDemandConnection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.profilesync.core.ObservableProfile;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.ObservableString;
import io.profilesync.db.JdbiProfilesAccessor;
import io.profilesync.populators.ProfileSchema;
import io.profilesync.protocol.internal.Messages.AcquireProfile;
import io.profilesync.protocol.internal.Messages.ClientPush;
import io.profilesync.protocol.internal.Messages.ClientUpdate;
import io.profilesync.protocol.internal.Messages.HandleDelta;
import io.profilesync.protocol.internal.Messages.Hello;
import io.profilesync.protocol.internal.Messages.Message;
import io.profilesync.protocol.internal.Messages.ProfileAcquired;
import io.profilesync.protocol.internal.Messages.ProfileRequest;
import io.profilesync.protocol.internal.Messages.ProfileSnapshot;
import io.profilesync.protocol.internal.Messages.Role;
import io.profilesync.protocol.internal.Messages.ServerBatch;
import io.profilesync.protocol.internal.Messages.ServerPush;
import io.profilesync.protocol.internal.Messages.Welcome;
import io.profilesync.protocol.internal.Protocol;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a connection costs the master: an idle client holds no buffer, a game server keeps full-size ones, and both
 * still send and receive messages up to the limits of {@code objectBufferSize} (a client's whole profile near the
 * largest the master sends whole, a game server's too).
 */
@Timeout(60)
class ConnectionMemoryTest {
    private static final String TOKEN_SECRET = "test-token-secret-0123456789abcdef-0123";
    private static final String GAME_SERVER_SECRET = "test-game-server-secret";
    private static final int OBJECT_BUFFER = 32 * 1024;
    private static final int WRITE_BUFFER = 64 * 1024;
    private static final int MAX_UPDATE = 16 * 1024;
    /** Two strings of this length make a profile near the largest a snapshot may be (objectBufferSize - 1 KiB). */
    private static final int BIO_LENGTH = 15_000;
    private static final ProfileSchema SCHEMA = ProfileSchema.builder()
            .stringProperty("bio", "").clientWritable()
            .stringProperty("motto", "")
            .intProperty("level", 1)
            .build();

    private final JdbiProfilesAccessor accessor = JdbiProfilesAccessor.create("jdbc:h2:mem:" + UUID.randomUUID()
            + ";DB_CLOSE_DELAY=-1");
    private final List<Peer> peers = new ArrayList<>();
    private MasterServer master;

    /** A raw KryoNet peer recording every message it receives. */
    private static final class Peer implements AutoCloseable {
        final Client client = Protocol.newClient(256 * 1024, 256 * 1024);
        final BlockingQueue<Message> received = new LinkedBlockingQueue<>();

        Peer(int port) throws Exception {
            client.addListener(new Listener() {
                @Override
                public void received(Connection connection, Object object) {
                    if (object instanceof Message message) {
                        received.add(message);
                    }
                }
            });
            client.start();
            client.connect(5000, "127.0.0.1", port);
        }

        <T> T next(Class<T> type) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                Message message = received.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (type.isInstance(message)) {
                    return type.cast(message);
                }
            }
            throw new AssertionError("no " + type.getSimpleName() + " within 10 s");
        }

        @Override
        public void close() {
            client.stop();
            client.close();
        }
    }

    @AfterEach
    void stop() {
        peers.forEach(Peer::close);
        if (master != null) {
            master.close();
        }
        accessor.close();
    }

    private void start() {
        master = MasterServer.start(MasterConfig.builder().host("127.0.0.1").port(0).tokenSecret(TOKEN_SECRET)
                .gameServerSecret(GAME_SERVER_SECRET).objectBufferSize(OBJECT_BUFFER).writeBufferSize(WRITE_BUFFER)
                .maxUpdateSize(MAX_UPDATE).clientUpdateDebounce(Duration.ofMillis(20))
                .meterRegistry(new SimpleMeterRegistry()).build(), SCHEMA, accessor);
    }

    private Peer peer() throws Exception {
        Peer peer = new Peer(master.port());
        peers.add(peer);
        return peer;
    }

    private Peer client(String userId) throws Exception {
        Peer peer = peer();
        peer.client.sendTCP(new Hello(Protocol.VERSION, Role.CLIENT, ThreadLocalRandom.current().nextLong(),
                HmacTokens.mint(TOKEN_SECRET, userId, Duration.ofMinutes(5)), ""));
        assertThat(peer.next(Welcome.class).userId()).isEqualTo(userId);
        return peer;
    }

    private Peer gameServer() throws Exception {
        Peer peer = peer();
        peer.client.sendTCP(new Hello(Protocol.VERSION, Role.GAME_SERVER, 1, GAME_SERVER_SECRET, ""));
        peer.next(Welcome.class);
        return peer;
    }

    /** The master's side of {@code peer}'s connection. */
    private OnDemandConnection atMaster(Peer peer) {
        OnDemandConnection connection = master.connection(peer.client.getID());
        assertThat(connection).isNotNull();
        return connection;
    }

    private static String text(int length, char c) {
        return String.valueOf(c).repeat(length);
    }

    @Test
    void anIdleClientHoldsNoBufferAndAGameServerKeepsFullSizeOnes() throws Exception {
        start();
        Peer alice = client("alice");
        alice.client.sendTCP(new ProfileRequest());
        alice.next(ProfileSnapshot.class);
        Peer gameServer = gameServer();
        gameServer.client.sendTCP(new AcquireProfile(1, "bob"));
        gameServer.next(ProfileAcquired.class);

        OnDemandConnection client = atMaster(alice);
        await().atMost(Duration.ofSeconds(5)).until(() -> client.heldBufferBytes() == 0);
        assertThat(client.keepsBuffers()).isFalse();
        OnDemandConnection server = atMaster(gameServer);
        assertThat(server.keepsBuffers()).isTrue();
        assertThat(server.heldBufferBytes()).as("its read buffer, kept at full size").isGreaterThanOrEqualTo(
                OBJECT_BUFFER);
    }

    @Test
    void aClientAndAGameServerStillGetAProfileNearTheLargestTheMasterSendsWhole() throws Exception {
        start();
        // A client writes a delta near maxUpdateSize (read by the master into a buffer grown for it)...
        Peer alice = client("alice");
        alice.client.sendTCP(new ProfileRequest());
        ProfileSnapshot first = alice.next(ProfileSnapshot.class);
        ProfileSchema clientSchema = SCHEMA.clientSchema();
        ObservableProfile aliceCopy = clientSchema.newProfile();
        aliceCopy.fromBytes(first.profile());
        aliceCopy.clearUpdates();
        aliceCopy.get("bio", ObservableString.class).set(text(BIO_LENGTH, 'b'));
        byte[] bio = aliceCopy.getUpdates();
        assertThat(bio.length).isGreaterThan(BIO_LENGTH).isLessThan(MAX_UPDATE);
        alice.client.sendTCP(new ClientUpdate(1, bio));
        assertThat(alice.next(ClientPush.class).ackSeq()).isEqualTo(1);

        // ...a game server adds as much again (pushed to the client: a delta near maxUpdateSize the other way)...
        Peer gameServer = gameServer();
        gameServer.client.sendTCP(new AcquireProfile(1, "alice"));
        ProfileAcquired acquired = gameServer.next(ProfileAcquired.class);
        ObservableServerProfile serverCopy = SCHEMA.newServerProfile("alice");
        serverCopy.fromBytes(acquired.profile());
        assertThat(serverCopy.get("bio", ObservableString.class).get()).hasSize(BIO_LENGTH);
        serverCopy.clearUpdates();
        serverCopy.get("motto", ObservableString.class).set(text(BIO_LENGTH, 'm'));
        gameServer.client.sendTCP(new ServerBatch(1, List.of(new HandleDelta(acquired.handle(),
                serverCopy.getUpdates()))));
        assertThat(gameServer.next(ServerPush.class).ackSeq()).isEqualTo(1);
        ClientPush pushed = alice.next(ClientPush.class);
        assertThat(pushed.delta().length).isGreaterThan(BIO_LENGTH);

        // ...and a new connection of the client gets the whole profile, about 30 KB of the 31 KB allowed.
        Peer again = client("alice");
        again.client.sendTCP(new ProfileRequest());
        ProfileSnapshot whole = again.next(ProfileSnapshot.class);
        assertThat(whole.profile().length).isGreaterThan(2 * BIO_LENGTH).isLessThanOrEqualTo(OBJECT_BUFFER - 1024);
        ObservableProfile copy = clientSchema.newProfile();
        copy.fromBytes(whole.profile());
        assertThat(copy.get("bio", ObservableString.class).get()).isEqualTo(text(BIO_LENGTH, 'b'));
        assertThat(copy.get("motto", ObservableString.class).get()).isEqualTo(text(BIO_LENGTH, 'm'));

        // A second game server acquires it whole too.
        Peer otherServer = gameServer();
        otherServer.client.sendTCP(new AcquireProfile(2, "alice"));
        assertThat(otherServer.next(ProfileAcquired.class).profile().length).isGreaterThan(2 * BIO_LENGTH);

        // Once quiet, the clients' connections hold nothing again.
        OnDemandConnection first1 = atMaster(alice);
        OnDemandConnection second = atMaster(again);
        await().atMost(Duration.ofSeconds(5)).until(() -> first1.heldBufferBytes() == 0
                && second.heldBufferBytes() == 0);
    }
}
