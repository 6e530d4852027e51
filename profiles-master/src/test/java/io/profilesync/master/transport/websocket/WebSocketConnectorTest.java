package io.profilesync.master.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.profilesync.master.WebSocketConfig;
import io.profilesync.client.ProfilesClient;
import io.profilesync.client.ProfilesClientConfig;
import io.profilesync.core.ObservableProfile;
import io.profilesync.core.ObservableString;
import io.profilesync.populators.ProfileSchema;
import io.profilesync.protocol.internal.ExecutorEventLoop;
import io.profilesync.protocol.internal.Messages.ClientPush;
import io.profilesync.protocol.internal.Messages.ClientUpdate;
import io.profilesync.protocol.internal.Messages.Hello;
import io.profilesync.protocol.internal.Messages.Message;
import io.profilesync.protocol.internal.Messages.ProfileRequest;
import io.profilesync.protocol.internal.Messages.ProfileSnapshot;
import io.profilesync.protocol.internal.Messages.Welcome;
import io.profilesync.protocol.internal.PeerChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java client's WebSocketConnector (chosen by a ws:// or wss:// url) against the Netty endpoint, with a minimal
 * scripted master behind it: the handshake, the load and one acknowledged write cross the JDK's WebSocket and
 * Netty both ways, in plain and TLS.
 */
@Timeout(60)
class WebSocketConnectorTest {
    private static final ProfileSchema SCHEMA = ProfileSchema.demo();
    private final ScheduledExecutorService coreThread = Executors.newSingleThreadScheduledExecutor();
    private final MiniMaster master = new MiniMaster();
    private WebSocketTransport transport;
    private ProfilesClient client;

    /** Welcomes, serves one profile, acknowledges and applies every update (on the core thread). */
    static final class MiniMaster implements PeerEvents {
        final ObservableProfile profile = SCHEMA.clientSchema().newProfile();
        final List<Message> received = new CopyOnWriteArrayList<>();

        @Override
        public void onConnected(PeerChannel channel) {
        }

        @Override
        public void onReceived(PeerChannel channel, Message message) {
            received.add(message);
            if (message instanceof Hello) {
                channel.trySend(new Welcome("alice", SCHEMA.clientSchema().toJson(), 64 * 1024));
            } else if (message instanceof ProfileRequest) {
                channel.trySend(new ProfileSnapshot(0, profile.toBytes()));
            } else if (message instanceof ClientUpdate update) {
                profile.applyUpdates(update.delta());
                channel.trySend(new ClientPush(update.seq(), update.seq(), update.delta(), List.of()));
            }
        }

        @Override
        public void onDisconnected(PeerChannel channel) {
        }
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (transport != null) {
            transport.close();
        }
        coreThread.shutdownNow();
    }

    private void startMaster(WebSocketConfig settings) throws Exception {
        master.profile.get("displayName", ObservableString.class).set("Alice");
        master.profile.clearUpdates();
        transport = new WebSocketTransport(settings, new ExecutorEventLoop(coreThread), master, null,
                WebSocketTransportTest.defaultGate());
        transport.start();
    }

    private void loadWriteAndSeeTheAck(ProfilesClientConfig config) throws Exception {
        client = ProfilesClient.connect(config);
        ObservableProfile profile = client.fillInProfileValues().get(20, TimeUnit.SECONDS);
        assertThat(profile.get("displayName", ObservableString.class).get()).isEqualTo("Alice");
        assertThat(client.userId()).isEqualTo("alice");
        profile.get("displayName", ObservableString.class).set("Alicia");
        await().until(() -> master.received.stream().anyMatch(m -> m instanceof ClientUpdate));
        await().until(() -> "Alicia".equals(coreThread.submit(
                () -> master.profile.get("displayName", ObservableString.class).get()).get()));
        assertThat(master.received.get(0)).isInstanceOf(Hello.class);
    }

    @Test
    void aJavaClientOverWs() throws Exception {
        startMaster(WebSocketConfig.plain("127.0.0.1", 0));
        loadWriteAndSeeTheAck(ProfilesClientConfig.builder().token("t")
                .url("ws://127.0.0.1:" + transport.port() + "/profilesync").updateInterval(Duration.ofMillis(20))
                .build());
    }

    @Test
    void aJavaClientOverWssTrustingTheMastersSelfSignedCertificate(@TempDir Path dir) throws Exception {
        SelfSignedPem pem = SelfSignedPem.create(dir);
        startMaster(WebSocketConfig.plain("127.0.0.1", 0).withTls(pem.certificate(), pem.privateKey()));
        loadWriteAndSeeTheAck(ProfilesClientConfig.builder().token("t")
                .url("wss://localhost:" + transport.port() + "/profilesync").sslContext(pem.trustingContext())
                .updateInterval(Duration.ofMillis(20)).build());
    }

    @Test
    void theClientReconnectsOverWebSocketWhenTheEndpointComesBack() throws Exception {
        startMaster(WebSocketConfig.plain("127.0.0.1", 0));
        int port = transport.port();
        client = ProfilesClient.connect(ProfilesClientConfig.builder().token("t")
                .url("ws://127.0.0.1:" + port + "/profilesync").build());
        client.fillInProfileValues().get(20, TimeUnit.SECONDS);
        transport.close();
        long hellos = master.received.stream().filter(m -> m instanceof Hello).count();
        transport = new WebSocketTransport(WebSocketConfig.plain("127.0.0.1", port),
                new ExecutorEventLoop(coreThread), master, null,
                WebSocketTransportTest.defaultGate());
        transport.start();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> master.received.stream().filter(m -> m instanceof Hello).count() > hellos);
    }
}
