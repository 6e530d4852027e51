package io.profilesync.master;

import io.profilesync.core.ProfilesException;

/**
 * An admin request ({@link MasterServer#evict}, {@link MasterServer#restore}, an edit during a restore) that the master
 * refuses in its present state: the message says what stands in the way (a peer holds the profile, peers are
 * connected, a restore is running) and what to do.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public final class AdminRefusedException extends ProfilesException {
    private static final long serialVersionUID = 1L;

    public AdminRefusedException(String message) {
        super(message);
    }
}
