package io.profilesync.master.internal;

/**
 * Defects the master core can be built with on purpose, <b>for tests only</b>: the deterministic simulation runs
 * against each and must report a failure within a bounded number of seeds, which shows its invariants would catch
 * the real bug. Production code passes none ({@link MasterCore#MasterCore(io.profilesync.master.MasterConfig,
 * io.profilesync.populators.ProfileSchema, io.profilesync.core.IProfilesDatabaseAccessor,
 * io.profilesync.protocol.internal.EventLoop)}).
 */
public enum BrokenOnPurpose {
    /** A batch sent again after a reconnect is applied again instead of being acknowledged as a duplicate. */
    DEDUPE_OFF,
    /**
     * The writer's own accepted changes are left out of the push it gets back, so its copy cannot converge when
     * others write the same collection.
     */
    PUSH_SKIPS_WRITERS_OWN_CHANGES,
    /** An idle profile is unloaded without being saved first: its unsaved changes are lost. */
    UNLOAD_IGNORES_DIRTINESS,
    /**
     * A batch is acknowledged as durable as soon as it is applied, before its save commits: a master crash then loses
     * changes its writers were told are safe (and dropped).
     */
    ACK_BEFORE_DURABLE,
    /**
     * A reaction's change is made apart from the change that triggered it, a moment later as an edit of its own: a
     * save or a crash in between leaves the database with the trigger and without its consequence.
     */
    REACTION_APART,
    /** A refused change refuses the whole delta it came in, taking the writer's other changes with it. */
    REFUSAL_TAKES_THE_DELTA,
    /**
     * Not the master's own: the simulation's writers increment as MST did, reading their copy's value and setting the
     * sum, so an increment travels as a value and a concurrent writer's increment is overwritten.
     */
    INCREMENTS_AS_VALUES,
    /**
     * An atomic change is applied as an ordinary delta: its preconditions are not checked, and its accepted changes
     * apply beside its refused ones (an item handed over while its price was refused).
     */
    ATOMIC_APPLIES_PIECEWISE,
    /**
     * A list operation applies at the index its writer sent, on the master's list as it is now, as before rebasing:
     * a writer removing by index deletes another element when others changed the list since its copy's view.
     */
    LIST_EDITS_NOT_REBASED
}
