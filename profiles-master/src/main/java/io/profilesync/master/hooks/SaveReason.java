package io.profilesync.master.hooks;

/** Why the master saved a profile, for {@link MasterListener#profileSaved}. */
public enum SaveReason {
    /** Changes saved {@code saveProfileDebounce} after the first of them. */
    DEBOUNCED,
    /** Saved at once: a {@code durability: immediate} property changed, or a writer asked for a flush. */
    IMMEDIATE,
    /** The last save before the profile leaves memory (nobody held it for {@code unloadProfileAfter}, or evicted). */
    BEFORE_UNLOAD,
    /** Saved while the master shuts down. */
    SHUTDOWN
}
