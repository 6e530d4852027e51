package io.profilesync.master.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.profilesync.core.ObservableInt;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.master.AdminRefusedException;
import io.profilesync.protocol.internal.Messages.ClientPush;
import io.profilesync.protocol.internal.Messages.ProfileAcquired;
import io.profilesync.protocol.internal.Messages.ProfileRequest;
import io.profilesync.protocol.internal.Messages.ReleaseProfile;
import io.profilesync.protocol.internal.Messages.Role;
import io.profilesync.protocol.internal.Messages.ServerPush;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The master core's side of the admin API: the list of peers, evict, restore, and the push-latency histogram. */
class MasterCoreAdminTest extends CoreHarness {
    @Test
    void peersAreListedWithWhoTheyAreSinceWhenAndWhatTheyHold() {
        start(config().build());
        long start = loop.nanoTime();
        loop.advance(ms(500));
        RecordingChannel gameServer = gameServer(7);
        acquire(gameServer, 1, "alice");
        loop.advance(ms(250));
        RecordingChannel client = client("bob", 8);
        receive(client, new ProfileRequest());
        RecordingChannel stranger = connect();

        List<MasterCore.Peer> peers = core.peers();

        assertThat(peers).hasSize(3);
        assertThat(peers.get(0)).isEqualTo(new MasterCore.Peer(Role.GAME_SERVER, null, 0,
                gameServer.remoteAddress(), start + ms(500).toNanos(), List.of("alice")));
        assertThat(peers.get(1)).isEqualTo(new MasterCore.Peer(Role.CLIENT, "bob", -1, client.remoteAddress(),
                start + ms(750).toNanos(), List.of("bob")));
        assertThat(peers.get(2).role()).as("still authenticating").isNull();
        assertThat(peers.get(2).remoteAddress()).isEqualTo(stranger.remoteAddress());
    }

    @Test
    void evictIsRefusedWhileHeldAndSavesADirtyProfileBeforeUnloadingIt() {
        start(config().saveProfileDebounce(Duration.ofMinutes(10)).build());
        RecordingChannel gameServer = gameServer(7);
        ProfileAcquired acquired = acquire(gameServer, 1, "alice");

        CompletableFuture<Boolean> held = core.evict("alice");
        assertThat(held).isCompletedExceptionally();
        assertThat(failure(held)).isInstanceOf(AdminRefusedException.class)
                .hasMessageStartingWith("the profile of user 'alice' is held by game server test channel 1")
                .hasMessageEndingWith("it is unloaded by itself once they release it, or disconnect them first");

        receive(gameServer, new ReleaseProfile(acquired.handle()));
        edit("alice", profile -> profile.get("gold", ObservableInt.class).set(42));
        CompletableFuture<Boolean> evicted = core.evict("alice");
        assertThat(evicted).as("waits for the save, not the ten-minute debounce").isNotDone();
        loop.advance(Duration.ofNanos(SaveScheduler.COALESCE_NANOS));
        assertThat(evicted).isCompletedWithValue(true);
        assertThat(accessor.rows.get("alice").json()).contains("\"gold\":42");
        assertThat(core.loadedUserIds()).isEmpty();

        assertThat(core.evict("alice")).as("not loaded").isCompletedWithValue(false);
    }

    @Test
    void restoreIsRefusedWhilePeersAreConnectedElseDropsEveryProfileAndReplacesTheRows() {
        start(config().saveProfileDebounce(Duration.ofMinutes(10)).build());
        RecordingChannel gameServer = gameServer(7);
        CompletableFuture<Integer> refused = core.restore(() -> {
            throw new AssertionError("no rows are replaced while peers are connected");
        });
        assertThat(failure(refused)).isInstanceOf(AdminRefusedException.class)
                .hasMessageStartingWith("1 peer(s) are connected (game server test channel 1")
                .hasMessageEndingWith("Stop the game servers and clients first, or stop the master and restore "
                        + "with it stopped");
        core.onDisconnected(gameServer);

        edit("alice", profile -> profile.get("gold", ObservableInt.class).set(42)); // unsaved: the debounce
        CompletableFuture<Void> rowsReplaced = new CompletableFuture<>();
        CompletableFuture<Integer> restored = core.restore(() -> rowsReplaced);
        assertThat(core.loadedUserIds()).as("every profile left memory").isEmpty();
        RecordingChannel during = connect();
        assertThat(during.closed).as("no peer while the rows are replaced").isTrue();
        assertThat(core.edit("alice", profile -> { })).isCompletedExceptionally();

        accessor.rows.put("alice", new ScriptedAccessor.Row("{\"gold\":7}", 3));
        rowsReplaced.complete(null);
        loop.runDue();
        assertThat(restored).isCompletedWithValue(1);
        edit("alice", profile -> { });
        assertThat(masterInt("alice", "gold")).as("read again from the restored rows").isEqualTo(7);
        loop.advance(Duration.ofMinutes(11));
        assertThat(accessor.rows.get("alice").json()).as("the discarded change is never saved")
                .contains("\"gold\":7");
    }

    @Test
    void pushLatencyIsTimedFromTheAcceptedChangeToThePushOfEachOtherHolder() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        start(config().meterRegistry(registry).clientUpdateDebounce(ms(100)).build());
        RecordingChannel writer = gameServer(7);
        ProfileAcquired acquired = acquire(writer, 1, "alice");
        RecordingChannel other = gameServer(8);
        acquire(other, 1, "alice");
        RecordingChannel client = client("alice", 9);
        receive(client, new ProfileRequest());
        ObservableServerProfile copy = replica(acquired.profile());

        batch(writer, 1, acquired.handle(), delta(copy, p -> p.get("gold", ObservableInt.class).set(5)));
        assertThat(other.last(ServerPush.class).entries()).hasSize(1);
        assertThat(client.last(ClientPush.class).delta()).as("pushed at once: no push for a debounce").isNotEmpty();
        batch(writer, 2, acquired.handle(), delta(copy, p -> p.get("gold", ObservableInt.class).set(6)));
        // The client's second push waits for its debounce, counted from the arrival margin after the first.
        loop.advance(ms(100).plusNanos(ClientPushes.ARRIVAL_MARGIN_NANOS));

        Timer toGameServers = registry.get("profilesync.push.latency").tag("holder", "game_server").timer();
        assertThat(toGameServers.count()).as("the other game server only, not the writer").isEqualTo(2);
        assertThat(toGameServers.totalTime(TimeUnit.NANOSECONDS)).isZero();
        Timer toClients = registry.get("profilesync.push.latency").tag("holder", "client").timer();
        assertThat(toClients.count()).isEqualTo(2);
        assertThat(toClients.totalTime(TimeUnit.NANOSECONDS)).as("the debounce and the margin")
                .isEqualTo(ms(100).toNanos() + ClientPushes.ARRIVAL_MARGIN_NANOS);
    }

    /** Why a completed future failed (CompletableFuture.exceptionNow is Java 19). */
    private static Throwable failure(CompletableFuture<?> future) {
        assertThat(future).isCompletedExceptionally();
        return future.handle((value, error) -> error).join();
    }
}
