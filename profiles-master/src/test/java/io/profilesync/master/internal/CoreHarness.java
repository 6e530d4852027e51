package io.profilesync.master.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.profilesync.core.ObservableProfile;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.master.MasterConfig;
import io.profilesync.master.TestProfiles;
import io.profilesync.populators.ProfileSchema;
import io.profilesync.protocol.internal.Messages.AcquireProfile;
import io.profilesync.protocol.internal.Messages.HandleDelta;
import io.profilesync.protocol.internal.Messages.Hello;
import io.profilesync.protocol.internal.Messages.Message;
import io.profilesync.protocol.internal.Messages.ProfileAcquired;
import io.profilesync.protocol.internal.Messages.ProfileSnapshot;
import io.profilesync.protocol.internal.Messages.Role;
import io.profilesync.protocol.internal.Messages.ServerBatch;
import io.profilesync.protocol.internal.Messages.Welcome;
import io.profilesync.protocol.internal.Protocol;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * What the master core tests share: a core on a {@link ManualEventLoop} (virtual time), a {@link ScriptedAccessor},
 * and peers as {@link RecordingChannel}s. No sockets, no threads, no sleeping: a test of seconds runs in milliseconds.
 */
abstract class CoreHarness {
    static final String SECRET = "core-test-game-server-secret";
    static final ProfileSchema SCHEMA = TestProfiles.SCHEMA;

    /** The schema the next {@link #start} or {@link #crash} runs with. */
    ProfileSchema schema = SCHEMA;
    /** The core's loop: a new one after {@link #crash}. */
    ManualEventLoop loop = new ManualEventLoop();
    final ScriptedAccessor accessor = new ScriptedAccessor(loop);
    MasterCore core;
    private int nextChannel = 1;

    /** Every setting a test does not name: a client's token is its user id. */
    static MasterConfig.Builder config() {
        return MasterConfig.builder().gameServerSecret(SECRET)
                .clientAuthenticator(token -> CompletableFuture.completedFuture(token))
                .saveProfileDebounce(Duration.ofSeconds(1)).clientUpdateDebounce(Duration.ofMillis(100))
                .unloadProfileAfter(Duration.ofSeconds(20)).meterRegistry(new SimpleMeterRegistry());
    }

    MasterCore start(MasterConfig config, BrokenOnPurpose... broken) {
        core = new MasterCore(config, schema, accessor, loop, broken.length == 0 ? Set.of() : Set.of(broken));
        return core;
    }

    /**
     * The master process dies (SIGKILL): its memory, connections and queued work are gone, what the accessor
     * committed stays; a new core starts on the same accessor, on a new loop.
     */
    MasterCore crash(MasterConfig config) {
        loop = new ManualEventLoop();
        core = new MasterCore(config, schema, accessor, loop, Set.of());
        return core;
    }

    RecordingChannel connect() {
        RecordingChannel channel = new RecordingChannel(nextChannel++);
        core.onConnected(channel);
        return channel;
    }

    /** Delivers {@code message} and runs whatever it made due now. */
    void receive(RecordingChannel channel, Message message) {
        core.onReceived(channel, message);
        loop.runDue();
    }

    RecordingChannel gameServer(long instanceId) {
        RecordingChannel channel = connect();
        receive(channel, new Hello(Protocol.VERSION, Role.GAME_SERVER, instanceId, SECRET, ""));
        assertThat(channel.last(Welcome.class).userId()).isEmpty();
        return channel;
    }

    RecordingChannel client(String userId, long instanceId) {
        RecordingChannel channel = connect();
        receive(channel, new Hello(Protocol.VERSION, Role.CLIENT, instanceId, userId, ""));
        assertThat(channel.last(Welcome.class).userId()).isEqualTo(userId);
        return channel;
    }

    ProfileAcquired acquire(RecordingChannel gameServer, int requestId, String userId) {
        receive(gameServer, new AcquireProfile(requestId, userId));
        ProfileAcquired acquired = gameServer.last(ProfileAcquired.class);
        assertThat(acquired.requestId()).isEqualTo(requestId);
        return acquired;
    }

    void batch(RecordingChannel gameServer, long seq, int handle, byte[] delta) {
        receive(gameServer, new ServerBatch(seq, List.of(new HandleDelta(handle, delta))));
    }

    /** Runs {@code edit} on the master's copy (through the core, as MasterServer.editProfile does). */
    void edit(String userId, Consumer<ObservableServerProfile> edit) {
        CompletableFuture<Void> done = core.edit(userId, edit);
        loop.runDue();
        assertThat(done).isCompleted();
    }

    /** The master's value of an int property of a loaded profile. */
    int masterInt(String userId, String property) {
        return core.loadedProfile(userId).orElseThrow().get(property, io.profilesync.core.ObservableInt.class).get();
    }

    /** A client's copy of its profile, from the last snapshot {@code client} was sent (in the client's view). */
    static ObservableProfile clientCopy(RecordingChannel client) {
        ObservableProfile copy = SCHEMA.clientSchema().newProfile();
        copy.fromBytes(client.last(ProfileSnapshot.class).profile());
        return copy;
    }

    static ObservableServerProfile replica(byte[] snapshot) {
        return TestProfiles.replica(snapshot);
    }

    static byte[] delta(ObservableProfile profile, Consumer<ObservableProfile> change) {
        return TestProfiles.delta(profile, change);
    }

    static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }
}
