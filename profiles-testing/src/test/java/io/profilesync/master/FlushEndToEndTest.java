package io.profilesync.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.profilesync.client.ProfilesClient;
import io.profilesync.client.ProfilesClientConfig;
import io.profilesync.core.ObservableInt;
import io.profilesync.core.ObservableProfile;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.ObservableString;
import io.profilesync.db.JdbiProfilesAccessor;
import io.profilesync.db.StoredProfile;
import io.profilesync.gameserver.ProfilesServer;
import io.profilesync.gameserver.ProfilesServerConfig;
import io.profilesync.populators.ProfileSchema;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability when it matters, over the real tiers on 127.0.0.1 and a real H2 file database: with a
 * {@code saveProfileDebounce} of an hour, nothing ordinary is saved during the test, so a row holding a value shows
 * that {@code flush()} or {@code durability: immediate} made the master save it, and a completed flush that the
 * accessor had committed it first.
 */
@Timeout(60)
class FlushEndToEndTest {
    static final ProfileSchema SCHEMA = ProfileSchema.builder()
            .stringProperty("displayName", "").maxLength(32).clientWritable()
            .intProperty("level", 1).min(1).max(100)
            .intProperty("gold", 0).min(0).savedImmediately()
            .build();

    @TempDir
    Path temp;
    private JdbiProfilesAccessor accessor;
    private MasterServer master;
    private ProfilesServer gameServer;
    private ProfilesClient client;

    @BeforeEach
    void startMaster() {
        accessor = JdbiProfilesAccessor.create("jdbc:h2:" + temp.resolve("profiles"));
        master = MasterServer.start(MasterConfig.builder().host("127.0.0.1").port(0)
                .tokenSecret(MasterServerTest.TOKEN_SECRET).gameServerSecret(MasterServerTest.GAME_SERVER_SECRET)
                .saveProfileDebounce(Duration.ofHours(1)).clientUpdateDebounce(Duration.ofMillis(30))
                .meterRegistry(new SimpleMeterRegistry()).build(), SCHEMA, accessor);
    }

    @AfterEach
    void closeEverything() {
        if (client != null) {
            client.close();
        }
        if (gameServer != null) {
            gameServer.close();
        }
        master.close();
        accessor.close();
    }

    private ProfilesServer gameServer(Duration updateInterval) throws Exception {
        gameServer = ProfilesServer.connect(ProfilesServerConfig.builder().host("127.0.0.1").port(master.port())
                .secret(MasterServerTest.GAME_SERVER_SECRET).updateInterval(updateInterval).build());
        gameServer.connected().get(10, TimeUnit.SECONDS);
        return gameServer;
    }

    private String stored(String userId) {
        Optional<StoredProfile> row = accessor.findStored(userId);
        return row.map(StoredProfile::json).orElse("");
    }

    @Test
    void aGameServersFlushCompletesPromptlyOnlyOnceTheRowHoldsTheValue() throws Exception {
        // An update interval of a minute: only the flush sends the change within the test.
        ObservableServerProfile alice = gameServer(Duration.ofMinutes(1)).fillProfileValues("alice")
                .get(10, TimeUnit.SECONDS);
        long started = System.nanoTime();
        // Set and flush in one task on the profile thread: the flush covers the set.
        String[] rowAtCompletion = new String[1];
        EndToEndTest.on(gameServer.executor(), () -> {
            alice.get("level", ObservableInt.class).set(42);
            // Read when the future completes (on the profile thread, before any other task of the test).
            return gameServer.flush("alice").thenRun(() -> rowAtCompletion[0] = stored("alice"));
        }).get(10, TimeUnit.SECONDS);

        assertThat(rowAtCompletion[0]).contains("\"level\":42");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("not the hour's debounce")
                .isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void anImmediatePropertyIsSavedWithoutWaitingForTheDebounceAndAnOrdinaryOneWaits() throws Exception {
        ObservableServerProfile bob = gameServer(Duration.ofMillis(20)).fillProfileValues("bob")
                .get(10, TimeUnit.SECONDS);
        EndToEndTest.on(gameServer.executor(), () -> {
            bob.get("level", ObservableInt.class).set(7);
            return null;
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> master.readProfile("bob",
                p -> p.get("level", ObservableInt.class).get()).get() == 7);
        // level is debounced (an hour): the master holds it, the row does not.
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .until(() -> !stored("bob").contains("\"level\":7"));

        EndToEndTest.on(gameServer.executor(), () -> {
            bob.get("gold", ObservableInt.class).set(500);
            return null;
        });
        // gold is immediate: saved as soon as the master applies it, with the rest of the profile.
        await().atMost(Duration.ofSeconds(10)).until(() -> stored("bob").contains("\"gold\":500"));
        assertThat(stored("bob")).contains("\"level\":7");
    }

    @Test
    void aClientsFlushCompletesOnceTheMastersDatabaseCommittedItsChange() throws Exception {
        client = ProfilesClient.connect(ProfilesClientConfig.builder().host("127.0.0.1").port(master.port())
                .token(HmacTokens.mint(MasterServerTest.TOKEN_SECRET, "carol", Duration.ofMinutes(10)))
                .updateInterval(Duration.ofMinutes(1)).build());
        ObservableProfile carol = client.fillInProfileValues().get(10, TimeUnit.SECONDS);
        EndToEndTest.on(client.executor(), () -> {
            carol.get("displayName", ObservableString.class).set("Carol");
            return null;
        });
        String[] rowAtCompletion = new String[1];
        client.flush().thenRun(() -> rowAtCompletion[0] = stored("carol")).get(10, TimeUnit.SECONDS);
        assertThat(rowAtCompletion[0]).contains("\"displayName\":\"Carol\"");
    }
}
