package io.profilesync.protocol.internal;

import io.profilesync.core.ApplyOptions;
import io.profilesync.core.ListChange;
import io.profilesync.core.ListRebaser;
import io.profilesync.core.ObservableList;
import io.profilesync.core.ObservableProfile;
import io.profilesync.core.ObservableProperty;
import io.profilesync.core.internal.ListIdentity;
import io.profilesync.core.internal.ListIdentity.Ids;
import io.profilesync.core.internal.ListIdentity.Made;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link Replica}'s identities for the elements of its lists (local numbers, never sent): those of the confirmed
 * copy, followed through every push, and those of the view its unsent changes are being made on. Each batch records
 * the view its list edits were made on ({@link Edits}), so when the master's newer state arrives the batches not yet
 * acknowledged are laid over it by identity ({@link ListIdentity}), as the master itself moves them: a pending remove
 * still removes the element it was made on, wherever that element now is, and the copy shows what the master will
 * hold.
 *
 * <p>Threading: as {@link Replica}.
 */
final class ListViews {
    /** A batch's edits of one list and the view (identities) they were made on; null view: laid at their indices. */
    record Edits(Ids view, List<Made> ops) {
    }

    private final Map<String, Ids> confirmed = new HashMap<>();
    private final Map<String, Ids> visible = new HashMap<>();
    private long nextId = 1;

    /** The confirmed copy is a whole new state (a snapshot): fresh identities, and visible shows it. */
    void reset(ObservableProfile confirmedCopy) {
        confirmed.clear();
        visible.clear();
        unlinked.clear();
        for (ObservableProperty<?> property : confirmedCopy) {
            if (property instanceof ObservableList<?> list) {
                long[] ids = new long[list.size()];
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = nextId++;
                }
                confirmed.put(list.name(), new Ids(ids));
                visible.put(list.name(), new Ids(ids));
            }
        }
    }

    /**
     * The confirmed copy is a whole new state from the same master ({@code before}: the state it replaced): each
     * element takes the identity of an equal one the copy had (in the state it replaced, or created by one of the
     * batches the snapshot holds, {@code applied}), in order, so batches made on the old view still find their
     * elements; the others get fresh identities.
     */
    void snapshot(ObservableProfile before, ObservableProfile confirmedCopy, List<Map<String, Edits>> applied) {
        Map<String, Ids> next = new HashMap<>();
        for (ObservableProperty<?> property : confirmedCopy) {
            if (!(property instanceof ObservableList<?> list)) {
                continue;
            }
            String name = list.name();
            List<Object> poolValues = new ArrayList<>();
            List<Long> poolIds = new ArrayList<>();
            Ids old = confirmed.get(name);
            if (old != null && before.has(name)) {
                List<?> values = ((ObservableList<?>) before.get(name)).value();
                for (int i = 0; i < old.size() && i < values.size(); i++) {
                    poolValues.add(values.get(i));
                    poolIds.add(old.get(i));
                }
            }
            for (Map<String, Edits> batch : applied) {
                Edits edits = batch.get(name);
                if (edits == null) {
                    continue;
                }
                for (Made op : edits.ops()) {
                    if (op.created() != null && op.values() != null) {
                        for (int k = 0; k < op.created().length; k++) {
                            poolValues.add(op.values().get(k));
                            poolIds.add(op.created()[k]);
                        }
                    }
                }
            }
            List<?> now = list.value();
            boolean[] used = new boolean[poolIds.size()];
            Ids ids = new Ids();
            for (Object value : now) {
                long id = 0;
                for (int j = 0; j < poolIds.size(); j++) {
                    if (!used[j] && java.util.Objects.equals(poolValues.get(j), value)) {
                        used[j] = true;
                        id = poolIds.get(j);
                        break;
                    }
                }
                ids.add(id != 0 ? id : nextId++);
            }
            next.put(name, ids);
        }
        confirmed.clear();
        confirmed.putAll(next);
        visibleIsConfirmed();
        unlinked.clear();
    }

    /**
     * The edits the visible copy recorded since its last batch, with the view they were made on, by list (null when
     * none); the view moves on past them.
     */
    Map<String, Edits> capture(ObservableProfile visibleCopy) {
        Map<String, Edits> edits = null;
        for (ObservableProperty<?> property : visibleCopy) {
            if (property instanceof ObservableList<?> list && list.isDirty()) {
                List<Made> ops = new ArrayList<>();
                for (ListChange<?> change : list.recorded()) {
                    long[] created = switch (change.kind()) {
                        case ADD, INSERT -> new long[] {nextId++};
                        case REPLACE -> fresh(change.values().size());
                        default -> null;
                    };
                    List<?> values = switch (change.kind()) {
                        case ADD, INSERT -> java.util.Collections.singletonList(change.value());
                        case REPLACE -> change.values();
                        default -> null;
                    };
                    ops.add(new Made(change.kind(), change.index(), created, values));
                }
                Ids view = visible.computeIfAbsent(list.name(), n -> new Ids());
                // The view matters only to operations that name an index: appends alone keep none.
                Ids before = ListIdentity.namesAnIndex(ops) ? view.copy() : null;
                ListIdentity.applyAsMade(ops, view);
                if (edits == null) {
                    edits = new HashMap<>(4);
                }
                edits.put(list.name(), new Edits(before, ops));
            }
        }
        return edits;
    }

    private long[] fresh(int count) {
        long[] ids = new long[count];
        for (int i = 0; i < count; i++) {
            ids[i] = nextId++;
        }
        return ids;
    }

    /**
     * Applies the master's {@code delta} to {@code confirmedCopy}, its lists' identities following (an element the
     * master adds gets a fresh one).
     */
    void applyPush(ObservableProfile confirmedCopy, byte[] delta) {
        Map<String, Ids> next = new HashMap<>(4);
        Map<String, ListIdentity.Mapping> followed = new HashMap<>(4);
        confirmedCopy.applyUpdates(delta, ApplyOptions.REMOTE.rebasedBy(list -> {
            Ids ids = confirmed.computeIfAbsent(list.name(), n -> new Ids(fresh(list.size()))).copy();
            next.put(list.name(), ids);
            ListIdentity.Mapping mapping = new ListIdentity.Mapping(list.name(), null, ids, () -> nextId++);
            followed.put(list.name(), mapping);
            return following(mapping);
        }));
        confirmed.putAll(next);
        followed.forEach((name, mapping) -> {
            java.util.Set<Long> fresh = unlinked.computeIfAbsent(name, n -> new java.util.HashSet<>());
            for (ListIdentity.Taken op : mapping.taken) {
                if (op.ids() != null) {
                    for (long id : op.ids()) {
                        fresh.add(id);
                    }
                }
            }
        });
    }

    /** Identities pushes gave elements since the copy's last acknowledgement: some may be the copy's own. */
    private final Map<String, java.util.Set<Long>> unlinked = new HashMap<>();

    /**
     * The master acknowledged batches with these edits: the elements they created are in the confirmed copy now,
     * under identities a push gave them; each takes back the identity its batch gave it (found by its value among
     * those pushed since the last acknowledgement, in order), so the copy's later batches made on it still find it.
     */
    void acknowledged(List<Map<String, Edits>> edits, ObservableProfile confirmedCopy) {
        for (Map<String, Edits> batch : edits) {
            if (batch == null) {
                continue;
            }
            batch.forEach((name, one) -> {
                Ids ids = confirmed.get(name);
                java.util.Set<Long> fresh = unlinked.get(name);
                if (ids == null || fresh == null || fresh.isEmpty() || !confirmedCopy.has(name)) {
                    return;
                }
                List<?> values = ((ObservableList<?>) confirmedCopy.get(name)).value();
                for (Made op : one.ops()) {
                    if (op.created() == null || op.values() == null) {
                        continue;
                    }
                    for (int k = 0; k < op.created().length; k++) {
                        Object value = op.values().get(k);
                        for (int i = 0; i < ids.size() && i < values.size(); i++) {
                            long id = ids.get(i);
                            if (fresh.contains(id) && java.util.Objects.equals(values.get(i), value)) {
                                fresh.remove(id);
                                ids.remove(i);
                                ids.insert(i, op.created()[k]);
                                break;
                            }
                        }
                    }
                }
            });
        }
        unlinked.clear();
    }

    /** Identities following operations applied at their own indices; one beyond the list is left to fail there. */
    private ListRebaser.Rebase following(String name, Ids ids) {
        return following(new ListIdentity.Mapping(name, null, ids, () -> nextId++));
    }

    private static ListRebaser.Rebase following(ListIdentity.Mapping mapping) {
        return new ListRebaser.Rebase() {
            @Override
            public int map(ListChange.Kind kind, int index, int count) {
                int at = mapping.map(kind, index, count);
                return at == ListRebaser.DROP ? index : at; // out of range: the list throws, as without identities
            }

            @Override
            public String whyDropped() {
                return mapping.whyDropped();
            }
        };
    }

    /** Visible shows confirmed (nothing laid over it). */
    void visibleIsConfirmed() {
        visible.clear();
        confirmed.forEach((name, ids) -> visible.put(name, ids.copy()));
    }

    /** Laying batches over confirmed begins: the identities they are laid over, to pass to {@link #layingOver}. */
    Map<String, Ids> startLaying() {
        Map<String, Ids> laid = new HashMap<>();
        confirmed.forEach((name, ids) -> laid.put(name, ids.copy()));
        return laid;
    }

    /**
     * How one batch's list edits are laid over {@code laid}: by identity from the view they were made on, or at their
     * own indices when {@code edits} has no view for a list (made on a view a reconnection left unknown).
     */
    ListRebaser layingOver(Map<String, Edits> edits, Map<String, Ids> laid) {
        return list -> {
            Ids onto = laid.computeIfAbsent(list.name(), n -> new Ids(fresh(list.size())));
            Edits made = edits == null ? null : edits.get(list.name());
            if (made == null) {
                return following(list.name(), onto);
            }
            return new ListIdentity.Mapping(list.name(), made.view() == null ? null : made.view().copy(), onto,
                    ListIdentity.createdBy(made.ops()));
        };
    }

    /**
     * The batches are laid over: visible's lists hold {@code laid} (what {@code target} holds; a list whose batch
     * failed half-way gets fresh identities).
     */
    void finishLaying(Map<String, Ids> laid, ObservableProfile target) {
        visible.clear();
        for (ObservableProperty<?> property : target) {
            if (property instanceof ObservableList<?> list) {
                Ids ids = laid.get(list.name());
                visible.put(list.name(), ids != null && ids.size() == list.size() ? ids : new Ids(fresh(list.size())));
            }
        }
    }

    /** Edits whose view a renumbering made unknown: laid at their own indices from now on, as the master takes them. */
    static Map<String, Edits> atTheirIndices(Map<String, Edits> edits) {
        if (edits == null) {
            return null;
        }
        Map<String, Edits> raw = new HashMap<>(edits.size() * 2);
        edits.forEach((name, one) -> raw.put(name, new Edits(null, one.ops())));
        return raw;
    }
}
