package io.profilesync.gameserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.profilesync.core.ObservableInt;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.master.MasterConfig;
import io.profilesync.master.MasterServer;
import io.profilesync.protocol.ConnectionState;
import io.profilesync.protocol.OnExecutor;
import io.profilesync.protocol.ReconnectBackoff;
import io.profilesync.testing.InMemoryProfilesDatabaseAccessor;
import java.net.InetAddress;
import java.net.Socket;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The public {@link ProfilesServer} (its threads, its executor) against a real {@link MasterServer} over KryoNet on
 * 127.0.0.1, with its database in memory; also the refusal only the master's transport gives (OVERLOADED). What the
 * protocol does is in {@link ProfilesServerTierTest}, under virtual time.
 */
@Timeout(30)
class ProfilesServerTierKryoNetTest {
    private static final String SECRET = "tier-test-game-server-secret";

    private final InMemoryProfilesDatabaseAccessor accessor = new InMemoryProfilesDatabaseAccessor();
    private final List<ProfilesServer> servers = new ArrayList<>();
    private final List<ExecutorService> executors = new ArrayList<>();
    private MasterServer master;

    @AfterEach
    void stopAll() {
        servers.forEach(ProfilesServer::close);
        executors.forEach(ExecutorService::shutdownNow);
        if (master != null) {
            master.close();
        }
        accessor.close();
    }

    private void startMaster(UnaryOperator<MasterConfig.Builder> tweak) {
        master = MasterServer.start(tweak.apply(MasterConfig.builder().host("127.0.0.1").port(0)
                .gameServerSecret(SECRET).saveProfileDebounce(Duration.ofMillis(50))).build(),
                ProfilesServerTierTest.SCHEMA, accessor);
    }

    private ProfilesServer connect(UnaryOperator<ProfilesServerConfig.Builder> tweak) throws Exception {
        if (master == null) {
            startMaster(b -> b);
        }
        ProfilesServerConfig.Builder builder = ProfilesServerConfig.builder().host("127.0.0.1").port(master.port())
                .secret(SECRET).updateInterval(Duration.ofMillis(20)).closeTimeout(Duration.ofSeconds(2))
                .reconnectBackoff(new ReconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200), 0.2));
        ProfilesServer server = ProfilesServer.connect(tweak.apply(builder).build());
        servers.add(server);
        return server;
    }

    private static <T> T on(ProfilesServer peer, Callable<T> call) throws Exception {
        return OnExecutor.call(peer.executor(), call);
    }

    private static ObservableServerProfile fill(ProfilesServer server, String userId) throws Exception {
        return server.fillProfileValues(userId).get(10, TimeUnit.SECONDS);
    }

    private int mastersGold(String userId) throws Exception {
        return master.readProfile(userId, p -> p.get("gold", ObservableInt.class).intValue())
                .get(10, TimeUnit.SECONDS);
    }

    @Test
    void aRetryableRefusalIsRetried() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        startMaster(b -> b.maxUnauthenticatedConnections(1).maxUnauthenticatedConnectionsPerAddress(1)
                .meterRegistry(meters));
        Counter refused = meters.get("profilesync.connections.refused").tag("reason", "unauthenticated").counter();
        List<ConnectionState> states = new CopyOnWriteArrayList<>();
        // A connection that says nothing holds the one place to authenticate: the game server is refused OVERLOADED.
        Socket silent = new Socket(InetAddress.getLoopbackAddress(), master.port());
        ProfilesServer server;
        try {
            server = connect(b -> b);
            server.addConnectionListener((state, cause) -> states.add(state));
            await().until(() -> refused.count() >= 1);
            assertThat(server.state()).isEqualTo(ConnectionState.CONNECTING);
        } finally {
            silent.close();
        }

        server.connected().get(10, TimeUnit.SECONDS);

        assertThat(master.stats().gameServers()).isEqualTo(1);
        assertThat(states).endsWith(ConnectionState.CONNECTED);
    }

    @Test
    void pushesAreAppliedOnTheConfiguredExecutorAndFireListeners() throws Exception {
        ExecutorService gameLoop = Executors.newSingleThreadExecutor(r -> new Thread(r, "game-loop"));
        executors.add(gameLoop);
        ProfilesServer server = connect(b -> b.executor(gameLoop));
        server.connected().get(10, TimeUnit.SECONDS);
        ObservableServerProfile profile = fill(server, "u1");
        List<String> seen = new CopyOnWriteArrayList<>();
        server.run(() -> profile.get("gold", ObservableInt.class).addListener((old, now) -> seen.add(now + " on "
                + Thread.currentThread().getName())));
        on(server, () -> null);

        master.editProfile("u1", p -> p.get("gold", ObservableInt.class).set(500)).get(10, TimeUnit.SECONDS);

        await().until(() -> seen.contains("500 on game-loop"));
        await().until(() -> on(server, () -> profile.get("gold", ObservableInt.class).intValue()) == 500);
    }

    @Test
    void aRefusedChangeIsReportedAndSetBack() throws Exception {
        ProfilesServer server = connect(b -> b);
        ObservableServerProfile profile = fill(server, "u1");
        List<String> refusals = new CopyOnWriteArrayList<>();
        server.addRefusalListener((userId, property, reason) -> refusals.add(userId + "/" + property + ": " + reason
                + " on " + Thread.currentThread().getName()));

        server.run(() -> profile.get("level", ObservableInt.class).set(150));

        await().until(() -> !refusals.isEmpty());
        assertThat(refusals.get(0)).startsWith("u1/level: ").endsWith(" on profilesync-gameserver");
        assertThat(on(server, () -> profile.get("level", ObservableInt.class).intValue())).isEqualTo(1);
        assertThat(master.readProfile("u1", p -> p.get("level", ObservableInt.class).intValue())
                .get(10, TimeUnit.SECONDS)).isEqualTo(1);
    }

    @Test
    void closeSendsTheLastChangesAndStopsItsThreads() throws Exception {
        ProfilesServer server = connect(b -> b.updateInterval(Duration.ofSeconds(30)));
        server.connected().get(10, TimeUnit.SECONDS);
        ObservableServerProfile profile = fill(server, "u1");
        on(server, () -> {
            profile.get("gold", ObservableInt.class).set(7);
            return null;
        });

        server.close();

        assertThat(mastersGold("u1")).isEqualTo(7);
        assertThat(server.state()).isEqualTo(ConnectionState.CLOSED);
        await().until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.isAlive() && t.getName().startsWith("profilesync-gameserver")));
    }
}
