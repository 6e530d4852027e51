package io.profilesync.master.internal;

import io.profilesync.core.ObservableServerProfile;

/**
 * A game server's hold on a profile: the handle that names it on that connection, and the outbox that records what
 * the game server has not been told yet. Touched only on the profile thread.
 */
final class Holding {
    final Session session;
    final int handle;
    final ProfileEntry entry;
    ObservableServerProfile outbox;
    /** The version each recent push showed the writer's copy (list rebases): the entry's, per writer. */
    PushedVersions pushed;
    /** When the oldest change of another writer waiting in the outbox was accepted, or -1 (push latency). */
    long changedAt = -1;

    Holding(Session session, int handle, ProfileEntry entry, ObservableServerProfile outbox) {
        this.session = session;
        this.handle = handle;
        this.entry = entry;
        this.outbox = outbox;
    }
}
