package io.profilesync.db.internal;

/**
 * One row to save: the profile's JSON and the stored version the writer last saw (0: it expects no row). Immutable.
 *
 * @param userId the user id, the row's key
 * @param json the profile as a JSON object
 * @param expectedVersion the version the row must have for the write to go ahead; 0: there must be no row
 *
 * <p>Immutable and thread-safe.
 */
public record RowWrite(String userId, String json, long expectedVersion) {
}
