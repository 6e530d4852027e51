package io.profilesync.master.internal;

import io.profilesync.core.ObservableServerProfile;
import io.profilesync.protocol.internal.EventLoop;

/**
 * A client's hold on its own profile: the entry, once it asked for it, and the outbox that records what the client
 * has not been told yet; and the instant its debounce counts from. Touched only on the profile thread.
 */
final class ClientHolder {
    ProfileEntry entry;
    ObservableServerProfile outbox;
    /** The version each recent push showed the writer's copy (list rebases): the entry's, per writer. */
    PushedVersions pushed;
    /** The instant the next debounce counts from (see {@link ClientPushes}): a push is due a debounce after it. */
    long pushAnchor;
    /** When the scheduled push fell due; {@code Long.MIN_VALUE} when it was due at once (the debounce had passed). */
    long pushDueAt = Long.MIN_VALUE;
    /** When the oldest change of another writer waiting in the outbox was accepted, or -1 (push latency). */
    long changedAt = -1;
    /** The push timer, or null when no push is scheduled. */
    EventLoop.Cancellable push;

    ClientHolder(long pushAnchor) {
        this.pushAnchor = pushAnchor;
    }

    void cancelPush() {
        if (push != null) {
            push.cancel();
            push = null;
        }
    }
}
