package io.profilesync.master;

import io.profilesync.testing.InMemoryProfilesDatabaseAccessor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/** What every master test holds: an in-memory accessor, the master, and the peers to close after each test. */
abstract class MasterTestSupport {
    final InMemoryProfilesDatabaseAccessor accessor = new InMemoryProfilesDatabaseAccessor();
    final List<AutoCloseable> closeables = new ArrayList<>();
    MasterServer master;

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
        if (master != null) {
            master.close();
        }
        accessor.close();
    }
}
