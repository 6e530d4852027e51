package io.profilesync.core;

import java.util.Objects;

/**
 * A profile and the user it belongs to (MST's {@code ObservableServerProfile}), as the master and the game servers
 * hold it. {@link #storedVersion()} is the database row's version the holder last read or wrote, for optimistic
 * concurrency (see {@link IProfilesDatabaseAccessor}). Threading: as {@link ObservableProfile}.
 */
public class ObservableServerProfile extends ObservableProfile {
    private final String userId;
    private long storedVersion;

    public ObservableServerProfile(String userId) {
        this.userId = Objects.requireNonNull(userId, "userId");
        if (userId.isEmpty()) {
            throw new IllegalArgumentException("userId must not be empty");
        }
    }

    public ObservableServerProfile(String userId, Iterable<? extends ObservableProperty<?>> initialProperties) {
        this(userId);
        for (ObservableProperty<?> property : initialProperties) {
            add(property);
        }
    }

    /** The user this profile belongs to. */
    public String userId() {
        return userId;
    }

    /** The version of the stored row this profile was last read from or written to; 0 when never stored. */
    public long storedVersion() {
        return storedVersion;
    }

    /** Set by database accessors after a restore or a save. */
    public void setStoredVersion(long storedVersion) {
        if (storedVersion < 0) {
            throw new IllegalArgumentException("storedVersion must not be negative: " + storedVersion);
        }
        this.storedVersion = storedVersion;
    }

    /** A copy with the same user, stored version and values; no listeners, nothing dirty. */
    @Override
    public ObservableServerProfile copy() {
        ObservableServerProfile copy = new ObservableServerProfile(userId);
        copyPropertiesInto(copy);
        copy.storedVersion = storedVersion;
        return copy;
    }
}
