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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

    /** Alice's client, with a copy of her profile from its snapshot, and a game server writing her gold. */
    private final class Watched {
        private final RecordingChannel client;
        private final RecordingChannel gameServer;
        private final ProfileAcquired held;
        private final ObservableServerProfile replica;
        private final byte[] snapshot;

        Watched(Duration clientUpdateDebounce) {
            start(config().clientUpdateDebounce(clientUpdateDebounce).build());
            client = client("alice", 1);
            receive(client, new ProfileRequest());
            snapshot = client.last(ProfileSnapshot.class).profile();
            gameServer = gameServer(2);
            held = acquire(gameServer, 1, "alice");
            replica = replica(held.profile());
        }

        /** The game server's batch {@code seq} sets her gold. */
        void gold(long seq, int gold) {
            batch(gameServer, seq, held.handle(), delta(replica, p -> p.get("gold", ObservableInt.class).set(gold)));
        }

        int pushes() {
            return client.sent(ClientPush.class).size();
        }

        /** The gold her client shows after its first {@code pushes} pushes. */
        int goldShown(int pushes) {
            ObservableProfile copy = SCHEMA.clientSchema().newProfile();
            copy.fromBytes(snapshot);
            List<ClientPush> sent = client.sent(ClientPush.class);
            for (int i = 0; i < pushes; i++) {
                copy.applyUpdates(sent.get(i).delta());
            }
            return copy.get("gold", ObservableInt.class).get();
        }
    }

    @Test
    void aClientIsPushedToAtMostOncePerDebounceWithEverythingCoalesced() {
        Watched alice = new Watched(ms(100));
        for (int i = 1; i <= 100; i++) {
            alice.gold(i, i);
            loop.advance(ms(10)); // one change every 10 ms for 1 s
        }
        loop.advance(ms(100));
        assertThat(alice.goldShown(alice.pushes())).isEqualTo(100);
        assertThat(alice.pushes()).as("1 s of changes, 100 ms debounce").isBetween(10, 11);
    }

    @Test
    void aDebouncedPushDoesNotRaceTheBatchArrivingExactlyOneDebounceAfterTheLastPush() {
        // A game server ticking at a divisor of the debounce delivers a batch exactly when the next push falls due;
        // the push falls due a margin after that instant, so it carries that batch, not the value one tick older.
        Watched alice = new Watched(Duration.ofSeconds(1));
        loop.advance(ms(3));
        alice.gold(1, 1);
        int pushes = alice.pushes();
        for (int tick = 2; tick <= 11; tick++) { // every 100 ms: the 11th arrives a debounce after the first push
            loop.advance(ms(100));
            alice.gold(tick, tick);
        }
        loop.advance(Duration.ofNanos(ClientPushes.ARRIVAL_MARGIN_NANOS));
        assertThat(alice.pushes()).as("the first push, then one a debounce later").isEqualTo(pushes + 1);
        assertThat(alice.goldShown(alice.pushes())).as("the batch of that instant included").isEqualTo(11);
    }

    @Test
    void debouncedPushesKeepAnExactPeriodThroughALateLoopAndCountFromTheSendWhenLaterThanTheMargin() {
        Watched alice = new Watched(Duration.ofSeconds(1));
        int seen = alice.pushes();
        // At 1016 ms the loop is busy 2 ms (the push due at 1017 leaves 1 ms late, within the 10 ms margin); at
        // 3016 ms 16 ms (the push due at 3017 leaves 15 ms late, beyond it).
        Map<Long, Long> stalls = Map.of(1016L, 2L, 3016L, 16L);
        List<Long> pushedAt = new ArrayList<>();
        List<Integer> carried = new ArrayList<>();
        int tick = 0;
        for (long ms = 0; ms < 5000; ) {
            if (ms % 100 == 7) { // a game server ticking every 100 ms
                tick++;
                alice.gold(tick, tick);
            }
            long step = stalls.getOrDefault(ms, 1L);
            if (step > 1) {
                loop.stall(ms(step));
                loop.runDue();
            } else {
                loop.advance(ms(1));
            }
            ms += step;
            for (; seen < alice.pushes(); seen++) {
                pushedAt.add(ms);
                carried.add(alice.goldShown(seen + 1));
            }
        }
        assertThat(pushedAt).as("at once, then a debounce and the margin after; exact through 1 ms of lateness, "
                + "counted from the send after 15 ms").containsExactly(8L, 1018L, 2017L, 3032L, 4032L);
        assertThat(carried).as("each push carries the batch that arrived just before it").containsExactly(1, 11, 21,
                31, 41);
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
