package io.profilesync.db;

import java.time.Instant;
import java.util.Objects;

/**
 * One stored row as it is in the database: the user id, the profile as JSON text, its version and when it was last
 * saved. Used to export and import profiles without a schema ({@link JdbiProfilesAccessor#forEachStored},
 * {@link JdbiProfilesAccessor#importStored}).
 *
 * <p>Threading: immutable, thread-safe.
 *
 * @param userId the user the profile belongs to
 * @param json the profile as a JSON object; PostgreSQL (JSONB) returns it reformatted, with the same content
 * @param version the row's version, at least 1; it grows by one on every save
 * @param savedAt when the row was last written, to the millisecond
 */
public record StoredProfile(String userId, String json, long version, Instant savedAt) {

    public StoredProfile {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(savedAt, "savedAt");
        if (version < 1) {
            throw new IllegalArgumentException("version of stored profile '" + userId + "' must be at least 1: "
                    + version);
        }
    }
}
