package io.profilesync.core;

import java.util.Objects;

/**
 * How {@link ObservableProfile#applyUpdates(byte[], ApplyOptions)} applies a delta. Immutable.
 *
 * @param view the properties the delta's indices are numbered among
 * @param recordAsLocal whether the applied changes are recorded for the next delta, as local changes are (a relay,
 *     such as the master's copy for other holders, wants this; a plain replica does not, so it never echoes)
 * @param validator checked for every change before anything is applied, or null: a refusal refuses the whole delta
 * @param filter asked, once the validator passed the whole delta, whether each change that changes something is
 *     applied, or null (all are): a change it leaves out is neither applied nor recorded, the others are
 * @param allOrNothing whether one change left out (by the filter, or because it cannot apply) leaves out every change
 *     of the delta: an atomic change applies whole or not at all
 * @param rebaser moves list operations made on the writer's older view onto this copy's lists, or null (they apply
 *     at the indices they carry); an operation it drops is left out alone and told to the filter
 *
 * <p>Immutable and thread-safe.
 */
public record ApplyOptions(PropertyView view, boolean recordAsLocal, UpdateValidator validator,
        UpdateFilter filter, boolean allOrNothing, ListRebaser rebaser) {
    /** All properties, not recorded, not validated: how a replica applies what it receives. */
    public static final ApplyOptions REMOTE = new ApplyOptions(PropertyView.ALL, false, null);

    public ApplyOptions {
        Objects.requireNonNull(view, "view");
    }

    /** Options without a {@link #rebaser()}. */
    public ApplyOptions(PropertyView view, boolean recordAsLocal, UpdateValidator validator, UpdateFilter filter,
            boolean allOrNothing) {
        this(view, recordAsLocal, validator, filter, allOrNothing, null);
    }

    /** Options that apply every change the validator lets through (no filter). */
    public ApplyOptions(PropertyView view, boolean recordAsLocal, UpdateValidator validator) {
        this(view, recordAsLocal, validator, null);
    }

    /** Options that apply each change the filter lets through, the others too when one is left out. */
    public ApplyOptions(PropertyView view, boolean recordAsLocal, UpdateValidator validator, UpdateFilter filter) {
        this(view, recordAsLocal, validator, filter, false);
    }

    public ApplyOptions withView(PropertyView newView) {
        return new ApplyOptions(newView, recordAsLocal, validator, filter, allOrNothing, rebaser);
    }

    public ApplyOptions recorded(boolean record) {
        return new ApplyOptions(view, record, validator, filter, allOrNothing, rebaser);
    }

    public ApplyOptions validatedBy(UpdateValidator newValidator) {
        return new ApplyOptions(view, recordAsLocal, newValidator, filter, allOrNothing, rebaser);
    }

    public ApplyOptions filteredBy(UpdateFilter newFilter) {
        return new ApplyOptions(view, recordAsLocal, validator, newFilter, allOrNothing, rebaser);
    }

    /** The same options, applying the delta whole or not at all ({@link #allOrNothing()}). */
    public ApplyOptions atomic(boolean atomic) {
        return new ApplyOptions(view, recordAsLocal, validator, filter, atomic, rebaser);
    }

    /** The same options, list operations moved by {@code newRebaser} (see {@link #rebaser()}). */
    public ApplyOptions rebasedBy(ListRebaser newRebaser) {
        return new ApplyOptions(view, recordAsLocal, validator, filter, allOrNothing, newRebaser);
    }
}
