package io.profilesync.master.hooks;

import io.profilesync.core.ObservableServerProfile;

/**
 * A change the master makes in reaction to another ("when experience reaches the threshold, level up"), atomically
 * with it: the reaction's changes are relayed to every holder in the same push as the change that triggered them and
 * saved with it, never one without the other. Runs after a change to one of its trigger properties was applied (by
 * a writer or by the master), on the profile thread. It changes {@code profile}, a working copy of the master's: when
 * it returns, what it changed joins the triggering change; when it throws, nothing it changed is kept (logged and
 * counted), and the triggering change stands. Its changes do not trigger reactions again.
 */
@FunctionalInterface
public interface Reaction {
    void react(ProfileChange trigger, ObservableServerProfile profile);
}
