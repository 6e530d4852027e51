package io.profilesync.master.hooks;

/**
 * What happens on the master, as it happens. Every method is called on the master's profile thread, in the order the
 * master does the work, and has a default that does nothing: implement the ones you need. A listener that throws is
 * logged and counted ({@code profilesync_hook_failures_total}), and the master and the other listeners carry on; one
 * slower than {@code hookWarnAfter} is logged and counted ({@code profilesync_hook_slow_total}). The profile thread
 * waits for each call, so a listener that must do slow work (a network call, a database write) hands it to an
 * executor of its own.
 */
public interface MasterListener {
    /** A client proved its token and was welcomed. {@code address}: its host and port. */
    default void clientAuthenticated(String userId, String address) {
    }

    /** A welcomed client's connection ended (whoever closed it), after its profile was let go. */
    default void clientDisconnected(String userId, String address) {
    }

    /** A game server proved its secret and was welcomed. */
    default void gameServerConnected(Author gameServer) {
    }

    /** A welcomed game server's connection ended, after every profile it held was released. */
    default void gameServerDisconnected(Author gameServer) {
    }

    /** A profile is in memory: restored from the database ({@code created} false) or new from the schema. */
    default void profileLoaded(String userId, boolean created) {
    }

    /** A game server acquired a profile it did not hold. */
    default void profileAcquired(String userId, Author gameServer) {
    }

    /** A game server released a profile (itself, or by disconnecting). */
    default void profileReleased(String userId, Author gameServer) {
    }

    /**
     * The master applied a change to a profile (already relayed to its holders, not yet saved). A reaction's changes
     * come next as a change of their own, {@link ProfileChange#derived()}.
     */
    default void profileChanged(ProfileChange change) {
    }

    /** A change was refused: nothing of it was applied; the writer is told {@code reason} in its next push. */
    default void changeRefused(String userId, Author author, String property, String reason) {
    }

    /** The database committed a save of the profile. */
    default void profileSaved(String userId, SaveReason reason) {
    }

    /** The profile left memory (clean: saved first when it had changes). */
    default void profileUnloaded(String userId) {
    }
}
