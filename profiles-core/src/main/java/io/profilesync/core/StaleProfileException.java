package io.profilesync.core;

/**
 * A save that expected one stored version of a profile while the store holds another: someone else (another
 * master, an operator's edit) saved it meanwhile. Nothing was written. Reload the profile and apply the change again.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public class StaleProfileException extends ProfilesException {
    private static final long serialVersionUID = 1L;
    private final String userId;
    private final long expectedVersion;
    private final long actualVersion;

    public StaleProfileException(String userId, long expectedVersion, long actualVersion) {
        super("profile of user '" + userId + "' is stale: this save expected stored version " + expectedVersion
                + " but the store holds version " + actualVersion
                + "; someone else saved it meanwhile. Reload the profile and apply the change again.");
        this.userId = userId;
        this.expectedVersion = expectedVersion;
        this.actualVersion = actualVersion;
    }

    public String userId() {
        return userId;
    }

    public long expectedVersion() {
        return expectedVersion;
    }

    /** The version the store holds; -1 when the row does not exist although a version was expected. */
    public long actualVersion() {
        return actualVersion;
    }
}
