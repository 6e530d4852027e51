package io.profilesync.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.profilesync.client.ProfilesClientConfig;
import io.profilesync.client.internal.ClientCore;
import io.profilesync.core.ElementType;
import io.profilesync.core.ObservableDictionary;
import io.profilesync.core.ObservableDouble;
import io.profilesync.core.ObservableInt;
import io.profilesync.core.ObservableProfile;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.ObservableString;
import io.profilesync.gameserver.internal.GameServerCore;
import io.profilesync.populators.ConflictPolicy;
import io.profilesync.populators.ProfileSchema;
import io.profilesync.protocol.ReconnectBackoff;
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
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Increments and conflict policies through the real tiers: two game servers' cores and a client's core against the
 * real master core over the simulated network, in virtual time, every writer holding the same profile and writing at
 * once.
 */
@Timeout(60)
class OperationsTierTest {
    static final ProfileSchema SCHEMA = ProfileSchema.builder()
            .intProperty("coins", 0).min(0).clientWritable().conflict(ConflictPolicy.COUNTER)
            .intProperty("gold", 0).min(0)
            .stringProperty("referrer", "").conflict(ConflictPolicy.FIRST)
            .intProperty("bestScore", 0).conflict(ConflictPolicy.MAX)
            .doubleProperty("bestTime", 999).conflict(ConflictPolicy.MIN)
            .dictProperty("bag", ElementType.STRING, ElementType.INT).clientWritable()
            .listProperty("loot", ElementType.STRING).clientWritable()
            .build();

    private final SimMaster master = SimMaster.start(SCHEMA, Map.of("token-1", "u1"), b -> b);
    private int servers;
    /** Every refusal any writer heard: "writer property: reason". */
    private final List<String> refusals = Collections.synchronizedList(new ArrayList<>());

    private GameServerCore server() throws ExecutionException {
        String name = "gs" + ++servers;
        return master.gameServer(name, servers, SCHEMA,
                (userId, property, reason) -> refusals.add(name + " " + property + ": " + reason));
    }

    private ClientCore client() throws ExecutionException {
        ProfilesClientConfig config = ProfilesClientConfig.builder().host("sim-master").port(7777).token("token-1")
                .updateInterval(Duration.ofMillis(10))
                .reconnectBackoff(new ReconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200), 0.2)).build();
        NodeLoop loop = master.peerLoop("client");
        ClientCore client = new ClientCore(config, loop, master.connector(loop), master.seed() + 100,
                new SplittableRandom(master.seed() + 100));
        client.addRefusalListener((property, reason) -> refusals.add("client " + property + ": " + reason));
        client.start();
        master.result(client.peer().connected());
        return client;
    }

    private static ObservableInt coins(ObservableProfile profile) {
        return profile.get("coins", ObservableInt.class);
    }

    private void awaitConverged(ObservableProfile... copies) {
        master.runUntil("every copy equals the master's", () -> {
            for (ObservableProfile copy : copies) {
                boolean client = copy.size() != SCHEMA.definitions().size();
                byte[] theirs = client ? master.profileBytes("u1", SCHEMA.clientView()) : master.profileBytes("u1");
                if (!Arrays.equals(copy.toBytes(), theirs)) {
                    return false;
                }
            }
            return true;
        });
    }

    @Test
    void twoGameServersAndAClientEachIncrementingOneCounter1000TimesMakeExactly3000() throws Exception {
        ObservableServerProfile a = master.result(server().fillProfileValues("u1"));
        ObservableServerProfile b = master.result(server().fillProfileValues("u1"));
        ObservableProfile c = master.result(client().fillInProfileValues());
        Random random = new Random(3);
        List<ObservableProfile> writers = List.of(a, b, c);
        int[] made = new int[3];
        for (int step = 0; step < 3000; step++) {
            int writer = random.nextInt(3);
            if (made[writer] == 1000) {
                writer = made[0] < 1000 ? 0 : made[1] < 1000 ? 1 : 2;
            }
            assertThat(coins(writers.get(writer)).add(1, Integer.MAX_VALUE)).isTrue();
            made[writer]++;
            if (random.nextInt(3) == 0) {
                master.run(Duration.ofMillis(random.nextInt(12)));
            }
        }
        awaitConverged(a, b, c);
        assertThat(coins(master.profile("u1")).intValue()).isEqualTo(3000);
        assertThat(refusals).isEmpty();
    }

    @Test
    void concurrentSpendsNeverTakeACounterBelowZeroAndEachRefusedSpendIsReported() throws Exception {
        master.change("u1", p -> coins(p).set(100));
        ObservableServerProfile a = master.result(server().fillProfileValues("u1"));
        ObservableServerProfile b = master.result(server().fillProfileValues("u1"));
        int spent = 0;
        for (int round = 0; round < 10; round++) {
            // Both servers see the same coins and each spends 30 in the same tick: each copy is stale for the other's
            // spend, so the second of a pair may find the master's coins already spent.
            spent += coins(a).subtract(30, 0) ? 1 : 0;
            spent += coins(b).subtract(30, 0) ? 1 : 0;
            master.runWhile("the coins never go below 0", Duration.ofMillis(15),
                    () -> coins(master.profile("u1")).intValue() >= 0);
        }
        awaitConverged(a, b);
        int left = coins(master.profile("u1")).intValue();
        assertThat(left).as("every spend that fits is applied").isBetween(0, 29);
        int applied = (100 - left) / 30;
        assertThat(spent).as("spends that fitted a writer's copy").isGreaterThan(applied);
        // Reported by the master, or by the writer's own copy when the other's spend reached it before its own
        // was sent (then it is never sent).
        assertThat(refusals).as("every spend the master did not apply is reported").hasSize(spent - applied)
                .allSatisfy(line -> assertThat(line).contains(" coins: ").contains("is below 0, the least its "
                        + "writer allowed"));
    }

    @Test
    void aBurstOfPutsIntoASmallDictionaryKeepsTheKeysAnotherWriterPutsMeanwhile() throws Exception {
        ObservableServerProfile a = master.result(server().fillProfileValues("u1"));
        ObservableProfile c = master.result(client().fillInProfileValues());
        ObservableDictionary<String, Integer> serverBag = a.getDictionary("bag", ElementType.STRING, ElementType.INT);
        ObservableDictionary<String, Integer> clientBag = c.getDictionary("bag", ElementType.STRING, ElementType.INT);
        // 40 keys in one tick into an empty dictionary, while the client rewrites its own key many times a tick: each
        // burst was once sent as a replace-everything of what the writer's copy held, erasing the other's keys.
        for (int i = 0; i < 40; i++) {
            serverBag.put("k" + i, i);
            serverBag.put("k" + i, i + 1);
        }
        int value = 0;
        for (int round = 0; round < 30; round++) {
            for (int put = 0; put < 8; put++) {
                clientBag.put("mine", ++value);
            }
            master.run(Duration.ofMillis(1));
        }
        awaitConverged(a, c);
        Map<String, Integer> bag = master.profile("u1").getDictionary("bag", ElementType.STRING, ElementType.INT)
                .value();
        assertThat(bag).hasSize(41).containsEntry("mine", value).containsEntry("k0", 1).containsEntry("k39", 40);
        assertThat(refusals).isEmpty();
    }

    @Test
    void aListEditBeyondTheListChangedMeanwhileIsLeftOutAloneAndTheWritersOtherChangesApply() throws Exception {
        master.change("u1", p -> p.getList("loot", ElementType.STRING).replaceAll(List.of("a", "b", "c")));
        GameServerCore gs = server();
        ObservableServerProfile a = master.result(gs.fillProfileValues("u1"));
        ObservableProfile c = master.result(client().fillInProfileValues());
        // The game server's batch is held up on the way (lost, then sent again after a reconnection), so the client's
        // removes reach the master first: index 2 no longer exists there when the game server's batch arrives.
        master.loseToMaster(true);
        a.getList("loot", ElementType.STRING).remove(2);
        a.get("gold", ObservableInt.class).set(77);
        master.run(Duration.ofMillis(30));
        master.loseToMaster(false);
        c.getList("loot", ElementType.STRING).remove(2);
        c.getList("loot", ElementType.STRING).remove(1);
        master.runUntil("the master applied the client's removes",
                () -> master.profile("u1").getList("loot", ElementType.STRING).size() == 1);
        assertThat(a.get("gold", ObservableInt.class).intValue()).as("the copy keeps what still fits").isEqualTo(77);
        master.cutConnections();
        master.runUntil("the game server's batch is acknowledged", () -> gs.settled("u1"));
        awaitConverged(a, c);
        ObservableServerProfile truth = master.profile("u1");
        assertThat(truth.get("gold", ObservableInt.class).intValue()).as("the same delta's scalar applies").isEqualTo(77);
        assertThat(truth.getList("loot", ElementType.STRING).value()).containsExactly("a");
        // Sent again after the reconnection to the same master, with its base: the element it named ("c") was
        // removed meanwhile by the client.
        assertThat(refusals).singleElement().asString().startsWith("gs1 loot: ").contains("the element at index 2 of "
                + "'loot' that your copy showed was removed meanwhile by another writer; this remove was left out");
    }

    @Test
    void aRemoveSentAgainAfterAReconnectionToTheSameMasterStillDeletesTheElementItsWriterSaw() throws Exception {
        master.change("u1", p -> p.getList("loot", ElementType.STRING).replaceAll(List.of("a", "b", "c", "d")));
        GameServerCore gs = server();
        ObservableServerProfile a = master.result(gs.fillProfileValues("u1"));
        ObservableProfile c = master.result(client().fillInProfileValues());
        // The game server's remove of "c" is lost on the way; the client inserts at the front meanwhile.
        master.loseToMaster(true);
        a.getList("loot", ElementType.STRING).remove(2);
        master.run(Duration.ofMillis(30));
        master.loseToMaster(false);
        c.getList("loot", ElementType.STRING).insert(0, "z");
        master.runUntil("the master applied the client's insert",
                () -> master.profile("u1").getList("loot", ElementType.STRING).size() == 5);
        master.cutConnections();
        master.runUntil("the game server's batch is acknowledged", () -> gs.settled("u1"));
        awaitConverged(a, c);
        assertThat(master.profile("u1").getList("loot", ElementType.STRING).value())
                .as("index 2 of the view it was made on was \"c\"").containsExactly("z", "a", "b", "d");
        assertThat(refusals).isEmpty();
    }

    @Test
    void aRemoveOfAnElementAnotherWriterRemovedMeanwhileIsDroppedAloneAndTold() throws Exception {
        master.change("u1", p -> p.getList("loot", ElementType.STRING).replaceAll(List.of("a", "b", "c", "d")));
        GameServerCore gs = server();
        ObservableServerProfile a = master.result(gs.fillProfileValues("u1"));
        ClientCore cc = client();
        ObservableProfile c = master.result(cc.fillInProfileValues());
        // Both remove "c" from the same view, and the game server also removes "a" and sets gold: whichever batch
        // comes second finds "c" gone. Its remove of "c" alone is dropped and told; nothing else is touched.
        c.getList("loot", ElementType.STRING).remove(2);
        a.getList("loot", ElementType.STRING).remove(2);
        a.getList("loot", ElementType.STRING).remove(0);
        a.get("gold", ObservableInt.class).set(77);
        master.runUntil("both writers' batches are acknowledged", () -> gs.settled("u1") && cc.settled());
        awaitConverged(a, c);
        ObservableServerProfile truth = master.profile("u1");
        assertThat(truth.getList("loot", ElementType.STRING).value()).containsExactly("b", "d");
        assertThat(truth.get("gold", ObservableInt.class).intValue()).isEqualTo(77);
        assertThat(refusals).singleElement().asString().contains("the element at index 2 of 'loot' that your copy "
                + "showed was removed meanwhile by another writer; this remove was left out");
    }

    /**
     * Three writers (two game servers and the client) append their own elements to one list and remove some of their
     * own by index, interleaved, each from its own copy's view (the measure: 74 of 150 removes deleted
     * someone else's element when an index was applied as it came). Every append is kept unless its own writer
     * removed it, and every remove deleted exactly the element its writer saw.
     */
    @Test
    void concurrentWritersRemovingByIndexEachDeleteTheElementTheySaw() throws Exception {
        GameServerCore gs1 = server();
        GameServerCore gs2 = server();
        List<ObservableProfile> copies = List.of(master.result(gs1.fillProfileValues("u1")),
                master.result(gs2.fillProfileValues("u1")), master.result(client().fillInProfileValues()));
        Random random = new Random(5);
        List<String> appended = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        int removes = 0;
        for (int step = 0; step < 600; step++) {
            int writer = random.nextInt(3);
            io.profilesync.core.ObservableList<String> loot = copies.get(writer).getList("loot", ElementType.STRING);
            List<String> own = new ArrayList<>();
            for (String element : loot.value()) {
                if (element.startsWith("w" + writer + "-")) {
                    own.add(element);
                }
            }
            if (!own.isEmpty() && random.nextInt(3) == 0) {
                String victim = own.get(random.nextInt(own.size()));
                loot.remove(loot.value().indexOf(victim));
                removed.add(victim);
                removes++;
            } else {
                String element = "w" + writer + "-" + step;
                if (random.nextBoolean() || loot.size() == 0) {
                    loot.add(element);
                } else {
                    loot.insert(random.nextInt(loot.size() + 1), element);
                }
                appended.add(element);
            }
            if (random.nextInt(4) == 0) {
                master.run(Duration.ofMillis(1 + random.nextInt(15)));
            }
        }
        awaitConverged(copies.toArray(ObservableProfile[]::new));
        List<String> expected = new ArrayList<>(appended);
        expected.removeAll(removed);
        List<String> truth = master.profile("u1").getList("loot", ElementType.STRING).value();
        assertThat(removes).as("removes made while others changed the list").isGreaterThan(100);
        assertThat(truth).as("every element kept unless its own writer removed it").containsExactlyInAnyOrderElementsOf(
                expected);
        assertThat(refusals).isEmpty();
    }

    @Test
    void firstWriteMaxAndMinHoldUnderConcurrentWriters() throws Exception {
        ObservableServerProfile a = master.result(server().fillProfileValues("u1"));
        ObservableServerProfile b = master.result(server().fillProfileValues("u1"));
        a.get("referrer", ObservableString.class).set("alice");
        b.get("referrer", ObservableString.class).set("bob");
        Random random = new Random(11);
        int best = 0;
        double fastest = 999;
        for (int round = 0; round < 40; round++) {
            for (ObservableServerProfile writer : List.of(a, b)) {
                int score = random.nextInt(1000);
                double time = 10 + random.nextInt(500) / 4.0;
                writer.get("bestScore", ObservableInt.class).set(score);
                writer.get("bestTime", ObservableDouble.class).set(time);
                best = Math.max(best, score);
                fastest = Math.min(fastest, time);
            }
            master.run(Duration.ofMillis(random.nextInt(25)));
        }
        awaitConverged(a, b);
        ObservableServerProfile truth = master.profile("u1");
        assertThat(truth.get("referrer", ObservableString.class).get()).isIn("alice", "bob");
        assertThat(a.get("referrer", ObservableString.class).get())
                .isEqualTo(truth.get("referrer", ObservableString.class).get());
        assertThat(refusals).filteredOn(line -> line.contains(" referrer: ")).singleElement().asString()
                .contains("is written once (conflict: first)");
        assertThat(truth.get("bestScore", ObservableInt.class).intValue()).isEqualTo(best);
        assertThat(truth.get("bestTime", ObservableDouble.class).doubleValue()).isEqualTo(fastest);
        assertThat(refusals).filteredOn(line -> line.contains(" bestScore: ")).isNotEmpty()
                .allSatisfy(line -> assertThat(line).contains("keeps the larger value (conflict: max)"));
    }
}
