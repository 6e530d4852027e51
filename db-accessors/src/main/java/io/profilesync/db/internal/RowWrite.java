package io.profilesync.db.internal;

/**
 * One row to save: the profile's JSON, the stored version the writer last saw (0: it expects no row), the schema it
 * was written with and its applied-batches record.
 *
 * @param userId the user id, the row's key
 * @param json the profile as a JSON object
 * @param expectedVersion the version the row must have for the write to go ahead; 0: there must be no row
 * @param schemaFingerprint the fingerprint of the schema that made the profile; null when unknown
 * @param appliedBatches the applied-batches record as JSON; null when empty
 *
 * <p>Immutable and thread-safe.
 */
public record RowWrite(String userId, String json, long expectedVersion, String schemaFingerprint,
        String appliedBatches) {
}
