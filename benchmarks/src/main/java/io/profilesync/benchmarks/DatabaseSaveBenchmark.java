package io.profilesync.benchmarks;

import io.profilesync.core.ElementType;
import io.profilesync.core.ObservableDateTime;
import io.profilesync.core.ObservableDictionary;
import io.profilesync.core.ObservableInt;
import io.profilesync.core.ObservableList;
import io.profilesync.core.ObservableLong;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.ObservableString;
import io.profilesync.core.ObservableVector3;
import io.profilesync.core.Vector3;
import io.profilesync.db.DatabaseConfig;
import io.profilesync.db.JdbiProfilesAccessor;
import io.profilesync.db.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Profiles saved per second in batches of 1,000 through {@link JdbiProfilesAccessor} on H2, SQLite and (when its
 * binaries are installed) PostgreSQL, beside the ceiling: a plain Jdbi batch upsert of the same rows (the same JSON
 * text), on one connection with the same durability settings, in the same run. Each round updates every profile
 * once through each, interleaved batch by batch with the order rotating. Prints the median rows/s of the rounds and
 * the median of the rounds' ratios. A second ceiling binds JSON encoded beforehand: the database alone, without
 * encoding profiles.
 *
 * <p>Run: {@code mvn -o -q -pl benchmarks -am verify -DskipTests -Pdb-benchmark} (arguments:
 * {@code -Dexec.args="ROUNDS BATCHES"}, default 9 rounds of 10 batches). Threading: runs on the main thread; the
 * accessor's saves run on its writer thread, one batch at a time.
 */
public final class DatabaseSaveBenchmark {
    private static final int BATCH = 1_000;

    private DatabaseSaveBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 9;
        int batches = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        Path temp = Files.createTempDirectory("profilesync-bench-");
        List<ObservableServerProfile> profiles = new ArrayList<>();
        for (int i = 0; i < batches * BATCH; i++) {
            profiles.add(typicalProfile("user-" + i, i));
        }
        int jsonBytes = profiles.get(0).toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        System.out.printf(Locale.ROOT, "%d profiles of about %d bytes of JSON, batches of %d, %d rounds after a "
                + "warm-up; %d cores, Java %s%n", profiles.size(), jsonBytes, BATCH, rounds,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        System.out.println("| database | accessor rows/s | plain Jdbi upsert rows/s (ceiling) | accessor / ceiling "
                + "(range over rounds) | plain upsert, JSON encoded beforehand, rows/s | accessor / that |");
        System.out.println("| --- | --- | --- | --- | --- | --- |");

        Properties sqlite = new Properties();
        sqlite.setProperty("journal_mode", "WAL");
        sqlite.setProperty("synchronous", "FULL");
        run("H2 (WRITE_DELAY=0)", "jdbc:h2:" + temp.resolve("h2/profiles"), "", ";WRITE_DELAY=0", new Properties(),
                "MERGE INTO profiles (user_id, data, version, saved_at) KEY (user_id)"
                        + " VALUES (:userId, :json, :version, :savedAt)", profiles, rounds);
        run("SQLite (WAL, synchronous=FULL)", "jdbc:sqlite:" + temp.resolve("profiles.db"), "", "", sqlite,
                "INSERT INTO profiles (user_id, data, version, saved_at) VALUES (:userId, :json, :version, :savedAt)"
                        + " ON CONFLICT (user_id) DO UPDATE SET data = excluded.data, version = excluded.version,"
                        + " saved_at = excluded.saved_at", profiles, rounds);
        Optional<Path> pgBin = PostgresCluster.findBinaries();
        if (pgBin.isEmpty()) {
            System.out.println("| PostgreSQL | skipped: " + PostgresCluster.howToInstall() + " | | |");
        } else {
            try (PostgresCluster cluster = PostgresCluster.start(pgBin.get())) {
                run("PostgreSQL (fsync on)", cluster.newSchemaUrl(), cluster.user(), "", new Properties(),
                        "INSERT INTO profiles (user_id, data, version, saved_at)"
                                + " VALUES (:userId, :json, :version, :savedAt)"
                                + " ON CONFLICT (user_id) DO UPDATE SET data = EXCLUDED.data,"
                                + " version = EXCLUDED.version, saved_at = EXCLUDED.saved_at", profiles, rounds);
            }
        }
    }

    private static void run(String name, String url, String user, String urlSuffix, Properties props, String upsert,
            List<ObservableServerProfile> profiles, int rounds) throws Exception {
        DatabaseConfig config = DatabaseConfig.builder(url).user(user).backupInterval(Duration.ZERO).build();
        props.setProperty("user", user);
        props.setProperty("password", "");
        boolean sqlite = url.startsWith("jdbc:sqlite:");
        try (JdbiProfilesAccessor accessor = JdbiProfilesAccessor.create(config);
             Handle ceiling = Jdbi.create(url + urlSuffix, props).open()) {
            double[][] rates = new double[3][rounds]; // accessor, plain upsert encoding JSON, plain prebuilt JSON
            for (ObservableServerProfile p : profiles) {
                p.setStoredVersion(0); // new to this database
            }
            for (int round = -1; round < rounds; round++) { // round -1: warm-up, inserts every row
                for (ObservableServerProfile p : profiles) {
                    p.get("level", ObservableInt.class).set(round + 10);
                }
                List<String> json = new ArrayList<>(profiles.size());
                for (ObservableServerProfile p : profiles) {
                    json.add(p.toJson());
                }
                long version = round + 2;
                long[] nanos = new long[3];
                // Interleaved batch by batch, the order rotating, so all three see the same load of a noisy machine.
                for (int from = 0; from < profiles.size(); from += BATCH) {
                    for (int k = 0; k < 3; k++) {
                        int which = Math.floorMod(from / BATCH + round + k, 3);
                        long start = System.nanoTime();
                        if (which == 0) {
                            accessor.updateProfilesAsync(profiles.subList(from, from + BATCH)).join();
                        } else {
                            ceilingBatch(ceiling, upsert, profiles, which == 1 ? null : json, from, version, sqlite);
                        }
                        nanos[which] += System.nanoTime() - start;
                    }
                }
                if (round >= 0) {
                    for (int which = 0; which < 3; which++) {
                        rates[which][round] = profiles.size() / (nanos[which] / 1e9);
                    }
                }
            }
            // Ratios are taken round by round (the three ran interleaved, under the same load), then the median.
            double[] toCeiling = new double[rounds];
            double[] toRaw = new double[rounds];
            for (int round = 0; round < rounds; round++) {
                toCeiling[round] = rates[0][round] / rates[1][round];
                toRaw[round] = rates[0][round] / rates[2][round];
            }
            System.out.printf(Locale.ROOT, "| %s | %,.0f | %,.0f | %.0f%% (%.0f–%.0f%%) | %,.0f | %.0f%% |%n", name,
                    median(rates[0]), median(rates[1]), 100 * median(toCeiling), 100 * min(toCeiling),
                    100 * max(toCeiling), median(rates[2]), 100 * median(toRaw));
        }
    }

    /**
     * The ceiling: the dialect's upsert of the same rows in one transaction on one connection, no version check. With
     * {@code prebuilt} null it encodes each profile's JSON as it binds it (as any code saving profiles must); else it
     * binds the given JSON, so the figure is the database's alone.
     */
    private static void ceilingBatch(Handle h, String upsert, List<ObservableServerProfile> profiles,
            List<String> prebuilt, int from, long version, boolean sqlite) {
        Instant now = Instant.now();
        Object savedAt = sqlite ? now.toString() : OffsetDateTime.ofInstant(now, ZoneOffset.UTC);
        h.useTransaction(t -> {
            PreparedBatch batch = t.prepareBatch(upsert);
            for (int i = from; i < from + BATCH; i++) {
                String json = prebuilt == null ? profiles.get(i).toJson() : prebuilt.get(i);
                batch.bind("userId", "ceiling-" + i).bind("json", json).bind("version", version)
                        .bind("savedAt", savedAt).add();
            }
            batch.execute();
        });
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElse(Double.NaN);
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElse(Double.NaN);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** A profile of the size a game keeps: about 1 KB of JSON. */
    @SuppressWarnings("unchecked")
    static ObservableServerProfile typicalProfile(String userId, int seed) {
        ObservableServerProfile p = new ObservableServerProfile(userId);
        p.add(new ObservableInt("level", 1));
        p.add(new ObservableLong("coins", 1_000_000L + seed));
        p.add(new ObservableString("nickname", "player " + seed + " \uD83C\uDFAE"));
        p.add(new ObservableDateTime("lastSeen", Instant.ofEpochMilli(1_790_000_000_000L + seed)));
        p.add(new ObservableVector3("position", new Vector3(seed % 100, 12.5f, -seed % 37)));
        ObservableList<String> inventory = p.add(new ObservableList<>("inventory", ElementType.STRING));
        ObservableDictionary<String, Integer> items = p.add(
                new ObservableDictionary<>("items", ElementType.STRING, ElementType.INT));
        for (int i = 0; i < 12; i++) {
            inventory.add("item-" + (seed + i) % 97 + "-sword-of-testing");
            items.put("resource-" + i, seed * 31 + i);
        }
        ObservableList<Integer> scores = p.add(new ObservableList<>("scores", ElementType.INT));
        for (int i = 0; i < 20; i++) {
            scores.add(seed * 7 + i * 1000);
        }
        return p;
    }
}
