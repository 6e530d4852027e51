package io.profilesync.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.profilesync.core.ElementType;
import io.profilesync.core.IProfilesDatabaseAccessor;
import io.profilesync.core.ObservableInt;
import io.profilesync.core.ObservableLong;
import io.profilesync.core.ObservableProfile;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.ObservableString;
import io.profilesync.gameserver.ProfilesServer;
import io.profilesync.populators.ProfileSchema;
import io.profilesync.protocol.ConnectionState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * One game server's load for the crash and outage tests (issue 9): it holds {@code users} profiles of
 * {@link #SCHEMA} and every 10 ms changes each profile that has not gone quiet: an absolute set ({@code score}), an
 * increment ({@code coins}, read-modify-write on the game server's copy, so a copy that went back to older data
 * gives a wrong total), on every sixth tick a list append of a unique token ({@code log}) and on every fifth an
 * absolute string ({@code tag}). It keeps its own record of what it made (the model), apart from the profiles, so a
 * change the game server's copy lost or reverted still shows: the copies and the database are compared with it.
 *
 * <p>Threading: the model, the profiles and the random source are touched only on the game server's profile
 * executor ({@link ProfilesServer#run}); the test thread waits on futures and on the tick count.
 */
final class Workload implements AutoCloseable {
    /** No constraint a change could break: a refused change would be a legitimate difference. */
    static final ProfileSchema SCHEMA = ProfileSchema.fromJson("""
            {"properties": [
              {"name": "score", "type": "int"},
              {"name": "coins", "type": "long"},
              {"name": "tag", "type": "string", "maxLength": 64},
              {"name": "log", "type": "list<string>", "maxSize": 100000}
            ]}""");
    static final Duration TICK = Duration.ofMillis(10);
    private static final Duration WAIT = Duration.ofSeconds(90);

    /** What the game server made of one profile. */
    private static final class Made {
        int score;
        long coins;
        String tag = "";
        final List<String> log = new ArrayList<>();
        boolean quiet;
    }

    private final ProfilesServer server;
    private final Map<String, ObservableServerProfile> profiles = new LinkedHashMap<>();
    private final Map<String, Made> made = new HashMap<>();
    private final Random random;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "workload-ticker");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicLong ticks = new AtomicLong();
    private final AtomicBoolean tickQueued = new AtomicBoolean();
    private final AtomicLong changes = new AtomicLong();
    private final AtomicInteger connections = new AtomicInteger();
    private final List<String> refusals = new ArrayList<>(); // guarded by itself
    private final Set<String> released = ConcurrentHashMap.newKeySet();
    private ScheduledFuture<?> schedule;
    private boolean stopped; // profile executor only
    private volatile boolean stoppedFromTestThread;

    private Workload(ProfilesServer server, long seed) {
        this.server = server;
        this.random = new Random(seed);
    }

    /** Acquires the profiles {@code u000}… of {@code users} users (new ones: schema defaults) and starts writing. */
    static Workload start(ProfilesServer server, int users, long seed) throws Exception {
        Workload load = new Workload(server, seed);
        server.addRefusalListener((userId, property, reason) -> {
            synchronized (load.refusals) {
                load.refusals.add(userId + "." + property + ": " + reason);
            }
        });
        server.addConnectionListener((state, cause) -> {
            if (state == ConnectionState.CONNECTED) {
                load.connections.incrementAndGet();
            }
        });
        List<CompletableFuture<ObservableServerProfile>> fetches = new ArrayList<>();
        for (int i = 0; i < users; i++) {
            fetches.add(server.fillProfileValues(String.format("u%03d", i)));
        }
        CompletableFuture.allOf(fetches.toArray(CompletableFuture[]::new)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        load.onLoop(() -> {
            for (CompletableFuture<ObservableServerProfile> fetch : fetches) {
                ObservableServerProfile profile = fetch.join();
                load.profiles.put(profile.userId(), profile);
                load.made.put(profile.userId(), new Made());
            }
            return null;
        }).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        // One tick waits on the executor at most: when ticks take longer than 10 ms (a slow machine, a burst of
        // pushes) the next is skipped rather than queued, so the executor never builds a backlog that would delay
        // the test's own calls on it.
        load.schedule = load.ticker.scheduleAtFixedRate(() -> {
            if (load.tickQueued.compareAndSet(false, true)) {
                server.run(() -> {
                    load.tickQueued.set(false);
                    load.tick();
                });
            }
        }, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
        return load;
    }

    private void tick() {
        if (stopped) {
            return;
        }
        long tick = ticks.incrementAndGet();
        int index = 0;
        for (Map.Entry<String, ObservableServerProfile> entry : profiles.entrySet()) {
            Made m = made.get(entry.getKey());
            ObservableProfile profile = entry.getValue();
            index++;
            if (m.quiet) {
                continue;
            }
            int score = random.nextInt();
            profile.get("score", ObservableInt.class).set(score);
            m.score = score;
            profile.get("coins", ObservableLong.class).add(1, Long.MAX_VALUE);
            m.coins++;
            changes.addAndGet(2);
            if ((tick + index) % 6 == 0) {
                String token = entry.getKey() + "-" + m.log.size();
                profile.getList("log", ElementType.STRING).add(token);
                m.log.add(token);
                changes.incrementAndGet();
            }
            if ((tick + index) % 5 == 0) {
                m.tag = "t" + tick;
                profile.get("tag", ObservableString.class).set(m.tag);
                changes.incrementAndGet();
            }
        }
    }

    /** How many write ticks ran so far. */
    long ticks() {
        return ticks.get();
    }

    /** How many changes the game server made so far (sets, increments, appends). */
    long changes() {
        return changes.get();
    }

    /** How many times the game server was welcomed by a master (the first time included). */
    int connections() {
        return connections.get();
    }

    int users() {
        return profiles.size();
    }

    /**
     * Waits until {@code count} more ticks have run: the load's own clock, so "2 s of load" means 200 rounds of
     * changes even on a slow machine, and no sleep.
     */
    void awaitTicks(long count) {
        long target = ticks.get() + count;
        await().atMost(WAIT).pollInterval(Duration.ofMillis(5)).until(() -> ticks.get() >= target);
    }

    /** Waits until the game server is welcomed again after a master went away. */
    void awaitReconnected(int welcomedBefore) {
        await().atMost(WAIT).until(() -> connections.get() > welcomedBefore);
    }

    /** {@code count} of the profiles still written stop being written (they stay held), chosen at random. */
    List<String> quiet(int count) throws Exception {
        return onLoop(() -> {
            List<String> active = new ArrayList<>();
            made.forEach((user, m) -> {
                if (!m.quiet) {
                    active.add(user);
                }
            });
            active.sort(null);
            List<String> chosen = new ArrayList<>();
            for (int i = 0; i < count && !active.isEmpty(); i++) {
                String user = active.remove(random.nextInt(active.size()));
                made.get(user).quiet = true;
                chosen.add(user);
            }
            return chosen;
        }).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** Makes no change from now on: once this returns, no tick writes any more. */
    void stop() throws Exception {
        onLoop(() -> {
            stopped = true;
            return null;
        }).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        schedule.cancel(false);
        stoppedFromTestThread = true;
    }

    /**
     * Ends the load: stops writing, checks that the game server's copies equal what it made, releases every profile
     * and waits for all the releases (a release completes once the profile's changes are durable on the master), and
     * checks that the master refused nothing. Returns how many changes were made.
     */
    long finish() throws Exception {
        return finish(() -> { });
    }

    /** As {@link #finish()}, running {@code whileReleasing} once the releases are asked for, before they end. */
    long finish(Step whileReleasing) throws Exception {
        stop();
        assertThat(copyDifferences()).as("the game server's copies against what it made").isEmpty();
        CompletableFuture<Void> releases = releaseAll();
        whileReleasing.run();
        releases.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(refusals()).as("changes the master refused").isEmpty();
        return changes();
    }

    /** A step of a test that may throw. */
    @FunctionalInterface
    interface Step {
        void run() throws Exception;
    }

    /** Releases every profile: each future completes once all its changes are durable on the master. */
    private CompletableFuture<Void> releaseAll() throws Exception {
        List<CompletableFuture<Void>> releases = new ArrayList<>();
        for (String user : onLoop(() -> List.copyOf(profiles.keySet())).get(WAIT.toSeconds(), TimeUnit.SECONDS)) {
            releases.add(server.release(user));
        }
        return CompletableFuture.allOf(releases.toArray(CompletableFuture[]::new));
    }

    /** Releases the profile of {@code user}, which must be quiet already (its changes stop first). */
    CompletableFuture<Void> release(String user) {
        released.add(user);
        return server.release(user);
    }

    /**
     * Acquires again the profile of {@code user}, released earlier (its release completed), checks that the copy the
     * master hands over holds what was made, and writes it again from the next tick.
     */
    void reacquire(String user) throws Exception {
        ObservableServerProfile profile = server.fillProfileValues(user).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        List<String> differences = onLoop(() -> {
            List<String> found = new ArrayList<>();
            compare(user, profile, "re-acquired", found);
            profiles.put(user, profile);
            made.get(user).quiet = false;
            released.remove(user);
            return found;
        }).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(differences).as("the profile of " + user + " acquired again after its release").isEmpty();
    }

    /** The refusals the master sent (none is expected: the schema has no constraint a change could break). */
    List<String> refusals() {
        synchronized (refusals) {
            return List.copyOf(refusals);
        }
    }

    /** How the game server's own copies differ from what it made: empty when they are equal. */
    private List<String> copyDifferences() throws Exception {
        return onLoop(() -> {
            List<String> differences = new ArrayList<>();
            profiles.forEach((user, profile) -> {
                Optional<ObservableServerProfile> held = server.tryGetById(user);
                if (!released.contains(user) && (held.isEmpty() || held.get() != profile)) {
                    differences.add(user + ": the game server no longer holds the profile it acquired");
                }
                compare(user, profile, "the game server's copy", differences);
            });
            return differences;
        }).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /**
     * How the profiles {@code accessor} has stored differ from what the game server made: empty when every stored
     * profile equals it (every absolute value, every increment's total, every append once and in order). Only after
     * {@link #stop()}: the model no longer changes then (and {@code stop}'s future made it visible to this thread), so
     * this reads it on the caller's thread, and works after the game server is closed.
     */
    List<String> storedDifferences(IProfilesDatabaseAccessor accessor) throws Exception {
        if (!stoppedFromTestThread) {
            throw new IllegalStateException("storedDifferences needs stop() first");
        }
        List<String> differences = new ArrayList<>();
        for (String user : profiles.keySet()) {
            ObservableServerProfile profile = SCHEMA.newServerProfile(user);
            if (!accessor.restoreProfileAsync(profile).get(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                differences.add(user + ": no stored profile");
            } else {
                compare(user, profile, "stored", differences);
            }
        }
        return differences;
    }

    /** On the profile executor, or on any thread once the load has stopped. */
    private void compare(String user, ObservableProfile profile, String what, List<String> differences) {
        Made m = made.get(user);
        int score = profile.get("score", ObservableInt.class).intValue();
        long coins = profile.get("coins", ObservableLong.class).longValue();
        String tag = profile.get("tag", ObservableString.class).get();
        List<String> log = profile.getList("log", ElementType.STRING).value();
        if (score != m.score) {
            differences.add(user + ": score " + score + " " + what + ", " + m.score + " made");
        }
        if (coins != m.coins) {
            differences.add(user + ": coins " + coins + " " + what + ", " + m.coins + " increments made");
        }
        if (!tag.equals(m.tag)) {
            differences.add(user + ": tag \"" + tag + "\" " + what + ", \"" + m.tag + "\" made");
        }
        if (!log.equals(m.log)) {
            List<String> missing = new ArrayList<>(m.log);
            missing.removeAll(log);
            List<String> extra = new ArrayList<>(log);
            for (String token : m.log) {
                extra.remove(token);
            }
            differences.add(user + ": log " + what + " has " + log.size() + " entries, " + m.log.size()
                    + " appended; missing " + summary(missing) + ", doubled or unknown " + summary(extra)
                    + (missing.isEmpty() && extra.isEmpty() ? ", out of order" : ""));
        }
    }

    private static String summary(List<String> tokens) {
        return tokens.size() <= 6 ? tokens.toString() : tokens.size() + " " + tokens.subList(0, 6) + "…";
    }

    private <T> CompletableFuture<T> onLoop(Supplier<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        server.run(() -> {
            try {
                result.complete(work.get());
            } catch (RuntimeException | Error e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    @Override
    public void close() {
        ticker.shutdownNow();
    }
}
