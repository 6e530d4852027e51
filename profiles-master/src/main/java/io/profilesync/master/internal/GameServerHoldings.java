package io.profilesync.master.internal;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A game server's holdings, by handle and by profile, those whose outbox has something to push, and whether a push
 * is on its way. Insertion-ordered, so a push lists its entries in the same order on every run. Touched only on the
 * profile thread.
 */
final class GameServerHoldings {
    final Map<Integer, Holding> byHandle = new LinkedHashMap<>();
    final Map<ProfileEntry, Holding> byEntry = new LinkedHashMap<>();
    final Set<Holding> dirty = new LinkedHashSet<>();
    int nextHandle = 1;
    boolean pushScheduled;

    void remove(Holding holding) {
        byHandle.remove(holding.handle);
        byEntry.remove(holding.entry);
        dirty.remove(holding);
    }
}
