package io.profilesync.master.cli;

import io.profilesync.core.ProfilesException;
import io.profilesync.db.BackupContents;
import io.profilesync.db.BackupNotSupportedException;
import io.profilesync.db.DatabaseException;
import io.profilesync.db.JdbiProfilesAccessor;
import io.profilesync.master.MasterServer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * A restore from a backup file made by {@code backup}: the database's profiles become exactly the backup's (rows
 * the backup does not hold are deleted), in one transaction, after a backup of the database as it was (H2 and
 * SQLite), so a restore of the wrong file can itself be undone. With a running master (the admin API) the master
 * refuses while any peer is connected, and drops every profile from memory first (see
 * {@link MasterServer#restore}); with the master stopped the rows are replaced directly. The one implementation of
 * both paths. Stateless.
 */
final class Restore {
    /** How long a restore may take before the command gives up waiting (it goes on in the database). */
    private static final long TIMEOUT_MINUTES = 10;

    /**
     * What a restore did.
     *
     * @param profiles the profiles the database holds now
     * @param before the backup of the database as it was, or null (PostgreSQL: none is made)
     * @param discarded profiles in the running master's memory with unsaved changes that the restore replaced
     */
    record Result(int profiles, Path before, int discarded) {
    }

    private Restore() {
    }

    /**
     * Restores {@code backup} into the database of {@code accessor}, through {@code master} when it runs (null
     * when the command line opened the database with the master stopped).
     *
     * @throws io.profilesync.master.AdminRefusedException when the running master refuses (peers are connected)
     */
    static Result into(JdbiProfilesAccessor accessor, BackupContents backup, MasterServer master) {
        Path[] before = new Path[1];
        // Runs once the master let every profile go (or at once with it stopped): the running master submits no
        // save meanwhile, so the rows are replaced after every save already on its way and none lands on them.
        Supplier<CompletableFuture<Void>> replace = () -> CompletableFuture.runAsync(() -> {
            before[0] = backupFirst(accessor);
            backup.schemas().forEach(accessor::recordSchema); // so rows of older schemas stay readable
        }).thenCompose(ignored -> accessor.replaceAllAsync(backup.rows()));
        int discarded = 0;
        if (master == null) {
            await(replace.get());
        } else {
            discarded = await(master.restore(replace));
        }
        return new Result(backup.rows().size(), before[0], discarded);
    }

    /** A backup of the database as it is, or null when it makes none (PostgreSQL: pg_dump is the way back). */
    private static Path backupFirst(JdbiProfilesAccessor accessor) {
        try {
            return accessor.backupNow();
        } catch (BackupNotSupportedException e) {
            return null;
        }
    }

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(TIMEOUT_MINUTES, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatabaseException("interrupted while restoring; the restore may still finish", e);
        } catch (TimeoutException e) {
            throw new DatabaseException("the restore did not finish within " + TIMEOUT_MINUTES + " minutes; it may "
                    + "still finish: check the master's log", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof CompletionException wrapped && wrapped.getCause() != null
                    ? wrapped.getCause() : e.getCause();
            if (cause instanceof ProfilesException profiles) {
                throw profiles;
            }
            throw new DatabaseException("the restore failed: " + cause, cause);
        }
    }
}
