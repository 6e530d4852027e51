package io.profilesync.master.internal;

import io.profilesync.core.IProfilesDatabaseAccessor;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.ProfileFormatException;
import io.profilesync.master.AdminRefusedException;
import io.profilesync.master.MasterConfig;
import io.profilesync.populators.ProfileSchema;
import io.profilesync.protocol.internal.Backoff;
import io.profilesync.protocol.internal.EventLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The profiles in memory: one load per profile however many need it (they wait for it), retried with backoff,
 * answered when it fails or times out, and nothing half-loaded left behind; and, once nobody has held a profile for
 * {@code unloadProfileAfter}, its unload, which waits for a save when the profile is dirty. Every deadline is a
 * timer of its own (load timeout, load retry, unload), cancelled when it no longer applies.
 *
 * <p>Threading: the profile thread only; database completions come back through the loop.
 */
final class ProfileCache {
    private static final Logger LOG = LoggerFactory.getLogger(ProfileCache.class);
    /** 200 ms, 800 ms, 3.2 s… between load attempts. */
    private static final Duration FIRST_LOAD_RETRY = Duration.ofMillis(200);
    private static final int LOAD_RETRY_MULTIPLIER = 4;

    private final MasterConfig config;
    private final ProfileSchema schema;
    private final IProfilesDatabaseAccessor accessor;
    private final EventLoop loop;
    private final MasterMetrics metrics;
    private final SaveScheduler saves;
    private final boolean unloadIgnoresDirtiness;
    private final Hooks hooks;
    private final Backoff loadBackoff;
    private final Map<String, ProfileEntry> entries = new LinkedHashMap<>();

    /** {@code unloadIgnoresDirtiness}: {@link BrokenOnPurpose#UNLOAD_IGNORES_DIRTINESS}, for tests only. */
    ProfileCache(MasterConfig config, ProfileSchema schema, IProfilesDatabaseAccessor accessor, EventLoop loop,
            MasterMetrics metrics, SaveScheduler saves, Hooks hooks, boolean unloadIgnoresDirtiness) {
        this.hooks = hooks;
        this.config = config;
        this.schema = schema;
        this.accessor = accessor;
        this.loop = loop;
        this.metrics = metrics;
        this.saves = saves;
        this.unloadIgnoresDirtiness = unloadIgnoresDirtiness;
        Duration longest = config.profileLoadTimeout().compareTo(FIRST_LOAD_RETRY) > 0 ? config.profileLoadTimeout()
                : FIRST_LOAD_RETRY; // waiting longer than the timeout is pointless
        this.loadBackoff = Backoff.exponential(FIRST_LOAD_RETRY, longest, LOAD_RETRY_MULTIPLIER);
    }

    /** Calls {@code onReady} once the profile is loaded (at once if it is), or {@code onFail} with the reason. */
    void acquire(String userId, Consumer<ProfileEntry> onReady, Consumer<String> onFail) {
        ProfileEntry entry = entries.get(userId);
        if (entry == null) {
            entry = startLoading(userId);
        }
        if (entry.ready) {
            onReady.accept(entry);
        } else {
            entry.waiters.add(new ProfileEntry.Waiter(onReady, onFail));
        }
    }

    /** The loaded (not loading) profile of {@code userId}, or null. */
    ProfileEntry loaded(String userId) {
        ProfileEntry entry = entries.get(userId);
        return entry != null && entry.ready ? entry : null;
    }

    /** Every loaded (not loading) profile, in the order they were first needed. */
    List<ProfileEntry> loaded() {
        List<ProfileEntry> loaded = new ArrayList<>();
        for (ProfileEntry entry : entries.values()) {
            if (entry.ready) {
                loaded.add(entry);
            }
        }
        return loaded;
    }

    /** A holder took the profile: it is not idle any more. */
    void attach(ProfileEntry entry) {
        entry.unloadWhenSaved = false;
        failEvictions(entry, "a peer took the profile of user '" + entry.userId + "' while it was being saved to "
                + "be evicted; it stays loaded");
        if (entry.unloadTimer != null) {
            entry.unloadTimer.cancel();
            entry.unloadTimer = null;
        }
    }

    /** A holder let the profile go: when it was the last, the unload clock starts (again). */
    void detach(ProfileEntry entry) {
        if (entry.holderCount() == 0 && entry.ready && entries.get(entry.userId) == entry) {
            becameIdle(entry);
        }
    }

    /** A save left {@code entry} clean: if it was only waiting for that to be unloaded, it goes now. */
    void onClean(ProfileEntry entry) {
        if (entry.unloadWhenSaved && entry.holderCount() == 0 && entries.get(entry.userId) == entry) {
            unload(entry);
        }
    }

    /**
     * Unloads a loaded profile nobody holds: at once when it is clean, else once a save (started now) leaves it
     * clean. The future completes with true once it left memory, false when it was not loaded; it fails with
     * {@link AdminRefusedException} when it is still loading or a peer holds it (or takes it meanwhile).
     */
    CompletableFuture<Boolean> evict(String userId, String holders) {
        ProfileEntry entry = entries.get(userId);
        if (entry == null) {
            return CompletableFuture.completedFuture(false);
        }
        if (!entry.ready) {
            return CompletableFuture.failedFuture(new AdminRefusedException("the profile of user '" + userId
                    + "' is still loading; try again in a moment"));
        }
        if (entry.holderCount() > 0) {
            return CompletableFuture.failedFuture(new AdminRefusedException("the profile of user '" + userId
                    + "' is held by " + holders + "; it is unloaded by itself once they release it, or disconnect "
                    + "them first"));
        }
        CompletableFuture<Boolean> evicted = new CompletableFuture<>();
        if (!unloadIgnoresDirtiness && saves.isDirty(entry)) {
            entry.evictions.add(evicted);
            entry.unloadWhenSaved = true; // a dirty profile is saved first, never dropped
            saves.saveSoon(entry);
            return evicted;
        }
        unload(entry);
        evicted.complete(true);
        return evicted;
    }

    /**
     * Drops every profile from memory, loaded or loading, without saving: for a restore, which replaces what the
     * database holds. Whoever waits for a load is told {@code reason}. Returns how many had unsaved changes.
     */
    int dropAll(String reason) {
        int dirty = 0;
        for (ProfileEntry entry : new ArrayList<>(entries.values())) {
            if (saves.isDirty(entry)) {
                dirty++;
            }
            cancelLoadTimers(entry);
            if (entry.unloadTimer != null) {
                entry.unloadTimer.cancel();
                entry.unloadTimer = null;
            }
            List<ProfileEntry.Waiter> waiters = new ArrayList<>(entry.waiters);
            entry.waiters.clear();
            for (ProfileEntry.Waiter waiter : waiters) {
                waiter.onFail().accept(reason);
            }
            failEvictions(entry, reason);
            saves.forget(entry);
            if (entry.ready) {
                hooks.unloaded(entry);
            }
        }
        entries.clear();
        metrics.loaded(0);
        return dirty;
    }

    private static void failEvictions(ProfileEntry entry, String reason) {
        for (CompletableFuture<Boolean> eviction : entry.evictions) {
            eviction.completeExceptionally(new AdminRefusedException(reason));
        }
        entry.evictions.clear();
    }

    // ---------------------------------------------------------------- loading

    private ProfileEntry startLoading(String userId) {
        ProfileEntry entry = new ProfileEntry(userId);
        entries.put(userId, entry);
        metrics.loaded(entries.size());
        entry.loadTimeout = loop.schedule(config.profileLoadTimeout().toNanos(), () -> {
            entry.loadTimeout = null;
            if (stillLoading(entry)) {
                failLoad(entry, "loading the profile of user '" + entry.userId + "' timed out after "
                        + config.profileLoadTimeout().toMillis() + " ms");
            }
        });
        loadAttempt(entry);
        return entry;
    }

    private boolean stillLoading(ProfileEntry entry) {
        return entries.get(entry.userId) == entry && !entry.ready;
    }

    private void loadAttempt(ProfileEntry entry) {
        entry.loadAttempts++;
        // A fresh profile nobody sees until it is fully restored (MST hands out defaults mid-load).
        ObservableServerProfile fresh = schema.newServerProfile(entry.userId);
        CompletableFuture<Boolean> restore;
        long started = loop.nanoTime();
        try {
            restore = accessor.restoreProfileAsync(fresh);
        } catch (RuntimeException e) {
            restore = CompletableFuture.failedFuture(e);
        }
        restore.whenCompleteAsync((found, error) -> {
            metrics.loadAttempted(error == null, loop.nanoTime() - started);
            onRestored(entry, fresh, found, error);
        }, loop::execute);
    }

    private void onRestored(ProfileEntry entry, ObservableServerProfile fresh, Boolean found, Throwable error) {
        if (!stillLoading(entry)) {
            return; // timed out or failed meanwhile: this entry is gone
        }
        if (error != null) {
            Throwable cause = Causes.unwrap(error);
            boolean permanent = cause instanceof ProfileFormatException;
            if (permanent || entry.loadAttempts >= config.profileLoadAttempts()) {
                failLoad(entry, "the profile of user '" + entry.userId + "' could not be loaded after "
                        + entry.loadAttempts + " attempt(s): " + cause.getMessage());
                return;
            }
            long delay = loadBackoff.delayNanos(entry.loadAttempts - 1, 0);
            LOG.warn("Loading the profile of user '{}' failed (attempt {} of {}), retrying in {} ms: {}", entry.userId,
                    entry.loadAttempts, config.profileLoadAttempts(), delay / 1_000_000, cause.toString());
            entry.loadRetry = loop.schedule(delay, () -> {
                entry.loadRetry = null;
                if (stillLoading(entry)) {
                    loadAttempt(entry);
                }
            });
            return;
        }
        entry.profile = fresh;
        fresh.recordExactly(); // ChangeRelay follows each list operation by operation (ListHistory)
        entry.sizeBound = -1;
        entry.ready = true;
        cancelLoadTimers(entry);
        if (!Boolean.TRUE.equals(found)) {
            LOG.info("Created the profile of user '{}' from the schema's defaults", entry.userId);
            saves.markChanged(entry); // so the new profile gets its row
        }
        hooks.loaded(entry, !Boolean.TRUE.equals(found));
        List<ProfileEntry.Waiter> waiters = new ArrayList<>(entry.waiters);
        entry.waiters.clear();
        for (ProfileEntry.Waiter waiter : waiters) {
            waiter.onReady().accept(entry);
        }
        detach(entry); // idle from the start when no waiter took it
    }

    private void failLoad(ProfileEntry entry, String reason) {
        LOG.warn("{}", reason);
        metrics.loadFailed();
        // Nothing half-loaded stays behind (MST keeps it and never saves or pushes it again).
        entries.remove(entry.userId);
        metrics.loaded(entries.size());
        cancelLoadTimers(entry);
        List<ProfileEntry.Waiter> waiters = new ArrayList<>(entry.waiters);
        entry.waiters.clear();
        for (ProfileEntry.Waiter waiter : waiters) {
            waiter.onFail().accept(reason);
        }
    }

    private static void cancelLoadTimers(ProfileEntry entry) {
        if (entry.loadTimeout != null) {
            entry.loadTimeout.cancel();
            entry.loadTimeout = null;
        }
        if (entry.loadRetry != null) {
            entry.loadRetry.cancel();
            entry.loadRetry = null;
        }
    }

    // ---------------------------------------------------------------- unloading

    private void becameIdle(ProfileEntry entry) {
        attach(entry); // cancels a clock already running: it starts again from now
        entry.unloadTimer = loop.schedule(config.unloadProfileAfter().toNanos(), () -> {
            entry.unloadTimer = null;
            if (entry.holderCount() > 0 || entries.get(entry.userId) != entry) {
                return;
            }
            if (!unloadIgnoresDirtiness && saves.isDirty(entry)) {
                entry.unloadWhenSaved = true; // a dirty profile is saved first, never dropped
                saves.saveSoon(entry);
                return;
            }
            unload(entry);
        });
    }

    private void unload(ProfileEntry entry) {
        entries.remove(entry.userId);
        metrics.loaded(entries.size());
        saves.forget(entry);
        LOG.debug("Unloaded the profile of user '{}'", entry.userId);
        hooks.unloaded(entry);
        for (CompletableFuture<Boolean> eviction : entry.evictions) {
            eviction.complete(true);
        }
        entry.evictions.clear();
    }
}
