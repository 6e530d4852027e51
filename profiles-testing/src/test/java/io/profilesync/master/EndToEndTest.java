package io.profilesync.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.profilesync.client.ProfilesClient;
import io.profilesync.client.ProfilesClientConfig;
import io.profilesync.core.ElementType;
import io.profilesync.core.ObservableDictionary;
import io.profilesync.core.ObservableInt;
import io.profilesync.core.ObservableList;
import io.profilesync.core.ObservableProfile;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.ObservableString;
import io.profilesync.gameserver.ProfilesServer;
import io.profilesync.gameserver.ProfilesServerConfig;
import io.profilesync.populators.ProfileSchema;
import io.profilesync.protocol.ProfileUnavailableException;
import io.profilesync.protocol.internal.Messages.Role;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The three tiers together over KryoNet on 127.0.0.1: a real master, real game servers ({@link ProfilesServer}) and
 * real clients ({@link ProfilesClient}).
 */
@Timeout(90)
class EndToEndTest extends MasterTestSupport {
    static final String TOKEN_SECRET = MasterServerTest.TOKEN_SECRET;
    static final String SECRET = MasterServerTest.GAME_SERVER_SECRET;
    static final ProfileSchema SCHEMA = ProfileSchema.builder()
            .stringProperty("displayName", "").maxLength(32).clientWritable()
            .intProperty("level", 1).min(1).max(100)
            .intProperty("experience", 0).min(0)
            .intProperty("gold", 0).min(0)
            .stringProperty("banReason", "").hiddenFromClients()
            .listProperty("items", ElementType.STRING).maxSize(64).clientWritable()
            .dictProperty("stats", ElementType.STRING, ElementType.INT)
            .build();


    MasterServer startMaster(Duration unloadAfter) {
        master = MasterServer.start(MasterConfig.builder().host("127.0.0.1").port(0).tokenSecret(TOKEN_SECRET)
                .gameServerSecret(SECRET).saveProfileDebounce(Duration.ofMillis(100))
                .clientUpdateDebounce(Duration.ofMillis(30)).unloadProfileAfter(unloadAfter)
                .meterRegistry(new SimpleMeterRegistry()).build(), SCHEMA, accessor);
        return master;
    }

    ProfilesServer gameServer() throws Exception {
        ProfilesServer server = ProfilesServer.connect(ProfilesServerConfig.builder().host("127.0.0.1")
                .port(master.port()).secret(SECRET).updateInterval(Duration.ofMillis(20)).build());
        closeables.add(server);
        server.connected().get(10, TimeUnit.SECONDS);
        return server;
    }

    ProfilesClient client(String userId) throws Exception {
        ProfilesClient client = ProfilesClient.connect(ProfilesClientConfig.builder().host("127.0.0.1")
                .port(master.port()).token(HmacTokens.mint(TOKEN_SECRET, userId, Duration.ofMinutes(10)))
                .updateInterval(Duration.ofMillis(20)).build());
        closeables.add(client);
        return client;
    }

    /** Runs {@code task} on the tier's profile thread and waits for its result. */
    static <T> T on(java.util.concurrent.Executor executor, java.util.concurrent.Callable<T> task) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        executor.execute(() -> {
            try {
                result.complete(task.call());
            } catch (Exception e) {
                result.completeExceptionally(e);
            }
        });
        return result.get(10, TimeUnit.SECONDS);
    }

    @Test
    void mstScenarioClientLoadsGameServerLevelsUpClientSeesItSavedUnloadedServedAgain() throws Exception {
        startMaster(Duration.ofMillis(500));
        ProfilesClient client = client("alice");
        ObservableProfile mine = client.fillInProfileValues().get(10, TimeUnit.SECONDS);
        List<String> seen = new CopyOnWriteArrayList<>();
        on(client.executor(), () -> {
            mine.get("experience", ObservableInt.class).addListener((old, now) -> seen.add("experience=" + now));
            mine.get("level", ObservableInt.class).addListener((old, now) -> seen.add("level=" + now));
            return null;
        });

        ProfilesServer gameServer = gameServer();
        ObservableServerProfile held = gameServer.fillProfileValues("alice").get(10, TimeUnit.SECONDS);
        on(gameServer.executor(), () -> {
            ObservableInt experience = held.get("experience", ObservableInt.class);
            experience.add(150, Integer.MAX_VALUE);
            if (experience.get() >= 100) {
                held.get("level", ObservableInt.class).add(1, 100);
                experience.subtract(100, 0);
            }
            return null;
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("level=2") && seen.contains("experience=50"));
        await().atMost(Duration.ofSeconds(10)).until(() -> accessor.row("alice") != null
                && accessor.row("alice").json().contains("\"level\":2")
                && accessor.row("alice").json().contains("\"experience\":50"));

        gameServer.release("alice").get(10, TimeUnit.SECONDS);
        client.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> master.stats().loadedProfiles() == 0);

        master.close();
        startMaster(Duration.ofSeconds(30));
        ProfilesClient again = client("alice");
        ObservableProfile reloaded = again.fillInProfileValues().get(10, TimeUnit.SECONDS);
        assertThat(on(again.executor(), () -> reloaded.get("level", ObservableInt.class).get())).isEqualTo(2);
        assertThat(on(again.executor(), () -> reloaded.get("experience", ObservableInt.class).get())).isEqualTo(50);
    }

    @Test
    void clientWritesReachTheGameServerForbiddenWritesAreRefusedAndCorrected() throws Exception {
        startMaster(Duration.ofSeconds(30));
        ProfilesServer gameServer = gameServer();
        ObservableServerProfile held = gameServer.fillProfileValues("alice").get(10, TimeUnit.SECONDS);
        ProfilesClient client = client("alice");
        ObservableProfile mine = client.fillInProfileValues().get(10, TimeUnit.SECONDS);
        List<String> refusals = new CopyOnWriteArrayList<>();
        client.addRefusalListener((property, reason) -> refusals.add(property + ": " + reason));

        on(client.executor(), () -> {
            mine.get("displayName", ObservableString.class).set("Alice");
            return null;
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> on(gameServer.executor(),
                () -> held.get("displayName", ObservableString.class).get()).equals("Alice"));

        // Server-only property, then a value out of range: refused, and the client's copy is set back.
        on(client.executor(), () -> {
            mine.get("gold", ObservableInt.class).set(1_000_000);
            return null;
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> refusals.stream().anyMatch(r -> r.startsWith("gold")));
        await().atMost(Duration.ofSeconds(10)).until(() -> on(client.executor(),
                () -> mine.get("gold", ObservableInt.class).get()) == 0);
        on(client.executor(), () -> {
            mine.get("displayName", ObservableString.class).set("x".repeat(40));
            return null;
        });
        await().atMost(Duration.ofSeconds(10))
                .until(() -> refusals.stream().anyMatch(r -> r.startsWith("displayName")));
        await().atMost(Duration.ofSeconds(10)).until(() -> on(client.executor(),
                () -> mine.get("displayName", ObservableString.class).get()).equals("Alice"));
        assertThat(mine.has("banReason")).as("hidden property not in the client's profile").isFalse();

        await().atMost(Duration.ofSeconds(10)).until(() -> accessor.row("alice") != null
                && accessor.row("alice").json().contains("\"displayName\":\"Alice\""));
        assertThat(accessor.row("alice").json()).contains("\"gold\":0");
        assertThat(on(gameServer.executor(), () -> held.get("gold", ObservableInt.class).get())).isZero();
    }

    @Test
    void concurrentRandomWritesFromAClientAndTwoGameServersConverge() throws Exception {
        startMaster(Duration.ofSeconds(30));
        ProfilesServer first = gameServer();
        ProfilesServer second = gameServer();
        ObservableServerProfile a = first.fillProfileValues("alice").get(10, TimeUnit.SECONDS);
        ObservableServerProfile b = second.fillProfileValues("alice").get(10, TimeUnit.SECONDS);
        ProfilesClient client = client("alice");
        ObservableProfile c = client.fillInProfileValues().get(10, TimeUnit.SECONDS);

        Random random = new Random(20261121);
        for (int round = 0; round < 300; round++) {
            int writer = random.nextInt(3);
            long seed = random.nextLong();
            if (writer == 0) {
                first.executor().execute(() -> randomServerChange(a, new Random(seed)));
            } else if (writer == 1) {
                second.executor().execute(() -> randomServerChange(b, new Random(seed)));
            } else {
                client.executor().execute(() -> randomClientChange(c, new Random(seed)));
            }
            if (round % 25 == 0) {
                Thread.sleep(random.nextInt(15)); // let some batches interleave in flight, others not
            }
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            String truth = master.readProfile("alice", ObservableProfile::toJson).get();
            String clientTruth = master.readProfile("alice", p -> {
                ObservableProfile view = SCHEMA.clientSchema().newProfile();
                view.fromBytes(p.toBytes(SCHEMA.clientView()));
                return view.toJson();
            }).get();
            return truth.equals(on(first.executor(), a::toJson)) && truth.equals(on(second.executor(), b::toJson))
                    && clientTruth.equals(on(client.executor(), c::toJson));
        });
        // The run did write: the converged state is not the schema's defaults.
        String truth = master.readProfile("alice", ObservableProfile::toJson).get();
        assertThat(truth).isNotEqualTo(SCHEMA.newProfile().toJson());
        assertThat(truth).doesNotContain("\"displayName\":\"\"");
    }

    @SuppressWarnings("unchecked")
    static void randomServerChange(ObservableProfile profile, Random random) {
        switch (random.nextInt(6)) {
            case 0 -> profile.get("gold", ObservableInt.class).set(random.nextInt(1000));
            case 1 -> profile.get("level", ObservableInt.class).set(1 + random.nextInt(100));
            case 2 -> profile.get("stats", ObservableDictionary.class).put("s" + random.nextInt(5), random.nextInt(50));
            case 3 -> profile.get("stats", ObservableDictionary.class).remove("s" + random.nextInt(5));
            default -> listChange(profile.get("items", ObservableList.class), random);
        }
    }

    @SuppressWarnings("unchecked")
    static void randomClientChange(ObservableProfile profile, Random random) {
        if (random.nextBoolean()) {
            profile.get("displayName", ObservableString.class).set("name" + random.nextInt(20));
        } else {
            listChange(profile.get("items", ObservableList.class), random);
        }
    }

    static void listChange(ObservableList<String> items, Random random) {
        int size = items.size();
        int op = random.nextInt(5);
        if (op == 0 || size == 0) {
            if (size < 40) {
                items.add("item" + random.nextInt(100));
            }
        } else if (op == 1) {
            items.insert(random.nextInt(size + 1), "ins" + random.nextInt(100));
        } else if (op == 2) {
            items.remove(random.nextInt(size));
        } else if (op == 3) {
            items.set(random.nextInt(size), "set" + random.nextInt(100));
        } else if (random.nextInt(10) == 0) {
            items.clear();
        }
    }

    @Test
    void aGameServerDroppedMidStreamReconnectsWithNoAcknowledgedChangeMissingOrAppliedTwice() throws Exception {
        startMaster(Duration.ofSeconds(30));
        ProfilesServer gameServer = gameServer();
        ObservableServerProfile held = gameServer.fillProfileValues("alice").get(10, TimeUnit.SECONDS);
        Function<Integer, Void> append = i -> {
            held.getDictionary("stats", ElementType.STRING, ElementType.INT).put("n" + i, i);
            return null;
        };
        int total = 400;
        for (int i = 0; i < total; i++) {
            int n = i;
            gameServer.executor().execute(() -> append.apply(n));
            if (i == total / 2) {
                master.dropConnections(Role.GAME_SERVER);
            }
            if (i % 20 == 0) {
                Thread.sleep(2);
            }
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> master.readProfile("alice",
                p -> p.get("stats", ObservableDictionary.class).size()).get() == total);
        // Every entry once, with its own value; and the game server's copy equals the master's.
        assertThat(master.readProfile("alice", p -> {
            ObservableDictionary<String, Integer> stats = p.getDictionary("stats", ElementType.STRING, ElementType.INT);
            for (int i = 0; i < total; i++) {
                if (!Integer.valueOf(i).equals(stats.get("n" + i))) {
                    return false;
                }
            }
            return true;
        }).get()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> on(gameServer.executor(), held::toJson)
                .equals(master.readProfile("alice", ObservableProfile::toJson).get()));
    }

    @Test
    void aClientWhoseProfileCannotBeLoadedIsToldWhyAndMayTryAgain() throws Exception {
        startMaster(Duration.ofSeconds(30));
        accessor.failNextRestores(3);
        ProfilesClient client = client("alice");
        assertThatThrownBy(() -> client.fillInProfileValues().get(20, TimeUnit.SECONDS))
                .hasCauseInstanceOf(ProfileUnavailableException.class)
                .hasMessageContaining("alice").hasMessageContaining("3 attempt(s)");
        ObservableProfile mine = client.fillInProfileValues().get(20, TimeUnit.SECONDS);
        assertThat(on(client.executor(), () -> mine.get("level", ObservableInt.class).get())).isEqualTo(1);
    }

    @Test
    void aClientDroppedMidStreamReconnectsAndSeesWhatChangedMeanwhile() throws Exception {
        startMaster(Duration.ofSeconds(30));
        ProfilesClient client = client("alice");
        ObservableProfile mine = client.fillInProfileValues().get(10, TimeUnit.SECONDS);
        List<Integer> seenGold = new CopyOnWriteArrayList<>();
        on(client.executor(), () -> {
            mine.get("gold", ObservableInt.class).addListener((old, now) -> seenGold.add(now));
            return null;
        });
        master.dropConnections(Role.CLIENT);
        master.editProfile("alice", p -> p.get("gold", ObservableInt.class).set(321)).get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(20)).until(() -> seenGold.contains(321));
        on(client.executor(), () -> {
            mine.get("displayName", ObservableString.class).set("back");
            return null;
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> master.readProfile("alice",
                p -> p.get("displayName", ObservableString.class).get()).get().equals("back"));
    }
}
