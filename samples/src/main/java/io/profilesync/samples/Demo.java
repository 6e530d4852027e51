package io.profilesync.samples;

import io.profilesync.client.ProfilesClient;
import io.profilesync.client.ProfilesClientConfig;
import io.profilesync.core.ObservableInt;
import io.profilesync.core.ObservableProfile;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.ObservableString;
import io.profilesync.db.JdbiProfilesAccessor;
import io.profilesync.gameserver.ProfilesServer;
import io.profilesync.gameserver.ProfilesServerConfig;
import io.profilesync.master.HmacTokens;
import io.profilesync.master.MasterConfig;
import io.profilesync.master.MasterServer;
import io.profilesync.populators.ProfileSchema;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * The three tiers in one process, talking over 127.0.0.1: a master on embedded H2 in a temporary folder, a game
 * server, and three bot clients. The game server awards gold and levels; each bot renames itself; every change is
 * printed where it arrives, so the terminal shows changes flowing both ways. It ends by itself after a few rounds.
 *
 * <pre>{@code mvn -q -pl samples -am compile exec:java}</pre>
 *
 * <p>Threading: {@link #run} blocks its caller; listeners print from the game server's and the bots' profile threads.
 */
public final class Demo {
    private static final String[] NAMES = {"Swift Fox", "Iron Owl", "Quiet Bear"};

    /** What the demo saw: per bot, the gold and level it was last told, and the name the game server last saw. */
    public record Outcome(Map<String, Integer> goldSeenByBots, Map<String, Integer> levelSeenByBots,
            Map<String, String> namesSeenByGameServer, Map<String, Integer> goldAwarded) {
    }

    private final PrintStream out;
    private final Map<String, Integer> goldSeenByBots = new ConcurrentHashMap<>();
    private final Map<String, Integer> levelSeenByBots = new ConcurrentHashMap<>();
    private final Map<String, String> namesSeenByGameServer = new ConcurrentHashMap<>();
    private final Map<String, Integer> goldAwarded = new ConcurrentHashMap<>();

    private Demo(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        run(5, Duration.ofSeconds(1), System.out);
    }

    /**
     * Runs the demo: {@code rounds} rounds {@code interval} apart, then waits (at most 10 s) until every bot has seen
     * every award and the game server every rename, and stops everything.
     */
    public static Outcome run(int rounds, Duration interval, PrintStream out) throws Exception {
        return new Demo(out).play(rounds, interval);
    }

    private Outcome play(int rounds, Duration interval) throws Exception {
        Path folder = Files.createTempDirectory("profilesync-demo");
        String tokenSecret = randomSecret();
        String gameServerSecret = randomSecret();
        List<AutoCloseable> open = new ArrayList<>();
        try {
            JdbiProfilesAccessor database = JdbiProfilesAccessor.create("jdbc:h2:" + folder.resolve("profiles"));
            open.add(database);
            MasterServer master = MasterServer.start(MasterConfig.builder()
                    .host("127.0.0.1").port(0)
                    .tokenSecret(tokenSecret).gameServerSecret(gameServerSecret)
                    .saveProfileDebounce(Duration.ofMillis(200)).clientUpdateDebounce(Duration.ofMillis(50))
                    .build(), ProfileSchema.demo(), database);
            open.add(0, master);
            say("master", "listening on 127.0.0.1:" + master.port() + ", H2 in " + folder + ", the demo schema");

            ProfilesServer gameServer = ProfilesServer.connect(ProfilesServerConfig.builder()
                    .port(master.port()).secret(gameServerSecret).updateInterval(Duration.ofMillis(50)).build());
            open.add(0, gameServer);
            gameServer.connected().get(10, TimeUnit.SECONDS);
            say("game server", "connected");

            List<ProfilesClient> bots = new ArrayList<>();
            List<ObservableServerProfile> held = new ArrayList<>();
            for (int i = 1; i <= NAMES.length; i++) {
                String user = "bot-" + i;
                ProfilesClient bot = ProfilesClient.connect(ProfilesClientConfig.builder().port(master.port())
                        .token(HmacTokens.mint(tokenSecret, user, Duration.ofMinutes(10)))
                        .updateInterval(Duration.ofMillis(50)).build());
                open.add(0, bot);
                bots.add(bot);
                bot.fillInProfileValues().thenAccept(profile -> watchAsBot(user, profile)).get(10, TimeUnit.SECONDS);
                held.add(gameServer.fillProfileValues(user).thenApply(profile -> watchAsGameServer(user, profile))
                        .get(10, TimeUnit.SECONDS));
            }

            for (int round = 1; round <= rounds; round++) {
                say("", "--- round " + round + " ---");
                int thisRound = round;
                for (int i = 0; i < held.size(); i++) {
                    ObservableServerProfile profile = held.get(i);
                    int award = 10 * (i + 1);
                    gameServer.run(() -> {
                        ObservableInt gold = profile.get("gold", ObservableInt.class);
                        gold.add(award, Integer.MAX_VALUE);
                        goldAwarded.put(profile.userId(), gold.get());
                        say("game server", "awards " + profile.userId() + " " + award + " gold (now " + gold.get()
                                + ")");
                        if (thisRound % 2 == 0) {
                            profile.get("level", ObservableInt.class).add(1, 100);
                            say("game server", profile.userId() + " levels up to "
                                    + profile.get("level", ObservableInt.class).get());
                        }
                    });
                }
                if (round <= bots.size()) {
                    ProfilesClient bot = bots.get(round - 1);
                    String name = NAMES[round - 1];
                    bot.fillInProfileValues().thenAccept(profile -> {
                        say(bot.userId(), "renames itself \"" + name + "\"");
                        profile.get("displayName", ObservableString.class).set(name);
                    });
                }
                Thread.sleep(interval.toMillis());
            }

            boolean settled = await(Duration.ofSeconds(10), () -> goldSeenByBots.equals(goldAwarded)
                    && namesSeenByGameServer.size() == Math.min(rounds, NAMES.length));
            say("", settled ? "--- every bot saw every award, the game server every rename ---"
                    : "--- stopped before every change arrived (see above) ---");
            for (AutoCloseable peer : open.subList(0, open.size() - 2)) {
                peer.close(); // the bots and the game server send their last changes and disconnect
            }
            master.close(); // stops accepting work and saves every changed profile
            say("master", "stopped with " + master.stats().dirtyProfiles() + " unsaved profile(s); the database "
                    + "holds " + database.count() + " profile(s)");
            return new Outcome(Map.copyOf(goldSeenByBots), Map.copyOf(levelSeenByBots),
                    Map.copyOf(namesSeenByGameServer), Map.copyOf(goldAwarded));
        } finally {
            for (AutoCloseable closeable : open) {
                closeable.close(); // idempotent: what is still open after a failure, newest first
            }
            deleteRecursively(folder);
            say("", "demo finished");
        }
    }

    private void watchAsBot(String user, ObservableProfile profile) {
        ObservableInt gold = profile.get("gold", ObservableInt.class);
        ObservableInt level = profile.get("level", ObservableInt.class);
        say(user, "logged in: level " + level.get() + ", gold " + gold.get());
        goldSeenByBots.put(user, gold.get());
        levelSeenByBots.put(user, level.get());
        gold.addListener((before, after) -> {
            goldSeenByBots.put(user, after);
            say(user, "sees gold " + before + " -> " + after);
        });
        level.addListener((before, after) -> {
            levelSeenByBots.put(user, after);
            say(user, "sees level " + before + " -> " + after);
        });
    }

    private ObservableServerProfile watchAsGameServer(String user, ObservableServerProfile profile) {
        profile.get("displayName", ObservableString.class).addListener((before, after) -> {
            namesSeenByGameServer.put(user, after);
            say("game server", "sees " + user + " rename: \"" + before + "\" -> \"" + after + "\"");
        });
        return profile;
    }

    private void say(String who, String what) {
        synchronized (out) {
            out.printf("%-12s %s%n", who, what);
            out.flush();
        }
    }

    private static boolean await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    private static String randomSecret() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static void deleteRecursively(Path folder) throws IOException {
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
