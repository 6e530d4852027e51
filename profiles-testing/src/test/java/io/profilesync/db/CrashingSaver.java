package io.profilesync.db;

import io.profilesync.core.ObservableServerProfile;
import io.profilesync.testing.TestProfiles;
import java.time.Duration;

/**
 * Run in a child JVM by the durability tests: saves one profile through the accessor, prints its JSON once the save
 * has completed, and halts at once, as a crash would: no shutdown hooks, the database is never closed. Runs on its
 * main thread only.
 */
public final class CrashingSaver {
    private CrashingSaver() {
    }

    public static void main(String[] args) {
        JdbiProfilesAccessor accessor = JdbiProfilesAccessor.create(DatabaseConfig.builder(args[0])
                .backupInterval(Duration.ZERO).build());
        ObservableServerProfile profile = TestProfiles.filled("crash", 5);
        accessor.updateProfileAsync(profile).join();
        System.out.println(profile.toJson());
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }
}
