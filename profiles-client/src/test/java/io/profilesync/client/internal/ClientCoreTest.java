package io.profilesync.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.profilesync.client.ProfilesClientConfig;
import io.profilesync.core.ObservableInt;
import io.profilesync.core.ObservableProfile;
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
import io.profilesync.protocol.internal.Messages.ClientPush;
import io.profilesync.protocol.internal.Messages.ClientUpdate;
import io.profilesync.protocol.internal.Messages.Flush;
import io.profilesync.protocol.internal.Messages.Hello;
import io.profilesync.protocol.internal.Messages.ProfileRequest;
import io.profilesync.protocol.internal.Messages.ProfileSnapshot;
import io.profilesync.protocol.internal.Messages.Welcome;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The client's core without sockets or threads, the test playing the master through a {@link ScriptedConnector}. */
class ClientCoreTest {
    private static final ProfileSchema SCHEMA = ProfileSchema.builder()
            .intProperty("level", 1).min(1).max(100).clientWritable()
            .build();
    private static final Duration TICK = Duration.ofMillis(100);

    private final VirtualLoop loop = new VirtualLoop();
    private final ScriptedConnector connector = new ScriptedConnector(loop);

    private ClientCore start(String fingerprint) {
        ProfilesClientConfig config = ProfilesClientConfig.builder().port(1).token("token")
                .schemaFingerprint(fingerprint).updateInterval(TICK).fetchTimeout(Duration.ofSeconds(3))
                .reconnectBackoff(new ReconnectBackoff(Duration.ofMillis(100), Duration.ofMillis(800), 0))
                .build();
        ClientCore core = new ClientCore(config, loop, connector, 7, new SplittableRandom(1));
        core.start();
        loop.runDue();
        return core;
    }

    private Channel welcome() {
        Channel channel = connector.open();
        loop.runDue();
        assertThat(channel.sent(Hello.class)).singleElement().satisfies(hello -> assertThat(hello.instanceId())
                .isEqualTo(7));
        channel.deliver(new Welcome("u1", SCHEMA.toJson(), 1 << 20));
        loop.runDue();
        return channel;
    }

    private static ObservableInt level(ObservableProfile profile) {
        return profile.get("level", ObservableInt.class);
    }

    @Test
    void unacknowledgedUpdatesGoAgainAfterTheSnapshotThatFollowsAReconnection() {
        ClientCore core = start("");
        Channel first = welcome();
        CompletableFuture<ObservableProfile> fill = core.fillInProfileValues();
        loop.runDue();
        assertThat(first.sent(ProfileRequest.class)).hasSize(1);
        first.deliver(new ProfileSnapshot(0, SCHEMA.newProfile().toBytes()));
        loop.runDue();
        ObservableProfile profile = fill.join();
        assertThat(core.profile()).containsSame(profile);

        level(profile).set(5);
        loop.advance(TICK);
        assertThat(first.sent(ClientUpdate.class)).extracting(ClientUpdate::seq).containsExactly(1L);
        assertThat(core.quiescent()).isFalse();

        first.drop();
        loop.runDue();
        loop.advance(Duration.ofMillis(100));
        Channel second = welcome();
        assertThat(second.sent(ProfileRequest.class)).hasSize(1);
        assertThat(second.sent(ClientUpdate.class)).isEmpty();
        second.deliver(new ProfileSnapshot(0, SCHEMA.newProfile().toBytes()));
        loop.runDue();

        assertThat(second.sent(ClientUpdate.class)).extracting(ClientUpdate::seq).containsExactly(1L);
        assertThat(level(profile).intValue()).isEqualTo(5);
        ClientUpdate resent = second.sent(ClientUpdate.class).get(0);
        second.deliver(new ClientPush(1, 1, resent.delta(), List.of()));
        loop.runDue();
        assertThat(core.quiescent()).isTrue();
        assertThat(core.confirmed()).hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(profile.toBytes()));
    }

    @Test
    void aFetchTheMasterNeverAnswersFailsAfterTheFetchTimeoutAndALaterOneAsksAgain() {
        ClientCore core = start("");
        Channel channel = welcome();
        CompletableFuture<ObservableProfile> fill = core.fillInProfileValues();
        loop.advance(Duration.ofSeconds(3));

        assertThat(fill).isCompletedExceptionally();
        assertThat(fill.handle((p, e) -> e).join()).isInstanceOf(ProfileUnavailableException.class)
                .hasMessageContaining("fetchTimeout");
        core.fillInProfileValues();
        loop.runDue();
        assertThat(channel.sent(ProfileRequest.class)).hasSize(2);
    }

    @Test
    void aSchemaWithAnotherFingerprintThanConfiguredFailsForGood() {
        ClientCore core = start("0123abcd");
        CompletableFuture<ObservableProfile> fill = core.fillInProfileValues();
        welcome();

        assertThat(core.state()).isEqualTo(ConnectionState.FAILED);
        assertThat(core.peer().connected()).isCompletedExceptionally();
        assertThat(fill.handle((p, e) -> e instanceof CompletionException ? e.getCause() : e).join())
                .isInstanceOfSatisfying(RefusedException.class, e -> assertThat(e.code())
                        .isEqualTo(RefusalCode.SCHEMA_MISMATCH))
                .hasMessageContaining("0123abcd");
        assertThat(connector.channel().closed()).isTrue();
    }
    @Test
    void flushSendsTheUpdateAtOnceAsksTheMasterToSaveAndCompletesOnTheDurableAcknowledgementOrFailsOnClose() {
        ClientCore core = start("");
        assertThat(core.flush()).as("no profile: nothing written").isCompleted();
        Channel channel = welcome();
        CompletableFuture<ObservableProfile> fill = core.fillInProfileValues();
        loop.runDue();
        channel.deliver(new ProfileSnapshot(0, SCHEMA.newProfile().toBytes()));
        loop.runDue();
        ObservableProfile profile = fill.join();

        level(profile).set(5);
        CompletableFuture<Void> flushed = core.flush();
        loop.runDue();
        assertThat(channel.sent(ClientUpdate.class)).extracting(ClientUpdate::seq).containsExactly(1L);
        assertThat(channel.sent().get(channel.sent().size() - 1)).isEqualTo(new Flush(1));
        channel.deliver(new ClientPush(1, 0, channel.sent(ClientUpdate.class).get(0).delta(), List.of()));
        loop.runDue();
        assertThat(flushed).as("applied is not durable").isNotDone();
        channel.deliver(new ClientPush(1, 1, new byte[0], List.of()));
        loop.runDue();
        assertThat(flushed).isCompleted();

        level(profile).set(6);
        CompletableFuture<Void> cut = core.flush();
        core.closeNow();
        loop.runDue();
        assertThat(cut).isCompletedExceptionally();
        assertThat(cut.handle((v, e) -> e).join()).isInstanceOfSatisfying(NotDurableException.class,
                e -> assertThat(e.reason()).isEqualTo(NotDurableException.Reason.STOPPED));
    }
}
