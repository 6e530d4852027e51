package io.profilesync.core;

import java.util.Collection;
import java.util.concurrent.CompletableFuture;

/**
 * Where the master keeps profiles (MST's {@code IProfilesDatabaseAccessor}). Implement it to put profiles in any
 * store; {@code db-accessors} ships Jdbi implementations for H2, SQLite and PostgreSQL, and its test-jar a contract
 * suite every implementation should pass.
 *
 * <p>Rows are versioned. {@link ObservableServerProfile#storedVersion()} is the version the caller last read or
 * wrote (0: never stored). A save succeeds only if the stored row is still at that version (or absent, for 0), and
 * then sets the profile's stored version to the new one; otherwise it fails with {@link StaleProfileException} and
 * writes nothing, so newer data is never silently overwritten.
 *
 * <p>Every value round-trips exactly: what {@link ObservableProfile#toJson()} writes (or any encoding that gives back
 * the same values bit for bit: {@code -0.0}, NaN, the infinities, subnormals, longs beyond 2^53, U+0000 in strings)
 * must come back from a restore. A store that cannot hold a value must refuse the save, never change it silently.
 * Stored properties the profile does not have are kept ({@link ObservableProfile#keptProperties()}) and written back
 * unchanged: storing {@code toJson()} and restoring with {@code fromJson} does both.
 *
 * <p>With the data, in the same row (or record) and the same transaction, an accessor stores two more things of the
 * profile, and restores them with it:
 * <ul>
 *   <li>the exactly-once record {@link ObservableServerProfile#appliedBatches()} (the last batch of every writer
 *       applied to the profile; {@link AppliedBatches#toJson()} is a ready text form): saved atomically with the
 *       data, so that a save that is refused (stale) or fails changes neither, and a batch of saves writes every
 *       record or none. The master core does not use it yet (the crash-safety work wires it in; until then it
 *       saves empty records); accessors store whatever the snapshot carries.</li>
 *   <li>the fingerprint of the schema the profile was made with ({@link ObservableServerProfile#schemaFingerprint()},
 *       null when unknown), so that tools can tell which schema wrote a row. Optional for custom accessors (the
 *       master's schema check at start needs the Jdbi accessor's schemas table).</li>
 * </ul>
 *
 * <p>Threading: implementations are thread-safe. Every method returns at once and completes its future on the
 * accessor's own executor, never on the caller's thread. The caller must not touch a profile it has passed in until
 * the future completes: the master passes snapshots it does not change.
 */
public interface IProfilesDatabaseAccessor extends AutoCloseable {

    /**
     * Fills {@code profile} (already populated with the schema's defaults) with the stored values of the user
     * {@link ObservableServerProfile#userId()}, and sets its stored version and its applied-batches record. Stored
     * properties the profile does not have are kept to be written back; missing ones keep their defaults.
     *
     * @return a future of {@code true} when a stored row was found, {@code false} when the profile is new (it then
     *     keeps its defaults and stored version 0); it fails with {@link ProfileFormatException} naming the user when
     *     the stored data is corrupt (the row is left untouched)
     */
    CompletableFuture<Boolean> restoreProfileAsync(ObservableServerProfile profile);

    /** Saves one profile; see the class comment for versions. By default, a batch of one. */
    default CompletableFuture<Void> updateProfileAsync(ObservableServerProfile profile) {
        return updateProfilesAsync(java.util.List.of(java.util.Objects.requireNonNull(profile, "profile")));
    }

    /**
     * Saves many profiles in one transaction, each with its applied-batches record: all or none. An empty collection
     * does nothing and succeeds. Fails with {@link StaleProfileException} (nothing written, data nor records) when
     * any profile's stored version is stale.
     */
    CompletableFuture<Void> updateProfilesAsync(Collection<? extends ObservableServerProfile> profiles);

    /** Releases connections and executors. Waits for saves already started. */
    @Override
    default void close() {
    }
}
