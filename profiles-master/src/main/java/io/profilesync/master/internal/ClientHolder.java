package io.profilesync.master.internal;

import io.profilesync.core.ObservableServerProfile;
import io.profilesync.protocol.internal.EventLoop;

/**
 * A client's hold on its own profile: the entry, once it asked for it, and the outbox that records what the client
 * has not been told yet; and when it was last pushed to, for the debounce. Touched only on the profile thread.
 */
final class ClientHolder {
    ProfileEntry entry;
    ObservableServerProfile outbox;
    /** The version each recent push showed the writer's copy (list rebases): the entry's, per writer. */
    PushedVersions pushed;
    long lastPushAt;
    /** When the oldest change of another writer waiting in the outbox was accepted, or -1 (push latency). */
    long changedAt = -1;
    /** The push timer, or null when no push is scheduled. */
    EventLoop.Cancellable push;

    ClientHolder(long lastPushAt) {
        this.lastPushAt = lastPushAt;
    }

    void cancelPush() {
        if (push != null) {
            push.cancel();
            push = null;
        }
    }
}
