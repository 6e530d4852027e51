package io.profilesync.testing.sim;

import io.profilesync.core.AppliedBatches;
import io.profilesync.core.DatabaseException;
import io.profilesync.core.IProfilesDatabaseAccessor;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.StaleProfileException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.concurrent.CompletableFuture;

/**
 * The simulation's database: versioned rows in memory, honouring the {@link IProfilesDatabaseAccessor} contract
 * exactly (all-or-nothing batches, stale versions refused), with faults: a call may fail (before its commit, or after
 * it, reporting a failure for what is committed), be slow, or hang (complete
 * only long after every timeout). A call commits at one virtual instant and tells the master a little later, both on
 * the master's {@link NodeLoop}: when the master crashes, a write not yet committed is lost, and one committed but
 * not yet reported is kept without the master knowing. The committed rows outlive the master, as a database would.
 *
 * <p>Threading: single-threaded, as the whole simulation; futures complete in tasks of the scheduler, never inside
 * the call that returned them.
 */
public final class FaultyAccessor implements IProfilesDatabaseAccessor {
    /** The fault rates of one run. */
    public record Faults(double failure, double hang, long maxLatencyNanos, long hangNanos) {
        public static Faults none() {
            return new Faults(0, 0, 200_000, 0);
        }
    }

    /**
     * One committed row: the profile's JSON, its version, and its exactly-once record (the applied batches, saved in
     * the same row and commit as the data, as the real accessors do; JSON, or null when empty).
     */
    public record Row(String json, long version, String appliedBatches) {
    }

    private final Map<String, Row> rows = new TreeMap<>();
    private final Map<String, String> pendingWrites = new TreeMap<>();
    private final Random random;
    private final Trace trace;
    private Faults faults;
    private NodeLoop loop;
    private long commits;
    /** Told of every row as it commits (user id, JSON), for invariants on what the database ever held. */
    private BiConsumer<String, String> onCommit = (userId, json) -> { };

    public FaultyAccessor(Random random, Trace trace, Faults faults) {
        this.random = random;
        this.trace = trace;
        this.faults = faults;
    }

    /** The master (re)started on {@code masterLoop}: calls from now on complete there. */
    public void attach(NodeLoop masterLoop) {
        this.loop = masterLoop;
        pendingWrites.clear();
    }

    private java.util.function.Consumer<String> onRestore = userId -> { };

    /** Tells {@code listener} of every profile the master loads (a restore asked for). */
    public void onRestore(java.util.function.Consumer<String> listener) {
        this.onRestore = listener;
    }

    /** Tells {@code listener} of every row as it commits. */
    public void onCommit(BiConsumer<String, String> listener) {
        this.onCommit = listener;
    }

    public void faults(Faults value) {
        this.faults = value;
    }

    /** What is committed for {@code userId}. */
    public Optional<Row> committed(String userId) {
        return Optional.ofNullable(rows.get(userId));
    }

    /** Every committed row, by user id. */
    public Map<String, Row> committed() {
        return Map.copyOf(rows);
    }

    /** The JSON of the last write of {@code userId} that is called but neither committed nor lost. */
    public Optional<String> pendingWrite(String userId) {
        return Optional.ofNullable(pendingWrites.get(userId));
    }

    /** How many writes committed so far. */
    public long commits() {
        return commits;
    }

    private long delay() {
        if (random.nextDouble() < faults.hang()) {
            return faults.hangNanos() + (long) (random.nextDouble() * faults.hangNanos());
        }
        return 20_000 + (long) (random.nextDouble() * faults.maxLatencyNanos());
    }

    @Override
    public CompletableFuture<Boolean> restoreProfileAsync(ObservableServerProfile profile) {
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        String userId = profile.userId();
        onRestore.accept(userId);
        boolean fail = random.nextDouble() < faults.failure();
        long delay = delay();
        trace.add("db restore " + userId + (fail ? " (will fail)" : "") + " in " + delay / 1000 + " us");
        loop.schedule(delay, () -> {
            if (fail) {
                trace.add("db restore " + userId + " fails");
                result.completeExceptionally(new DatabaseException("simulated restore failure for user '" + userId
                        + "'"));
                return;
            }
            Row row = rows.get(userId);
            try {
                if (row != null) {
                    profile.fromJson(row.json());
                    profile.setStoredVersion(row.version());
                    if (row.appliedBatches() != null) {
                        profile.setAppliedBatches(AppliedBatches.fromJson(row.appliedBatches()));
                    }
                }
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
                return;
            }
            trace.add("db restore " + userId + " done: " + (row == null ? "new" : "version " + row.version()));
            result.complete(row != null);
        });
        return result;
    }

    @Override
    public CompletableFuture<Void> updateProfilesAsync(Collection<? extends ObservableServerProfile> profiles) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        List<ObservableServerProfile> batch = new ArrayList<>(profiles);
        List<String> jsons = new ArrayList<>(batch.size());
        List<Long> expected = new ArrayList<>(batch.size());
        List<String> users = new ArrayList<>(batch.size());
        List<String> records = new ArrayList<>(batch.size());
        for (ObservableServerProfile profile : batch) {
            jsons.add(profile.toJson());
            records.add(profile.appliedBatches().isEmpty() ? null : profile.appliedBatches().toJson());
            expected.add(profile.storedVersion());
            users.add(profile.userId());
            pendingWrites.put(profile.userId(), jsons.get(jsons.size() - 1));
        }
        boolean fail = random.nextDouble() < faults.failure();
        // Half the failures happen after the commit (the connection lost before the answer): committed, yet
        // reported as failed, as JDBC does when the network drops during COMMIT.
        boolean failAfterCommit = fail && random.nextBoolean();
        long delay = delay();
        long reportDelay = 10_000 + (long) (random.nextDouble() * 100_000);
        trace.add("db save " + users + (failAfterCommit ? " (will commit, then report a failure)" : fail
                ? " (will fail)" : "") + " in " + delay / 1000 + " us");
        NodeLoop owner = loop;
        owner.schedule(delay, () -> {
            for (String userId : users) {
                pendingWrites.remove(userId);
            }
            if (fail && !failAfterCommit) {
                trace.add("db save " + users + " fails");
                owner.schedule(reportDelay, () -> result.completeExceptionally(
                        new DatabaseException("simulated save failure for users " + users)));
                return;
            }
            for (int i = 0; i < batch.size(); i++) {
                Row row = rows.get(users.get(i));
                long actual = row == null ? 0 : row.version();
                if (actual != expected.get(i)) {
                    trace.add("db save " + users + " stale for " + users.get(i));
                    StaleProfileException stale = new StaleProfileException(users.get(i), expected.get(i), actual);
                    owner.schedule(reportDelay, () -> result.completeExceptionally(stale));
                    return;
                }
            }
            for (int i = 0; i < batch.size(); i++) {
                rows.put(users.get(i), new Row(jsons.get(i), expected.get(i) + 1, records.get(i)));
                commits++;
                onCommit.accept(users.get(i), jsons.get(i));
            }
            trace.add("db save " + users + " committed");
            if (failAfterCommit) {
                trace.add("db save " + users + " reports a failure although committed");
                owner.schedule(reportDelay, () -> result.completeExceptionally(
                        new DatabaseException("simulated failure after commit for users " + users)));
                return;
            }
            owner.schedule(reportDelay, () -> {
                for (int i = 0; i < batch.size(); i++) {
                    batch.get(i).setStoredVersion(expected.get(i) + 1);
                }
                result.complete(null);
            });
        });
        return result;
    }
}
