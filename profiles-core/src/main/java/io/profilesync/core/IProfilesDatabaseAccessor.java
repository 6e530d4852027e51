package io.profilesync.core;

import java.util.Collection;
import java.util.concurrent.CompletableFuture;

/**
 * Where the master keeps profiles (MST's {@code IProfilesDatabaseAccessor}). Implement it to put profiles in any
 * store; {@code db-accessors} ships Jdbi implementations for H2, SQLite and PostgreSQL, and {@code profiles-testing} a
 * contract suite every implementation should pass ({@code io.profilesync.testing.AccessorContractTest}).
 *
 * <p>Rows are versioned. {@link ObservableServerProfile#storedVersion()} is the version the caller last read or
 * wrote (0: never stored). A save succeeds only if the stored row is still at that version (or absent, for 0), and
 * then sets the profile's stored version to the new one; otherwise it fails with {@link StaleProfileException} and
 * writes nothing, so newer data is never silently overwritten.
 *
 * <p>Threading: implementations are thread-safe. Every method returns at once and completes its future on the
 * accessor's own executor, never on the caller's thread. The caller must not touch a profile it has passed in until
 * the future completes: the master passes snapshots it does not change.
 */
public interface IProfilesDatabaseAccessor extends AutoCloseable {

    /**
     * Fills {@code profile} (already populated with the schema's defaults) with the stored values of the user
     * {@link ObservableServerProfile#userId()}, and sets its stored version. Unknown stored properties are logged
     * and skipped; missing ones keep their defaults.
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
     * Saves many profiles in one transaction: all or none. An empty collection does nothing and succeeds. Fails
     * with {@link StaleProfileException} (nothing written) when any profile's stored version is stale.
     */
    CompletableFuture<Void> updateProfilesAsync(Collection<? extends ObservableServerProfile> profiles);

    /** Releases connections and executors. Waits for saves already started. */
    @Override
    default void close() {
    }
}
