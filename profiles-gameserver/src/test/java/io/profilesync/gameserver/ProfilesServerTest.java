package io.profilesync.gameserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.profilesync.core.ElementType;
import io.profilesync.core.ObservableInt;
import io.profilesync.core.ObservableList;
import io.profilesync.core.ObservableProfile;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.populators.ProfileSchema;
import io.profilesync.protocol.ConnectionState;
import io.profilesync.protocol.FakeMaster;
import io.profilesync.protocol.FakeMaster.BatchMode;
import io.profilesync.protocol.OnExecutor;
import io.profilesync.protocol.internal.Messages.AcquireProfile;
import io.profilesync.protocol.internal.Messages.HandleDelta;
import io.profilesync.protocol.RefusalCode;
import io.profilesync.protocol.internal.Messages.ReleaseProfile;
import io.profilesync.protocol.internal.Messages.ServerBatch;
import io.profilesync.protocol.ProfileUnavailableException;
import io.profilesync.protocol.ReconnectBackoff;
import io.profilesync.protocol.RefusedException;
import io.profilesync.populators.ProfileSchema.Writer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** ProfilesServer against the scripted {@link FakeMaster} over real KryoNet on 127.0.0.1. */
@Timeout(30)
class ProfilesServerTest {
    static final ProfileSchema SCHEMA = ProfileSchema.builder()
            .intProperty("gold", 0).min(0).max(1_000_000)
            .intProperty("level", 1).min(1).max(100).clientWritable()
            .stringProperty("displayName", "newbie").clientWritable()
            .listProperty("items", ElementType.STRING).maxSize(64)
            .dictProperty("counters", ElementType.STRING, ElementType.INT)
            .stringProperty("banReason", "").hiddenFromClients()
            .build();

    private FakeMaster master;
    private final List<ProfilesServer> servers = new ArrayList<>();
    private final List<ExecutorService> executors = new ArrayList<>();

    @BeforeEach
    void startMaster() throws Exception {
        master = masterBuilder().start();
    }

    private static FakeMaster.Builder masterBuilder() {
        return FakeMaster.builder(SCHEMA.toJson(), SCHEMA::newProfile)
                .clientSchema(SCHEMA.clientSchema().toJson(), SCHEMA.clientView())
                .serverValidator(SCHEMA.validatorFor(Writer.SERVER))
                .fingerprint(SCHEMA.fingerprint());
    }

    @AfterEach
    void stopAll() {
        servers.forEach(ProfilesServer::close);
        executors.forEach(ExecutorService::shutdownNow);
        master.close();
    }

    private ProfilesServer connect(UnaryOperator<ProfilesServerConfig.Builder> tweak) {
        ProfilesServerConfig.Builder builder = ProfilesServerConfig.builder().port(master.port()).secret("secret")
                .updateInterval(Duration.ofMillis(20)).closeTimeout(Duration.ofSeconds(2))
                .reconnectBackoff(new ReconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200), 0.2));
        ProfilesServer server = ProfilesServer.connect(tweak.apply(builder).build());
        servers.add(server);
        return server;
    }

    private ProfilesServer connect() throws Exception {
        ProfilesServer server = connect(b -> b);
        server.connected().get(10, TimeUnit.SECONDS);
        return server;
    }

    private static <T> T on(ProfilesServer peer, Callable<T> call) throws Exception {
        return OnExecutor.call(peer.executor(), call);
    }

    private static ObservableServerProfile fill(ProfilesServer server, String userId) throws Exception {
        return server.fillProfileValues(userId).get(10, TimeUnit.SECONDS);
    }

    private static ObservableInt gold(ObservableProfile profile) {
        return profile.get("gold", ObservableInt.class);
    }

    @SuppressWarnings("unchecked")
    private static ObservableList<String> items(ObservableProfile profile) {
        return profile.get("items", ObservableList.class);
    }

    private void awaitConverged(ProfilesServer server, ObservableServerProfile profile) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            byte[] local = on(server, () -> profile.toBytes());
            assertThat(local).isEqualTo(master.profileBytes(profile.userId()));
        });
    }

    // ---------------------------------------------------------------- handshake

    @Test
    void connectsAndFillsAProfileAtTheMastersValues() throws Exception {
        master.change("u1", p -> p.get("gold", ObservableInt.class).set(250));
        ProfilesServer server = connect();

        assertThat(server.state()).isEqualTo(ConnectionState.CONNECTED);
        ObservableServerProfile profile = fill(server, "u1");

        assertThat(profile.userId()).isEqualTo("u1");
        assertThat(on(server, () -> gold(profile).intValue())).isEqualTo(250);
        assertThat(server.tryGetById("u1")).containsSame(profile);
        assertThat(server.tryGetById("u2")).isEmpty();
        CompletableFuture<ObservableServerProfile> again = server.fillProfileValues("u1");
        assertThat(again).isCompletedWithValue(profile);
    }

    @Test
    void concurrentFetchesOfOneUserShareOneRequest() throws Exception {
        ProfilesServer server = connect();

        List<CompletableFuture<ObservableServerProfile>> fetches = on(server,
                () -> List.of(server.fillProfileValues("u7"), server.fillProfileValues("u7")));

        ObservableServerProfile first = fetches.get(0).get(10, TimeUnit.SECONDS);
        assertThat(fetches.get(1).get(10, TimeUnit.SECONDS)).isSameAs(first);
        assertThat(master.received(AcquireProfile.class)).extracting(AcquireProfile::userId).containsExactly("u7");
    }

    @Test
    void aWrongSecretFailsForGoodWithTheMastersReason() {
        ProfilesServer server = connect(b -> b.secret("wrong"));

        assertThatThrownBy(() -> server.connected().get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(RefusedException.class)
                .hasMessageContaining("wrong game-server secret")
                .satisfies(e -> assertThat(((RefusedException) e).code()).isEqualTo(RefusalCode.AUTHENTICATION));
        await().until(() -> server.state() == ConnectionState.FAILED);
        assertThatThrownBy(() -> server.fillProfileValues("u1").get(10, TimeUnit.SECONDS))
                .cause().isInstanceOf(ProfileUnavailableException.class);
        assertThat(master.welcomes()).isZero();
    }

    @Test
    void anotherSchemaIsRefusedForGood() {
        ProfilesServer server = connect(b -> b.schemaFingerprint("0123abcd"));

        assertThatThrownBy(() -> server.connected().get(10, TimeUnit.SECONDS))
                .cause().isInstanceOf(RefusedException.class)
                .satisfies(e -> assertThat(((RefusedException) e).code()).isEqualTo(RefusalCode.SCHEMA_MISMATCH));
        await().until(() -> server.state() == ConnectionState.FAILED);
    }

    @Test
    void aRetryableRefusalIsRetried() throws Exception {
        master.refuseNextHello(RefusalCode.OVERLOADED, "too many peers, try later");
        List<ConnectionState> states = new CopyOnWriteArrayList<>();
        ProfilesServer server = connect(b -> b);
        server.addConnectionListener((state, cause) -> states.add(state));

        server.connected().get(10, TimeUnit.SECONDS);

        assertThat(master.welcomes()).isEqualTo(1);
        assertThat(states).endsWith(ConnectionState.CONNECTED);
    }

    // ---------------------------------------------------------------- changes

    @Test
    void changesOfSeveralProfilesGoInOneBatchPerTick() throws Exception {
        ProfilesServer server = connect();
        ObservableServerProfile one = fill(server, "u1");
        ObservableServerProfile two = fill(server, "u2");

        server.run(() -> {
            gold(one).set(11);
            gold(two).set(22);
            items(two).add("sword");
        });

        awaitConverged(server, one);
        awaitConverged(server, two);
        List<ServerBatch> batches = master.received(ServerBatch.class);
        assertThat(batches).hasSize(1);
        assertThat(batches.get(0).seq()).isEqualTo(1);
        assertThat(batches.get(0).entries()).hasSize(2);
        assertThat(master.violations()).isEmpty();
    }

    @Test
    void sequenceNumbersStartAtOneAndGrowByOne() throws Exception {
        ProfilesServer server = connect();
        ObservableServerProfile profile = fill(server, "u1");

        for (int i = 1; i <= 5; i++) {
            int value = i;
            server.run(() -> gold(profile).set(value));
            await().until(() -> master.received(ServerBatch.class).size() == value);
        }

        assertThat(master.received(ServerBatch.class)).extracting(ServerBatch::seq).containsExactly(1L, 2L, 3L, 4L,
                5L);
        awaitConverged(server, profile);
    }

    @Test
    void pushesAreAppliedOnTheConfiguredExecutorAndFireListeners() throws Exception {
        ExecutorService gameLoop = Executors.newSingleThreadExecutor(r -> new Thread(r, "game-loop"));
        executors.add(gameLoop);
        ProfilesServer server = connect(b -> b.executor(gameLoop));
        server.connected().get(10, TimeUnit.SECONDS);
        ObservableServerProfile profile = fill(server, "u1");
        List<String> seen = new CopyOnWriteArrayList<>();
        server.run(() -> gold(profile).addListener((old, now) -> seen.add(now + " on "
                + Thread.currentThread().getName())));
        on(server, () -> null);

        master.change("u1", p -> p.get("gold", ObservableInt.class).set(500));

        await().until(() -> seen.contains("500 on game-loop"));
        awaitConverged(server, profile);
    }

    @Test
    void aRefusedChangeIsReportedAndSetBack() throws Exception {
        ProfilesServer server = connect();
        ObservableServerProfile profile = fill(server, "u1");
        List<String> refusals = new CopyOnWriteArrayList<>();
        server.addRefusalListener((userId, property, reason) -> refusals.add(userId + "/" + property + ": " + reason
                + " on " + Thread.currentThread().getName()));

        server.run(() -> profile.get("level", ObservableInt.class).set(150));

        await().until(() -> !refusals.isEmpty());
        assertThat(refusals.get(0)).startsWith("u1/level: ").endsWith(" on profilesync-gameserver");
        assertThat(on(server, () -> profile.get("level", ObservableInt.class).intValue())).isEqualTo(1);
        awaitConverged(server, profile);
    }

    @Test
    void aTickLargerThanOneMessageIsSplitIntoBatchesWithDistinctSeqs() throws Exception {
        ProfilesServer server = connect(b -> b.objectBufferSize(4096).writeBufferSize(64 << 10));
        server.connected().get(10, TimeUnit.SECONDS);
        List<ObservableServerProfile> profiles = new ArrayList<>();
        for (String user : List.of("u1", "u2", "u3")) {
            profiles.add(fill(server, user));
        }

        server.run(() -> profiles.forEach(p -> p.get("displayName", io.profilesync.core.ObservableString.class)
                .set("n".repeat(1500) + p.userId())));

        for (ObservableServerProfile profile : profiles) {
            awaitConverged(server, profile);
        }
        List<ServerBatch> batches = master.received(ServerBatch.class);
        assertThat(batches).hasSizeGreaterThan(1);
        assertThat(batches).extracting(ServerBatch::seq).containsExactly(
                java.util.stream.LongStream.rangeClosed(1, batches.size()).boxed().toArray(Long[]::new));
        assertThat(batches).allSatisfy(b -> assertThat(io.profilesync.protocol.internal.Protocol.estimateSize(b))
                .isLessThanOrEqualTo(4096 - 1024));
        assertThat(master.violations()).isEmpty();
    }

    @Test
    void changesTooLargeForAnyMessageAreDroppedAndReported() throws Exception {
        ProfilesServer server = connect(b -> b.objectBufferSize(4096).writeBufferSize(64 << 10));
        server.connected().get(10, TimeUnit.SECONDS);
        ObservableServerProfile profile = fill(server, "u1");
        List<String> refusals = new CopyOnWriteArrayList<>();
        server.addRefusalListener((userId, property, reason) -> refusals.add(userId + ": " + reason));

        server.run(() -> profile.get("displayName", io.profilesync.core.ObservableString.class).set("x".repeat(5000)));

        await().until(() -> !refusals.isEmpty());
        assertThat(refusals.get(0)).startsWith("u1: ").contains("objectBufferSize");
        assertThat(on(server, () -> profile.get("displayName").value())).isEqualTo("newbie");
        assertThat(master.received(ServerBatch.class)).isEmpty();
    }

    @Test
    void batchesStayWithinTheMastersMaxUpdateSize() throws Exception {
        master.close();
        master = masterBuilder().maxUpdateSize(2048).start();
        ProfilesServer server = connect();
        List<ObservableServerProfile> profiles = new ArrayList<>();
        for (String user : List.of("u1", "u2", "u3")) {
            profiles.add(fill(server, user));
        }
        List<String> refusals = new CopyOnWriteArrayList<>();
        server.addRefusalListener((userId, property, reason) -> refusals.add(userId + ": " + reason));

        server.run(() -> {
            profiles.forEach(p -> p.get("displayName", io.profilesync.core.ObservableString.class)
                    .set("m".repeat(1200) + p.userId()));
            profiles.get(0).getList("items", io.profilesync.core.ElementType.STRING).add("z".repeat(3000));
        });

        await().until(() -> !refusals.isEmpty());
        assertThat(refusals.get(0)).startsWith("u1: ").contains("maxUpdateSize 2048");
        for (ObservableServerProfile profile : profiles) {
            awaitConverged(server, profile);
        }
        assertThat(on(server, () -> items(profiles.get(0)).value())).isEmpty();
        List<ServerBatch> batches = master.received(ServerBatch.class);
        assertThat(batches).hasSizeGreaterThan(1);
        assertThat(batches).allSatisfy(b -> assertThat(io.profilesync.protocol.internal.Protocol.estimateSize(b))
                .isLessThanOrEqualTo(2048));
        assertThat(master.violations()).isEmpty();
    }

    // ---------------------------------------------------------------- release

    @Test
    void releaseSendsTheLastChangesBeforeReleaseProfile() throws Exception {
        ProfilesServer server = connect(b -> b.updateInterval(Duration.ofSeconds(30)));
        server.connected().get(10, TimeUnit.SECONDS);
        ObservableServerProfile profile = fill(server, "u1");

        CompletableFuture<Void> released = on(server, () -> {
            gold(profile).set(42);
            return server.release("u1");
        });

        released.get(10, TimeUnit.SECONDS);
        assertThat(gold(master.profile("u1")).intValue()).isEqualTo(42);
        // The future completes on the ack of the last batch; ReleaseProfile, sent right after it, may still travel.
        await().until(() -> !master.received(ReleaseProfile.class).isEmpty());
        List<Object> received = master.received();
        int batch = -1;
        int release = -1;
        for (int i = 0; i < received.size(); i++) {
            if (received.get(i) instanceof ServerBatch) {
                batch = i;
            } else if (received.get(i) instanceof ReleaseProfile) {
                release = i;
            }
        }
        assertThat(batch).isNotNegative().isLessThan(release);
        assertThat(server.tryGetById("u1")).isEmpty();
        assertThat(master.violations()).isEmpty();
    }

    // ---------------------------------------------------------------- failures

    @Test
    void anAcquireFailedFailsTheFetch() throws Exception {
        master.failAcquireOf("broken");
        ProfilesServer server = connect();

        assertThatThrownBy(() -> fill(server, "broken")).cause().isInstanceOf(ProfileUnavailableException.class)
                .hasMessageContaining("broken").hasMessageContaining("database down");
        assertThat(server.tryGetById("broken")).isEmpty();
    }

    @Test
    void aFetchWithoutAnswerTimesOut() throws Exception {
        master.ignoreAcquireOf("slow");
        ProfilesServer server = connect(b -> b.acquireTimeout(Duration.ofMillis(300)));
        server.connected().get(10, TimeUnit.SECONDS);

        assertThatThrownBy(() -> fill(server, "slow")).cause().isInstanceOf(ProfileUnavailableException.class)
                .hasMessageContaining("'slow'").hasMessageContaining("acquireTimeout");
    }

    @Test
    void closingFailsPendingFetches() throws Exception {
        master.ignoreAcquireOf("slow");
        ProfilesServer server = connect();
        CompletableFuture<ObservableServerProfile> fetch = server.fillProfileValues("slow");
        await().until(() -> !master.received(AcquireProfile.class).isEmpty());

        server.close();

        assertThatThrownBy(() -> fetch.get(10, TimeUnit.SECONDS)).cause()
                .isInstanceOf(ProfileUnavailableException.class);
        assertThat(server.state()).isEqualTo(ConnectionState.CLOSED);
    }

    // ---------------------------------------------------------------- reconnection

    @Test
    void afterADropItReacquiresAndResendsUnacknowledgedBatchesWithTheirSeqs() throws Exception {
        ProfilesServer server = connect();
        ObservableServerProfile one = fill(server, "u1");
        ObservableServerProfile two = fill(server, "u2");
        master.batchMode(BatchMode.IGNORE);

        for (int i = 1; i <= 3; i++) {
            int n = i;
            server.run(() -> {
                items(one).add("item" + n);
                gold(two).set(n * 100);
            });
            await().until(() -> master.received(ServerBatch.class).size() == n);
        }
        List<ServerBatch> lost = master.received(ServerBatch.class);
        master.batchMode(BatchMode.NORMAL);
        master.dropConnections();

        await().atMost(Duration.ofSeconds(10)).until(() -> master.welcomes() == 2);
        awaitConverged(server, one);
        awaitConverged(server, two);
        assertThat(items(master.profile("u1")).value()).containsExactly("item1", "item2", "item3");
        List<ServerBatch> all = master.received(ServerBatch.class);
        List<ServerBatch> resent = all.subList(lost.size(), lost.size() + lost.size());
        assertThat(resent).extracting(ServerBatch::seq).containsExactly(1L, 2L, 3L);
        assertThat(resent).allSatisfy(b -> assertThat(b.entries()).extracting(HandleDelta::handle)
                .doesNotContainAnyElementsOf(handles(lost)));
        assertThat(master.violations()).isEmpty();
    }

    private static List<Integer> handles(List<ServerBatch> batches) {
        List<Integer> handles = new ArrayList<>();
        for (ServerBatch batch : batches) {
            batch.entries().forEach(e -> handles.add(e.handle()));
        }
        return handles;
    }

    @Test
    void batchesAppliedButNotAcknowledgedBeforeADropAreNotAppliedTwice() throws Exception {
        ProfilesServer server = connect();
        ObservableServerProfile profile = fill(server, "u1");
        master.batchMode(BatchMode.APPLY_SILENTLY);

        server.run(() -> items(profile).add("once"));
        await().until(() -> master.received(ServerBatch.class).size() == 1);
        master.batchMode(BatchMode.NORMAL);
        master.dropConnections();

        await().atMost(Duration.ofSeconds(10)).until(() -> master.welcomes() == 2);
        awaitConverged(server, profile);
        assertThat(on(server, () -> items(profile).value())).containsExactly("once");
        int copies = Collections.frequency(items(master.profile("u1")).value(), "once");
        assertThat(copies).isEqualTo(1);
        assertThat(master.violations()).isEmpty();
    }

    @Test
    void aMasterThatFallsBehindHoldsTheGameServerBackWhileItsChangesCoalesce() throws Exception {
        ProfilesServer server = connect();
        ObservableServerProfile profile = fill(server, "u1");
        master.batchMode(BatchMode.APPLY_SILENTLY); // applies, never acknowledges: a master falling behind
        int window = io.profilesync.protocol.internal.ReplicaSet.MAX_BATCHES_IN_FLIGHT;
        for (int i = 1; i <= window; i++) {
            int value = i;
            server.run(() -> gold(profile).set(value));
            await().atMost(Duration.ofSeconds(5)).until(() -> master.received(ServerBatch.class).size() == value);
        }
        for (int i = window + 1; i <= 40; i++) {
            int value = i;
            server.run(() -> gold(profile).set(value));
        }
        // No ninth batch while eight are unacknowledged, however many ticks pass.
        await().during(Duration.ofMillis(400)).atMost(Duration.ofSeconds(2))
                .until(() -> master.received(ServerBatch.class).size() == window);

        // Once the master answers again (here after a reconnection), the coalesced last value arrives.
        master.batchMode(BatchMode.NORMAL);
        master.dropConnections();
        awaitConverged(server, profile);
        assertThat(gold(master.profile("u1")).intValue()).isEqualTo(40);
        assertThat(master.violations()).isEmpty();
    }

    @Test
    void changesMadeWhileDisconnectedArriveAfterTheReconnection() throws Exception {
        ProfilesServer server = connect();
        ObservableServerProfile profile = fill(server, "u1");
        List<ConnectionState> states = new CopyOnWriteArrayList<>();
        server.addConnectionListener((state, cause) -> states.add(state));

        master.dropConnections();
        await().until(() -> states.contains(ConnectionState.RECONNECTING));
        server.run(() -> gold(profile).set(999));
        master.change("u1", p -> p.get("displayName", io.profilesync.core.ObservableString.class).set("renamed"));

        await().atMost(Duration.ofSeconds(10)).until(() -> states.contains(ConnectionState.CONNECTED));
        awaitConverged(server, profile);
        assertThat(on(server, () -> profile.get("displayName").value())).isEqualTo("renamed");
        assertThat(gold(master.profile("u1")).intValue()).isEqualTo(999);
    }

    @Test
    void aProfileTheMasterCannotHandBackAfterADropIsReportedLostAndTheOthersGoOn() throws Exception {
        ProfilesServer server = connect();
        ObservableServerProfile kept = fill(server, "u1");
        fill(server, "u2");
        List<String> refusals = new CopyOnWriteArrayList<>();
        server.addRefusalListener((userId, property, reason) -> refusals.add(userId + "/" + property + ": " + reason));
        master.failAcquireOf("u2");

        master.dropConnections();
        await().atMost(Duration.ofSeconds(10)).until(() -> !refusals.isEmpty());
        server.run(() -> gold(kept).set(31));

        assertThat(refusals.get(0)).startsWith("u2/: profile lost").contains("database down");
        assertThat(server.tryGetById("u2")).isEmpty();
        awaitConverged(server, kept);
        assertThat(gold(master.profile("u1")).intValue()).isEqualTo(31);
    }

    @Test
    @SuppressWarnings("unchecked")
    void twoGameServersWritingConcurrentlyThroughDropsConvergeWithTheMaster() throws Exception {
        ProfilesServer first = connect();
        ProfilesServer second = connect();
        List<ProfilesServer> both = List.of(first, second);
        List<ObservableServerProfile> copies = List.of(fill(first, "u1"), fill(second, "u1"));
        java.util.Random random = new java.util.Random(42);

        for (int round = 1; round <= 12; round++) {
            int sent = master.received(ServerBatch.class).size();
            for (int i = 0; i < 10; i++) {
                int which = random.nextInt(2);
                int pick = random.nextInt(6);
                int value = random.nextInt(1000);
                ObservableServerProfile copy = copies.get(which);
                on(both.get(which), () -> {
                    ObservableList<String> items = items(copy);
                    io.profilesync.core.ObservableDictionary<String, Integer> counters =
                            copy.get("counters", io.profilesync.core.ObservableDictionary.class);
                    switch (pick) {
                        case 0 -> gold(copy).set(value);
                        case 1 -> items.add("i" + value);
                        case 2 -> items.insert(value % (items.size() + 1), "x" + value);
                        case 3 -> {
                            if (items.size() > 0) {
                                items.remove(value % items.size());
                            }
                        }
                        case 4 -> counters.put("k" + value % 4, value);
                        default -> counters.remove("k" + value % 4);
                    }
                    return null;
                });
            }
            if (round % 4 == 0) {
                master.dropConnections();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> master.received(ServerBatch.class).size() > sent);
        }

        awaitConverged(first, copies.get(0));
        awaitConverged(second, copies.get(1));
        assertThat(master.welcomes()).isGreaterThanOrEqualTo(2 + 2 * 3);
        assertThat(master.violations()).isEmpty();
    }

    // ---------------------------------------------------------------- closing

    @Test
    void closeSendsTheLastChangesAndStopsItsThreads() throws Exception {
        ProfilesServer server = connect(b -> b.updateInterval(Duration.ofSeconds(30)));
        server.connected().get(10, TimeUnit.SECONDS);
        ObservableServerProfile profile = fill(server, "u1");
        on(server, () -> {
            gold(profile).set(7);
            return null;
        });

        server.close();

        assertThat(gold(master.profile("u1")).intValue()).isEqualTo(7);
        assertThat(master.received(ReleaseProfile.class)).hasSize(1);
        assertThat(server.state()).isEqualTo(ConnectionState.CLOSED);
        await().until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.isAlive() && t.getName().startsWith("profilesync-gameserver")));
    }

    // ---------------------------------------------------------------- config

    @Test
    void theConfigNamesWhatIsMissingAndHowToFixIt() {
        assertThatThrownBy(() -> ProfilesServerConfig.builder().port(5000).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("secret").hasMessageContaining(
                        ".secret(");
        assertThatThrownBy(() -> ProfilesServerConfig.builder().secret("s").build())
                .hasMessageContaining("port");
        assertThatThrownBy(() -> ProfilesServerConfig.builder().port(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("port").hasMessageContaining("0");
        assertThatThrownBy(() -> ProfilesServerConfig.builder().updateInterval(Duration.ZERO))
                .hasMessageContaining("updateInterval");
        assertThatThrownBy(() -> ProfilesServerConfig.builder().objectBufferSize(100))
                .hasMessageContaining("objectBufferSize").hasMessageContaining("100");
        ProfilesServerConfig config = ProfilesServerConfig.builder().port(5000).secret("s").build();
        assertThat(config.acquireTimeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(config.writeBufferSize()).isEqualTo(1 << 20);
        assertThat(config.objectBufferSize()).isEqualTo(256 << 10);
        assertThat(config.toString()).doesNotContain("s]");
    }
}
