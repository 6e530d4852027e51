package io.profilesync.master.internal;

import io.profilesync.core.AppliedBatches;
import io.profilesync.core.DatabaseException;
import io.profilesync.core.IProfilesDatabaseAccessor;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.StaleProfileException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Profiles as JSON rows in memory, with versions checked as a real accessor must, answering at once on the caller's
 * thread (the core hands every completion to its loop anyway), or failing or holding calls as the test scripts it.
 * Records the virtual time of each call. Single-threaded, like the tests that use it.
 */
final class ScriptedAccessor implements IProfilesDatabaseAccessor {
    /** A row: the data, its version, and the exactly-once record saved with it (in the same write). */
    record Row(String json, long version, AppliedBatches appliedBatches) {
        Row(String json, long version) {
            this(json, version, AppliedBatches.EMPTY);
        }
    }

    private final ManualEventLoop loop;
    final Map<String, Row> rows = new LinkedHashMap<>();
    final List<Long> restoreTimes = new ArrayList<>();
    final List<Long> saveTimes = new ArrayList<>();
    /** The users of each updateProfilesAsync call, in order. */
    final List<List<String>> saveBatches = new ArrayList<>();
    final List<CompletableFuture<Boolean>> heldRestores = new ArrayList<>();
    final List<Runnable> heldSaves = new ArrayList<>();
    int failRestores;
    int failSaves;
    /** Saves that commit, then report a failure (the connection lost during COMMIT). */
    int failSavesAfterCommit;
    boolean holdRestores;
    boolean holdSaves;

    ScriptedAccessor(ManualEventLoop loop) {
        this.loop = loop;
    }

    @Override
    public CompletableFuture<Boolean> restoreProfileAsync(ObservableServerProfile profile) {
        restoreTimes.add(loop.nanoTime());
        if (failRestores > 0) {
            failRestores--;
            return CompletableFuture.failedFuture(new DatabaseException("scripted restore failure of '"
                    + profile.userId() + "'"));
        }
        if (holdRestores) {
            CompletableFuture<Boolean> held = new CompletableFuture<>();
            heldRestores.add(held);
            return held;
        }
        Row row = rows.get(profile.userId());
        if (row == null) {
            return CompletableFuture.completedFuture(false);
        }
        profile.fromJson(row.json());
        profile.setStoredVersion(row.version());
        profile.setAppliedBatches(row.appliedBatches());
        return CompletableFuture.completedFuture(true);
    }

    @Override
    public CompletableFuture<Void> updateProfilesAsync(Collection<? extends ObservableServerProfile> profiles) {
        saveTimes.add(loop.nanoTime());
        List<String> users = new ArrayList<>();
        profiles.forEach(profile -> users.add(profile.userId()));
        saveBatches.add(users);
        if (failSaves > 0) {
            failSaves--;
            return CompletableFuture.failedFuture(new DatabaseException("scripted save failure of "
                    + profiles.size() + " profile(s)"));
        }
        if (failSavesAfterCommit > 0) {
            failSavesAfterCommit--;
            List<ObservableServerProfile> copies = new ArrayList<>();
            for (ObservableServerProfile profile : profiles) {
                copies.add(profile.copy()); // the caller's snapshots learn no new version: it never heard back
            }
            write(copies).join();
            return CompletableFuture.failedFuture(new DatabaseException("scripted failure after the commit of "
                    + profiles.size() + " profile(s)"));
        }
        if (holdSaves) {
            CompletableFuture<Void> held = new CompletableFuture<>();
            List<ObservableServerProfile> batch = new ArrayList<>(profiles);
            heldSaves.add(() -> write(batch).whenComplete((ignored, error) -> {
                if (error == null) {
                    held.complete(null);
                } else {
                    held.completeExceptionally(error);
                }
            }));
            return held;
        }
        return write(profiles);
    }

    /** Lets the held saves write now, in the order they came. */
    void releaseHeldSaves() {
        List<Runnable> held = new ArrayList<>(heldSaves);
        heldSaves.clear();
        held.forEach(Runnable::run);
    }

    private CompletableFuture<Void> write(Collection<? extends ObservableServerProfile> profiles) {
        for (ObservableServerProfile profile : profiles) {
            Row row = rows.get(profile.userId());
            long actual = row == null ? 0 : row.version();
            if (actual != profile.storedVersion()) {
                return CompletableFuture.failedFuture(new StaleProfileException(profile.userId(),
                        profile.storedVersion(), actual));
            }
        }
        for (ObservableServerProfile profile : profiles) {
            long next = profile.storedVersion() + 1;
            rows.put(profile.userId(), new Row(profile.toJson(), next, profile.appliedBatches()));
            profile.setStoredVersion(next);
        }
        return CompletableFuture.completedFuture(null);
    }
}
