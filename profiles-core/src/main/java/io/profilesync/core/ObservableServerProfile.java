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
    private AppliedBatches appliedBatches = AppliedBatches.EMPTY;
    private String schemaFingerprint;

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

    /**
     * The exactly-once record stored with this profile: the last batch of every writer applied to it. Accessors
     * restore it with the profile and save it in the same transaction as its data. Empty until the master core
     * fills it (the crash-safety work wires it in).
     */
    public AppliedBatches appliedBatches() {
        return appliedBatches;
    }

    /** Set by database accessors after a restore, and by the master core when it applies a batch. */
    public void setAppliedBatches(AppliedBatches appliedBatches) {
        this.appliedBatches = Objects.requireNonNull(appliedBatches, "appliedBatches");
    }

    /**
     * The fingerprint of the schema this profile was made from (populators' {@code ProfileSchema.fingerprint()}),
     * which accessors store with the row so that a later master knows which schema wrote it; null when unknown (a
     * profile built by hand).
     */
    public String schemaFingerprint() {
        return schemaFingerprint;
    }

    /** Set by the schema that makes the profile. */
    public void setSchemaFingerprint(String schemaFingerprint) {
        this.schemaFingerprint = schemaFingerprint;
    }

    /**
     * A copy with the same user, stored version, values, kept values, applied-batches record and schema
     * fingerprint; no listeners, nothing dirty.
     */
    @Override
    public ObservableServerProfile copy() {
        ObservableServerProfile copy = new ObservableServerProfile(userId);
        copyPropertiesInto(copy);
        copy.storedVersion = storedVersion;
        copy.appliedBatches = appliedBatches;
        copy.schemaFingerprint = schemaFingerprint;
        return copy;
    }
}
