package io.profilesync.gameserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.profilesync.core.ElementType;
import io.profilesync.core.ObservableDictionary;
import io.profilesync.core.ObservableInt;
import io.profilesync.core.ObservableList;
import io.profilesync.core.ObservableProfile;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.ObservableString;
import io.profilesync.gameserver.internal.GameServerCore;
import io.profilesync.master.MasterConfig;
import io.profilesync.populators.ProfileSchema;
import io.profilesync.protocol.ConnectionState;
import io.profilesync.protocol.ProfileUnavailableException;
import io.profilesync.protocol.ReconnectBackoff;
import io.profilesync.protocol.RefusalCode;
import io.profilesync.protocol.RefusedException;
import io.profilesync.protocol.internal.Messages.AcquireProfile;
import io.profilesync.protocol.internal.Messages.HandleDelta;
import io.profilesync.protocol.internal.Messages.Message;
import io.profilesync.protocol.internal.Messages.ProfileAcquired;
import io.profilesync.protocol.internal.Messages.ReleaseProfile;
import io.profilesync.protocol.internal.Messages.ServerBatch;
import io.profilesync.protocol.internal.Protocol;
import io.profilesync.protocol.internal.ReplicaSet;
import io.profilesync.testing.sim.NodeLoop;
import io.profilesync.testing.sim.SimMaster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.UnaryOperator;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The game server's core (what {@link ProfilesServer} runs on its executor) against the real master core over the
 * simulated network, in virtual time: {@link SimMaster}. The cases about the public class's threads, executor and
 * the transport's own refusals are in {@link ProfilesServerTierKryoNetTest}.
 */
@Timeout(30)
class ProfilesServerTierTest {
    static final ProfileSchema SCHEMA = ProfileSchema.builder()
            .intProperty("gold", 0).min(0).max(1_000_000)
            .intProperty("level", 1).min(1).max(100).clientWritable()
            .stringProperty("displayName", "newbie").clientWritable()
            .listProperty("items", ElementType.STRING).maxSize(64)
            .dictProperty("counters", ElementType.STRING, ElementType.INT)
            .stringProperty("banReason", "").hiddenFromClients()
            .build();

    private SimMaster master = startMaster(b -> b);
    private int servers;

    private static SimMaster startMaster(UnaryOperator<MasterConfig.Builder> tweak) {
        return SimMaster.start(SCHEMA, Map.of(), tweak);
    }

    private GameServerCore start(UnaryOperator<ProfilesServerConfig.Builder> tweak) {
        ProfilesServerConfig.Builder builder = ProfilesServerConfig.builder().host("sim-master").port(7777)
                .secret(SimMaster.SECRET).schemaFingerprint(SCHEMA.fingerprint())
                .updateInterval(Duration.ofMillis(20)).closeTimeout(Duration.ofSeconds(2))
                .reconnectBackoff(new ReconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200), 0.2));
        NodeLoop loop = master.peerLoop("gs" + ++servers);
        GameServerCore server = new GameServerCore(tweak.apply(builder).build(), loop, master.connector(loop),
                master.seed(), new SplittableRandom(master.seed()));
        server.start();
        return server;
    }

    private GameServerCore connect(UnaryOperator<ProfilesServerConfig.Builder> tweak) throws ExecutionException {
        GameServerCore server = start(tweak);
        master.result(server.peer().connected());
        return server;
    }

    private GameServerCore connect() throws ExecutionException {
        return connect(b -> b);
    }

    private ObservableServerProfile fill(GameServerCore server, String userId) throws ExecutionException {
        return master.result(server.fillProfileValues(userId));
    }

    private static ObservableInt gold(ObservableProfile profile) {
        return profile.get("gold", ObservableInt.class);
    }

    @SuppressWarnings("unchecked")
    private static ObservableList<String> items(ObservableProfile profile) {
        return profile.get("items", ObservableList.class);
    }

    private static ObservableString displayName(ObservableProfile profile) {
        return profile.get("displayName", ObservableString.class);
    }

    private void awaitConverged(ObservableServerProfile profile) {
        master.runUntil("the copy of " + profile.userId() + " equals the master's",
                () -> master.core().loadedProfile(profile.userId()).isPresent()
                        && Arrays.equals(profile.toBytes(), master.profileBytes(profile.userId())));
    }

    // ---------------------------------------------------------------- handshake

    @Test
    void connectsAndFillsAProfileAtTheMastersValues() throws Exception {
        master.change("u1", p -> gold(p).set(250));
        GameServerCore server = connect();

        assertThat(server.state()).isEqualTo(ConnectionState.CONNECTED);
        ObservableServerProfile profile = fill(server, "u1");

        assertThat(profile.userId()).isEqualTo("u1");
        assertThat(gold(profile).intValue()).isEqualTo(250);
        assertThat(server.held("u1")).containsSame(profile);
        assertThat(server.held("u2")).isEmpty();
        CompletableFuture<ObservableServerProfile> again = server.fillProfileValues("u1");
        assertThat(again).isCompletedWithValue(profile);
    }

    @Test
    void concurrentFetchesOfOneUserShareOneRequest() throws Exception {
        GameServerCore server = connect();

        List<CompletableFuture<ObservableServerProfile>> fetches = List.of(server.fillProfileValues("u7"),
                server.fillProfileValues("u7"));

        ObservableServerProfile first = master.result(fetches.get(0));
        assertThat(master.result(fetches.get(1))).isSameAs(first);
        assertThat(master.received(AcquireProfile.class)).extracting(AcquireProfile::userId).containsExactly("u7");
    }

    @Test
    void aWrongSecretFailsForGoodWithTheMastersReason() {
        GameServerCore server = start(b -> b.secret("wrong-but-long-enough-secret"));

        assertThatThrownBy(() -> master.result(server.peer().connected()))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(RefusedException.class)
                .hasMessageContaining("matches none of the master's gameServerSecrets")
                .satisfies(e -> assertThat(((RefusedException) e).code()).isEqualTo(RefusalCode.AUTHENTICATION));
        master.runUntil("failed", () -> server.state() == ConnectionState.FAILED);
        assertThatThrownBy(() -> fill(server, "u1")).cause().isInstanceOf(ProfileUnavailableException.class);
        assertThat(master.welcomes()).isZero();
    }

    @Test
    void anotherSchemaIsRefusedForGood() {
        GameServerCore server = start(b -> b.schemaFingerprint("0123abcd"));

        assertThatThrownBy(() -> master.result(server.peer().connected()))
                .cause().isInstanceOf(RefusedException.class)
                .satisfies(e -> assertThat(((RefusedException) e).code()).isEqualTo(RefusalCode.SCHEMA_MISMATCH));
        master.runUntil("failed", () -> server.state() == ConnectionState.FAILED);
    }

    // ---------------------------------------------------------------- changes

    @Test
    void changesOfSeveralProfilesGoInOneBatchPerTick() throws Exception {
        GameServerCore server = connect();
        ObservableServerProfile one = fill(server, "u1");
        ObservableServerProfile two = fill(server, "u2");

        gold(one).set(11);
        gold(two).set(22);
        items(two).add("sword");

        awaitConverged(one);
        awaitConverged(two);
        List<ServerBatch> batches = master.received(ServerBatch.class);
        assertThat(batches).hasSize(1);
        assertThat(batches.get(0).seq()).isEqualTo(1);
        assertThat(batches.get(0).entries()).hasSize(2);
        assertThat(master.violations()).isEmpty();
    }

    @Test
    void sequenceNumbersStartAtOneAndGrowByOne() throws Exception {
        GameServerCore server = connect();
        ObservableServerProfile profile = fill(server, "u1");

        for (int i = 1; i <= 5; i++) {
            int value = i;
            gold(profile).set(value);
            master.runUntil("batch " + value, () -> master.received(ServerBatch.class).size() == value);
        }

        assertThat(master.received(ServerBatch.class)).extracting(ServerBatch::seq).containsExactly(1L, 2L, 3L, 4L,
                5L);
        awaitConverged(profile);
    }

    @Test
    void aTickLargerThanOneMessageIsSplitIntoBatchesWithDistinctSeqs() throws Exception {
        GameServerCore server = connect(b -> b.objectBufferSize(4096).writeBufferSize(64 << 10));
        List<ObservableServerProfile> profiles = new ArrayList<>();
        for (String user : List.of("u1", "u2", "u3")) {
            profiles.add(fill(server, user));
        }

        profiles.forEach(p -> displayName(p).set("n".repeat(1500) + p.userId()));

        for (ObservableServerProfile profile : profiles) {
            awaitConverged(profile);
        }
        List<ServerBatch> batches = master.received(ServerBatch.class);
        assertThat(batches).hasSizeGreaterThan(1);
        assertThat(batches).extracting(ServerBatch::seq).containsExactly(
                LongStream.rangeClosed(1, batches.size()).boxed().toArray(Long[]::new));
        assertThat(batches).allSatisfy(b -> assertThat(Protocol.estimateSize(b)).isLessThanOrEqualTo(4096 - 1024));
        assertThat(master.violations()).isEmpty();
    }

    @Test
    void changesTooLargeForAnyMessageAreDroppedAndReported() throws Exception {
        GameServerCore server = connect(b -> b.objectBufferSize(4096).writeBufferSize(64 << 10));
        ObservableServerProfile profile = fill(server, "u1");
        List<String> refusals = new ArrayList<>();
        server.addRefusalListener((userId, property, reason) -> refusals.add(userId + ": " + reason));

        displayName(profile).set("x".repeat(5000));

        master.runUntil("a refusal", () -> !refusals.isEmpty());
        assertThat(refusals.get(0)).startsWith("u1: ").contains("objectBufferSize");
        assertThat(profile.get("displayName").value()).isEqualTo("newbie");
        assertThat(master.received(ServerBatch.class)).isEmpty();
    }

    @Test
    void batchesStayWithinTheMastersMaxUpdateSize() throws Exception {
        master = startMaster(b -> b.maxUpdateSize(2048));
        GameServerCore server = connect();
        List<ObservableServerProfile> profiles = new ArrayList<>();
        for (String user : List.of("u1", "u2", "u3")) {
            profiles.add(fill(server, user));
        }
        List<String> refusals = new ArrayList<>();
        server.addRefusalListener((userId, property, reason) -> refusals.add(userId + ": " + reason));

        profiles.forEach(p -> displayName(p).set("m".repeat(1200) + p.userId()));
        items(profiles.get(0)).add("z".repeat(3000));

        master.runUntil("a refusal", () -> !refusals.isEmpty());
        assertThat(refusals.get(0)).startsWith("u1: ").contains("maxUpdateSize 2048");
        for (ObservableServerProfile profile : profiles) {
            awaitConverged(profile);
        }
        assertThat(items(profiles.get(0)).value()).isEmpty();
        List<ServerBatch> batches = master.received(ServerBatch.class);
        assertThat(batches).hasSizeGreaterThan(1);
        assertThat(batches).allSatisfy(b -> assertThat(Protocol.estimateSize(b)).isLessThanOrEqualTo(2048));
        assertThat(master.violations()).isEmpty();
    }

    // ---------------------------------------------------------------- release

    @Test
    void releaseSendsTheLastChangesBeforeReleaseProfile() throws Exception {
        GameServerCore server = connect(b -> b.updateInterval(Duration.ofSeconds(30)));
        ObservableServerProfile profile = fill(server, "u1");

        gold(profile).set(42);
        master.result(server.release("u1"));

        assertThat(gold(master.profile("u1")).intValue()).isEqualTo(42);
        // The future completes on the ack of the last batch; ReleaseProfile, sent right after it, may still travel.
        master.runUntil("the release", () -> !master.received(ReleaseProfile.class).isEmpty());
        List<Message> received = master.received();
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
        assertThat(server.held("u1")).isEmpty();
        assertThat(master.violations()).isEmpty();
    }

    // ---------------------------------------------------------------- failures

    @Test
    void anAcquireFailedFailsTheFetch() throws Exception {
        master.failLoadsOf("broken");
        GameServerCore server = connect();

        assertThatThrownBy(() -> fill(server, "broken")).cause().isInstanceOf(ProfileUnavailableException.class)
                .hasMessageContaining("broken").hasMessageContaining("database down");
        assertThat(server.held("broken")).isEmpty();
    }

    @Test
    void aFetchWithoutAnswerTimesOut() throws Exception {
        master.holdLoadsOf("slow");
        GameServerCore server = connect(b -> b.acquireTimeout(Duration.ofMillis(300)));

        assertThatThrownBy(() -> fill(server, "slow")).cause().isInstanceOf(ProfileUnavailableException.class)
                .hasMessageContaining("'slow'").hasMessageContaining("acquireTimeout");
    }

    @Test
    void closingFailsPendingFetches() throws Exception {
        master.holdLoadsOf("slow");
        GameServerCore server = connect();
        CompletableFuture<ObservableServerProfile> fetch = server.fillProfileValues("slow");
        master.runUntil("the acquire", () -> !master.received(AcquireProfile.class).isEmpty());

        master.result(server.close());

        assertThatThrownBy(() -> master.result(fetch)).cause().isInstanceOf(ProfileUnavailableException.class);
        assertThat(server.state()).isEqualTo(ConnectionState.CLOSED);
    }

    // ---------------------------------------------------------------- reconnection

    @Test
    void afterADropItReacquiresAndResendsUnacknowledgedBatchesWithTheirSeqs() throws Exception {
        GameServerCore server = connect();
        ObservableServerProfile one = fill(server, "u1");
        ObservableServerProfile two = fill(server, "u2");
        master.loseToMaster(true);

        for (int i = 1; i <= 3; i++) {
            int n = i;
            items(one).add("item" + n);
            gold(two).set(n * 100);
            master.runUntil("batch " + n + ", lost", () -> master.received(ServerBatch.class).size() == n);
        }
        List<ServerBatch> lost = master.received(ServerBatch.class);
        int acquiredBefore = master.sent(ProfileAcquired.class).size();
        master.loseToMaster(false);
        master.cutConnections();

        master.runUntil("the second welcome", () -> master.welcomes() == 2);
        awaitConverged(one);
        awaitConverged(two);
        assertThat(items(master.profile("u1")).value()).containsExactly("item1", "item2", "item3");
        List<ServerBatch> all = master.received(ServerBatch.class);
        List<ServerBatch> resent = all.subList(lost.size(), lost.size() + lost.size());
        assertThat(resent).extracting(ServerBatch::seq).containsExactly(1L, 2L, 3L);
        // Rewritten to the handles the master gave on the new connection (the old ones died with the old one).
        List<Integer> newHandles = master.sent(ProfileAcquired.class).subList(acquiredBefore, acquiredBefore + 2)
                .stream().map(ProfileAcquired::handle).toList();
        assertThat(resent).allSatisfy(b -> assertThat(b.entries()).extracting(HandleDelta::handle)
                .isSubsetOf(newHandles));
        assertThat(master.violations()).isEmpty();
    }

    @Test
    void batchesAppliedButNotAcknowledgedBeforeADropAreNotAppliedTwice() throws Exception {
        GameServerCore server = connect();
        ObservableServerProfile profile = fill(server, "u1");
        master.loseToPeers(true);

        items(profile).add("once");
        master.runUntil("the batch", () -> master.received(ServerBatch.class).size() == 1);
        master.runUntil("applied", () -> items(master.profile("u1")).value().contains("once"));
        master.loseToPeers(false);
        master.cutConnections();

        master.runUntil("the second welcome", () -> master.welcomes() == 2);
        awaitConverged(profile);
        assertThat(items(profile).value()).containsExactly("once");
        int copies = Collections.frequency(items(master.profile("u1")).value(), "once");
        assertThat(copies).isEqualTo(1);
        assertThat(master.violations()).isEmpty();
    }

    @Test
    void aMasterThatFallsBehindHoldsTheGameServerBackWhileItsChangesCoalesce() throws Exception {
        GameServerCore server = connect();
        ObservableServerProfile profile = fill(server, "u1");
        master.loseToPeers(true); // applies, never acknowledges: a master falling behind
        int window = ReplicaSet.MAX_BATCHES_IN_FLIGHT;
        for (int i = 1; i <= window; i++) {
            int value = i;
            gold(profile).set(value);
            master.runUntil("batch " + value, () -> master.received(ServerBatch.class).size() == value);
        }
        for (int i = window + 1; i <= 40; i++) {
            gold(profile).set(i);
            master.run(Duration.ofMillis(5));
        }
        // No ninth batch while eight are unacknowledged, however many ticks pass.
        master.runWhile("no batch beyond the window", Duration.ofMillis(400),
                () -> master.received(ServerBatch.class).size() == window);

        // Once the master answers again (here after a reconnection), the coalesced last value arrives.
        master.loseToPeers(false);
        master.cutConnections();
        awaitConverged(profile);
        assertThat(gold(master.profile("u1")).intValue()).isEqualTo(40);
        assertThat(master.violations()).isEmpty();
    }

    @Test
    void changesMadeWhileDisconnectedArriveAfterTheReconnection() throws Exception {
        GameServerCore server = connect();
        ObservableServerProfile profile = fill(server, "u1");
        List<ConnectionState> states = new ArrayList<>();
        server.peer().addConnectionListener((state, cause) -> states.add(state));

        master.cutConnections();
        master.runUntil("reconnecting", () -> states.contains(ConnectionState.RECONNECTING));
        gold(profile).set(999);
        master.change("u1", p -> displayName(p).set("renamed"));

        master.runUntil("connected again", () -> states.contains(ConnectionState.CONNECTED));
        awaitConverged(profile);
        assertThat(profile.get("displayName").value()).isEqualTo("renamed");
        assertThat(gold(master.profile("u1")).intValue()).isEqualTo(999);
    }

    @Test
    void aProfileTheMasterCannotHandBackAfterADropIsReportedLostAndTheOthersGoOn() throws Exception {
        // The real master keeps an idle profile in memory for unloadProfileAfter and hands it back from there: here
        // it unloads at once, so the game server's reacquire after the drop has to load u2 from the database.
        master = startMaster(b -> b.unloadProfileAfter(Duration.ZERO));
        GameServerCore server = connect();
        ObservableServerProfile kept = fill(server, "u1");
        fill(server, "u2");
        List<String> refusals = new ArrayList<>();
        server.addRefusalListener((userId, property, reason) -> refusals.add(userId + "/" + property + ": "
                + reason));
        master.failLoadsOf("u2");

        master.cutConnections();
        master.runUntil("u2 reported lost", () -> !refusals.isEmpty());
        gold(kept).set(31);

        assertThat(refusals.get(0)).startsWith("u2/: profile lost").contains("database down");
        assertThat(server.held("u2")).isEmpty();
        awaitConverged(kept);
        assertThat(gold(master.profile("u1")).intValue()).isEqualTo(31);
    }

    @Test
    @SuppressWarnings("unchecked")
    void twoGameServersWritingConcurrentlyThroughDropsConvergeWithTheMaster() throws Exception {
        GameServerCore first = connect();
        GameServerCore second = connect();
        List<ObservableServerProfile> copies = List.of(fill(first, "u1"), fill(second, "u1"));
        Random random = new Random(42);

        for (int round = 1; round <= 12; round++) {
            int sent = master.received(ServerBatch.class).size();
            int welcomed = master.welcomes();
            for (int i = 0; i < 10; i++) {
                if (round % 4 == 0 && i == 5) {
                    master.cutConnections(); // mid-round: batches in flight are lost, writes go on meanwhile
                }
                int which = random.nextInt(2);
                int pick = random.nextInt(6);
                int value = random.nextInt(1000);
                ObservableServerProfile copy = copies.get(which);
                ObservableList<String> items = items(copy);
                ObservableDictionary<String, Integer> counters = copy.get("counters", ObservableDictionary.class);
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
                master.run(Duration.ofMillis(random.nextInt(10)));
            }
            if (round % 4 == 0) {
                master.runUntil("both back after the cut of round " + round, () -> master.welcomes() == welcomed + 2);
            }
            master.runUntil("a batch of round " + round, () -> master.received(ServerBatch.class).size() > sent);
        }

        awaitConverged(copies.get(0));
        awaitConverged(copies.get(1));
        assertThat(master.welcomes()).isGreaterThanOrEqualTo(2 + 2 * 3);
        assertThat(master.violations()).isEmpty();
    }

    // ---------------------------------------------------------------- closing

    @Test
    void closeSendsTheLastChangesThenReleasesTheProfile() throws Exception {
        GameServerCore server = connect(b -> b.updateInterval(Duration.ofSeconds(30)));
        ObservableServerProfile profile = fill(server, "u1");
        gold(profile).set(7);

        master.result(server.close());

        assertThat(gold(master.profile("u1")).intValue()).isEqualTo(7);
        master.runUntil("the release", () -> !master.received(ReleaseProfile.class).isEmpty());
        assertThat(master.received(ReleaseProfile.class)).hasSize(1);
        assertThat(server.state()).isEqualTo(ConnectionState.CLOSED);
    }
}
