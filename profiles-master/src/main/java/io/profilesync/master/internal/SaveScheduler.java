package io.profilesync.master.internal;

import io.profilesync.core.IProfilesDatabaseAccessor;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.StaleProfileException;
import io.profilesync.master.MasterConfig;
import io.profilesync.master.hooks.SaveReason;
import io.profilesync.protocol.internal.Backoff;
import io.profilesync.protocol.internal.EventLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When dirty profiles are saved: {@code saveProfileDebounce} after the first unsaved change, in batches of up to
 * {@code saveBatchSize} through one {@code updateProfilesAsync} call; a failed save keeps its profiles dirty and is
 * retried with backoff; a stale one (someone else saved the row) is never retried nor overwritten: the profile is
 * reported conflicted and kept in memory.
 *
 * <p>The due profiles wait in one queue ordered by when they are due, behind one timer for the earliest: no scan of
 * the loaded profiles. The timer fires {@link #COALESCE_NANOS} after the earliest is due, so profiles falling due
 * close together share a batch.
 *
 * <p>Threading: the profile thread only; the accessor's completions come back through the loop.
 */
final class SaveScheduler {
    private static final Logger LOG = LoggerFactory.getLogger(SaveScheduler.class);
    /** Saves falling due within this of each other go in one batch. */
    static final long COALESCE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** 0.5 s, 1 s, 2 s… up to saveRetryMaxDelay between save attempts. */
    private static final Duration FIRST_SAVE_RETRY = Duration.ofMillis(500);
    /**
     * Failed saves kept to recognise one that committed after all ({@link #checkUnconfirmedSave}): 8 minutes of
     * retries at the default longest backoff (30 s), with the profile changing between each.
     */
    static final int MAX_UNCONFIRMED_SAVES = 16;

    private final MasterConfig config;
    private final IProfilesDatabaseAccessor accessor;
    private final EventLoop loop;
    private final MasterMetrics metrics;
    private final Consumer<ProfileEntry> onClean;
    private final Consumer<ProfileEntry> beforeSave;
    private final Consumer<ProfileEntry> onDurable;
    /** When saves started failing (not for a conflict), 0 while they succeed. */
    private long unavailableSince;
    private final Backoff saveBackoff;
    /** Every dirty profile, saving or not, conflicted or not, in the order it became dirty. */
    private final Set<ProfileEntry> dirty = new LinkedHashSet<>();
    /** The dirty profiles waiting for their save (neither saving nor conflicted), earliest due first. */
    private final TreeSet<ProfileEntry> queue = new TreeSet<>(Comparator.<ProfileEntry>comparingLong(
            SaveScheduler::dueAt).thenComparingLong(entry -> entry.queueSeq));
    private long nextQueueSeq;
    private EventLoop.Cancellable timer;
    private long timerAt;
    /** The master is shutting down: every save from now on is its last (the hooks' {@link SaveReason#SHUTDOWN}). */
    private boolean shuttingDown;

    /**
     * @param beforeSave told of each profile about to be saved, before its snapshot is taken (its exactly-once record
     *     is pruned)
     * @param onDurable told of each profile a save committed (writers waiting for it move on)
     * @param onClean told each time a save leaves a profile clean
     */
    SaveScheduler(MasterConfig config, IProfilesDatabaseAccessor accessor, EventLoop loop, MasterMetrics metrics,
            Consumer<ProfileEntry> beforeSave, Consumer<ProfileEntry> onDurable, Consumer<ProfileEntry> onClean) {
        this.beforeSave = beforeSave;
        this.onDurable = onDurable;
        this.config = config;
        this.accessor = accessor;
        this.loop = loop;
        this.metrics = metrics;
        this.onClean = onClean;
        Duration longest = config.saveRetryMaxDelay();
        this.saveBackoff = Backoff.exponential(longest.compareTo(FIRST_SAVE_RETRY) < 0 ? longest : FIRST_SAVE_RETRY,
                longest, 2);
    }

    /**
     * An accepted change: the profile is dirty, and due for saving a debounce after its first unsaved change, or at
     * once (with the coalescing window, so changes due together share a batch) when {@code immediate}.
     */
    void markChanged(ProfileEntry entry, boolean immediate) {
        entry.changeCount++;
        entry.saveUrgent |= immediate;
        if (dirty.add(entry)) {
            metrics.dirty(dirty.size());
        }
        long now = loop.nanoTime();
        long due = immediate ? now : now + config.saveProfileDebounce().toNanos();
        if (!entry.saveDue) {
            entry.saveDue = true;
            entry.saveDueAt = due;
            enqueue(entry);
        } else if (entry.saving) {
            if (!entry.changedWhileSaving) {
                // Not in the snapshot being saved: due a debounce after this first change, once that save succeeds.
                entry.changedWhileSaving = true;
                entry.changedWhileSavingDueAt = due;
            } else if (due - entry.changedWhileSavingDueAt < 0) {
                entry.changedWhileSavingDueAt = due;
            }
        } else if (due - entry.saveDueAt < 0) {
            saveSoon(entry);
        }
    }

    /** An accepted change saved after the debounce. */
    void markChanged(ProfileEntry entry) {
        markChanged(entry, false);
    }

    /**
     * Saves {@code entry} as soon as its backoff allows (its unload waits for it, or a writer flushes it), with the
     * coalescing window, so profiles due together share a batch. While a save of it is in flight, the changes that
     * save does not hold are due as soon as it ends.
     */
    void saveSoon(ProfileEntry entry) {
        if (!dirty.contains(entry)) {
            return;
        }
        entry.saveUrgent = true;
        if (entry.saving) {
            long now = loop.nanoTime();
            if (entry.changedWhileSaving && entry.changedWhileSavingDueAt - now > 0) {
                entry.changedWhileSavingDueAt = now;
            }
            return;
        }
        boolean queued = queue.remove(entry);
        entry.saveDue = true;
        entry.saveDueAt = Math.min(entry.saveDueAt, loop.nanoTime());
        if (queued) {
            enqueue(entry);
        }
    }

    /** The profile leaves memory: what it still owed is dropped (only a broken-on-purpose unload gets here dirty). */
    void forget(ProfileEntry entry) {
        queue.remove(entry);
        if (dirty.remove(entry)) {
            metrics.dirty(dirty.size());
        }
        rearm();
    }

    /** From now on, saves are made because the master shuts down. */
    void shuttingDown() {
        shuttingDown = true;
    }

    boolean isDirty(ProfileEntry entry) {
        return dirty.contains(entry);
    }

    int dirtyCount() {
        return dirty.size();
    }

    /** Dirty profiles that a save may still store (not conflicted). */
    int savableDirtyCount() {
        int count = 0;
        for (ProfileEntry entry : dirty) {
            if (!entry.conflicted) {
                count++;
            }
        }
        return count;
    }

    /** Starts saving every dirty profile that is due (all of them when {@code all}); returns the saves started. */
    List<CompletableFuture<Void>> saveDue(boolean all) {
        long now = loop.nanoTime();
        List<CompletableFuture<Void>> saves = new ArrayList<>();
        List<ProfileEntry> batch = new ArrayList<>();
        while (!queue.isEmpty() && (all || dueAt(queue.first()) - now <= 0)) {
            batch.add(queue.pollFirst());
            if (batch.size() == config.saveBatchSize()) {
                saves.add(save(batch));
                batch = new ArrayList<>();
            }
        }
        if (!batch.isEmpty()) {
            saves.add(save(batch));
        }
        rearm();
        return saves;
    }

    // ---------------------------------------------------------------- the queue and its timer

    /** When a waiting entry is due: its debounce, or later while a failed save backs off. */
    private static long dueAt(ProfileEntry entry) {
        return entry.retrying && entry.retryAt - entry.saveDueAt > 0 ? entry.retryAt : entry.saveDueAt;
    }

    private void enqueue(ProfileEntry entry) {
        if (entry.saving || entry.conflicted) {
            return; // back in the queue when the save in flight ends; never when conflicted
        }
        entry.queueSeq = nextQueueSeq++;
        queue.add(entry);
        rearm();
    }

    /** Keeps exactly one timer, for the earliest due entry (plus the coalescing window), or none. */
    private void rearm() {
        if (queue.isEmpty()) {
            cancelTimer();
            return;
        }
        long fireAt = dueAt(queue.first()) + COALESCE_NANOS;
        if (timer != null && timerAt - fireAt <= 0) {
            return; // fires early enough: it rearms for the rest
        }
        cancelTimer();
        timerAt = fireAt;
        timer = loop.schedule(Math.max(0, fireAt - loop.nanoTime()), () -> {
            timer = null;
            saveDue(false);
        });
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    // ---------------------------------------------------------------- one save

    /**
     * A save of {@code entry} committed, at {@code storedVersion}, with the changes up to {@code changeCount}.
     *
     * @return whether that left it clean
     */
    private boolean committed(ProfileEntry entry, long storedVersion, long changeCount) {
        entry.saving = false;
        entry.saveFailures = 0;
        entry.retrying = false;
        entry.unconfirmedSaves.clear();
        entry.profile.setStoredVersion(storedVersion);
        entry.savedChangeCount = Math.max(entry.savedChangeCount, changeCount);
        if (!dirty.contains(entry)) {
            return false; // forgotten meanwhile
        }
        if (entry.changeCount == changeCount) {
            dirty.remove(entry);
            entry.saveDue = false;
            return true;
        }
        if (entry.changedWhileSaving) {
            entry.saveDueAt = entry.changedWhileSavingDueAt; // due a debounce after the first change while saving
        }
        enqueue(entry);
        return false;
    }

    private void afterCommit(List<ProfileEntry> saved, List<ProfileEntry> cleaned) {
        metrics.dirty(dirty.size());
        if (unavailableSince != 0) {
            LOG.info("The database is back: saves succeed again");
            unavailableSince = 0;
            metrics.databaseAvailable(true);
        }
        for (ProfileEntry entry : saved) {
            onDurable.accept(entry);
        }
        for (ProfileEntry entry : cleaned) {
            onClean.accept(entry);
        }
    }

    /**
     * Notes a save of {@code entry} that failed without saying whether it committed. Every such save since the last
     * known commit expected the same stored version, so any one of them may be the one that committed: all are kept
     * (identical snapshots once), up to {@link #MAX_UNCONFIRMED_SAVES}, the oldest dropped first.
     */
    private static void unconfirmed(ProfileEntry entry, ObservableServerProfile snapshot, long changeCount) {
        List<ProfileEntry.UnconfirmedSave> saves = entry.unconfirmedSaves;
        if (!saves.isEmpty() && sameContent(saves.get(saves.size() - 1).snapshot(), snapshot)) {
            saves.set(saves.size() - 1, new ProfileEntry.UnconfirmedSave(snapshot, changeCount));
            return;
        }
        if (saves.size() == MAX_UNCONFIRMED_SAVES) {
            saves.remove(0);
        }
        saves.add(new ProfileEntry.UnconfirmedSave(snapshot, changeCount));
    }

    private static boolean sameContent(ObservableServerProfile a, ObservableServerProfile b) {
        return Arrays.equals(a.toBytes(), b.toBytes())
                && a.appliedBatches().toJson().equals(b.appliedBatches().toJson());
    }

    /**
     * A save of {@code entry} was refused as stale, one version past the one the saves that reported a failure
     * expected: one of them may have committed after all. The row is read back; if it holds exactly what one of them
     * wrote (values and exactly-once record), that one did commit, and the profile carries on from there. Anything
     * else is someone else's write: the profile is conflicted, as for any stale save.
     */
    private void checkUnconfirmedSave(ProfileEntry entry) {
        List<ProfileEntry.UnconfirmedSave> attempts = List.copyOf(entry.unconfirmedSaves);
        long expected = attempts.get(0).snapshot().storedVersion();
        entry.saving = true; // no other save of it until this is settled
        ObservableServerProfile stored = attempts.get(0).snapshot().copy();
        CompletableFuture<Boolean> read = call(() -> accessor.restoreProfileAsync(stored));
        read.whenCompleteAsync((found, error) -> {
            entry.saving = false;
            if (error != null) {
                // Cannot tell yet (the database is still failing): the next attempt asks again.
                retryLater(entry, loop.nanoTime());
                if (dirty.contains(entry)) {
                    enqueue(entry);
                }
                return;
            }
            ProfileEntry.UnconfirmedSave match = null;
            if (Boolean.TRUE.equals(found) && stored.storedVersion() == expected + 1) {
                for (ProfileEntry.UnconfirmedSave attempt : attempts) {
                    if (sameContent(stored, attempt.snapshot())) {
                        match = attempt;
                    }
                }
            }
            if (match == null) {
                conflict(entry, "profile of user '" + entry.userId + "' is stale: the stored row (version "
                        + stored.storedVersion() + ") is not what this master wrote; someone else saved it meanwhile.");
                return;
            }
            LOG.info("The save of the profile of user '{}' that reported a failure had committed (version {}); "
                    + "carrying on from it", entry.userId, stored.storedVersion());
            List<ProfileEntry> cleaned = committed(entry, stored.storedVersion(), match.changeCount())
                    ? List.of(entry) : List.of();
            afterCommit(List.of(entry), cleaned);
        }, loop::execute);
    }

    /** One more failed attempt: the next waits out the backoff from {@code now}. */
    private void retryLater(ProfileEntry entry, long now) {
        entry.saveFailures++;
        entry.retrying = true;
        entry.retryAt = now + saveBackoff.delayNanos(entry.saveFailures - 1, 0);
    }

    /** An accessor call whose throwing is a failed future like any other failure. */
    private static <T> CompletableFuture<T> call(Supplier<CompletableFuture<T>> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void conflict(ProfileEntry entry, String why) {
        // Someone else saved this profile: overwriting would lose their data, retrying cannot succeed.
        entry.conflicted = true;
        metrics.conflicted();
        LOG.error("Not saving the profile of user '{}' any more: {} It stays in memory; resolve the conflict "
                + "in the database and restart the master", entry.userId, why);
    }

    private CompletableFuture<Void> save(List<ProfileEntry> batch) {
        List<ObservableServerProfile> snapshots = new ArrayList<>(batch.size());
        for (ProfileEntry entry : batch) {
            entry.saving = true;
            entry.changedWhileSaving = false;
            entry.savingChangeCount = entry.changeCount;
            entry.savingReason = shuttingDown ? SaveReason.SHUTDOWN : entry.unloadWhenSaved ? SaveReason.BEFORE_UNLOAD
                    : entry.saveUrgent ? SaveReason.IMMEDIATE : SaveReason.DEBOUNCED;
            entry.saveUrgent = false;
            beforeSave.accept(entry);
            // The accessor works on its own thread: it gets a snapshot, never the live profile (MST races here).
            snapshots.add(entry.profile.copy());
        }
        long started = loop.nanoTime();
        CompletableFuture<Void> save = call(() -> accessor.updateProfilesAsync(snapshots));
        CompletableFuture<Void> done = new CompletableFuture<>();
        save.whenCompleteAsync((ignored, error) -> {
            try {
                onSaved(batch, snapshots, started, error);
            } finally {
                done.complete(null);
            }
        }, loop::execute);
        return done;
    }

    private void onSaved(List<ProfileEntry> batch, List<ObservableServerProfile> snapshots, long started,
            Throwable error) {
        long now = loop.nanoTime();
        if (error == null) {
            metrics.saved(batch.size(), now - started);
            List<ProfileEntry> cleaned = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                ProfileEntry entry = batch.get(i);
                if (committed(entry, snapshots.get(i).storedVersion(), entry.savingChangeCount)) {
                    cleaned.add(entry);
                }
            }
            afterCommit(batch, cleaned);
            return;
        }
        Throwable cause = Causes.unwrap(error);
        metrics.saveFailed(now - started, cause);
        StaleProfileException stale = cause instanceof StaleProfileException s ? s : null;
        String staleUser = stale == null ? null : stale.userId();
        for (int i = 0; i < batch.size(); i++) {
            ProfileEntry entry = batch.get(i);
            entry.saving = false;
            if (staleUser == null) {
                // Failed without saying whether it committed (the connection may have dropped during COMMIT): a
                // later refusal as stale may be this very save, which the next attempt finds out.
                unconfirmed(entry, snapshots.get(i), entry.savingChangeCount);
            }
            if (entry.userId.equals(staleUser) && !entry.unconfirmedSaves.isEmpty()
                    && stale.actualVersion() == entry.unconfirmedSaves.get(0).snapshot().storedVersion() + 1) {
                checkUnconfirmedSave(entry);
                continue;
            }
            if (entry.userId.equals(staleUser)) {
                conflict(entry, cause.getMessage());
                continue;
            }
            if (staleUser == null) {
                retryLater(entry, now);
            }
            if (dirty.contains(entry)) {
                enqueue(entry); // a batch refused for another profile's conflict is tried again at once
            }
        }
        if (staleUser == null) {
            if (unavailableSince == 0) {
                // Said once per outage: acknowledgements wait, writers hold their batches, nothing is dropped.
                LOG.error("Saving {} profile(s) failed; the database looks unavailable. Durable acknowledgements wait "
                        + "and writers keep their batches until saves succeed again; retrying with backoff: {}",
                        batch.size(), cause.toString());
                unavailableSince = now == 0 ? 1 : now;
                metrics.databaseAvailable(false);
            } else {
                LOG.debug("Saving {} profile(s) failed again: {}", batch.size(), cause.toString());
            }
        }
    }
}
