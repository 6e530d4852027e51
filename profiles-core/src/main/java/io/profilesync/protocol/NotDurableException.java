package io.profilesync.protocol;

import io.profilesync.core.ProfilesException;
import java.util.Objects;

/**
 * A {@code flush()} that cannot be kept: the profile's copy went away, or the peer stopped, before the master said
 * that the changes written before the call are committed to its database. They may still be (the master saves them
 * after its debounce); this peer just can no longer learn it. {@link #reason()} says which case it was.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public class NotDurableException extends ProfilesException {
    private static final long serialVersionUID = 1L;

    /** Why the durable acknowledgement can no longer come. */
    public enum Reason {
        /** The game server released the profile (or it was taken back) before its changes were durable. */
        RELEASED,
        /** The master could not hand the profile back after a reconnection: the copy and its changes were dropped. */
        LOST,
        /** The {@code ProfilesServer} or {@code ProfilesClient} was closed, or refused for good by the master. */
        STOPPED
    }

    private final Reason reason;

    public NotDurableException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public NotDurableException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }
}
