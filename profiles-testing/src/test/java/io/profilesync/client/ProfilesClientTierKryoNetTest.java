package io.profilesync.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.profilesync.core.ObservableInt;
import io.profilesync.core.ObservableProfile;
import io.profilesync.core.ObservableString;
import io.profilesync.master.HmacTokens;
import io.profilesync.master.MasterConfig;
import io.profilesync.master.MasterServer;
import io.profilesync.protocol.ConnectionState;
import io.profilesync.protocol.OnExecutor;
import io.profilesync.protocol.ProfileUnavailableException;
import io.profilesync.protocol.ReconnectBackoff;
import io.profilesync.protocol.RefusalCode;
import io.profilesync.protocol.RefusedException;
import io.profilesync.testing.InMemoryProfilesDatabaseAccessor;
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

/**
 * The public {@link ProfilesClient} (its threads, its executor, its own checks) against a real {@link MasterServer}
 * over KryoNet on 127.0.0.1, with its database in memory. What the protocol does is in
 * {@link ProfilesClientTierTest}, under virtual time.
 */
@Timeout(30)
class ProfilesClientTierKryoNetTest {
    private static final String TOKEN_SECRET = "tier-test-token-secret-0123456789abcdef";

    private final InMemoryProfilesDatabaseAccessor accessor = new InMemoryProfilesDatabaseAccessor();
    private final List<ProfilesClient> clients = new ArrayList<>();
    private final List<ExecutorService> executors = new ArrayList<>();
    private MasterServer master;

    @BeforeEach
    void startMaster() {
        master = MasterServer.start(MasterConfig.builder().host("127.0.0.1").port(0).tokenSecret(TOKEN_SECRET)
                .clientUpdateDebounce(Duration.ofMillis(20)).saveProfileDebounce(Duration.ofMillis(50)).build(),
                ProfilesClientTierTest.SCHEMA, accessor);
    }

    @AfterEach
    void stopAll() {
        clients.forEach(ProfilesClient::close);
        executors.forEach(ExecutorService::shutdownNow);
        master.close();
        accessor.close();
    }

    private ProfilesClient connect(UnaryOperator<ProfilesClientConfig.Builder> tweak) {
        ProfilesClientConfig.Builder builder = ProfilesClientConfig.builder().host("127.0.0.1").port(master.port())
                .token(HmacTokens.mint(TOKEN_SECRET, "u1", Duration.ofMinutes(10)))
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

    private String mastersDisplayName() throws Exception {
        return master.readProfile("u1", p -> p.get("displayName", ObservableString.class).get())
                .get(10, TimeUnit.SECONDS);
    }

    private static boolean noThreadNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.isAlive() && t.getName().startsWith(prefix));
    }

    @Test
    void aBadTokenFailsForGood() {
        ProfilesClient client = connect(b -> b.token(HmacTokens.mint("some-other-services-secret-0123456789", "u1",
                Duration.ofMinutes(10))));
        assertThatThrownBy(client::userId).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("connected()");

        assertThatThrownBy(() -> client.connected().get(10, TimeUnit.SECONDS)).cause()
                .isInstanceOf(RefusedException.class).hasMessageContaining("signature does not match")
                .satisfies(e -> assertThat(((RefusedException) e).code()).isEqualTo(RefusalCode.AUTHENTICATION));
        await().until(() -> client.state() == ConnectionState.FAILED);
        assertThatThrownBy(() -> fill(client)).cause().isInstanceOfAny(RefusedException.class,
                ProfileUnavailableException.class);
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

        master.editProfile("u1", p -> p.get("gold", ObservableInt.class).set(40)).get(10, TimeUnit.SECONDS);

        await().until(() -> seen.contains("40 on game-loop"));
    }

    @Test
    void closeSendsTheLastChangesAndStopsItsThreads() throws Exception {
        ProfilesClient client = connect(b -> b.updateInterval(Duration.ofSeconds(30)));
        ObservableProfile profile = fill(client);
        on(client, () -> {
            profile.get("displayName", ObservableString.class).set("last words");
            return null;
        });

        client.close();

        assertThat(mastersDisplayName()).isEqualTo("last words");
        assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
        await().until(() -> noThreadNamed("profilesync-client"));
    }

    @Test
    void closingFromTheProfileExecutorItselfSendsTheChangesAndStops() throws Exception {
        ProfilesClient client = connect(b -> b.updateInterval(Duration.ofSeconds(30)));
        ObservableProfile profile = fill(client);

        client.run(() -> {
            profile.get("displayName", ObservableString.class).set("bye");
            client.close();
        });

        await().until(() -> client.state() == ConnectionState.CLOSED);
        await().until(() -> "bye".equals(mastersDisplayName()));
        await().until(() -> noThreadNamed("profilesync-client"));
    }
}
