package io.profilesync.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.profilesync.core.ElementType;
import io.profilesync.core.ObservableInt;
import io.profilesync.core.ObservableProfile;
import io.profilesync.core.ObservableString;
import io.profilesync.populators.ProfileSchema;
import io.profilesync.populators.ProfileSchema.Writer;
import io.profilesync.protocol.ConnectionState;
import io.profilesync.protocol.FakeMaster;
import io.profilesync.protocol.FakeMaster.BatchMode;
import io.profilesync.protocol.OnExecutor;
import io.profilesync.protocol.internal.Messages.ClientUpdate;
import io.profilesync.protocol.RefusalCode;
import io.profilesync.protocol.ProfileUnavailableException;
import io.profilesync.protocol.ReconnectBackoff;
import io.profilesync.protocol.RefusedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** ProfilesClient against the scripted {@link FakeMaster} over real KryoNet on 127.0.0.1. */
@Timeout(30)
class ProfilesClientTest {
    static final ProfileSchema SCHEMA = ProfileSchema.builder()
            .intProperty("gold", 0).min(0).max(1_000_000)
            .intProperty("level", 1).min(1).max(100).clientWritable()
            .stringProperty("displayName", "newbie").clientWritable()
            .listProperty("items", ElementType.STRING).maxSize(64)
            .stringProperty("banReason", "").hiddenFromClients()
            .build();

    private FakeMaster master;
    private final List<ProfilesClient> clients = new ArrayList<>();
    private final List<ExecutorService> executors = new ArrayList<>();

    @BeforeEach
    void startMaster() throws Exception {
        master = FakeMaster.builder(SCHEMA.toJson(), SCHEMA::newProfile)
                .clientSchema(SCHEMA.clientSchema().toJson(), SCHEMA.clientView())
                .clientValidator(SCHEMA.validatorFor(Writer.CLIENT))
                .token("token-1", "u1")
                .start();
    }

    @AfterEach
    void stopAll() {
        clients.forEach(ProfilesClient::close);
        executors.forEach(ExecutorService::shutdownNow);
        master.close();
    }

    private ProfilesClient connect(UnaryOperator<ProfilesClientConfig.Builder> tweak) {
        ProfilesClientConfig.Builder builder = ProfilesClientConfig.builder().port(master.port()).token("token-1")
                .updateInterval(Duration.ofMillis(20))
                .reconnectBackoff(new ReconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200), 0.2));
        ProfilesClient client = ProfilesClient.connect(tweak.apply(builder).build());
        clients.add(client);
        return client;
    }

    private static <T> T on(ProfilesClient peer, Callable<T> call) throws Exception {
        return OnExecutor.call(peer.executor(), call);
    }

    private static ObservableProfile fill(ProfilesClient client) throws Exception {
        return client.fillInProfileValues().get(10, TimeUnit.SECONDS);
    }

    private void awaitConverged(ProfilesClient client, ObservableProfile profile) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            byte[] local = on(client, () -> profile.toBytes());
            assertThat(local).isEqualTo(master.profileBytes("u1", SCHEMA.clientView()));
        });
    }

    private static ObservableString displayName(ObservableProfile profile) {
        return profile.get("displayName", ObservableString.class);
    }

    @Test
    void connectsAsTheTokensUserAndLoadsTheClientView() throws Exception {
        master.change("u1", p -> {
            p.get("gold", ObservableInt.class).set(300);
            p.get("banReason", ObservableString.class).set("secret note");
        });
        ProfilesClient client = connect(b -> b);

        client.connected().get(10, TimeUnit.SECONDS);
        assertThat(client.userId()).isEqualTo("u1");
        ObservableProfile profile = fill(client);

        assertThat(on(client, () -> profile.get("gold", ObservableInt.class).intValue())).isEqualTo(300);
        assertThat(profile.has("banReason")).isFalse();
        assertThat(client.fillInProfileValues().get(10, TimeUnit.SECONDS)).isSameAs(profile);
    }

    @Test
    void aBadTokenFailsForGood() {
        ProfilesClient client = connect(b -> b.token("stolen"));
        assertThatThrownBy(client::userId).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("connected()");

        assertThatThrownBy(() -> client.connected().get(10, TimeUnit.SECONDS)).cause()
                .isInstanceOf(RefusedException.class).hasMessageContaining("log in again")
                .satisfies(e -> assertThat(((RefusedException) e).code()).isEqualTo(RefusalCode.AUTHENTICATION));
        await().until(() -> client.state() == ConnectionState.FAILED);
        assertThatThrownBy(() -> fill(client)).cause().isInstanceOfAny(RefusedException.class,
                ProfileUnavailableException.class);
    }

    @Test
    void aProfileTheMasterCannotLoadFailsTheFetchAndALaterCallRetries() throws Exception {
        master.failAcquireOf("u1");
        ProfilesClient client = connect(b -> b);

        assertThatThrownBy(() -> fill(client)).cause().isInstanceOf(ProfileUnavailableException.class)
                .hasMessageContaining("database down").hasMessageContaining("'u1'");

        master.stopFailingAcquireOf("u1");
        ObservableProfile profile = fill(client);
        awaitConverged(client, profile);
    }

    @Test
    void aFetchTheMasterNeverAnswersTimesOutAndALaterCallRetries() throws Exception {
        master.ignoreAcquireOf("u1");
        ProfilesClient client = connect(b -> b.fetchTimeout(Duration.ofMillis(300)));

        assertThatThrownBy(() -> fill(client)).cause().isInstanceOf(ProfileUnavailableException.class)
                .hasMessageContaining("within PT0.3S").hasMessageContaining("fetchTimeout");

        master.stopIgnoringAcquireOf("u1");
        ObservableProfile profile = fill(client);
        awaitConverged(client, profile);
    }

    @Test
    void localChangesAreSentEveryTickAndAcknowledged() throws Exception {
        ProfilesClient client = connect(b -> b);
        ObservableProfile profile = fill(client);

        client.run(() -> displayName(profile).set("hero"));
        await().until(() -> master.received(ClientUpdate.class).size() == 1);
        client.run(() -> profile.get("level", ObservableInt.class).set(5));

        awaitConverged(client, profile);
        assertThat(master.received(ClientUpdate.class)).extracting(ClientUpdate::seq).containsExactly(1L, 2L);
        assertThat(displayName(master.profile("u1")).get()).isEqualTo("hero");
        assertThat(master.violations()).isEmpty();
    }

    @Test
    void pushesAreAppliedOnTheGameLoopAndFireListeners() throws Exception {
        ExecutorService gameLoop = Executors.newSingleThreadExecutor(r -> new Thread(r, "game-loop"));
        executors.add(gameLoop);
        ProfilesClient client = connect(b -> b.executor(gameLoop));
        ObservableProfile profile = fill(client);
        List<String> seen = new CopyOnWriteArrayList<>();
        on(client, () -> {
            profile.get("gold", ObservableInt.class).addListener((old, now) -> seen.add(now + " on "
                    + Thread.currentThread().getName()));
            return null;
        });

        master.change("u1", p -> p.get("gold", ObservableInt.class).set(40));

        await().until(() -> seen.contains("40 on game-loop"));
    }

    @Test
    void aRefusedChangeComesBackCorrectedWithAnEvent() throws Exception {
        ProfilesClient client = connect(b -> b);
        ObservableProfile profile = fill(client);
        List<String> refusals = new CopyOnWriteArrayList<>();
        client.addRefusalListener((property, reason) -> refusals.add(property + ": " + reason));

        client.run(() -> profile.get("gold", ObservableInt.class).set(1_000));

        await().until(() -> !refusals.isEmpty());
        assertThat(refusals.get(0)).startsWith("gold: ");
        assertThat(on(client, () -> profile.get("gold", ObservableInt.class).intValue())).isZero();
        awaitConverged(client, profile);
    }

    @Test
    void afterADropTheWholeProfileIsAppliedAndUnacknowledgedChangesResent() throws Exception {
        ProfilesClient client = connect(b -> b.reconnectBackoff(
                new ReconnectBackoff(Duration.ofMillis(300), Duration.ofMillis(300), 0)));
        List<ConnectionState> states = new CopyOnWriteArrayList<>();
        client.addConnectionListener((state, cause) -> states.add(state));
        ObservableProfile profile = fill(client);
        List<String> changes = new CopyOnWriteArrayList<>();
        on(client, () -> {
            profile.addListener(property -> changes.add(property.name() + "=" + property.value()));
            return null;
        });
        master.batchMode(BatchMode.IGNORE);
        client.run(() -> displayName(profile).set("offline-name"));
        await().until(() -> master.received(ClientUpdate.class).size() == 1);

        master.batchMode(BatchMode.NORMAL);
        master.dropConnections();
        await().until(() -> states.contains(ConnectionState.RECONNECTING));
        master.change("u1", p -> p.get("gold", ObservableInt.class).set(77));

        await().atMost(Duration.ofSeconds(10)).until(() -> master.welcomes() == 2);
        awaitConverged(client, profile);
        assertThat(displayName(master.profile("u1")).get()).isEqualTo("offline-name");
        assertThat(changes).contains("gold=77");
        assertThat(master.received(ClientUpdate.class)).extracting(ClientUpdate::seq).containsExactly(1L, 1L);
        assertThat(master.violations()).isEmpty();
    }

    @Test
    void closeSendsTheLastChangesAndStopsItsThreads() throws Exception {
        ProfilesClient client = connect(b -> b.updateInterval(Duration.ofSeconds(30)));
        ObservableProfile profile = fill(client);
        on(client, () -> {
            displayName(profile).set("last words");
            return null;
        });

        client.close();

        assertThat(displayName(master.profile("u1")).get()).isEqualTo("last words");
        assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
        await().until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.isAlive() && t.getName().startsWith("profilesync-client")));
    }

    @Test
    void closingFromTheProfileExecutorItselfSendsTheChangesAndStops() throws Exception {
        ProfilesClient client = connect(b -> b.updateInterval(Duration.ofSeconds(30)));
        ObservableProfile profile = fill(client);

        client.run(() -> {
            displayName(profile).set("bye");
            client.close();
        });

        await().until(() -> client.state() == ConnectionState.CLOSED);
        await().until(() -> "bye".equals(displayName(master.profile("u1")).get()));
        await().until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.isAlive() && t.getName().startsWith("profilesync-client")));
    }

    @Test
    void theConfigNamesWhatIsMissingAndHowToFixIt() {
        assertThatThrownBy(() -> ProfilesClientConfig.builder().port(5000).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(".token(");
        assertThatThrownBy(() -> ProfilesClientConfig.builder().token(""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token");
        assertThatThrownBy(() -> ProfilesClientConfig.builder().host(" "))
                .hasMessageContaining("host");
        ProfilesClientConfig config = ProfilesClientConfig.builder().port(5000).token("t").build();
        assertThat(config.writeBufferSize()).isEqualTo(64 << 10);
        assertThat(config.objectBufferSize()).isEqualTo(256 << 10);
        assertThat(config.updateInterval()).isEqualTo(Duration.ofMillis(100));
    }
}
