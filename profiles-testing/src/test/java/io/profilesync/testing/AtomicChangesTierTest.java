package io.profilesync.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.profilesync.core.ElementType;
import io.profilesync.core.InvalidPreconditionException;
import io.profilesync.core.ObservableInt;
import io.profilesync.core.ObservableList;
import io.profilesync.core.ObservableProfile;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.Precondition;
import io.profilesync.gameserver.internal.GameServerCore;
import io.profilesync.populators.ProfileSchema;
import io.profilesync.protocol.TransactionRefusedException;
import io.profilesync.protocol.internal.Messages.ServerBatch;
import io.profilesync.protocol.internal.Messages.ServerTransaction;
import io.profilesync.testing.sim.SimMaster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Atomic changes with preconditions through the real tiers: game servers' cores against the real master core over
 * the simulated network, in virtual time, every writer buying from the same profile at once.
 */
@Timeout(60)
class AtomicChangesTierTest {
    static final ProfileSchema SCHEMA = ProfileSchema.builder()
            .intProperty("gold", 100).min(0)
            .intProperty("level", 1).max(100)
            .intProperty("xp", 0)
            .listProperty("items", ElementType.STRING).maxLength(50)
            .build();
    static final int PRICE = 30;

    private final SimMaster master = SimMaster.start(SCHEMA, Map.of(), b -> b);
    private int servers;
    /** Every refusal any writer heard: "writer property: reason". */
    private final List<String> refusals = Collections.synchronizedList(new ArrayList<>());

    private GameServerCore server() throws ExecutionException {
        String name = "gs" + ++servers;
        return master.gameServer(name, servers, SCHEMA,
                (userId, property, reason) -> refusals.add(name + " " + property + ": " + reason));
    }

    private static ObservableInt gold(ObservableProfile profile) {
        return profile.get("gold", ObservableInt.class);
    }

    private static ObservableList<String> items(ObservableProfile profile) {
        return profile.getList("items", ElementType.STRING);
    }

    private static Consumer<ObservableServerProfile> buy(String item) {
        return profile -> {
            gold(profile).subtract(PRICE);
            items(profile).add(item);
        };
    }

    private void awaitConverged(ObservableProfile... copies) {
        master.runUntil("every copy equals the master's", () -> {
            for (ObservableProfile copy : copies) {
                if (!Arrays.equals(copy.toBytes(), master.profileBytes("u1"))) {
                    return false;
                }
            }
            return true;
        });
    }

    /** Runs until every one of {@code outcomes} is decided; returns how many succeeded. */
    private int settle(List<CompletableFuture<Void>> outcomes) {
        master.runUntil("every atomic change is decided", () -> outcomes.stream().allMatch(CompletableFuture::isDone));
        return (int) outcomes.stream().filter(outcome -> !outcome.isCompletedExceptionally()).count();
    }

    private static TransactionRefusedException refusal(CompletableFuture<Void> outcome) {
        try {
            outcome.join();
        } catch (java.util.concurrent.CompletionException e) {
            assertThat(e.getCause()).isInstanceOf(TransactionRefusedException.class);
            return (TransactionRefusedException) e.getCause();
        }
        throw new AssertionError("the atomic change was applied");
    }

    @Test
    void concurrentPurchasesWithAPreconditionNeverOverspendAndEachItemIsPaidFor() throws Exception {
        GameServerCore gs1 = server();
        GameServerCore gs2 = server();
        ObservableServerProfile a = master.result(gs1.fillProfileValues("u1"));
        ObservableServerProfile b = master.result(gs2.fillProfileValues("u1"));
        List<CompletableFuture<Void>> outcomes = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            // Both copies think they can afford it: each is stale for the other's purchase.
            outcomes.add(gs1.transact("u1", List.of(Precondition.atLeast("gold", PRICE)), buy("sword" + round)));
            outcomes.add(gs2.transact("u1", List.of(Precondition.atLeast("gold", PRICE)), buy("shield" + round)));
            master.runWhile("gold never goes below 0", Duration.ofMillis(15),
                    () -> gold(master.profile("u1")).intValue() >= 0);
        }
        int bought = settle(outcomes);
        awaitConverged(a, b);
        ObservableServerProfile truth = master.profile("u1");
        assertThat(bought).as("100 gold buys three items of 30").isEqualTo(3);
        assertThat(gold(truth).intValue()).isEqualTo(100 - 3 * PRICE);
        assertThat(items(truth).value()).as("an item for each purchase applied, none for a refused one")
                .hasSize(bought);
        for (CompletableFuture<Void> outcome : outcomes) {
            if (outcome.isCompletedExceptionally()) {
                assertThat(refusal(outcome).refusals()).singleElement().satisfies(one -> {
                    assertThat(one.property()).isEqualTo("gold");
                    assertThat(one.reason()).contains("gold >= 30 does not hold: 'gold' is 10");
                });
            }
        }
        assertThat(master.received(ServerTransaction.class)).hasSize(6);
    }

    @Test
    void aSchemaConstraintRefusesTheWholeChangeAndTheWritersCopyShowsTheMastersStateAgain() throws Exception {
        GameServerCore gs1 = server();
        ObservableServerProfile a = master.result(gs1.fillProfileValues("u1"));
        master.change("u1", p -> gold(p).set(20));
        master.runUntil("the copy has the master's gold", () -> gold(a).intValue() == 20);
        // No precondition: the master's min 0 on the result refuses the spend, which takes the item with it.
        CompletableFuture<Void> outcome = gs1.transact("u1", List.of(), buy("sword"));
        assertThat(items(a).value()).as("optimistic at once").containsExactly("sword");
        settle(List.of(outcome));
        assertThat(refusal(outcome).getMessage()).contains("none of it applied").contains("gold");
        awaitConverged(a);
        assertThat(items(master.profile("u1")).value()).isEmpty();
        assertThat(gold(master.profile("u1")).intValue()).isEqualTo(20);
        assertThat(items(a).value()).isEmpty();
        assertThat(refusals).isNotEmpty().allSatisfy(line -> assertThat(line).startsWith("gs1 gold: "));
    }

    @Test
    void oneRefusedPropertyRefusesEveryChangeOfTheAtomicChange() throws Exception {
        GameServerCore gs1 = server();
        ObservableServerProfile a = master.result(gs1.fillProfileValues("u1"));
        CompletableFuture<Void> outcome = gs1.transact("u1", List.of(), profile -> {
            profile.get("xp", ObservableInt.class).set(500);
            profile.get("level", ObservableInt.class).set(150); // above max 100
        });
        settle(List.of(outcome));
        assertThat(refusal(outcome).refusals()).singleElement()
                .satisfies(one -> assertThat(one.property()).isEqualTo("level"));
        awaitConverged(a);
        assertThat(master.profile("u1").get("xp", ObservableInt.class).intValue()).isZero();
        assertThat(a.get("xp", ObservableInt.class).intValue()).isZero();
    }

    @Test
    void aUniqueItemIsBoughtOnceAmongConcurrentBuyers() throws Exception {
        GameServerCore gs1 = server();
        GameServerCore gs2 = server();
        GameServerCore gs3 = server();
        List<ObservableServerProfile> copies = List.of(master.result(gs1.fillProfileValues("u1")),
                master.result(gs2.fillProfileValues("u1")), master.result(gs3.fillProfileValues("u1")));
        List<CompletableFuture<Void>> outcomes = new ArrayList<>();
        for (GameServerCore server : List.of(gs1, gs2, gs3)) {
            outcomes.add(server.transact("u1", List.of(Precondition.doesNotContain("items", "crown")),
                    buy("crown")));
        }
        assertThat(settle(outcomes)).isEqualTo(1);
        awaitConverged(copies.toArray(ObservableProfile[]::new));
        assertThat(items(master.profile("u1")).value()).containsExactly("crown");
        assertThat(gold(master.profile("u1")).intValue()).isEqualTo(100 - PRICE);
    }

    @Test
    void changesMadeBeforeGoFirstApartAndChangesMadeAfterWaitForTheAnswer() throws Exception {
        GameServerCore gs1 = server();
        ObservableServerProfile a = master.result(gs1.fillProfileValues("u1"));
        a.get("xp", ObservableInt.class).set(7); // before: an ordinary batch of its own
        CompletableFuture<Void> outcome = gs1.transact("u1", List.of(Precondition.atLeast("gold", 1000)),
                buy("sword"));
        a.get("level", ObservableInt.class).set(2); // after: waits for the master's answer
        settle(List.of(outcome));
        assertThat(outcome).isCompletedExceptionally();
        awaitConverged(a);
        ObservableServerProfile truth = master.profile("u1");
        assertThat(truth.get("xp", ObservableInt.class).intValue()).isEqualTo(7);
        assertThat(truth.get("level", ObservableInt.class).intValue()).isEqualTo(2);
        assertThat(items(truth).value()).isEmpty();
        List<Long> batches = master.received(ServerBatch.class).stream().map(ServerBatch::seq).toList();
        long atomic = master.received(ServerTransaction.class).get(0).seq();
        assertThat(batches).as("one batch before the atomic change, one after").hasSize(2);
        assertThat(batches.get(0)).isLessThan(atomic);
        assertThat(batches.get(1)).isGreaterThan(atomic);
        assertThat(master.violations()).as("batch numbers without a gap").isEmpty();
    }

    @Test
    void aRefusalWhosePushIsLostIsToldAgainAfterTheReconnection() throws Exception {
        GameServerCore gs1 = server();
        ObservableServerProfile a = master.result(gs1.fillProfileValues("u1"));
        master.loseToPeers(true);
        CompletableFuture<Void> refused = gs1.transact("u1", List.of(Precondition.atLeast("gold", 1000)),
                buy("sword"));
        master.runUntil("the master has the atomic change", () -> !master.received(ServerTransaction.class)
                .isEmpty());
        master.run(Duration.ofMillis(50));
        master.cutConnections();
        master.loseToPeers(false);
        settle(List.of(refused));
        assertThat(refusal(refused).getMessage()).contains("gold >= 1000 does not hold");
        awaitConverged(a);
        assertThat(items(master.profile("u1")).value()).isEmpty();
        assertThat(master.received(ServerTransaction.class)).as("sent again after the reconnection").hasSize(2);
    }

    @Test
    void anAppliedChangeWhoseAcknowledgementIsLostAppliesOnceAndSucceeds() throws Exception {
        GameServerCore gs1 = server();
        ObservableServerProfile a = master.result(gs1.fillProfileValues("u1"));
        master.loseToPeers(true);
        CompletableFuture<Void> bought = gs1.transact("u1", List.of(Precondition.atLeast("gold", PRICE)),
                buy("sword"));
        master.runUntil("the master applied it", () -> items(master.profile("u1")).size() == 1);
        master.run(Duration.ofMillis(100));
        master.cutConnections();
        master.loseToPeers(false);
        settle(List.of(bought));
        assertThat(bought).isCompleted().isNotCompletedExceptionally();
        awaitConverged(a);
        assertThat(items(master.profile("u1")).value()).containsExactly("sword");
        assertThat(gold(master.profile("u1")).intValue()).isEqualTo(100 - PRICE);
    }

    @Test
    void aPreconditionThatDoesNotFitTheProfileFailsAtOnceAndNothingIsSent() throws Exception {
        GameServerCore gs1 = server();
        ObservableServerProfile a = master.result(gs1.fillProfileValues("u1"));
        CompletableFuture<Void> unknown = gs1.transact("u1", List.of(Precondition.atLeast("diamonds", 1)),
                buy("sword"));
        CompletableFuture<Void> wrongKind = gs1.transact("u1", List.of(Precondition.contains("gold", 1)),
                buy("sword"));
        assertThatThrownBy(unknown::join).hasCauseInstanceOf(InvalidPreconditionException.class)
                .hasMessageContaining("'diamonds'").hasMessageContaining("[gold, level, xp, items]");
        assertThatThrownBy(wrongKind::join).hasCauseInstanceOf(InvalidPreconditionException.class)
                .hasMessageContaining("looks into a list");
        master.run(Duration.ofMillis(50));
        assertThat(master.received(ServerTransaction.class)).isEmpty();
        assertThat(items(a).value()).isEmpty();
    }

    @Test
    void anEditThatThrowsLeavesNothingAndTheEarlierChangesStillGo() throws Exception {
        GameServerCore gs1 = server();
        ObservableServerProfile a = master.result(gs1.fillProfileValues("u1"));
        a.get("xp", ObservableInt.class).set(3);
        CompletableFuture<Void> outcome = gs1.transact("u1", List.of(), profile -> {
            items(profile).add("sword");
            throw new IllegalStateException("out of stock");
        });
        assertThatThrownBy(outcome::join).hasRootCauseMessage("out of stock");
        assertThat(items(a).value()).isEmpty();
        awaitConverged(a);
        assertThat(master.profile("u1").get("xp", ObservableInt.class).intValue()).isEqualTo(3);
        assertThat(master.received(ServerTransaction.class)).isEmpty();
    }

    @Test
    void theMastersOwnAtomicChangeChecksPreconditionsAndConstraintsAndRollsBackAnEditThatThrows()
            throws Exception {
        GameServerCore gs1 = server();
        ObservableServerProfile a = master.result(gs1.fillProfileValues("u1"));
        master.result(master.core().transact("u1", List.of(Precondition.atLeast("gold", PRICE)), buy("sword")));
        CompletableFuture<Void> poor = master.core().transact("u1", List.of(Precondition.atLeast("gold", 1000)),
                buy("crown"));
        CompletableFuture<Void> broke = master.core().transact("u1", List.of(), profile -> {
            items(profile).add("crown");
            gold(profile).set(-5); // below min 0
        });
        CompletableFuture<Void> threw = master.core().transact("u1", List.of(), profile -> {
            items(profile).add("crown");
            throw new IllegalStateException("out of stock");
        });
        settle(List.of(poor, broke, threw));
        assertThat(refusal(poor).getMessage()).contains("gold >= 1000 does not hold: 'gold' is 70");
        assertThat(refusal(broke).getMessage()).contains("gold").contains("-5");
        assertThatThrownBy(threw::join).hasRootCauseMessage("out of stock");
        awaitConverged(a);
        assertThat(items(master.profile("u1")).value()).containsExactly("sword");
        assertThat(gold(a).intValue()).isEqualTo(70);
    }
}
