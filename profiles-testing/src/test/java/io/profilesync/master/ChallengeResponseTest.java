package io.profilesync.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.profilesync.testing.InMemoryProfilesDatabaseAccessor;
import io.profilesync.gameserver.ProfilesServer;
import io.profilesync.gameserver.ProfilesServerConfig;
import io.profilesync.populators.ProfileSchema;
import io.profilesync.protocol.RefusalCode;
import io.profilesync.protocol.internal.Frames;
import io.profilesync.protocol.internal.Messages.Challenge;
import io.profilesync.protocol.internal.Messages.Hello;
import io.profilesync.protocol.internal.Messages.Message;
import io.profilesync.protocol.internal.Messages.Proof;
import io.profilesync.protocol.internal.Messages.Refused;
import io.profilesync.protocol.internal.Messages.Role;
import io.profilesync.protocol.internal.Messages.Welcome;
import io.profilesync.protocol.internal.Protocol;
import io.profilesync.protocol.internal.SecretProofs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Game servers prove the shared secret with an HMAC over the master's per-connection nonce: the secret is never on
 * the wire, a captured Hello and Proof replayed on another connection are refused, and plaintext secrets can be
 * refused by a setting; on the TCP and WebSocket transports alike.
 */
@Timeout(60)
class ChallengeResponseTest {
    private static final String SECRET = "challenge-game-server-secret";
    private final InMemoryProfilesDatabaseAccessor accessor = new InMemoryProfilesDatabaseAccessor();
    private MasterServer master;

    private MasterServer start(boolean refusePlaintext) {
        master = MasterServer.start(MasterConfig.builder().host("127.0.0.1").port(0)
                .tokenSecret("challenge-token-secret-0123456789abcdef").gameServerSecret(SECRET)
                .refusePlaintextSecrets(refusePlaintext).webSocket(WebSocketConfig.plain("127.0.0.1", 0))
                .meterRegistry(new SimpleMeterRegistry()).build(), ProfileSchema.demo(), accessor);
        return master;
    }

    @AfterEach
    void stop() {
        if (master != null) {
            master.close();
        }
        accessor.close();
    }

    /** A raw WebSocket peer that records every frame both ways. */
    static final class RawPeer implements WebSocket.Listener {
        final List<Message> received = new CopyOnWriteArrayList<>();
        final List<byte[]> sent = new CopyOnWriteArrayList<>();
        WebSocket ws;

        static RawPeer open(MasterServer master) {
            RawPeer peer = new RawPeer();
            peer.ws = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:"
                    + master.webSocketPort().orElseThrow() + "/profilesync"), peer).join();
            return peer;
        }

        void send(byte[] frame) {
            sent.add(frame);
            ws.sendBinary(ByteBuffer.wrap(frame), true).join();
        }

        <T extends Message> T await(Class<T> type) {
            org.awaitility.Awaitility.await().until(() -> received.stream().anyMatch(m -> type.isInstance(m)
                    || m instanceof Refused));
            Message m = received.stream().filter(x -> type.isInstance(x) || x instanceof Refused).findFirst()
                    .orElseThrow();
            received.remove(m);
            return type.isInstance(m) ? type.cast(m) : fail(m);
        }

        private static <T> T fail(Message m) {
            throw new AssertionError("expected something else, got " + m);
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            received.add(Frames.decode(bytes, 0, bytes.length));
            ws.request(1);
            return null;
        }
    }

    @Test
    void aCapturedHelloAndProofReplayedOnAnotherConnectionAreRefused() {
        start(false);
        RawPeer first = RawPeer.open(master);
        first.send(Frames.encode(new Hello(Protocol.VERSION, Role.GAME_SERVER, 5, "", "")));
        Challenge challenge = first.await(Challenge.class);
        assertThat(challenge.nonce()).hasSize(SecretProofs.NONCE_LENGTH);
        first.send(Frames.encode(new Proof(SecretProofs.proof(SECRET, challenge.nonce(), 5, ""))));
        assertThat(first.await(Welcome.class).schemaJson()).contains("displayName");
        for (byte[] frame : first.sent) {
            assertThat(new String(frame, StandardCharsets.ISO_8859_1)).as("the secret never travels")
                    .doesNotContain(SECRET);
        }

        RawPeer replay = RawPeer.open(master);
        replay.send(first.sent.get(0));
        Challenge other = replay.await(Challenge.class);
        assertThat(other.nonce()).isNotEqualTo(challenge.nonce());
        replay.ws.sendBinary(ByteBuffer.wrap(first.sent.get(1)), true).join();
        await().until(() -> replay.received.stream().anyMatch(m -> m instanceof Refused));
        Refused refused = (Refused) replay.received.stream().filter(m -> m instanceof Refused).findFirst()
                .orElseThrow();
        assertThat(refused.code()).isEqualTo(RefusalCode.AUTHENTICATION);
        assertThat(refused.reason()).contains("proof matches none");
    }

    @Test
    void aProofNobodyAskedForIsAViolation() {
        start(false);
        RawPeer peer = RawPeer.open(master);
        peer.send(Frames.encode(new Proof(new byte[32])));
        await().until(() -> peer.ws.isInputClosed() || peer.received.stream().anyMatch(m -> m instanceof Refused));
    }

    @Test
    void plaintextSecretsAreAcceptedByDefaultAndRefusedByTheSetting() {
        start(false);
        RawPeer old = RawPeer.open(master);
        old.send(Frames.encode(new Hello(Protocol.VERSION, Role.GAME_SERVER, 6, SECRET, "")));
        old.await(Welcome.class);
        master.close();

        start(true);
        RawPeer plain = RawPeer.open(master);
        plain.send(Frames.encode(new Hello(Protocol.VERSION, Role.GAME_SERVER, 7, SECRET, "")));
        await().until(() -> plain.received.stream().anyMatch(m -> m instanceof Refused));
        assertThat(((Refused) plain.received.get(0)).reason()).contains("secrets.refusePlaintextSecrets");
    }

    @Test
    void profilesyncGameServersAnswerTheChallengeOverTcpAndWebSocket() throws Exception {
        start(true);
        for (ProfilesServerConfig.Builder builder : List.of(
                ProfilesServerConfig.builder().host("127.0.0.1").port(master.port()),
                ProfilesServerConfig.builder().url("ws://127.0.0.1:" + master.webSocketPort().orElseThrow()
                        + "/profilesync"))) {
            try (ProfilesServer server = ProfilesServer.connect(builder.secret(SECRET)
                    .updateInterval(Duration.ofMillis(20)).build())) {
                server.connected().get(20, TimeUnit.SECONDS);
                assertThat(server.fillProfileValues("zed").get(20, TimeUnit.SECONDS).get("level",
                        io.profilesync.core.ObservableInt.class).get()).isEqualTo(1);
            }
        }
    }
}
