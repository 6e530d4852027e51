package io.profilesync.master.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.profilesync.core.ElementType;
import io.profilesync.core.ObservableInt;
import io.profilesync.core.ObservableList;
import io.profilesync.core.ObservableProfile;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.protocol.internal.Messages.ClientPush;
import io.profilesync.protocol.internal.Messages.ClientUpdate;
import io.profilesync.protocol.internal.Messages.ProfileAcquired;
import io.profilesync.protocol.internal.Messages.ProfileRequest;
import io.profilesync.protocol.internal.Messages.ReleaseProfile;
import io.profilesync.protocol.internal.Messages.ServerPush;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Durable acknowledgements and exactly-once across crashes, on the master core in virtual time: a batch is
 * acknowledged as applied at once and as durable only once its save commits; a master that dies between the commit and
 * the acknowledgement leaves, in the row, the record that makes the next master skip the batch sent again.
 */
class DurableAcksTest extends CoreHarness {
    private static ObservableList<?> items(ObservableServerProfile profile) {
        return profile.get("items", ObservableList.class);
    }

    @Test
    void noDurableAcknowledgementBeforeTheSaveCommitsButAppliedAtOnce() {
        start(config().build());
        accessor.holdSaves = true;
        RecordingChannel gameServer = gameServer(7);
        ProfileAcquired acquired = acquire(gameServer, 1, "alice");
        batch(gameServer, 1, acquired.handle(), delta(replica(acquired.profile()),
                p -> p.get("gold", ObservableInt.class).set(5)));
        ServerPush applied = gameServer.last(ServerPush.class);
        assertThat(applied.ackSeq()).as("applied at once: the window moves").isEqualTo(1);
        assertThat(applied.durableSeq()).isZero();

        loop.advance(Duration.ofSeconds(2)); // the debounce is over: the save is in flight, held
        assertThat(accessor.heldSaves).hasSize(1);
        assertThat(gameServer.last(ServerPush.class).durableSeq()).as("not committed yet").isZero();

        accessor.releaseHeldSaves();
        loop.runDue();
        assertThat(gameServer.last(ServerPush.class).durableSeq()).isEqualTo(1);
        assertThat(accessor.rows.get("alice").appliedBatches().get("gs:0:7").seq()).isEqualTo(1);
    }

    @Test
    void brokenOnPurposeTheDurableAcknowledgementGoesBeforeTheSave() {
        start(config().build(), BrokenOnPurpose.ACK_BEFORE_DURABLE);
        accessor.holdSaves = true;
        RecordingChannel gameServer = gameServer(7);
        ProfileAcquired acquired = acquire(gameServer, 1, "alice");
        batch(gameServer, 1, acquired.handle(), delta(replica(acquired.profile()),
                p -> p.get("gold", ObservableInt.class).set(5)));
        assertThat(gameServer.last(ServerPush.class).durableSeq()).isEqualTo(1);
        assertThat(accessor.rows).doesNotContainKey("alice");
    }

    @Test
    void aCrashBetweenTheCommitAndTheAcknowledgementGetsTheResentBatchSkipped() {
        start(config().build());
        accessor.holdSaves = true;
        RecordingChannel gameServer = gameServer(7);
        ProfileAcquired acquired = acquire(gameServer, 1, "alice");
        byte[] addShield = delta(replica(acquired.profile()), p -> p.getList("items", ElementType.STRING)
                .add("shield"));
        batch(gameServer, 1, acquired.handle(), addShield);
        loop.advance(Duration.ofSeconds(2));
        // The save commits (the row holds the item and the record that batch 1 of this writer is in it), and the
        // master dies before its completion reaches the loop: no durable acknowledgement was sent.
        accessor.releaseHeldSaves();
        assertThat(gameServer.last(ServerPush.class).durableSeq()).isZero();
        accessor.holdSaves = false;

        crash(config().build());
        RecordingChannel again = gameServer(7);
        ProfileAcquired reacquired = acquire(again, 1, "alice");
        assertThat(reacquired.lastAppliedSeq()).as("from the row's record").isEqualTo(1);
        batch(again, 1, reacquired.handle(), addShield);
        assertThat(items(core.loadedProfile("alice").orElseThrow()).size()).isEqualTo(1);
        assertThat(again.last(ServerPush.class).ackSeq()).isEqualTo(1);
        loop.advance(Duration.ofSeconds(2));
        assertThat(again.last(ServerPush.class).durableSeq()).isEqualTo(1);
    }

    @Test
    void aBatchTouchingTwoProfilesAppliesAgainOnlyToTheOneWhoseSaveDidNotCommit() {
        start(config().saveBatchSize(1).build());
        RecordingChannel gameServer = gameServer(7);
        ProfileAcquired alice = acquire(gameServer, 1, "alice");
        ProfileAcquired bob = acquire(gameServer, 2, "bob");
        byte[] aliceShield = delta(replica(alice.profile()), p -> p.getList("items", ElementType.STRING).add("a"));
        byte[] bobShield = delta(replica(bob.profile()), p -> p.getList("items", ElementType.STRING).add("b"));
        receive(gameServer, new io.profilesync.protocol.internal.Messages.ServerBatch(1, java.util.List.of(
                new io.profilesync.protocol.internal.Messages.HandleDelta(alice.handle(), aliceShield),
                new io.profilesync.protocol.internal.Messages.HandleDelta(bob.handle(), bobShield))));
        accessor.holdSaves = true;
        loop.advance(Duration.ofSeconds(2));
        assertThat(accessor.heldSaves).hasSize(2); // one save per profile (saveBatchSize 1)
        accessor.heldSaves.remove(0).run(); // alice's commits; bob's never does
        accessor.heldSaves.clear();
        accessor.holdSaves = false;

        crash(config().build());
        RecordingChannel again = gameServer(7);
        ProfileAcquired alice2 = acquire(again, 1, "alice");
        ProfileAcquired bob2 = acquire(again, 2, "bob");
        receive(again, new io.profilesync.protocol.internal.Messages.ServerBatch(1, java.util.List.of(
                new io.profilesync.protocol.internal.Messages.HandleDelta(alice2.handle(), aliceShield),
                new io.profilesync.protocol.internal.Messages.HandleDelta(bob2.handle(), bobShield))));
        assertThat(items(core.loadedProfile("alice").orElseThrow()).size()).isEqualTo(1);
        assertThat(items(core.loadedProfile("bob").orElseThrow()).size()).isEqualTo(1);
    }

    @Test
    void aReleasedWritersEntryLeavesTheRecordWithTheNextSave() {
        start(config().build());
        RecordingChannel gameServer = gameServer(7);
        ProfileAcquired acquired = acquire(gameServer, 1, "alice");
        ObservableServerProfile copy = replica(acquired.profile());
        batch(gameServer, 1, acquired.handle(), delta(copy, p -> p.get("gold", ObservableInt.class).set(5)));
        loop.advance(Duration.ofSeconds(2));
        assertThat(accessor.rows.get("alice").appliedBatches().entries()).containsOnlyKeys("gs:0:7");
        receive(gameServer, new ReleaseProfile(acquired.handle()));
        edit("alice", p -> p.get("gold", ObservableInt.class).set(6)); // the next save of the profile
        loop.advance(Duration.ofSeconds(2));
        assertThat(accessor.rows.get("alice").appliedBatches().isEmpty()).isTrue();
    }

    @Test
    void anEntryOlderThanTheRetentionLeavesTheRecordWithTheNextSave() {
        start(config().appliedBatchesRetention(Duration.ofMinutes(10)).build());
        RecordingChannel client = client("alice", 3);
        receive(client, new ProfileRequest());
        ObservableProfile copy = clientCopy(client);
        receive(client, new ClientUpdate(1, delta(copy, p -> p.getList("items", ElementType.STRING).add("x"))));
        loop.advance(Duration.ofSeconds(2));
        assertThat(accessor.rows.get("alice").appliedBatches().entries()).containsOnlyKeys("client:alice:3");
        loop.advance(Duration.ofMinutes(9));
        edit("alice", p -> p.get("gold", ObservableInt.class).set(6));
        loop.advance(Duration.ofSeconds(2));
        assertThat(accessor.rows.get("alice").appliedBatches().entries()).as("9 minutes old: kept")
                .containsOnlyKeys("client:alice:3");
        loop.advance(Duration.ofMinutes(2));
        edit("alice", p -> p.get("gold", ObservableInt.class).set(7));
        loop.advance(Duration.ofSeconds(2));
        assertThat(accessor.rows.get("alice").appliedBatches().isEmpty()).as("11 minutes old: dropped").isTrue();
    }

    @Test
    void aClientPresentingAnotherClientsInstanceIdCannotMakeTheMasterDropThatUsersNextChange() {
        start(config().build());
        RecordingChannel alice = client("alice", 42);
        receive(alice, new ProfileRequest());
        ObservableProfile aliceCopy = clientCopy(alice);
        receive(alice, new ClientUpdate(1, delta(aliceCopy, p -> p.getList("items", ElementType.STRING).add("a1"))));

        // Mallory authenticates as herself and claims alice's instance id, numbering far ahead.
        RecordingChannel mallory = client("mallory", 42);
        receive(mallory, new ProfileRequest());
        ObservableProfile malloryCopy = clientCopy(mallory);
        receive(mallory, new ClientUpdate(1000, delta(malloryCopy,
                p -> p.getList("items", ElementType.STRING).add("m"))));

        receive(alice, new ClientUpdate(2, delta(aliceCopy, p -> p.getList("items", ElementType.STRING).add("a2"))));
        assertThat(items(core.loadedProfile("alice").orElseThrow()).value().toString()).isEqualTo("[a1, a2]");
        loop.advance(Duration.ofSeconds(2));
        assertThat(alice.last(ClientPush.class).durableSeq()).isEqualTo(2);
    }
}
