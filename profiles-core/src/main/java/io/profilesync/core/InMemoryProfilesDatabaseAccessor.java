package io.profilesync.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An {@link IProfilesDatabaseAccessor} that keeps profiles as JSON in memory: for tests and demos. It honours
 * versions exactly as a real database accessor must, and can be told to fail or delay its next calls so tests can
 * exercise retries and timeouts.
 *
 * <p>Threading: thread-safe. Futures complete on the accessor's own single thread.
 */
public final class InMemoryProfilesDatabaseAccessor implements IProfilesDatabaseAccessor {
    /**
     * One stored row: the JSON, the version, the schema fingerprint (null: unknown) and the applied-batches record.
     *
     * <p>Immutable and thread-safe.
     */
    public record Row(String json, long version, String schemaFingerprint, AppliedBatches appliedBatches) {
        public Row {
            Objects.requireNonNull(json, "json");
            Objects.requireNonNull(appliedBatches, "appliedBatches");
        }

        /** A row without schema fingerprint or applied batches, as an operator's edit would leave it. */
        public Row(String json, long version) {
            this(json, version, null, AppliedBatches.EMPTY);
        }
    }

    private final Map<String, Row> rows = new ConcurrentHashMap<>();
    private final ExecutorService executor = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "profilesync-memory-db");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicInteger failingRestores = new AtomicInteger();
    private final AtomicInteger failingSaves = new AtomicInteger();
    private final AtomicInteger restoreCalls = new AtomicInteger();
    private final AtomicInteger saveCalls = new AtomicInteger();
    private volatile Duration restoreDelay = Duration.ZERO;

    @Override
    public CompletableFuture<Boolean> restoreProfileAsync(ObservableServerProfile profile) {
        Objects.requireNonNull(profile, "profile");
        return CompletableFuture.supplyAsync(() -> {
            restoreCalls.incrementAndGet();
            sleep(restoreDelay);
            if (failingRestores.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new DatabaseException("simulated restore failure for user '" + profile.userId() + "'");
            }
            Row row = rows.get(profile.userId());
            if (row == null) {
                return false;
            }
            try {
                profile.fromJson(row.json());
            } catch (ProfileFormatException e) {
                throw new ProfileFormatException("stored profile of user '" + profile.userId() + "' is corrupt: "
                        + e.getMessage(), e);
            }
            profile.setAppliedBatches(row.appliedBatches());
            profile.setStoredVersion(row.version());
            return true;
        }, executor);
    }

    @Override
    public CompletableFuture<Void> updateProfilesAsync(Collection<? extends ObservableServerProfile> profiles) {
        List<ObservableServerProfile> batch = new ArrayList<>(profiles);
        return CompletableFuture.runAsync(() -> {
            if (batch.isEmpty()) {
                return;
            }
            saveCalls.incrementAndGet();
            if (failingSaves.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new DatabaseException("simulated save failure of " + batch.size() + " profiles");
            }
            // Check every version first: the batch is all or nothing.
            for (ObservableServerProfile profile : batch) {
                Row row = rows.get(profile.userId());
                long actual = row == null ? (profile.storedVersion() == 0 ? 0 : -1) : row.version();
                if (actual != profile.storedVersion()) {
                    throw new StaleProfileException(profile.userId(), profile.storedVersion(), actual);
                }
            }
            for (ObservableServerProfile profile : batch) {
                long next = profile.storedVersion() + 1;
                rows.put(profile.userId(), new Row(profile.toJson(), next, profile.schemaFingerprint(),
                        profile.appliedBatches()));
                profile.setStoredVersion(next);
            }
        }, executor);
    }

    /** The stored row of a user, or null. */
    public Row row(String userId) {
        return rows.get(userId);
    }

    /** Stores a row directly, as an operator's edit would. */
    public void putRow(String userId, String json, long version) {
        rows.put(userId, new Row(json, version));
    }

    public int size() {
        return rows.size();
    }

    /** The next {@code count} restores fail. */
    public void failNextRestores(int count) {
        failingRestores.set(count);
    }

    /** The next {@code count} save calls fail (whole batches). */
    public void failNextSaves(int count) {
        failingSaves.set(count);
    }

    /** Every restore waits this long first. */
    public void delayRestores(Duration delay) {
        restoreDelay = Objects.requireNonNull(delay, "delay");
    }

    /** How many restores were attempted. */
    public int restoreCalls() {
        return restoreCalls.get();
    }

    /** How many non-empty save calls (batches) were attempted. */
    public int saveCalls() {
        return saveCalls.get();
    }

    private static void sleep(Duration delay) {
        if (!delay.isZero()) {
            try {
                Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        executor.shutdown();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
