package io.profilesync.db;

import io.profilesync.core.IProfilesDatabaseAccessor;
import io.profilesync.core.InMemoryProfilesDatabaseAccessor;

/**
 * The in-memory accessor of profiles-core keeps the contract too (it lives where the contract suite can reach it).
 * Its store is the accessor itself, so a reopen within one test gives back the same instance, never closed.
 */
class InMemoryAccessorContractTest extends AccessorContractTest {
    private final InMemoryProfilesDatabaseAccessor store = new InMemoryProfilesDatabaseAccessor();

    @Override
    protected IProfilesDatabaseAccessor open() {
        return new IProfilesDatabaseAccessor() { // closing the view leaves the rows in place, as a database would
            @Override
            public java.util.concurrent.CompletableFuture<Boolean> restoreProfileAsync(
                    io.profilesync.core.ObservableServerProfile profile) {
                return store.restoreProfileAsync(profile);
            }

            @Override
            public java.util.concurrent.CompletableFuture<Void> updateProfilesAsync(
                    java.util.Collection<? extends io.profilesync.core.ObservableServerProfile> profiles) {
                return store.updateProfilesAsync(profiles);
            }

            /** Waits for the saves already submitted: the store runs them on one thread, in order. */
            @Override
            public void close() {
                store.updateProfilesAsync(java.util.List.of()).join();
            }
        };
    }

    @Override
    protected void writeRaw(String userId, String json, long version) {
        store.putRow(userId, json, version);
    }

    @Override
    protected RawRow readRaw(String userId) {
        InMemoryProfilesDatabaseAccessor.Row row = store.row(userId);
        return row == null ? null : new RawRow(row.json(), row.version());
    }
}
