package io.profilesync.master.internal;

import io.profilesync.core.ListRebaser;
import io.profilesync.core.ObservableList;
import io.profilesync.core.internal.ListIdentity;
import io.profilesync.core.internal.ListIdentity.Ids;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rebase of one writer's delta onto the master's lists. The writer's copy showed the master's state at the
 * version of the push it had last applied ({@code baseVersion}), with its own batches from {@code overlayFrom} on laid
 * over it (those the master had not acknowledged to it yet, each moved by identity from the view it was made on, as
 * {@link ListIdentity} does); its indices point into that view. The view is built again from the list's
 * {@link ListHistory} and the writer's {@link WriterOps}, so each index names an element by its identity, and the
 * operation applies to that element wherever it now is ({@link ListIdentity.Mapping}): a remove deletes the element the
 * writer saw, a set replaces it, an insert lands after the nearest element before it that is still there. An element
 * removed meanwhile by another writer cannot be removed or set again: that operation alone is dropped, its writer
 * told. When the view cannot be built (no base, a base older than the history), each index applies as it is and one
 * beyond the list is dropped alone.
 *
 * <p>Also records what the writer did (its indices, the view, the identities given to what it created), for its later
 * deltas.
 *
 * <p>Threading: the profile thread only; one instance per delta.
 */
final class ListRebases implements ListRebaser {
    private final ProfileEntry entry;
    private final String writerKey;
    private final long seq;
    private final long baseVersion;
    private final long overlayFrom;
    private final boolean rebasing;
    /** Whether the writer named a base at all (none: a batch sent again after a reconnection). */
    private final boolean based;
    /** By list name; empty (and not allocated) for the many deltas that change no list. */
    private Map<String, OneList> lists = Map.of();

    /**
     * @param baseVersion the profile's version the writer's copy showed, or -1 when unknown (indices apply as they are)
     * @param overlayFrom the writer's first batch its copy laid over that version (its {@code seq} when none)
     * @param rebasing false only for {@link BrokenOnPurpose#LIST_EDITS_NOT_REBASED}
     * @param based whether the writer named a base: without one its copy lays this batch at its indices too
     */
    ListRebases(ProfileEntry entry, String writerKey, long seq, long baseVersion, long overlayFrom, boolean rebasing,
            boolean based) {
        this.based = based;
        this.entry = entry;
        this.writerKey = writerKey;
        this.seq = seq;
        this.baseVersion = baseVersion;
        this.overlayFrom = overlayFrom;
        this.rebasing = rebasing;
    }

    @Override
    public Rebase of(ObservableList<?> list) {
        String name = list.name();
        ListHistory history = entry.listHistory(name, list.size());
        Ids master = history.current().copy();
        Ids view = rebasing && baseVersion >= 0 ? viewOf(history, name) : null;
        // The view the writer made its operations on, recorded for its later deltas (writerBatch): a rebuilt one is
        // copied now, since the mapping changes it as the operations go; otherwise it is the master's list as it
        // was, which the history still holds until the relay, so it is copied only if needed.
        OneList one = new OneList(history, view == null ? null : view.copy(),
                new ListIdentity.Mapping(name, view, master, history::newId));
        if (lists.isEmpty()) {
            lists = new HashMap<>(4);
        }
        lists.put(name, one);
        return one.mapping;
    }

    /** The writer's view of the list, or null when it is the master's list itself or cannot be built. */
    private Ids viewOf(ListHistory history, String name) {
        WriterOps writer = entry.writerOps == null ? null : entry.writerOps.get(writerKey);
        boolean overlaid = writer != null && overlayFrom < seq && writer.touches(name, overlayFrom, seq);
        if (!overlaid && !history.changedSince(baseVersion)) {
            return null; // nothing moved since the writer's view: its indices are the master's
        }
        Ids view = history.at(baseVersion);
        List<WriterOps.Batch> batches = overlaid ? writer.between(overlayFrom, seq) : List.of();
        if (view == null || batches == null) {
            return null;
        }
        for (WriterOps.Batch batch : batches) {
            WriterOps.OnList ops = batch.byList().get(name);
            if (ops != null) {
                ListIdentity.layOver(ops.ops(), ops.view() == null ? null : ops.view().copy(), view);
            }
        }
        return view;
    }

    long seq() {
        return seq;
    }

    /** The operations the master's list {@code name} took from this delta, or null when it had none. */
    OneList list(String name) {
        return lists.get(name);
    }

    /** What the writer did, recorded for its later deltas (also when nothing of it applied). */
    WriterOps.Batch writerBatch() {
        if (lists.isEmpty()) {
            return null;
        }
        Map<String, WriterOps.OnList> byList = new HashMap<>(lists.size() * 2);
        lists.forEach((name, one) -> {
            if (!one.mapping.made.isEmpty()) {
                byList.put(name, new WriterOps.OnList(madeOn(one), List.copyOf(one.mapping.made)));
            }
        });
        return byList.isEmpty() ? null : new WriterOps.Batch(seq, byList, false);
    }

    /**
     * The view {@code one}'s operations were made on, as recorded: none when they name no index (appends alone apply
     * the same on any view: less to hold) or when the writer named no base (its copy lays the batch at its indices,
     * and so does the master when it builds the writer's view again); else the view rebuilt, or, when it was the
     * master's list itself, that list as it was before them. Asked before the relay, which moves the history on.
     */
    private Ids madeOn(OneList one) {
        if (!based || !ListIdentity.namesAnIndex(one.mapping.made)) {
            return null;
        }
        return one.rebuiltView != null ? one.rebuiltView : one.history.current().copy();
    }

    /** The rebase of one list's operations, and whether the master's list took them. */
    static final class OneList {
        final ListHistory history;
        /** The writer's view as rebuilt, before the operations; null when it was the master's list itself. */
        final Ids rebuiltView;
        final ListIdentity.Mapping mapping;
        /** Whether the master's list took them (set by the relay once the delta is applied). */
        boolean committed;

        OneList(ListHistory history, Ids rebuiltView, ListIdentity.Mapping mapping) {
            this.history = history;
            this.rebuiltView = rebuiltView;
            this.mapping = mapping;
        }
    }
}
