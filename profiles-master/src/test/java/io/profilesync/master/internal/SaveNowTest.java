package io.profilesync.master.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.profilesync.core.ElementType;
import io.profilesync.core.ObservableInt;
import io.profilesync.populators.ProfileSchema;
import io.profilesync.protocol.internal.Messages.ClientPush;
import io.profilesync.protocol.internal.Messages.ClientUpdate;
import io.profilesync.protocol.internal.Messages.Flush;
import io.profilesync.protocol.internal.Messages.HandleDelta;
import io.profilesync.protocol.internal.Messages.ProfileAcquired;
import io.profilesync.protocol.internal.Messages.ProfileRequest;
import io.profilesync.protocol.internal.Messages.ProfileSnapshot;
import io.profilesync.protocol.internal.Messages.ServerBatch;
import io.profilesync.protocol.internal.Messages.ServerPush;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Saves that do not wait for {@code saveProfileDebounce} (here an hour, so any save within it was asked for): a
 * change to a {@code durability: immediate} property, and a writer's {@link Flush}; profiles due together go in one
 * accessor batch (group commit).
 */
class SaveNowTest extends CoreHarness {
    /** The harness's schema with gold saved at once (the same layout, so the harness's replicas read it). */
    private static final ProfileSchema GOLD_IMMEDIATE = ProfileSchema.builder()
            .stringProperty("displayName", "").maxLength(16).clientWritable()
            .intProperty("level", 1).min(1).max(100)
            .intProperty("gold", 0).min(0).savedImmediately()
            .stringProperty("banReason", "").hiddenFromClients()
            .listProperty("items", ElementType.STRING).maxSize(8).clientWritable()
            .build();
    private static final Duration HOUR = Duration.ofHours(1);

    private static byte[] set(ProfileAcquired acquired, String property, int value) {
        return delta(replica(acquired.profile()), p -> p.get(property, ObservableInt.class).set(value));
    }

    private RecordingChannel gameServer;

    /** A master with an hour's debounce and a game server holding {@code userId}'s profile. */
    private ProfileAcquired startHolding(String userId) {
        schema = GOLD_IMMEDIATE;
        start(config().saveProfileDebounce(HOUR).build());
        gameServer = gameServer(7);
        return acquire(gameServer, 1, userId);
    }

    @Test
    void aChangeToAnImmediatePropertyIsSavedAtOnceAndAnOrdinaryOneWaitsForTheDebounce() {
        ProfileAcquired alice = startHolding("alice");
        batch(gameServer, 1, alice.handle(), set(alice, "level", 5));
        loop.advance(Duration.ofSeconds(10));
        assertThat(accessor.saveTimes).as("level is debounced").isEmpty();
        assertThat(gameServer.last(ServerPush.class).durableSeq()).isZero();

        batch(gameServer, 2, alice.handle(), set(alice, "gold", 100));
        loop.advance(ms(SaveScheduler.COALESCE_NANOS / 1_000_000));
        assertThat(accessor.saveBatches).containsExactly(List.of("alice"));
        assertThat(accessor.rows.get("alice").json()).contains("\"gold\":100").contains("\"level\":5");
        assertThat(gameServer.last(ServerPush.class).durableSeq()).isEqualTo(2);
    }

    @Test
    void immediateChangesDueTogetherShareOneAccessorBatch() {
        ProfileAcquired alice = startHolding("alice");
        ProfileAcquired bob = acquire(gameServer, 2, "bob");
        RecordingChannel carol = client("carol", 3);
        receive(carol, new ProfileRequest());
        batch(gameServer, 1, alice.handle(), set(alice, "gold", 1));
        loop.advance(ms(4));
        batch(gameServer, 2, bob.handle(), set(bob, "gold", 2));
        // A master edit of an immediate property is saved at once too.
        edit("carol", p -> p.get("gold", ObservableInt.class).set(3));
        loop.advance(ms(10));
        assertThat(accessor.saveBatches).containsExactly(List.of("alice", "bob", "carol"));
    }

    @Test
    void aFlushSavesAtOnceTheProfilesOfTheNamedBatchesAndNoOthers() {
        ProfileAcquired alice = startHolding("alice");
        ProfileAcquired bob = acquire(gameServer, 2, "bob");
        batch(gameServer, 1, alice.handle(), set(alice, "level", 2));
        batch(gameServer, 2, bob.handle(), set(bob, "level", 3));

        receive(gameServer, new Flush(1));
        loop.advance(ms(10));
        assertThat(accessor.saveBatches).containsExactly(List.of("alice"));
        assertThat(gameServer.last(ServerPush.class).durableSeq()).isEqualTo(1);

        receive(gameServer, new Flush(2));
        receive(gameServer, new Flush(2)); // asked twice (after a reconnection, say): one save
        loop.advance(ms(10));
        assertThat(accessor.saveBatches).containsExactly(List.of("alice"), List.of("bob"));
        assertThat(gameServer.last(ServerPush.class).durableSeq()).isEqualTo(2);

        receive(gameServer, new Flush(2)); // durable already: nothing to save
        receive(gameServer, new Flush(99)); // never sent: nothing to save, and no violation
        loop.advance(Duration.ofSeconds(1));
        assertThat(accessor.saveBatches).hasSize(2);
        assertThat(gameServer.closed).isFalse();
    }

    @Test
    void aFlushArrivingWhileASaveIsInFlightSavesTheRestAsSoonAsThatSaveEnds() {
        startHolding("bob");
        RecordingChannel client = client("alice", 3);
        receive(client, new ProfileRequest());
        byte[] snapshot = client.last(ProfileSnapshot.class).profile();
        io.profilesync.core.ObservableProfile copy = SCHEMA.clientSchema().newProfile();
        copy.fromBytes(snapshot);
        receive(client, new ClientUpdate(1, delta(copy, p -> p.getList("items", ElementType.STRING).add("a"))));
        accessor.holdSaves = true;
        receive(client, new Flush(1));
        loop.advance(ms(10));
        assertThat(accessor.heldSaves).hasSize(1);

        receive(client, new ClientUpdate(2, delta(copy, p -> p.getList("items", ElementType.STRING).add("b"))));
        receive(client, new Flush(2));
        accessor.holdSaves = false;
        accessor.releaseHeldSaves();
        loop.advance(ms(10));
        assertThat(accessor.saveBatches).as("the second save did not wait an hour").hasSize(2);
        assertThat(accessor.rows.get("alice").json()).contains("[\"a\",\"b\"]");
        loop.advance(ms(100)); // the client's push debounce
        assertThat(client.last(ClientPush.class).durableSeq()).isEqualTo(2);
    }

    @Test
    void whileTheDatabaseIsDownAFlushedBatchWaitsAndIsDurableOnceASaveSucceeds() {
        ProfileAcquired alice = startHolding("alice");
        accessor.failSaves = 2;
        receive(gameServer, new ServerBatch(1, List.of(new HandleDelta(alice.handle(), set(alice, "level", 9)))));
        receive(gameServer, new Flush(1));
        loop.advance(ms(10));
        assertThat(accessor.saveTimes).hasSize(1);
        assertThat(gameServer.last(ServerPush.class).durableSeq()).isZero();
        loop.advance(Duration.ofSeconds(5)); // retried with backoff, not after the hour's debounce
        assertThat(accessor.saveTimes).hasSize(3);
        assertThat(gameServer.last(ServerPush.class).durableSeq()).isEqualTo(1);
    }
}
