package io.profilesync.db;

import io.profilesync.core.AppliedBatches;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.ProfileFormatException;
import java.time.Instant;
import java.util.Objects;

/**
 * One stored row as it is in the database: the user id, the profile as JSON text, its version and when it was last
 * saved. Used to export and import profiles without a schema ({@link JdbiProfilesAccessor#forEachStored},
 * {@link JdbiProfilesAccessor#importStored}), and by any accessor to fill a profile ({@link #applyTo}).
 *
 * <p>Threading: immutable, thread-safe.
 *
 * @param userId the user the profile belongs to
 * @param json the profile as a JSON object, exactly as written (every database stores it as text)
 * @param version the row's version, at least 1; it grows by one on every save
 * @param savedAt when the row was last written, to the millisecond
 * @param schemaFingerprint the fingerprint of the schema the row was written with; null when unknown (rows written
 *     before profilesync stored it, or by a profile made without a schema)
 * @param appliedBatches the exactly-once record stored with the profile ({@link AppliedBatches}); empty when none
 */
public record StoredProfile(String userId, String json, long version, Instant savedAt, String schemaFingerprint,
        AppliedBatches appliedBatches) {

    public StoredProfile {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(savedAt, "savedAt");
        Objects.requireNonNull(appliedBatches, "appliedBatches");
        if (version < 1) {
            throw new IllegalArgumentException("version of stored profile '" + userId + "' must be at least 1: "
                    + version);
        }
    }

    /** A row with no schema fingerprint and an empty applied-batches record (the form before they were stored). */
    public StoredProfile(String userId, String json, long version, Instant savedAt) {
        this(userId, json, version, savedAt, null, AppliedBatches.EMPTY);
    }

    /**
     * Fills {@code profile} with this row's values, its applied-batches record and its stored version, as
     * {@link io.profilesync.core.IProfilesDatabaseAccessor#restoreProfileAsync} must: properties the profile does
     * not have are kept (written back unchanged at the next save), missing ones keep their values.
     *
     * @throws ProfileFormatException naming the user when the JSON is corrupt or does not fit the profile; the
     *     profile is then unchanged
     * @throws IllegalArgumentException when the profile belongs to another user
     */
    public void applyTo(ObservableServerProfile profile) {
        Objects.requireNonNull(profile, "profile");
        if (!profile.userId().equals(userId)) {
            throw new IllegalArgumentException("stored profile of user '" + userId + "' cannot fill the profile of '"
                    + profile.userId() + "'");
        }
        try {
            profile.fromJson(json);
        } catch (ProfileFormatException e) {
            throw new ProfileFormatException("stored profile of user '" + userId + "' (version " + version
                    + ") is corrupt: " + e.getMessage() + ". It is left as it is: mend it (docs/databases.md), "
                    + "restore it from a backup, or delete it to start this user afresh.", e);
        }
        profile.setAppliedBatches(appliedBatches);
        profile.setStoredVersion(version);
    }
}
