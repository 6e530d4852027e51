package io.profilesync.master;

import io.profilesync.core.ObservableServerProfile;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/** One profile the master holds or is loading, and its bookkeeping. Touched only on the profile thread. */
final class ProfileEntry {
    /** Someone waiting for the profile to finish loading. */
    record Waiter(Consumer<ProfileEntry> onReady, Consumer<String> onFail) {
    }

    final String userId;
    ObservableServerProfile profile;
    boolean ready;
    int generation;
    int loadAttempts;
    long loadDeadline;
    final List<Waiter> waiters = new ArrayList<>();

    /** Client sessions holding it, and game servers' holdings of it. */
    final Set<Session> clients = new LinkedHashSet<>();
    final Set<Holding> holdings = new LinkedHashSet<>();
    long releasedAt;

    /** Counts accepted changes, so a save knows whether it saved the newest state. */
    long changeCount;
    long savingChangeCount;
    long saveDueAt;
    boolean saving;
    int saveFailures;
    long retryAt;
    boolean conflicted;
    /**
     * An upper bound of the bytes of the profile's whole encoding, or -1 when unknown: each accepted delta adds its
     * own length (a delta grows the encoding by at most its length); recomputed exactly only near the limit.
     */
    long sizeBound = -1;

    ProfileEntry(String userId) {
        this.userId = userId;
    }

    int holderCount() {
        return clients.size() + holdings.size();
    }
}
