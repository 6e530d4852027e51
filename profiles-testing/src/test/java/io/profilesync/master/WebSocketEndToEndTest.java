package io.profilesync.master;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.profilesync.client.ProfilesClient;
import io.profilesync.client.ProfilesClientConfig;
import io.profilesync.gameserver.ProfilesServer;
import io.profilesync.gameserver.ProfilesServerConfig;
import io.profilesync.master.transport.websocket.SelfSignedPem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

/**
 * Every scenario of {@link EndToEndTest} again, with the game servers and clients on the master's WebSocket endpoint
 * over TLS ({@code wss://}, a self-signed certificate made in the test): one suite, two transports, one master core.
 */
@Timeout(120)
class WebSocketEndToEndTest extends EndToEndTest {
    private static SelfSignedPem pem;
    private static SSLContext trusting;

    @BeforeAll
    static void certificate() throws Exception {
        Path dir = Files.createTempDirectory("profilesync-wss");
        pem = SelfSignedPem.create(dir);
        trusting = pem.trustingContext();
    }

    private String url() {
        return "wss://localhost:" + master.webSocketPort().orElseThrow() + "/profilesync";
    }

    @Override
    MasterServer startMaster(Duration unloadAfter) {
        master = MasterServer.start(MasterConfig.builder().host("127.0.0.1").port(0).tokenSecret(TOKEN_SECRET)
                .gameServerSecret(SECRET).saveProfileDebounce(Duration.ofMillis(100))
                .clientUpdateDebounce(Duration.ofMillis(30)).unloadProfileAfter(unloadAfter)
                .webSocket(WebSocketConfig.plain("127.0.0.1", 0).withTls(pem.certificate(), pem.privateKey()))
                .meterRegistry(new SimpleMeterRegistry()).build(), SCHEMA, accessor);
        return master;
    }

    @Override
    ProfilesServer gameServer() throws Exception {
        ProfilesServer server = ProfilesServer.connect(ProfilesServerConfig.builder().url(url()).sslContext(trusting)
                .secret(SECRET).updateInterval(Duration.ofMillis(20)).build());
        closeables.add(server);
        server.connected().get(10, TimeUnit.SECONDS);
        return server;
    }

    @Override
    ProfilesClient client(String userId) throws Exception {
        ProfilesClient client = ProfilesClient.connect(ProfilesClientConfig.builder().url(url()).sslContext(trusting)
                .token(HmacTokens.mint(TOKEN_SECRET, userId, Duration.ofMinutes(10)))
                .updateInterval(Duration.ofMillis(20)).build());
        closeables.add(client);
        return client;
    }
}
