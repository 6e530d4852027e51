package io.profilesync.gameserver.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.profilesync.core.ObservableInt;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.ObservableString;
import io.profilesync.gameserver.ProfilesServerConfig;
import io.profilesync.populators.ProfileSchema;
import io.profilesync.protocol.ConnectionState;
import io.profilesync.protocol.NotDurableException;
import io.profilesync.protocol.ProfileUnavailableException;
import io.profilesync.protocol.ReconnectBackoff;
import io.profilesync.protocol.RefusalCode;
import io.profilesync.protocol.RefusedException;
import io.profilesync.protocol.ScriptedConnector;
import io.profilesync.protocol.ScriptedConnector.Channel;
import io.profilesync.protocol.VirtualLoop;
import io.profilesync.protocol.internal.Messages.AcquireFailed;
import io.profilesync.protocol.internal.Messages.AcquireProfile;
import io.profilesync.protocol.internal.Messages.Flush;
import io.profilesync.protocol.internal.Messages.HandleDelta;
import io.profilesync.protocol.internal.Messages.Hello;
import io.profilesync.protocol.internal.Messages.Message;
import io.profilesync.protocol.internal.Messages.ProfileAcquired;
import io.profilesync.protocol.internal.Messages.Refused;
import io.profilesync.protocol.internal.Messages.ReleaseProfile;
import io.profilesync.protocol.internal.Messages.ServerBatch;
import io.profilesync.protocol.internal.Messages.ServerPush;
import io.profilesync.protocol.internal.Messages.Welcome;
import io.profilesync.protocol.internal.ReplicaSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * The game server's core without sockets or threads: a {@link VirtualLoop} for time and a {@link ScriptedConnector}
 * through which the test plays the master, message by message.
 */
class GameServerCoreTest {
    static final ProfileSchema SCHEMA = ProfileSchema.builder()
            .intProperty("gold", 0).min(0).max(1_000_000)
            .stringProperty("displayName", "newbie")
            .build();
    private static final Duration TICK = Duration.ofMillis(100);

    private final VirtualLoop loop = new VirtualLoop();
    private final ScriptedConnector connector = new ScriptedConnector(loop);
    private final List<ConnectionState> states = new ArrayList<>();
    private final List<String> refusals = new ArrayList<>();
    private GameServerCore core;

    private GameServerCore start() {
        ProfilesServerConfig config = ProfilesServerConfig.builder().port(1).secret("secret")
                .updateInterval(TICK).connectTimeout(Duration.ofSeconds(1)).closeTimeout(Duration.ofSeconds(2))
                .acquireTimeout(Duration.ofSeconds(5))
                .reconnectBackoff(new ReconnectBackoff(Duration.ofMillis(100), Duration.ofMillis(800), 0))
                .build();
        core = new GameServerCore(config, loop, connector, 42, new SplittableRandom(1));
        core.peer().addConnectionListener((state, cause) -> states.add(state));
        core.addRefusalListener((userId, property, reason) -> refusals.add(userId + "/" + property + ": " + reason));
        core.start();
        loop.runDue();
        return core;
    }

    private Channel startWelcomed() {
        start();
        return welcome(1 << 20);
    }

    private Channel welcome(int maxUpdateSize) {
        Channel channel = connector.open();
        loop.runDue();
        assertThat(channel.sent(Hello.class)).singleElement().satisfies(hello -> assertThat(hello.instanceId())
                .isEqualTo(42));
        channel.deliver(new Welcome("", SCHEMA.toJson(), maxUpdateSize));
        loop.runDue();
        return channel;
    }

    private ObservableServerProfile acquire(Channel channel, String userId, int handle) {
        CompletableFuture<ObservableServerProfile> fetch = core.fillProfileValues(userId);
        loop.runDue();
        AcquireProfile request = last(channel.sent(AcquireProfile.class));
        assertThat(request.userId()).isEqualTo(userId);
        channel.deliver(new ProfileAcquired(request.requestId(), handle, 0,
                SCHEMA.newServerProfile(userId).toBytes()));
        loop.runDue();
        return fetch.join();
    }

    private static <T> T last(List<T> list) {
        return list.get(list.size() - 1);
    }

    private static ObservableInt gold(ObservableServerProfile profile) {
        return profile.get("gold", ObservableInt.class);
    }

    /** The master accepts {@code batch} as it is: pushes it back, acknowledged. */
    private static ServerPush acceptAll(ServerBatch batch) {
        return new ServerPush(batch.seq(), batch.seq(), batch.entries(), List.of());
    }

    @Test
    void attemptsFollowTheBackoffUntilTheMasterAnswersAndStartOverAfterADrop() {
        start();
        // 100 ms doubling to 800 ms, no jitter.
        for (long delay : new long[] {100, 200, 400, 800, 800}) {
            connector.fail("connection refused");
            loop.runDue();
            loop.advance(Duration.ofMillis(delay - 1));
            assertThat(connector.attemptPending()).isFalse();
            loop.advance(Duration.ofMillis(1));
            assertThat(connector.attemptPending()).isTrue();
        }
        assertThat(connector.attemptTimes()).extracting(Duration::toMillis)
                .containsExactly(0L, 100L, 300L, 700L, 1500L, 2300L);
        assertThat(core.state()).isEqualTo(ConnectionState.CONNECTING);

        Channel channel = welcome(1 << 20);
        assertThat(core.state()).isEqualTo(ConnectionState.CONNECTED);
        long droppedAt = loop.elapsed().toMillis();
        channel.drop();
        loop.runDue();
        assertThat(core.state()).isEqualTo(ConnectionState.RECONNECTING);
        loop.advance(Duration.ofMillis(99));
        assertThat(connector.attemptPending()).isFalse();
        loop.advance(Duration.ofMillis(1));
        assertThat(connector.attemptPending()).isTrue();
        assertThat(last(connector.attemptTimes()).toMillis()).isEqualTo(droppedAt + 100);
        assertThat(states).containsExactly(ConnectionState.CONNECTED, ConnectionState.RECONNECTING);
    }

    @Test
    void aMasterThatDoesNotAnswerHelloIsDroppedAfterTheConnectTimeout() {
        start();
        Channel channel = connector.open();
        loop.runDue();
        assertThat(channel.sent(Hello.class)).hasSize(1);

        loop.advance(Duration.ofMillis(999));
        assertThat(channel.closed()).isFalse();
        loop.advance(Duration.ofMillis(1));
        assertThat(channel.closed()).isTrue();

        loop.advance(Duration.ofMillis(100));
        assertThat(connector.attemptPending()).isTrue();
        assertThat(core.state()).isEqualTo(ConnectionState.CONNECTING);
    }

    @Test
    void aRetryableRefusalClosesAndRetriesAPermanentOneFailsForGood() {
        start();
        Channel overloaded = connector.open();
        loop.runDue();
        overloaded.deliver(new Refused(RefusalCode.OVERLOADED, "too many peers"));
        loop.runDue();
        assertThat(overloaded.closed()).isTrue();
        loop.advance(Duration.ofMillis(100));
        assertThat(connector.attemptPending()).isTrue();
        CompletableFuture<ObservableServerProfile> fetch = core.fillProfileValues("u1");

        Channel refused = connector.open();
        loop.runDue();
        refused.deliver(new Refused(RefusalCode.AUTHENTICATION, "wrong game-server secret"));
        loop.runDue();

        assertThat(core.state()).isEqualTo(ConnectionState.FAILED);
        assertThat(refused.closed()).isTrue();
        assertThat(fetch.handle((p, e) -> e).join()).isInstanceOf(RefusedException.class)
                .hasMessageContaining("wrong game-server secret");
        loop.advance(Duration.ofSeconds(10));
        assertThat(connector.attemptPending()).isFalse();
        assertThat(connector.attemptTimes()).hasSize(2);
    }

    @Test
    void afterAReconnectionOnlyTheBatchesTheMasterDidNotApplyGoAgainWithTheirNumbers() {
        Channel first = startWelcomed();
        ObservableServerProfile profile = acquire(first, "u1", 1);
        gold(profile).set(10);
        loop.advance(TICK);
        gold(profile).set(20);
        loop.advance(TICK);
        List<ServerBatch> lost = first.sent(ServerBatch.class);
        assertThat(lost).extracting(ServerBatch::seq).containsExactly(1L, 2L);

        first.drop();
        loop.runDue();
        loop.advance(Duration.ofMillis(100));
        Channel second = welcome(1 << 20);
        AcquireProfile again = last(second.sent(AcquireProfile.class));
        assertThat(again.userId()).isEqualTo("u1");
        assertThat(second.sent(ServerBatch.class)).isEmpty();
        // The master had applied batch 1 (gold 10) before the drop, not batch 2.
        ObservableServerProfile mastersCopy = SCHEMA.newServerProfile("u1");
        gold(mastersCopy).set(10);
        second.deliver(new ProfileAcquired(again.requestId(), 7, 1, mastersCopy.toBytes()));
        loop.runDue();

        // Batch 1 is applied but not durable (no master said so): it goes again too, and a master skips it.
        ServerBatch resent = last(second.sent(ServerBatch.class));
        assertThat(second.sent(ServerBatch.class)).extracting(ServerBatch::seq).containsExactly(1L, 2L);
        assertThat(resent.seq()).isEqualTo(2);
        assertThat(resent.entries()).extracting(HandleDelta::handle).containsExactly(7);
        assertThat(gold(profile).intValue()).isEqualTo(20);
        assertThat(core.quiescent()).isFalse();

        second.deliver(acceptAll(resent));
        loop.runDue();
        assertThat(core.quiescent()).isTrue();
        assertThat(core.confirmed("u1")).hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(profile.toBytes()));
        gold(profile).set(30);
        loop.advance(TICK);
        assertThat(last(second.sent(ServerBatch.class)).seq()).isEqualTo(3);
    }

    @Test
    void aReleaseInterruptedByADropIsFinishedOnTheNextConnection() {
        Channel first = startWelcomed();
        ObservableServerProfile profile = acquire(first, "u1", 1);
        gold(profile).set(5);

        CompletableFuture<Void> released = core.release("u1");
        loop.runDue();
        assertThat(first.sent(ServerBatch.class)).hasSize(1);
        // ReleaseProfile waits until the batch is durable (the master may then drop this game server's record).
        assertThat(first.sent(ReleaseProfile.class)).isEmpty();
        first.drop();
        loop.runDue();
        loop.advance(Duration.ofMillis(100));

        Channel second = welcome(1 << 20);
        AcquireProfile again = last(second.sent(AcquireProfile.class));
        assertThat(again.userId()).isEqualTo("u1");
        assertThat(released).isNotDone();
        second.deliver(new ProfileAcquired(again.requestId(), 3, 0, SCHEMA.newServerProfile("u1").toBytes()));
        loop.runDue();

        ServerBatch resent = last(second.sent(ServerBatch.class));
        assertThat(resent.seq()).isEqualTo(1);
        assertThat(resent.entries()).extracting(HandleDelta::handle).containsExactly(3);
        assertThat(second.sent(ReleaseProfile.class)).isEmpty();
        assertThat(released).isNotDone();
        second.deliver(acceptAll(resent));
        loop.runDue();
        assertThat(last(second.sent())).isEqualTo(new ReleaseProfile(3));
        assertThat(released).isCompleted();
        assertThat(core.held("u1")).isEmpty();
        assertThat(core.quiescent()).isTrue();
    }

    @Test
    void aProfileWithChangesNotDurableThatTheMasterCannotHandBackIsAskedForAgainNotDropped() {
        Channel first = startWelcomed();
        ObservableServerProfile profile = acquire(first, "u1", 1);
        gold(profile).set(5);
        loop.advance(TICK);
        ServerBatch batch = last(first.sent(ServerBatch.class));
        // Applied, not durable: the master crashes before its save.
        first.deliver(new ServerPush(batch.seq(), 0, batch.entries(), List.of()));
        loop.runDue();
        CompletableFuture<Void> released = core.release("u1");
        first.drop();
        loop.runDue();
        loop.advance(Duration.ofMillis(100));

        // The next master cannot load the profile now (its database is down): asked again, nothing dropped.
        Channel second = welcome(1 << 20);
        AcquireProfile again = last(second.sent(AcquireProfile.class));
        second.deliver(new AcquireFailed(again.requestId(), "loading the profile of user 'u1' timed out"));
        loop.runDue();
        assertThat(refusals).isEmpty();
        assertThat(released).isNotDone();
        assertThat(second.closed()).isTrue();
        loop.advance(Duration.ofMillis(100));

        Channel third = welcome(1 << 20);
        AcquireProfile third1 = last(third.sent(AcquireProfile.class));
        assertThat(third1.userId()).isEqualTo("u1");
        third.deliver(new ProfileAcquired(third1.requestId(), 4, 0, SCHEMA.newServerProfile("u1").toBytes()));
        loop.runDue();
        ServerBatch resent = last(third.sent(ServerBatch.class));
        assertThat(resent.seq()).isEqualTo(batch.seq());
        third.deliver(acceptAll(resent));
        loop.runDue();
        assertThat(last(third.sent())).isEqualTo(new ReleaseProfile(4));
        assertThat(released).isCompleted();
        assertThat(refusals).isEmpty();
    }

    @Test
    void aFetchOfAUserBeingReleasedWaitsForTheReleaseThenAsksAgain() {
        Channel channel = startWelcomed();
        ObservableServerProfile profile = acquire(channel, "u1", 1);
        gold(profile).set(5);
        CompletableFuture<Void> released = core.release("u1");
        CompletableFuture<ObservableServerProfile> again = core.fillProfileValues("u1");
        loop.runDue();
        assertThat(channel.sent(AcquireProfile.class)).hasSize(1);

        channel.deliver(acceptAll(last(channel.sent(ServerBatch.class))));
        loop.runDue();
        assertThat(released).isCompleted();
        AcquireProfile request = last(channel.sent(AcquireProfile.class));
        assertThat(channel.sent(AcquireProfile.class)).hasSize(2);
        ObservableServerProfile mastersCopy = SCHEMA.newServerProfile("u1");
        gold(mastersCopy).set(5);
        channel.deliver(new ProfileAcquired(request.requestId(), 2, 1, mastersCopy.toBytes()));
        loop.runDue();
        assertThat(again.join()).isNotSameAs(profile);
        assertThat(gold(again.join()).intValue()).isEqualTo(5);
    }

    @Test
    void ticksKeepAFixedRateWhenTheLoopRunsThemLateAndSkipThoseItMissedWhole() {
        Channel channel = startWelcomed();
        ObservableServerProfile profile = acquire(channel, "u1", 1);
        gold(profile).set(1);
        loop.advance(TICK.minusMillis(1));
        assertThat(channel.sent(ServerBatch.class)).isEmpty();
        loop.stall(Duration.ofMillis(31)); // the tick due at 100 ms runs at 130 ms
        loop.runDue();
        assertThat(channel.sent(ServerBatch.class)).hasSize(1);

        gold(profile).set(2);
        loop.advance(Duration.ofMillis(69));
        assertThat(channel.sent(ServerBatch.class)).hasSize(1);
        loop.advance(Duration.ofMillis(1)); // due at 200 ms, not 100 ms after the late one ran
        assertThat(channel.sent(ServerBatch.class)).hasSize(2);

        gold(profile).set(3);
        loop.stall(Duration.ofMillis(250)); // the tick due at 300 ms runs at 450 ms; the one of 400 ms is skipped
        loop.runDue();
        assertThat(channel.sent(ServerBatch.class)).hasSize(3);
        gold(profile).set(4);
        loop.advance(Duration.ofMillis(49));
        assertThat(channel.sent(ServerBatch.class)).hasSize(3);
        loop.advance(Duration.ofMillis(1)); // back on the 100 ms grid at 500 ms
        assertThat(channel.sent(ServerBatch.class)).hasSize(4);
        assertThat(loop.elapsed()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void theInFlightWindowHoldsNewBatchesBackWhileTheChangesCoalesce() {
        Channel channel = startWelcomed();
        ObservableServerProfile profile = acquire(channel, "u1", 1);
        for (int i = 1; i <= ReplicaSet.MAX_BATCHES_IN_FLIGHT; i++) {
            gold(profile).set(i);
            loop.advance(TICK);
        }
        for (int i = 100; i < 110; i++) {
            gold(profile).set(i);
            loop.advance(TICK);
        }
        List<ServerBatch> batches = channel.sent(ServerBatch.class);
        assertThat(batches).hasSize(ReplicaSet.MAX_BATCHES_IN_FLIGHT);

        channel.deliver(acceptAll(batches.get(2)));
        loop.advance(TICK);

        batches = channel.sent(ServerBatch.class);
        assertThat(batches).hasSize(ReplicaSet.MAX_BATCHES_IN_FLIGHT + 1);
        ServerBatch coalesced = last(batches);
        assertThat(coalesced.seq()).isEqualTo(ReplicaSet.MAX_BATCHES_IN_FLIGHT + 1);
        ObservableServerProfile decoded = SCHEMA.newServerProfile("u1");
        decoded.applyUpdates(coalesced.entries().get(0).delta());
        assertThat(gold(decoded).intValue()).isEqualTo(109);
    }

    @Test
    void changesTooLargeForAnyMessageAreDroppedSetBackAndReported() {
        start();
        Channel channel = welcome(256);
        ObservableServerProfile profile = acquire(channel, "u1", 1);

        profile.get("displayName", ObservableString.class).set("x".repeat(1000));
        gold(profile).set(5);
        loop.advance(TICK);

        assertThat(channel.sent(ServerBatch.class)).isEmpty();
        assertThat(refusals).singleElement().asString().startsWith("u1/: ").contains("maxUpdateSize 256");
        assertThat(profile.get("displayName").value()).isEqualTo("newbie");
        assertThat(gold(profile).intValue()).isZero();
        assertThat(core.quiescent()).isTrue();
    }

    @Test
    void aFullWriteBufferKeepsTheBatchWaitingAndTakesNoNewOneUntilItDrains() {
        Channel channel = startWelcomed();
        ObservableServerProfile profile = acquire(channel, "u1", 1);
        channel.room(0);

        gold(profile).set(5);
        loop.advance(TICK);
        gold(profile).set(6);
        loop.advance(TICK);
        loop.advance(TICK);
        assertThat(channel.sent(ServerBatch.class)).isEmpty();
        assertThat(profile.hasUpdates()).as("the second change waits in the profile, not in a buffer").isTrue();

        channel.room(Integer.MAX_VALUE);
        loop.advance(TICK);
        assertThat(channel.sent(ServerBatch.class)).extracting(ServerBatch::seq).containsExactly(1L, 2L);
    }

    @Test
    void closeSendsTheLastChangesThenReleaseProfileAndStopsOnceAcknowledged() {
        Channel channel = startWelcomed();
        ObservableServerProfile profile = acquire(channel, "u1", 1);
        gold(profile).set(7);

        CompletableFuture<Void> closed = core.close();
        loop.runDue();

        // The last changes go in a batch, and the master is asked to save it now; ReleaseProfile follows once the
        // master says the batch is durable.
        assertBatchThenFlush(channel, 1);
        assertThat(core.held("u1")).isEmpty();
        assertThat(closed).isNotDone();
        channel.deliver(acceptAll(last(channel.sent(ServerBatch.class))));
        loop.runDue();
        assertThat(last(channel.sent())).isEqualTo(new ReleaseProfile(1));
        assertThat(closed).isDone();
        assertThat(core.state()).isEqualTo(ConnectionState.CLOSED);
        assertThat(channel.closed()).isTrue();
    }

    @Test
    void closeStopsAfterTheCloseTimeoutWhenTheMasterNeverAcknowledges() {
        Channel channel = startWelcomed();
        ObservableServerProfile profile = acquire(channel, "u1", 1);
        gold(profile).set(7);
        CompletableFuture<ObservableServerProfile> pending = core.fillProfileValues("u2");

        CompletableFuture<Void> closed = core.close();
        loop.advance(Duration.ofMillis(1999));
        assertThat(closed).isNotDone();
        assertThat(pending).isCompletedExceptionally();
        loop.advance(Duration.ofMillis(1));
        assertThat(closed).isDone();
        assertThat(core.state()).isEqualTo(ConnectionState.CLOSED);
    }
    // ---------------------------------------------------------------- flush

    /** The master says batches up to {@code ackSeq} are applied and those up to {@code durableSeq} durable. */
    private void push(Channel channel, long ackSeq, long durableSeq) {
        channel.deliver(new ServerPush(ackSeq, durableSeq, List.of(), List.of()));
        loop.runDue();
    }

    /** The last two messages sent: batch {@code seq}, then the request to save it now. */
    private static void assertBatchThenFlush(Channel channel, long seq) {
        List<Message> sent = channel.sent();
        assertThat(sent.subList(sent.size() - 2, sent.size())).satisfiesExactly(
                batch -> assertThat(((ServerBatch) batch).seq()).isEqualTo(seq),
                flush -> assertThat(flush).isEqualTo(new Flush(seq)));
    }

    /** Sets the gold of {@code userId}'s {@code profile}, then flushes it, and runs what that made due. */
    private CompletableFuture<Void> setAndFlush(ObservableServerProfile profile, String userId, int value) {
        gold(profile).set(value);
        CompletableFuture<Void> flushed = core.flush(userId);
        loop.runDue();
        return flushed;
    }

    private static Throwable failure(CompletableFuture<?> future) {
        assertThat(future).isCompletedExceptionally();
        return future.handle((value, error) -> error instanceof CompletionException ? error.getCause() : error)
                .join();
    }

    @Test
    void flushSendsTheChangesAtOnceAsksTheMasterToSaveAndCompletesOnlyOnTheDurableAcknowledgement() {
        Channel channel = startWelcomed();
        ObservableServerProfile profile = acquire(channel, "u1", 1);
        CompletableFuture<Void> flushed = setAndFlush(profile, "u1", 5); // no tick passed: the flush sent the batch
        assertBatchThenFlush(channel, 1);
        // Changes after the call are not waited for.
        gold(profile).set(6);

        channel.deliver(new ServerPush(1, 0, last(channel.sent(ServerBatch.class)).entries(), List.of()));
        loop.runDue();
        assertThat(flushed).as("applied is not durable").isNotDone();
        push(channel, 1, 1);
        assertThat(flushed).isCompleted();

        // Nothing written since the last durable batch: done at once, nothing asked.
        gold(profile).set(5); // back to the durable value, but a change all the same: it goes as batch 2
        loop.advance(TICK);
        push(channel, 2, 2);
        int before = channel.sent().size();
        assertThat(core.flush("u1")).isCompleted();
        assertThat(channel.sent()).hasSize(before);
    }

    @Test
    void aFlushWaitingForTheWindowAsksForTheBatchItsChangesGoIn() {
        Channel channel = startWelcomed();
        ObservableServerProfile profile = acquire(channel, "u1", 1);
        for (int i = 1; i <= ReplicaSet.MAX_BATCHES_IN_FLIGHT; i++) {
            gold(profile).set(i);
            loop.advance(TICK);
        }
        CompletableFuture<Void> flushed = setAndFlush(profile, "u1", 100);
        assertThat(channel.sent(ServerBatch.class)).hasSize(ReplicaSet.MAX_BATCHES_IN_FLIGHT);
        assertThat(channel.sent(Flush.class)).as("its changes are in no batch yet").isEmpty();

        channel.deliver(new ServerPush(8, 0, List.of(), List.of()));
        loop.advance(TICK);
        assertBatchThenFlush(channel, 9);
        push(channel, 9, 8);
        assertThat(flushed).isNotDone();
        push(channel, 9, 9);
        assertThat(flushed).isCompleted();
    }

    @Test
    void aFlushStaysPendingOverADropAndAsksTheNextMasterAfterTheResend() {
        Channel first = startWelcomed();
        ObservableServerProfile profile = acquire(first, "u1", 1);
        CompletableFuture<Void> flushed = setAndFlush(profile, "u1", 5);
        push(first, 1, 0); // applied, and the master died before saving
        first.drop();
        loop.runDue();
        loop.advance(Duration.ofMillis(100));
        assertThat(flushed).isNotDone();

        Channel second = welcome(1 << 20);
        AcquireProfile again = last(second.sent(AcquireProfile.class));
        second.deliver(new ProfileAcquired(again.requestId(), 4, 0, SCHEMA.newServerProfile("u1").toBytes()));
        loop.runDue();
        assertBatchThenFlush(second, 1);
        assertThat(flushed).isNotDone();
        push(second, 1, 1);
        assertThat(flushed).isCompleted();
    }

    @Test
    void aFlushFailsNamingTheReasonWhenTheProfileIsLostOrTheServerStops() {
        Channel first = startWelcomed();
        ObservableServerProfile lostProfile = acquire(first, "u1", 1);
        ObservableServerProfile keptProfile = acquire(first, "u2", 2);
        CompletableFuture<Void> lost = setAndFlush(lostProfile, "u1", 5);
        CompletableFuture<Void> stopped = setAndFlush(keptProfile, "u2", 6);
        first.drop();
        loop.runDue();
        loop.advance(Duration.ofMillis(100));
        Channel second = welcome(1 << 20);
        List<AcquireProfile> asked = second.sent(AcquireProfile.class);
        AcquireProfile u1 = asked.stream().filter(a -> a.userId().equals("u1")).findFirst().orElseThrow();
        // While the game server runs, a profile with changes not yet durable is asked for again, not lost
        // (aProfileWithChangesNotDurable...); closing, it is lost.
        core.close();
        loop.runDue();
        second.deliver(new AcquireFailed(u1.requestId(), "database down"));
        loop.runDue();
        assertThat(failure(lost)).isInstanceOfSatisfying(NotDurableException.class, e -> {
            assertThat(e.reason()).isEqualTo(NotDurableException.Reason.LOST);
            assertThat(e).hasMessageContaining("user 'u1' was lost");
        });
        assertThat(stopped).isNotDone();

        core.closeNow();
        loop.runDue();
        assertThat(failure(stopped)).isInstanceOfSatisfying(NotDurableException.class,
                e -> assertThat(e.reason()).isEqualTo(NotDurableException.Reason.STOPPED));
    }

    @Test
    void aFlushOfAProfileNotHeldFailsAndAReleaseAsksTheMasterToSaveAtOnce() {
        Channel channel = startWelcomed();
        assertThat(failure(core.flush("nobody"))).isInstanceOf(ProfileUnavailableException.class)
                .hasMessageContaining("does not hold the profile of user 'nobody'");
        ObservableServerProfile profile = acquire(channel, "u1", 1);
        assertThat(core.flush("u1")).as("nothing written").isCompleted();

        gold(profile).set(3);
        CompletableFuture<Void> released = core.release("u1");
        loop.runDue();
        assertThat(last(channel.sent())).isEqualTo(new Flush(1));
        channel.deliver(acceptAll(last(channel.sent(ServerBatch.class))));
        loop.runDue();
        assertThat(released).isCompleted();
    }
}
