package io.profilesync.protocol;

/**
 * Told when the link to the master changes state. Called on the tier's profile executor (the one configured on the
 * {@code ProfilesServer} or {@code ProfilesClient}, by default its own daemon thread), one call at a time, in order.
 */
@FunctionalInterface
public interface ConnectionListener {
    /**
     * @param state the new state
     * @param cause why, when the state follows a failure (a {@link RefusedException}, an I/O error), else null
     */
    void onStateChanged(ConnectionState state, Throwable cause);
}
