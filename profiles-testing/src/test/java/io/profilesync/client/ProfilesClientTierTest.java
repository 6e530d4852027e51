package io.profilesync.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.profilesync.client.internal.ClientCore;
import io.profilesync.core.ElementType;
import io.profilesync.core.ObservableInt;
import io.profilesync.core.ObservableProfile;
import io.profilesync.core.ObservableString;
import io.profilesync.populators.ProfileSchema;
import io.profilesync.protocol.ConnectionState;
import io.profilesync.protocol.ProfileUnavailableException;
import io.profilesync.protocol.ReconnectBackoff;
import io.profilesync.protocol.internal.Messages.ClientUpdate;
import io.profilesync.testing.sim.NodeLoop;
import io.profilesync.testing.sim.SimMaster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The client's core (what {@link ProfilesClient} runs on its executor) against the real master core over the
 * simulated network, in virtual time: {@link SimMaster}. The cases about the public class's threads and executor are
 * in {@link ProfilesClientTierKryoNetTest}.
 */
@Timeout(30)
class ProfilesClientTierTest {
    static final ProfileSchema SCHEMA = ProfileSchema.builder()
            .intProperty("gold", 0).min(0).max(1_000_000)
            .intProperty("level", 1).min(1).max(100).clientWritable()
            .stringProperty("displayName", "newbie").clientWritable()
            .listProperty("items", ElementType.STRING).maxSize(64)
            .stringProperty("banReason", "").hiddenFromClients()
            .build();

    private SimMaster master;

    @BeforeEach
    void startMaster() {
        master = SimMaster.start(SCHEMA, Map.of("token-1", "u1"), b -> b);
    }

    private ClientCore connect(UnaryOperator<ProfilesClientConfig.Builder> tweak) {
        ProfilesClientConfig.Builder builder = ProfilesClientConfig.builder().host("sim-master").port(7777)
                .token("token-1").updateInterval(Duration.ofMillis(20))
                .reconnectBackoff(new ReconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200), 0.2));
        NodeLoop loop = master.peerLoop("client");
        ClientCore client = new ClientCore(tweak.apply(builder).build(), loop, master.connector(loop), master.seed(),
                new SplittableRandom(master.seed()));
        client.start();
        return client;
    }

    private ObservableProfile fill(ClientCore client) throws ExecutionException {
        return master.result(client.fillInProfileValues());
    }

    private void awaitConverged(ObservableProfile profile) {
        master.runUntil("the client's copy equals the master's", () -> master.core().loadedProfile("u1").isPresent()
                && Arrays.equals(profile.toBytes(), master.profileBytes("u1", SCHEMA.clientView())));
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
        ClientCore client = connect(b -> b);

        master.result(client.peer().connected());
        assertThat(client.userId()).isEqualTo("u1");
        ObservableProfile profile = fill(client);

        assertThat(profile.get("gold", ObservableInt.class).intValue()).isEqualTo(300);
        assertThat(profile.has("banReason")).isFalse();
        assertThat(fill(client)).isSameAs(profile);
    }

    @Test
    void aProfileTheMasterCannotLoadFailsTheFetchAndALaterCallRetries() throws Exception {
        master.failLoadsOf("u1");
        ClientCore client = connect(b -> b);

        assertThatThrownBy(() -> fill(client)).cause().isInstanceOf(ProfileUnavailableException.class)
                .hasMessageContaining("database down").hasMessageContaining("'u1'");

        master.stopFailingLoadsOf("u1");
        ObservableProfile profile = fill(client);
        awaitConverged(profile);
    }

    @Test
    void aFetchTheMasterNeverAnswersTimesOutAndALaterCallRetries() throws Exception {
        master.holdLoadsOf("u1");
        ClientCore client = connect(b -> b.fetchTimeout(Duration.ofMillis(300)));

        assertThatThrownBy(() -> fill(client)).cause().isInstanceOf(ProfileUnavailableException.class)
                .hasMessageContaining("within PT0.3S").hasMessageContaining("fetchTimeout");

        master.answerLoadsOf("u1");
        ObservableProfile profile = fill(client);
        awaitConverged(profile);
    }

    @Test
    void localChangesAreSentEveryTickAndAcknowledged() throws Exception {
        ClientCore client = connect(b -> b);
        ObservableProfile profile = fill(client);

        displayName(profile).set("hero");
        master.runUntil("one update", () -> master.received(ClientUpdate.class).size() == 1);
        profile.get("level", ObservableInt.class).set(5);

        awaitConverged(profile);
        assertThat(master.received(ClientUpdate.class)).extracting(ClientUpdate::seq).containsExactly(1L, 2L);
        assertThat(displayName(master.profile("u1")).get()).isEqualTo("hero");
        master.runUntil("acknowledged", client::settled);
        assertThat(master.violations()).isEmpty();
    }

    @Test
    void aRefusedChangeComesBackCorrectedWithAnEvent() throws Exception {
        ClientCore client = connect(b -> b);
        ObservableProfile profile = fill(client);
        List<String> refusals = new ArrayList<>();
        client.addRefusalListener((property, reason) -> refusals.add(property + ": " + reason));

        profile.get("gold", ObservableInt.class).set(1_000);

        master.runUntil("a refusal", () -> !refusals.isEmpty());
        assertThat(refusals.get(0)).startsWith("gold: ");
        assertThat(profile.get("gold", ObservableInt.class).intValue()).isZero();
        awaitConverged(profile);
    }

    @Test
    void afterADropTheWholeProfileIsAppliedAndUnacknowledgedChangesResent() throws Exception {
        ClientCore client = connect(b -> b.reconnectBackoff(
                new ReconnectBackoff(Duration.ofMillis(300), Duration.ofMillis(300), 0)));
        List<ConnectionState> states = new ArrayList<>();
        client.peer().addConnectionListener((state, cause) -> states.add(state));
        ObservableProfile profile = fill(client);
        List<String> changes = new ArrayList<>();
        profile.addListener(property -> changes.add(property.name() + "=" + property.value()));
        master.loseToMaster(true);
        displayName(profile).set("offline-name");
        master.runUntil("the update, lost", () -> master.received(ClientUpdate.class).size() == 1);

        master.loseToMaster(false);
        master.cutConnections();
        master.runUntil("reconnecting", () -> states.contains(ConnectionState.RECONNECTING));
        master.change("u1", p -> p.get("gold", ObservableInt.class).set(77));

        master.runUntil("the second welcome", () -> master.welcomes() == 2);
        awaitConverged(profile);
        assertThat(displayName(master.profile("u1")).get()).isEqualTo("offline-name");
        assertThat(changes).contains("gold=77");
        assertThat(master.received(ClientUpdate.class)).extracting(ClientUpdate::seq).containsExactly(1L, 1L);
        assertThat(master.violations()).isEmpty();
    }
}
