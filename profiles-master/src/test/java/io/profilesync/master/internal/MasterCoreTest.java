package io.profilesync.master.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.profilesync.core.ElementType;
import io.profilesync.core.ObservableInt;
import io.profilesync.core.ObservableList;
import io.profilesync.core.ObservableProfile;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.protocol.RefusalCode;
import io.profilesync.protocol.internal.ExecutorEventLoop;
import io.profilesync.protocol.internal.Messages.AcquireProfile;
import io.profilesync.protocol.internal.Messages.ClientPush;
import io.profilesync.protocol.internal.Messages.ClientUpdate;
import io.profilesync.protocol.internal.Messages.Hello;
import io.profilesync.protocol.internal.Messages.ProfileAcquired;
import io.profilesync.protocol.internal.Messages.ProfileRequest;
import io.profilesync.protocol.internal.Messages.ProfileSnapshot;
import io.profilesync.protocol.internal.Messages.Refused;
import io.profilesync.protocol.internal.Messages.Role;
import io.profilesync.protocol.internal.Messages.ServerPush;
import io.profilesync.protocol.internal.Messages.Welcome;
import io.profilesync.protocol.internal.Protocol;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The master core without sockets: handshake, dedupe, pushes, back-pressure, shutdown, in virtual time. */
class MasterCoreTest extends CoreHarness {
    @Test
    void aPeerThatDoesNotAuthenticateInTimeIsRefusedThenClosedAfterAMomentsGrace() {
        start(config().authenticationTimeout(ms(300)).build());
        RecordingChannel silent = connect();
        RecordingChannel prompt = connect();
        loop.advance(ms(100));
        receive(prompt, new Hello(Protocol.VERSION, Role.GAME_SERVER, 1, SECRET, ""));
        loop.advance(ms(199));
        assertThat(silent.sent).isEmpty();
        loop.advance(ms(1));
        assertThat(silent.last(Refused.class).code()).isEqualTo(RefusalCode.TIMEOUT);
        assertThat(silent.closed).as("the Refused gets a moment to leave").isFalse();
        loop.advance(ms(100));
        assertThat(silent.closed).isTrue();
        loop.advance(Duration.ofMinutes(1));
        assertThat(prompt.sent(Refused.class)).isEmpty();
        assertThat(prompt.closed).isFalse();
        assertThat(core.stats().gameServers()).isEqualTo(1);
    }

    @Test
    void anAuthenticatorThatNeverAnswersCountsAgainstTheTimeout() {
        start(config().authenticationTimeout(ms(300)).clientAuthenticator(token -> new CompletableFuture<>()).build());
        RecordingChannel client = connect();
        receive(client, new Hello(Protocol.VERSION, Role.CLIENT, 1, "alice", ""));
        loop.advance(ms(300));
        assertThat(client.last(Refused.class).code()).isEqualTo(RefusalCode.TIMEOUT);
    }

    @Test
    void workBeforeHelloAndAWrongSecretAreRefused() {
        start(config().build());
        RecordingChannel eager = connect();
        receive(eager, new AcquireProfile(1, "alice"));
        assertThat(eager.last(Refused.class).code()).isEqualTo(RefusalCode.BAD_MESSAGE);
        RecordingChannel wrong = connect();
        receive(wrong, new Hello(Protocol.VERSION, Role.GAME_SERVER, 1, "not-the-secret-at-all", ""));
        assertThat(wrong.last(Refused.class).code()).isEqualTo(RefusalCode.AUTHENTICATION);
        loop.advance(Duration.ofNanos(Sessions.CLOSE_GRACE_NANOS));
        assertThat(eager.closed && wrong.closed).isTrue();
        assertThat(accessor.restoreTimes).as("nothing loaded for an unauthenticated peer").isEmpty();
    }

    @Test
    void aBatchSentAgainAfterAReconnectIsAcknowledgedNotAppliedAgain() {
        assertThat(itemsAfterResendingBatchOne()).isEqualTo(1);
    }

    @Test
    void brokenOnPurposeWithoutDedupeTheResentBatchIsAppliedTwice() {
        assertThat(itemsAfterResendingBatchOne(BrokenOnPurpose.DEDUPE_OFF)).isEqualTo(2);
    }

    private int itemsAfterResendingBatchOne(BrokenOnPurpose... broken) {
        start(config().build(), broken);
        RecordingChannel first = gameServer(99);
        ProfileAcquired acquired = acquire(first, 1, "alice");
        byte[] addItem = delta(replica(acquired.profile()), p -> p.getList("items", ElementType.STRING).add("shield"));
        batch(first, 1, acquired.handle(), addItem);
        assertThat(first.last(ServerPush.class).ackSeq()).isEqualTo(1);
        core.onDisconnected(first);

        RecordingChannel again = gameServer(99);
        ProfileAcquired reacquired = acquire(again, 1, "alice");
        assertThat(reacquired.lastAppliedSeq()).isEqualTo(1);
        batch(again, 1, reacquired.handle(), addItem);
        assertThat(again.last(ServerPush.class).ackSeq()).isEqualTo(1);
        return core.loadedProfile("alice").orElseThrow().get("items", ObservableList.class).size();
    }

    @Test
    void aSkipInTheNumberingIsAcceptedAndANumberThatGoesBackIsNotAppliedAgain() {
        // Skips happen: a batch whose profiles were all released is not sent again after a reconnection.
        start(config().build());
        RecordingChannel gameServer = gameServer(5);
        ProfileAcquired acquired = acquire(gameServer, 1, "alice");
        ObservableServerProfile copy = replica(acquired.profile());
        batch(gameServer, 1, acquired.handle(), delta(copy, p -> p.get("gold", ObservableInt.class).set(3)));
        batch(gameServer, 5, acquired.handle(), delta(copy, p -> p.get("gold", ObservableInt.class).set(4)));
        assertThat(gameServer.last(ServerPush.class).ackSeq()).isEqualTo(5);
        batch(gameServer, 4, acquired.handle(), delta(copy, p -> p.get("gold", ObservableInt.class).set(9)));
        assertThat(masterInt("alice", "gold")).isEqualTo(4);
        assertThat(gameServer.closed).isFalse();
    }

    @Test
    void anInstanceIsRememberedForAnHourAfterItsLastBatch() {
        start(config().build());
        RecordingChannel first = gameServer(77);
        ProfileAcquired acquired = acquire(first, 1, "alice");
        batch(first, 1, acquired.handle(), delta(replica(acquired.profile()),
                p -> p.get("gold", ObservableInt.class).set(3)));
        core.onDisconnected(first);
        RecordingChannel later = gameServer(77);
        loop.advance(Duration.ofMinutes(60).minusMillis(1));
        assertThat(acquire(later, 2, "alice").lastAppliedSeq()).isEqualTo(1);
        loop.advance(ms(1));
        // The instance is forgotten in memory; the profile's own exactly-once record (saved with it) still says so.
        assertThat(acquire(later, 3, "alice").lastAppliedSeq()).as("from the profile's record").isEqualTo(1);
        assertThat(core.loadedProfile("alice").orElseThrow().appliedBatches().get("gs:0:77").seq()).isEqualTo(1);
    }

    @Test
    void theWritersPushCarriesItsOwnChangeSoItsCopyConverges() {
        assertThat(entriesPushedBackToTheWriter()).isEqualTo(1);
    }

    @Test
    void brokenOnPurposeThePushLeavesOutTheWritersOwnChange() {
        assertThat(entriesPushedBackToTheWriter(BrokenOnPurpose.PUSH_SKIPS_WRITERS_OWN_CHANGES)).isZero();
    }

    private int entriesPushedBackToTheWriter(BrokenOnPurpose... broken) {
        start(config().build(), broken);
        RecordingChannel writer = gameServer(1);
        RecordingChannel other = gameServer(2);
        ProfileAcquired mine = acquire(writer, 1, "alice");
        acquire(other, 1, "alice");
        batch(writer, 1, mine.handle(), delta(replica(mine.profile()),
                p -> p.getList("items", ElementType.STRING).add("sword")));
        assertThat(other.last(ServerPush.class).entries()).as("the other holder always hears of it").hasSize(1);
        ServerPush back = writer.last(ServerPush.class);
        assertThat(back.ackSeq()).isEqualTo(1);
        return back.entries().size();
    }

    @Test
    void aClientIsPushedToAtMostOncePerDebounceWithEverythingCoalesced() {
        start(config().clientUpdateDebounce(ms(100)).build());
        RecordingChannel client = client("alice", 1);
        receive(client, new ProfileRequest());
        ObservableProfile copy = clientCopy(client);
        RecordingChannel gameServer = gameServer(2);
        ProfileAcquired held = acquire(gameServer, 1, "alice");
        ObservableServerProfile replica = replica(held.profile());
        for (int i = 1; i <= 100; i++) {
            int gold = i;
            batch(gameServer, i, held.handle(), delta(replica, p -> p.get("gold", ObservableInt.class).set(gold)));
            loop.advance(ms(10)); // one change every 10 ms for 1 s
        }
        loop.advance(ms(100));
        for (ClientPush push : client.sent(ClientPush.class)) {
            copy.applyUpdates(push.delta());
        }
        assertThat(copy.get("gold", ObservableInt.class).get()).isEqualTo(100);
        assertThat(client.sent(ClientPush.class)).as("1 s of changes, 100 ms debounce").hasSizeBetween(10, 11);
    }

    @Test
    void aDebouncedPushDoesNotRaceTheBatchArrivingExactlyOneDebounceAfterTheLastPush() {
        // A game server ticking at a divisor of the debounce delivers a batch exactly when the next push falls due;
        // the push waits for the next 10 ms step, so it carries that batch, not the value one tick older.
        start(config().clientUpdateDebounce(Duration.ofSeconds(1)).build());
        RecordingChannel client = client("alice", 1);
        receive(client, new ProfileRequest());
        ObservableProfile copy = clientCopy(client);
        RecordingChannel gameServer = gameServer(2);
        ProfileAcquired held = acquire(gameServer, 1, "alice");
        ObservableServerProfile replica = replica(held.profile());
        loop.advance(ms(3)); // off the grid
        batch(gameServer, 1, held.handle(), delta(replica, p -> p.get("gold", ObservableInt.class).set(1)));
        int pushes = client.sent(ClientPush.class).size();
        for (int tick = 2; tick <= 11; tick++) { // every 100 ms: the 11th arrives a debounce after the first push
            loop.advance(ms(100));
            int gold = tick;
            batch(gameServer, tick, held.handle(), delta(replica, p -> p.get("gold", ObservableInt.class).set(gold)));
        }
        loop.advance(Duration.ofNanos(ClientPushes.PUSH_GRID_NANOS));
        List<ClientPush> sent = client.sent(ClientPush.class);
        assertThat(sent).as("the first push, then one a debounce later").hasSize(pushes + 1);
        for (ClientPush push : sent) {
            copy.applyUpdates(push.delta());
        }
        assertThat(copy.get("gold", ObservableInt.class).get()).as("the batch of that instant included").isEqualTo(11);
    }

    @Test
    void aSlowReadersPushesWaitAndCoalesceAndItsQueuedMessagesLeaveInOrderWhenItReadsAgain() {
        start(config().build());
        RecordingChannel client = connect();
        client.room = false;
        receive(client, new Hello(Protocol.VERSION, Role.CLIENT, 1, "alice", ""));
        receive(client, new ProfileRequest());
        assertThat(client.sent).as("Welcome and snapshot wait for room").isEmpty();
        RecordingChannel gameServer = gameServer(2);
        ProfileAcquired held = acquire(gameServer, 1, "alice");
        ObservableServerProfile replica = replica(held.profile());
        for (int i = 1; i <= 5; i++) {
            int gold = i;
            batch(gameServer, i, held.handle(), delta(replica, p -> p.get("gold", ObservableInt.class).set(gold)));
            loop.advance(ms(200));
        }
        client.room = true;
        loop.advance(ms(200));
        assertThat(client.sent.get(0)).isInstanceOf(Welcome.class);
        assertThat(client.sent.get(1)).isInstanceOf(ProfileSnapshot.class);
        assertThat(client.sent(ClientPush.class)).as("five changes, one push").hasSize(1);
        ObservableProfile copy = clientCopy(client);
        copy.applyUpdates(client.last(ClientPush.class).delta());
        assertThat(copy.get("gold", ObservableInt.class).get()).isEqualTo(5);
    }

    @Test
    void aPeerThatDoesNotReadIsDisconnectedWhenTenThousandMessagesWait() {
        start(config().build());
        RecordingChannel gameServer = gameServer(1);
        RecordingChannel bystander = gameServer(2);
        acquire(gameServer, 1, "alice");
        gameServer.room = false;
        for (int i = 0; i < OutboundQueue.MAX_QUEUED_MESSAGES; i++) {
            core.onReceived(gameServer, new AcquireProfile(i + 2, "alice"));
        }
        assertThat(gameServer.closed).isFalse();
        core.onReceived(gameServer, new AcquireProfile(1, "alice"));
        assertThat(gameServer.closed).isTrue();
        assertThat(bystander.closed).isFalse();
        assertThat(core.stats().gameServers()).isEqualTo(1);
    }

    @Test
    void shutdownPushesEveryPendingAcknowledgementAtOnceAndAppliesNothingMore() {
        start(config().clientUpdateDebounce(Duration.ofSeconds(5)).build());
        RecordingChannel client = client("alice", 1);
        receive(client, new ProfileRequest());
        ObservableProfile mine = clientCopy(client);
        receive(client, new ClientUpdate(1, delta(mine, p -> p.getList("items", ElementType.STRING).add("a"))));
        receive(client, new ClientUpdate(2, delta(mine, p -> p.getList("items", ElementType.STRING).add("b"))));
        long pushesBefore = client.sent(ClientPush.class).size();
        core.beginShutdown();
        assertThat(client.sent(ClientPush.class)).hasSize((int) pushesBefore + 1);
        assertThat(client.last(ClientPush.class).ackSeq()).isEqualTo(2);
        receive(client, new ClientUpdate(3, delta(mine, p -> p.getList("items", ElementType.STRING).add("c"))));
        assertThat(core.loadedProfile("alice").orElseThrow().get("items", ObservableList.class).size()).isEqualTo(2);
        RecordingChannel late = connect();
        assertThat(late.closed).as("no new peers while shutting down").isTrue();
    }

    @Test
    void aQuietMasterDoesNoWorkHoweverManyProfilesItHolds() {
        start(config().build());
        RecordingChannel gameServer = gameServer(1);
        for (int i = 0; i < 1000; i++) {
            acquire(gameServer, i + 1, "user" + i);
        }
        loop.advance(Duration.ofSeconds(5)); // the new profiles are saved
        assertThat(core.dirtyCount()).isZero();
        long ran = loop.tasksRun();
        loop.advance(Duration.ofMinutes(10));
        assertThat(loop.tasksRun() - ran).as("no scan of the loaded profiles").isZero();
        assertThat(loop.pending()).isLessThanOrEqualTo(1);
    }

    @Test
    void callsFromAnotherThreadThanTheLoopsAreRefusedNamingTheThread() throws Exception {
        ExecutorEventLoop threaded = ExecutorEventLoop.singleThread("core-test-loop");
        try {
            MasterCore onItsThread = new MasterCore(config().build(), SCHEMA, accessor, threaded);
            assertThatThrownBy(() -> onItsThread.onConnected(new RecordingChannel(1)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("MasterCore.onConnected")
                    .hasMessageContaining(Thread.currentThread().getName());
            CompletableFuture<Integer> fromTheLoop = new CompletableFuture<>();
            threaded.execute(() -> fromTheLoop.complete(onItsThread.dirtyCount()));
            assertThat(fromTheLoop.get(10, TimeUnit.SECONDS)).isZero();
            assertThat(onItsThread.stats().clients()).as("stats: any thread").isZero();
        } finally {
            threaded.executor().shutdownNow();
        }
    }
}
