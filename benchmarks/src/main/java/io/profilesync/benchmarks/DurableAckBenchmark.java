package io.profilesync.benchmarks;

import io.profilesync.core.IProfilesDatabaseAccessor;
import io.profilesync.core.ObservableInt;
import io.profilesync.core.ObservableLong;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.db.DatabaseConfig;
import io.profilesync.db.JdbiProfilesAccessor;
import io.profilesync.gameserver.ProfilesServerConfig;
import io.profilesync.gameserver.internal.GameServerCore;
import io.profilesync.master.MasterConfig;
import io.profilesync.master.MasterServer;
import io.profilesync.populators.ProfileSchema;
import io.profilesync.protocol.internal.PeerRuntime;
import io.profilesync.testing.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * From a game server's {@code set} to the durable acknowledgement of that change (the master's push whose
 * {@code durableSeq} covers the batch holding it), p50 and p99, on H2, SQLite and (when its binaries are installed)
 * PostgreSQL: for an ordinary property (saved {@code saveProfileDebounce}, 1 s, after its first unsaved change) and
 * for a {@code durability: immediate} one. The game server changes one of 200 held profiles every 10 ms and waits
 * for each change's durable acknowledgement without asking for it ({@code whenDurable}: no flush), at its default
 * {@code updateInterval} (100 ms). Several rounds alternate the two properties; the figures are per round and the
 * median over the rounds.
 *
 * <p>Run: {@code mvn -o -q -pl benchmarks -am package -DskipTests && java -cp benchmarks/target/benchmarks.jar
 * io.profilesync.benchmarks.DurableAckBenchmark [rounds] [changes per round]} (default 3 rounds of 300).
 * Threading: the main thread drives; the game server's core runs on its own loop, the master on its threads.
 */
public final class DurableAckBenchmark {
    static {
        // The benchmarks jar binds slf4j-simple; set before any logger exists (the schema below makes one).
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }

    private static final String SECRET = "durable-benchmark-secret";
    private static final int PROFILES = 200;
    private static final ProfileSchema SCHEMA = ProfileSchema.builder()
            .intProperty("gold", 0)
            .longProperty("coins", 0).savedImmediately()
            .build();

    private DurableAckBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int changes = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        Path temp = Files.createTempDirectory("profilesync-durable-");
        System.out.printf(Locale.ROOT, "%d rounds of %d changes (one every 10 ms over %d profiles); %d cores, "
                + "Java %s%n", rounds, changes, PROFILES, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        System.out.println("| database | property | p50 per round (ms) | p99 per round (ms) | median p50 | median p99 |");
        System.out.println("| --- | --- | --- | --- | --- | --- |");
        run("H2 (file)", () -> JdbiProfilesAccessor.create(config("jdbc:h2:" + temp.resolve("h2/profiles"), "")),
                rounds, changes);
        run("SQLite (file)", () -> JdbiProfilesAccessor.create(config("jdbc:sqlite:" + temp.resolve("profiles.db"),
                "")), rounds, changes);
        Optional<Path> pgBin = PostgresCluster.findBinaries();
        if (pgBin.isEmpty()) {
            System.out.println("| PostgreSQL | skipped: " + PostgresCluster.howToInstall() + " | | | | |");
        } else {
            try (PostgresCluster cluster = PostgresCluster.start(pgBin.get())) {
                run("PostgreSQL (fsync on)", () -> JdbiProfilesAccessor.create(config(cluster.newSchemaUrl(),
                        cluster.user())), rounds, changes);
            }
        }
        System.out.printf(Locale.ROOT, "load average after the runs: %.2f%n", loadAverage());
        System.exit(0);
    }

    private static DatabaseConfig config(String url, String user) {
        return DatabaseConfig.builder(url).user(user).backupInterval(Duration.ZERO).build();
    }

    private static void run(String database, Supplier<IProfilesDatabaseAccessor> accessors, int rounds, int changes)
            throws Exception {
        IProfilesDatabaseAccessor accessor = accessors.get();
        MasterServer master = MasterServer.start(MasterConfig.builder().host("127.0.0.1").port(0)
                .gameServerSecret(SECRET).tokenSecret("durable-benchmark-token-secret-0123456789").build(), SCHEMA,
                accessor);
        ProfilesServerConfig config = ProfilesServerConfig.builder().host("127.0.0.1").port(master.port())
                .secret(SECRET).build();
        PeerRuntime runtime = new PeerRuntime(config, "benchmark-gameserver");
        GameServerCore core = new GameServerCore(config, runtime.loop(), runtime.connector());
        try {
            onLoop(runtime, () -> {
                core.start();
                return null;
            });
            List<ObservableServerProfile> held = new ArrayList<>();
            for (int i = 0; i < PROFILES; i++) {
                String user = "player-" + i;
                held.add(onLoop(runtime, () -> core.fillProfileValues(user)).thenCompose(f -> f)
                        .get(60, TimeUnit.SECONDS));
            }
            long[][] debounced = new long[rounds][];
            long[][] immediate = new long[rounds][];
            for (int round = 0; round < rounds; round++) {
                // Alternating which goes first, so neither always runs on a warmer JVM.
                boolean debouncedFirst = round % 2 == 0;
                for (int which = 0; which < 2; which++) {
                    boolean isDebounced = (which == 0) == debouncedFirst;
                    long[] latencies = round(runtime, core, held, changes, isDebounced);
                    (isDebounced ? debounced : immediate)[round] = latencies;
                }
            }
            print(database, "ordinary (saveProfileDebounce 1 s)", debounced);
            print(database, "durability: immediate", immediate);
        } finally {
            onLoop(runtime, core::closeNow).thenCompose(f -> f).get(30, TimeUnit.SECONDS);
            runtime.shutdown();
            master.close();
            accessor.close();
        }
    }

    /** One change every 10 ms, each timed from its set to its durable acknowledgement. */
    private static long[] round(PeerRuntime runtime, GameServerCore core, List<ObservableServerProfile> held,
            int changes, boolean debounced) throws Exception {
        List<CompletableFuture<Long>> waits = new ArrayList<>();
        long next = System.nanoTime();
        for (int i = 0; i < changes; i++) {
            ObservableServerProfile profile = held.get(i % held.size());
            int value = i;
            waits.add(onLoop(runtime, () -> {
                if (debounced) {
                    profile.get("gold", ObservableInt.class).set(value + 1);
                } else {
                    profile.get("coins", ObservableLong.class).set(value + 1L);
                }
                long setAt = System.nanoTime();
                return core.whenDurable(profile.userId()).thenApply(ignored -> System.nanoTime() - setAt);
            }).thenCompose(f -> f));
            next += TimeUnit.MILLISECONDS.toNanos(10);
            long wait = next - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
        }
        long[] latencies = new long[changes];
        for (int i = 0; i < changes; i++) {
            latencies[i] = waits.get(i).get(60, TimeUnit.SECONDS);
        }
        Arrays.sort(latencies);
        return latencies;
    }

    private static void print(String database, String property, long[][] rounds) {
        double[] p50 = new double[rounds.length];
        double[] p99 = new double[rounds.length];
        for (int i = 0; i < rounds.length; i++) {
            p50[i] = millis(percentile(rounds[i], 0.50));
            p99[i] = millis(percentile(rounds[i], 0.99));
        }
        System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %.1f | %.1f |%n", database, property, join(p50),
                join(p99), median(p50), median(p99));
    }

    private static long percentile(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    private static double millis(long nanos) {
        return nanos / 1e6;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static String join(double[] values) {
        StringBuilder text = new StringBuilder();
        for (double value : values) {
            text.append(text.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.1f", value));
        }
        return text.toString();
    }

    private static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /** Runs {@code action} on the core's loop (its threading contract) and hands back what it returns. */
    private static <T> CompletableFuture<T> onLoop(PeerRuntime runtime, Supplier<T> action) {
        CompletableFuture<T> result = new CompletableFuture<>();
        runtime.loop().execute(() -> {
            try {
                result.complete(action.get());
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }
}
