package io.profilesync.master.internal;

import io.profilesync.core.ObservableServerProfile;
import io.profilesync.master.hooks.SaveReason;
import io.profilesync.protocol.internal.EventLoop;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One profile the master holds or is loading, and its bookkeeping: the loading part belongs to {@link ProfileCache},
 * the saving part to {@link SaveScheduler}, the holders to the two holder rooms. Touched only on the profile thread.
 */
final class ProfileEntry {
    /** Someone waiting for the profile to finish loading. */
    record Waiter(Consumer<ProfileEntry> onReady, Consumer<String> onFail) {
    }

    final String userId;
    /** Null until loaded: nobody sees a profile still loading. */
    ObservableServerProfile profile;
    /**
     * An upper bound of the bytes of the profile's whole encoding, or -1 when unknown: each accepted delta adds its
     * own length (a delta grows the encoding by at most its length); ChangeRelay measures it exactly only near the
     * limit of what can be sent whole.
     */
    long sizeBound = -1;

    // Lists under concurrent writers (ListRebases).
    /** Counts the changes relayed: the version of the state each push shows (ListHistory tags operations with it). */
    long version;
    /** The next identity an element of one of its lists gets. */
    long nextElementId = 1;
    /** The history of each list changed or rebased since the profile was loaded, by name (null until one is). */
    java.util.Map<String, ListHistory> lists;
    /** Each writer's recent list operations, by {@link Session#writerKey} (null until one made any). */
    java.util.Map<String, WriterOps> writerOps;

    /** The history of list {@code name}, made (holding {@code size} elements, unchanged since the load) if new. */
    ListHistory listHistory(String name, int size) {
        if (lists == null) {
            lists = new java.util.HashMap<>(4);
        }
        return lists.computeIfAbsent(name, n -> new ListHistory(this, size, 0));
    }

    private ObservableServerProfile listsOf;
    private java.util.List<io.profilesync.core.ObservableList<?>> listProperties = java.util.List.of();

    /** The list properties of {@link #profile}. */
    java.util.List<io.profilesync.core.ObservableList<?>> listProperties() {
        if (listsOf != profile) {
            java.util.List<io.profilesync.core.ObservableList<?>> found = new ArrayList<>();
            for (io.profilesync.core.ObservableProperty<?> property : profile) {
                if (property instanceof io.profilesync.core.ObservableList<?> list) {
                    found.add(list);
                }
            }
            listProperties = found;
            listsOf = profile;
        }
        return listProperties;
    }

    /** The writer's recent list operations, made if new. */
    WriterOps writerOps(String writerKey) {
        if (writerOps == null) {
            writerOps = new java.util.HashMap<>(4);
        }
        return writerOps.computeIfAbsent(writerKey, k -> new WriterOps());
    }

    /** The versions recent pushes showed each writer's copy, by {@link Session#writerKey}. */
    private java.util.Map<String, PushedVersions> pushedTo;

    /** The versions recent pushes showed {@code writerKey}'s copy, made if new. */
    PushedVersions pushedTo(String writerKey) {
        if (pushedTo == null) {
            pushedTo = new java.util.HashMap<>(4);
        }
        return pushedTo.computeIfAbsent(writerKey, k -> new PushedVersions());
    }

    /**
     * The writer released the profile: its recent operations and pushes are no longer needed (a connection lost is
     * no release: the writer comes back and sends its batches again, with their bases).
     */
    void forgetWriter(String writerKey) {
        if (writerOps != null) {
            writerOps.remove(writerKey);
        }
        if (pushedTo != null) {
            pushedTo.remove(writerKey);
        }
    }

    // Loading (ProfileCache).
    boolean ready;
    int loadAttempts;
    EventLoop.Cancellable loadTimeout;
    EventLoop.Cancellable loadRetry;
    final List<Waiter> waiters = new ArrayList<>();

    // Holders, and how long nobody has held it (ProfileCache unloads it).
    final Set<Session> clients = new LinkedHashSet<>();
    final Set<Holding> holdings = new LinkedHashSet<>();
    EventLoop.Cancellable unloadTimer;
    /** Idle long enough: unloaded as soon as a save leaves it clean. */
    boolean unloadWhenSaved;
    /** Admin evictions waiting for the save that lets the profile go; completed when it is unloaded. */
    final List<CompletableFuture<Boolean>> evictions = new ArrayList<>();

    // Saving (SaveScheduler). Counts accepted changes, so a save knows whether it saved the newest state.
    long changeCount;
    long savingChangeCount;
    /** The change count of the last committed save: changes up to it are durable. */
    long savedChangeCount;
    /** Writers waiting for a save of this profile before a batch of theirs is durable ({@link DurableAcks}). */
    final Set<Session> durableWaiters = new LinkedHashSet<>();
    /** The master's own atomic changes waiting for a save at or past their change count ({@link MasterTransactions}). */
    final List<SavedWaiter> savedWaiters = new ArrayList<>(0);

    record SavedWaiter(long changeCount, CompletableFuture<Void> done) {
    }
    /** Whether a save is due ({@link #saveDueAt} means something): set by the first unsaved change. */
    boolean saveDue;
    long saveDueAt;
    boolean saving;
    /** A change or a writer asked for a save at once (not debounced): the next save's reason, for the hooks. */
    boolean saveUrgent;
    /** Why the save in flight (or the last one) was made, for the hooks. */
    SaveReason savingReason = SaveReason.DEBOUNCED;
    /** When changes made while a save is in flight fall due (they are not in its snapshot). */
    boolean changedWhileSaving;
    long changedWhileSavingDueAt;
    int saveFailures;
    /** Whether a failed save waits for its backoff ({@link #retryAt} means something). */
    boolean retrying;
    long retryAt;
    boolean conflicted;
    /** A save that failed without saying whether it committed: its snapshot and the change count it held. */
    record UnconfirmedSave(ObservableServerProfile snapshot, long changeCount) {
    }

    /**
     * The saves since the last one known to have committed that failed without saying whether they did (distinct
     * snapshots, oldest first, at most {@code SaveScheduler.MAX_UNCONFIRMED_SAVES}); emptied once a save commits. A
     * later stale refusal one version past them is checked against them (SaveScheduler).
     */
    final List<UnconfirmedSave> unconfirmedSaves = new ArrayList<>();
    /** Orders entries due at the same instant, so batches come out the same on every run. */
    long queueSeq;

    ProfileEntry(String userId) {
        this.userId = userId;
    }

    int holderCount() {
        return clients.size() + holdings.size();
    }
}
