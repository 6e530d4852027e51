package io.profilesync.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.profilesync.core.ElementType;
import io.profilesync.core.ObservableInt;
import io.profilesync.core.ObservableList;
import io.profilesync.core.ObservableProfile;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.ObservableString;
import io.profilesync.populators.ProfileSchema;
import io.profilesync.protocol.RefusalCode;
import io.profilesync.protocol.internal.Messages.AcquireFailed;
import io.profilesync.protocol.internal.Messages.AcquireProfile;
import io.profilesync.protocol.internal.Messages.ClientPush;
import io.profilesync.protocol.internal.Messages.ClientUpdate;
import io.profilesync.protocol.internal.Messages.HandleDelta;
import io.profilesync.protocol.internal.Messages.Hello;
import io.profilesync.protocol.internal.Messages.ProfileAcquired;
import io.profilesync.protocol.internal.Messages.ProfileRequest;
import io.profilesync.protocol.internal.Messages.ProfileSnapshot;
import io.profilesync.protocol.internal.Messages.Refused;
import io.profilesync.protocol.internal.Messages.ReleaseProfile;
import io.profilesync.protocol.internal.Messages.Role;
import io.profilesync.protocol.internal.Messages.ServerBatch;
import io.profilesync.protocol.internal.Messages.ServerPush;
import io.profilesync.protocol.internal.Messages.Welcome;
import io.profilesync.protocol.internal.Protocol;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The master against raw protocol peers on 127.0.0.1: handshake, permissions, acks, saves, loads, unloads. */
@Timeout(60)
class MasterServerTest extends MasterTestSupport {
    static final String TOKEN_SECRET = "test-token-secret-0123456789abcdef-0123";
    static final String GAME_SERVER_SECRET = "test-game-server-secret";

    static final ProfileSchema SCHEMA = TestProfiles.SCHEMA;


    MasterConfig.Builder config() {
        return MasterConfig.builder().host("127.0.0.1").port(0).tokenSecret(TOKEN_SECRET)
                .gameServerSecret(GAME_SERVER_SECRET).saveProfileDebounce(Duration.ofMillis(50))
                .clientUpdateDebounce(Duration.ofMillis(50)).unloadProfileAfter(Duration.ofSeconds(30))
                .meterRegistry(new SimpleMeterRegistry());
    }

    MasterServer start(MasterConfig config) {
        master = MasterServer.start(config, SCHEMA, accessor);
        return master;
    }

    TestPeer peer() throws Exception {
        TestPeer peer = TestPeer.connect(master.port());
        closeables.add(peer);
        return peer;
    }

    TestPeer gameServer(long instanceId) throws Exception {
        TestPeer peer = peer();
        peer.send(new Hello(Protocol.VERSION, Role.GAME_SERVER, instanceId, GAME_SERVER_SECRET, ""));
        peer.next(Welcome.class);
        return peer;
    }

    TestPeer client(String userId) throws Exception {
        TestPeer peer = peer();
        peer.send(new Hello(Protocol.VERSION, Role.CLIENT, ThreadLocalRandom.current().nextLong(),
                HmacTokens.mint(TOKEN_SECRET, userId, Duration.ofMinutes(5)), ""));
        Welcome welcome = peer.next(Welcome.class);
        assertThat(welcome.userId()).isEqualTo(userId);
        return peer;
    }

    static ObservableServerProfile replica(byte[] snapshot) {
        return TestProfiles.replica(snapshot);
    }

    static byte[] delta(ObservableProfile profile, Consumer<ObservableProfile> change) {
        return TestProfiles.delta(profile, change);
    }

    @Test
    void clientWithValidTokenGetsTheClientViewOfTheSchemaAndItsNewProfile() throws Exception {
        start(config().build());
        TestPeer client = peer();
        client.send(new Hello(Protocol.VERSION, Role.CLIENT, 1, HmacTokens.mint(TOKEN_SECRET, "alice",
                Duration.ofMinutes(5)), ""));
        Welcome welcome = client.next(Welcome.class);
        assertThat(welcome.userId()).isEqualTo("alice");
        ProfileSchema clientSchema = ProfileSchema.fromJson(welcome.schemaJson());
        assertThat(clientSchema.has("banReason")).as("hidden property never reaches the client").isFalse();
        client.send(new ProfileRequest());
        ProfileSnapshot snapshot = client.next(ProfileSnapshot.class);
        ObservableProfile profile = clientSchema.newProfile();
        profile.fromBytes(snapshot.profile());
        assertThat(profile.get("level", ObservableInt.class).get()).isEqualTo(1);
        // A new profile is created from the defaults and saved.
        await().atMost(Duration.ofSeconds(5)).until(() -> accessor.row("alice") != null);
    }

    @Test
    void forgedExpiredOrMissingTokensAreRefusedAndDisconnected() throws Exception {
        start(config().build());
        String forged = HmacTokens.mint("another-secret-of-at-least-32-characters!", "alice", Duration.ofMinutes(5));
        String expired = HmacTokens.mint(TOKEN_SECRET, "alice", Duration.ofMinutes(5),
                Clock.fixed(Instant.now().minus(Duration.ofHours(1)), ZoneOffset.UTC));
        for (String token : List.of(forged, expired, "", "not.a.token")) {
            TestPeer peer = peer();
            peer.send(new Hello(Protocol.VERSION, Role.CLIENT, 7, token, ""));
            Refused refused = peer.next(Refused.class);
            assertThat(refused.code()).isEqualTo(RefusalCode.AUTHENTICATION);
            peer.awaitDisconnected();
        }
        // Everyone else is unaffected.
        client("bob");
    }

    @Test
    void gameServerWithWrongSecretOrWithoutConfiguredSecretsIsRefused() throws Exception {
        start(config().build());
        TestPeer peer = peer();
        peer.send(new Hello(Protocol.VERSION, Role.GAME_SERVER, 1, "wrong-secret-wrong-secret", ""));
        assertThat(peer.next(Refused.class).reason()).contains("wrong game-server secret");
        peer.awaitDisconnected();
        master.close();

        master = MasterServer.start(MasterConfig.builder().host("127.0.0.1").port(0).build(), SCHEMA, accessor);
        TestPeer other = peer();
        other.send(new Hello(Protocol.VERSION, Role.GAME_SERVER, 1, GAME_SERVER_SECRET, ""));
        assertThat(other.next(Refused.class).reason()).contains("no gameServerSecrets");
    }

    @Test
    void otherProtocolVersionAndOtherSchemaAreRefusedWithAReason() throws Exception {
        start(config().build());
        TestPeer peer = peer();
        peer.send(new Hello(Protocol.VERSION + 1, Role.GAME_SERVER, 1, GAME_SERVER_SECRET, ""));
        Refused refused = peer.next(Refused.class);
        assertThat(refused.code()).isEqualTo(RefusalCode.PROTOCOL_VERSION);
        assertThat(refused.reason()).contains("protocol version " + Protocol.VERSION);

        TestPeer other = peer();
        other.send(new Hello(Protocol.VERSION, Role.GAME_SERVER, 1, GAME_SERVER_SECRET, "0123abcd"));
        assertThat(other.next(Refused.class).code()).isEqualTo(RefusalCode.SCHEMA_MISMATCH);
        TestPeer same = peer();
        same.send(new Hello(Protocol.VERSION, Role.GAME_SERVER, 1, GAME_SERVER_SECRET, SCHEMA.fingerprint()));
        same.next(Welcome.class);
    }

    @Test
    void peersThatDoNotAuthenticateInTimeOrSendWorkFirstAreDisconnected() throws Exception {
        start(config().authenticationTimeout(Duration.ofMillis(300)).build());
        TestPeer silent = peer();
        assertThat(silent.next(Refused.class).code()).isEqualTo(RefusalCode.TIMEOUT);
        silent.awaitDisconnected();

        TestPeer eager = peer();
        eager.send(new AcquireProfile(1, "alice"));
        assertThat(eager.next(Refused.class).code()).isEqualTo(RefusalCode.BAD_MESSAGE);
        eager.awaitDisconnected();
        assertThat(accessor.restoreCalls()).as("nothing was loaded for an unauthenticated peer").isZero();
    }

    @Test
    void gameServerChangeReachesTheClientIsAcknowledgedAndSaved() throws Exception {
        start(config().build());
        TestPeer client = client("alice");
        client.send(new ProfileRequest());
        client.next(ProfileSnapshot.class);
        TestPeer gameServer = gameServer(42);
        gameServer.send(new AcquireProfile(1, "alice"));
        ProfileAcquired acquired = gameServer.next(ProfileAcquired.class);
        assertThat(acquired.requestId()).isEqualTo(1);
        ObservableServerProfile held = replica(acquired.profile());

        byte[] delta = delta(held, p -> {
            p.get("level", ObservableInt.class).set(5);
            p.get("banReason", ObservableString.class).set("none");
        });
        gameServer.send(new ServerBatch(1, List.of(new HandleDelta(acquired.handle(), delta))));
        ServerPush push = gameServer.next(ServerPush.class);
        assertThat(push.ackSeq()).isEqualTo(1);
        assertThat(push.refusals()).isEmpty();

        ClientPush clientPush = client.next(ClientPush.class);
        ObservableProfile clientCopy = ProfileSchema.fromJson(SCHEMA.clientSchema().toJson()).newProfile();
        clientCopy.fromBytes(SCHEMA.clientSchema().newProfile().toBytes());
        clientCopy.applyUpdates(clientPush.delta());
        assertThat(clientCopy.get("level", ObservableInt.class).get()).isEqualTo(5);

        await().atMost(Duration.ofSeconds(5)).until(() -> accessor.row("alice") != null
                && accessor.row("alice").json().contains("\"level\":5"));
        assertThat(accessor.row("alice").json()).contains("\"banReason\":\"none\"");
    }

    @Test
    void clientWritesOnlyWritableVisiblePropertiesWithinConstraints() throws Exception {
        start(config().build());
        TestPeer client = client("alice");
        client.send(new ProfileRequest());
        ObservableProfile mine = SCHEMA.clientSchema().newProfile();
        mine.fromBytes(client.next(ProfileSnapshot.class).profile());

        client.send(new ClientUpdate(1, delta(mine, p -> p.get("displayName", ObservableString.class).set("Alice"))));
        ClientPush accepted = client.next(ClientPush.class);
        assertThat(accepted.ackSeq()).isEqualTo(1);
        assertThat(accepted.refusals()).isEmpty();

        client.send(new ClientUpdate(2, delta(mine, p -> p.get("gold", ObservableInt.class).set(1_000_000))));
        client.send(new ClientUpdate(3, delta(mine, p -> p.get("displayName", ObservableString.class)
                .set("a name far longer than sixteen characters"))));
        client.send(new ClientUpdate(4, delta(mine, p -> {
            ObservableList<String> items = p.getList("items", ElementType.STRING);
            for (int i = 0; i < 9; i++) {
                items.add("sword " + i);
            }
        })));
        List<String> reasons = new ArrayList<>();
        while (reasons.size() < 3) {
            ClientPush push = client.next(ClientPush.class);
            push.refusals().forEach(refusal -> reasons.add(refusal.property() + ": " + refusal.reason()));
        }
        assertThat(reasons).hasSize(3);
        assertThat(reasons.get(0)).startsWith("gold:").contains("servers only");
        assertThat(reasons.get(1)).startsWith("displayName:");
        assertThat(reasons.get(2)).startsWith("items:");

        ObservableServerProfile stored = master.readProfile("alice", ObservableServerProfile::copy).get();
        assertThat(stored.get("gold", ObservableInt.class).get()).isZero();
        assertThat(stored.get("displayName", ObservableString.class).get()).isEqualTo("Alice");
        assertThat(stored.get("items", ObservableList.class).size()).isZero();
    }

    @Test
    void gameServerWritesOnlyProfilesItHoldsAndOversizedOrMalformedUpdatesAreRefusedWithoutBreakingTheStream()
            throws Exception {
        start(config().maxUpdateSize(1024).build());
        TestPeer gameServer = gameServer(7);
        gameServer.send(new AcquireProfile(1, "alice"));
        ProfileAcquired acquired = gameServer.next(ProfileAcquired.class);
        ObservableServerProfile held = replica(acquired.profile());

        gameServer.send(new ServerBatch(1, List.of(new HandleDelta(acquired.handle() + 100,
                delta(held, p -> p.get("gold", ObservableInt.class).set(10))))));
        assertThat(gameServer.next(ServerPush.class).refusals()).singleElement()
                .satisfies(r -> assertThat(r.reason()).contains("does not hold"));

        gameServer.send(new ServerBatch(2, List.of(new HandleDelta(acquired.handle(), new byte[2048]))));
        assertThat(gameServer.next(ServerPush.class).refusals()).singleElement()
                .satisfies(r -> assertThat(r.reason()).contains("exceeds the master's maxUpdateSize of 1024"));

        gameServer.send(new ServerBatch(3, List.of(new HandleDelta(acquired.handle(), new byte[] {5, 1, 2}))));
        assertThat(gameServer.next(ServerPush.class).refusals()).singleElement()
                .satisfies(r -> assertThat(r.reason()).contains("malformed"));

        gameServer.send(new ServerBatch(4, List.of(new HandleDelta(acquired.handle(),
                delta(held, p -> p.get("gold", ObservableInt.class).set(11))))));
        ServerPush push = gameServer.next(ServerPush.class);
        assertThat(push.refusals()).isEmpty();
        assertThat(push.ackSeq()).isEqualTo(4);
        assertThat(master.readProfile("alice", p -> p.get("gold", ObservableInt.class).get()).get()).isEqualTo(11);
    }

    @Test
    void batchesSentAgainAfterAReconnectAreAppliedOnceAndNumbersMaySkipButNotGoBack() throws Exception {
        start(config().build());
        TestPeer first = gameServer(99);
        first.send(new AcquireProfile(1, "alice"));
        ProfileAcquired acquired = first.next(ProfileAcquired.class);
        ObservableServerProfile held = replica(acquired.profile());
        byte[] addItem = delta(held, p -> p.getList("items", ElementType.STRING).add("shield"));
        first.send(new ServerBatch(1, List.of(new HandleDelta(acquired.handle(), addItem))));
        first.next(ServerPush.class);
        first.close();

        // The same game server instance reconnects and sends batch 1 again, as if its ack had been lost.
        TestPeer again = gameServer(99);
        again.send(new AcquireProfile(1, "alice"));
        ProfileAcquired reacquired = again.next(ProfileAcquired.class);
        assertThat(reacquired.lastAppliedSeq()).isEqualTo(1);
        again.send(new ServerBatch(1, List.of(new HandleDelta(reacquired.handle(), addItem))));
        assertThat(again.next(ServerPush.class).ackSeq()).isEqualTo(1);
        assertThat(master.readProfile("alice", p -> p.get("items", ObservableList.class).size()).get()).isEqualTo(1);

        // Numbers may skip (since durable acknowledgements, a batch whose profiles were all released is not sent
        // again after a reconnect: protocol.md), never go back: batch 5 after 1 is applied, and batch 3 after it
        // counts as applied already (acknowledged, not applied). Batches are handled in the order sent, so once
        // batch 6's level is there, batch 3 has been dealt with.
        again.send(new ServerBatch(5, List.of(new HandleDelta(reacquired.handle(),
                delta(held, p -> p.get("gold", ObservableInt.class).set(5))))));
        again.send(new ServerBatch(3, List.of(new HandleDelta(reacquired.handle(),
                delta(held, p -> p.get("gold", ObservableInt.class).set(3))))));
        again.send(new ServerBatch(6, List.of(new HandleDelta(reacquired.handle(),
                delta(held, p -> p.get("level", ObservableInt.class).set(6))))));
        await().atMost(Duration.ofSeconds(10)).until(() -> master.readProfile("alice",
                p -> p.get("level", ObservableInt.class).get()).get() == 6);
        assertThat(master.readProfile("alice", p -> p.get("gold", ObservableInt.class).get()).get()).isEqualTo(5);
        assertThat(again.isConnected()).isTrue();
        assertThat(master.readProfile("alice", p -> p.get("items", ObservableList.class).size()).get()).isEqualTo(1);
    }

    @Test
    void aThousandChangesInOneWindowGiveOneSaveAndAtMostOnePushPerWindow() throws Exception {
        start(config().saveProfileDebounce(Duration.ofMillis(500)).clientUpdateDebounce(Duration.ofMillis(500))
                .build());
        TestPeer client = client("alice");
        client.send(new ProfileRequest());
        client.next(ProfileSnapshot.class);
        await().atMost(Duration.ofSeconds(5)).until(() -> accessor.row("alice") != null);
        int savesBefore = accessor.saveCalls();
        TestPeer gameServer = gameServer(5);
        gameServer.send(new AcquireProfile(1, "alice"));
        ProfileAcquired acquired = gameServer.next(ProfileAcquired.class);
        ObservableServerProfile held = replica(acquired.profile());
        long start = System.nanoTime();
        for (int i = 1; i <= 1000; i++) {
            int gold = i;
            gameServer.send(new ServerBatch(i, List.of(new HandleDelta(acquired.handle(),
                    delta(held, p -> p.get("gold", ObservableInt.class).set(gold))))));
        }
        long sentWithin = System.nanoTime() - start;
        ObservableProfile clientCopy = SCHEMA.clientSchema().newProfile();
        int pushes = 0;
        while (clientCopy.get("gold", ObservableInt.class).get() != 1000) {
            clientCopy.applyUpdates(client.next(ClientPush.class).delta());
            pushes++;
        }
        long window = Duration.ofMillis(500).toNanos();
        long windows = (System.nanoTime() - start) / window + 1;
        assertThat((long) pushes).as("pushes, over %d window(s)", windows).isLessThanOrEqualTo(windows);
        await().atMost(Duration.ofSeconds(5)).until(() -> accessor.row("alice").json().contains("\"gold\":1000"));
        if (sentWithin < Duration.ofMillis(400).toNanos()) {
            // All 1000 changes fell within one save window: one save stored the final value.
            assertThat(accessor.saveCalls() - savesBefore).isEqualTo(1);
        } else {
            assertThat((long) accessor.saveCalls() - savesBefore).isLessThanOrEqualTo(sentWithin / window + 2);
        }
    }

    @Test
    void failedLoadsAreRetriedThenReportedAndTimeoutsAnswered() throws Exception {
        start(config().profileLoadTimeout(Duration.ofSeconds(5)).build());
        TestPeer gameServer = gameServer(3);
        accessor.failNextRestores(2);
        gameServer.send(new AcquireProfile(1, "alice"));
        assertThat(gameServer.next(ProfileAcquired.class).requestId()).isEqualTo(1);
        assertThat(accessor.restoreCalls()).isEqualTo(3);

        accessor.failNextRestores(3);
        gameServer.send(new AcquireProfile(2, "bob"));
        AcquireFailed failed = gameServer.next(AcquireFailed.class);
        assertThat(failed.requestId()).isEqualTo(2);
        assertThat(failed.reason()).contains("bob").contains("3 attempt(s)");

        master.close();
        master = null;
        start(config().profileLoadTimeout(Duration.ofMillis(300)).build());
        accessor.delayRestores(Duration.ofSeconds(2));
        TestPeer other = gameServer(4);
        other.send(new AcquireProfile(7, "carol"));
        AcquireFailed timedOut = other.next(AcquireFailed.class);
        assertThat(timedOut.requestId()).isEqualTo(7);
        assertThat(timedOut.reason()).contains("timed out");
        accessor.delayRestores(Duration.ZERO);
    }

    @Test
    void concurrentNeedsShareOneLoadAndNobodyGetsAProfileStillLoading() throws Exception {
        accessor.putRow("alice", "{\"gold\":77}", 3);
        start(config().build());
        accessor.delayRestores(Duration.ofMillis(300));
        TestPeer one = gameServer(1);
        TestPeer two = gameServer(2);
        one.send(new AcquireProfile(1, "alice"));
        two.send(new AcquireProfile(1, "alice"));
        assertThat(replica(one.next(ProfileAcquired.class).profile()).get("gold", ObservableInt.class).get())
                .isEqualTo(77);
        assertThat(replica(two.next(ProfileAcquired.class).profile()).get("gold", ObservableInt.class).get())
                .isEqualTo(77);
        assertThat(accessor.restoreCalls()).isEqualTo(1);
    }

    @Test
    void failedSavesAreRetriedNeverDropped() throws Exception {
        start(config().saveRetryMaxDelay(Duration.ofMillis(200)).build());
        accessor.failNextSaves(3);
        master.editProfile("alice", p -> p.get("gold", ObservableInt.class).set(5)).get();
        await().atMost(Duration.ofSeconds(10)).until(() -> accessor.row("alice") != null
                && accessor.row("alice").json().contains("\"gold\":5"));
        assertThat(accessor.saveCalls()).isGreaterThanOrEqualTo(4);
        await().until(() -> master.stats().dirtyProfiles() == 0);
    }

    @Test
    void aStaleStoredVersionIsNeverOverwritten() throws Exception {
        start(config().build());
        master.editProfile("alice", p -> p.get("gold", ObservableInt.class).set(5)).get();
        await().atMost(Duration.ofSeconds(5)).until(() -> accessor.row("alice") != null);
        // An operator edits the row behind the master's back.
        accessor.putRow("alice", "{\"gold\":999}", accessor.row("alice").version() + 1);
        master.editProfile("alice", p -> p.get("gold", ObservableInt.class).set(6)).get();
        await().atMost(Duration.ofSeconds(5)).until(() -> master.stats().conflictedProfiles() == 1);
        assertThat(accessor.row("alice").json()).isEqualTo("{\"gold\":999}");
    }

    @Test
    void idleProfilesAreSavedThenUnloadedAndANewMasterServesTheSavedValues() throws Exception {
        start(config().unloadProfileAfter(Duration.ofMillis(300)).build());
        TestPeer gameServer = gameServer(11);
        gameServer.send(new AcquireProfile(1, "alice"));
        ProfileAcquired acquired = gameServer.next(ProfileAcquired.class);
        ObservableServerProfile held = replica(acquired.profile());
        gameServer.send(new ServerBatch(1, List.of(new HandleDelta(acquired.handle(),
                delta(held, p -> p.get("level", ObservableInt.class).set(9))))));
        gameServer.send(new ReleaseProfile(acquired.handle()));
        assertThat(gameServer.next(ServerPush.class).ackSeq()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> master.stats().loadedProfiles() == 0);
        assertThat(accessor.row("alice").json()).contains("\"level\":9");

        // A holder coming back in time finds it still loaded: no second restore.
        int restores = accessor.restoreCalls();
        master.close();
        master = null;
        start(config().unloadProfileAfter(Duration.ofSeconds(30)).build());
        TestPeer next = gameServer(12);
        next.send(new AcquireProfile(1, "alice"));
        assertThat(replica(next.next(ProfileAcquired.class).profile()).get("level", ObservableInt.class).get())
                .isEqualTo(9);
        next.send(new ReleaseProfile(1));
        next.send(new AcquireProfile(2, "alice"));
        next.next(ProfileAcquired.class);
        assertThat(accessor.restoreCalls()).isEqualTo(restores + 1);
    }

    @Test
    void closeSavesEveryDirtyProfile() throws Exception {
        start(config().saveProfileDebounce(Duration.ofMinutes(10)).build());
        for (int i = 0; i < 50; i++) {
            int gold = i;
            master.editProfile("user" + i, p -> p.get("gold", ObservableInt.class).set(gold + 1)).get();
        }
        assertThat(master.stats().dirtyProfiles()).isEqualTo(50);
        master.close();
        master = null;
        for (int i = 0; i < 50; i++) {
            assertThat(accessor.row("user" + i).json()).contains("\"gold\":" + (i + 1));
        }
    }

    @Test
    void configRefusesContradictions() {
        assertThatThrownBy(() -> MasterConfig.builder().maxUpdateSize(1 << 20).build())
                .hasMessageContaining("maxUpdateSize").hasMessageContaining("objectBufferSize");
        assertThatThrownBy(() -> MasterConfig.builder().port(70000)).hasMessageContaining("port");
        assertThatThrownBy(() -> MasterConfig.builder().tokenSecret("short")).hasMessageContaining("32");
    }
}
