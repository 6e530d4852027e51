package io.profilesync.master.internal;

/**
 * Which version of its profile each of the last pushes to one writer's copy showed: the copy counts the pushes it
 * applies (from the number its snapshot carried) and names the one its changes were made on, and the master finds the
 * version here. Kept per writer and profile for as long as the profile stays loaded, across the writer's
 * reconnections, so batches sent again keep their base. Only the last {@link #KEPT} are kept: a copy that many pushes
 * behind is not rebased. A new numbering (a new master, the profile loaded again) starts again at 1, which the copy
 * sees as a number not above its own.
 *
 * <p>Threading: the profile thread only.
 */
final class PushedVersions {
    static final int KEPT = 64;

    /** Grows from 8 to {@link #KEPT} as pushes come (an idle holder costs little). */
    private long[] versions = new long[8];
    private long count;
    /** The session the numbering follows now: a writer's older connection, not yet closed, pushes out of it. */
    private Session owner;

    /**
     * The holder gets a whole snapshot of {@code version} (after its first acquire or request, or a reconnection):
     * the next number, so the holder's batches made before it, sent again, still name pushes known here.
     *
     * @return its number, sent with the snapshot
     */
    long snapshot(long version, Session session) {
        owner = session;
        record(version);
        return count;
    }

    /** A push showing {@code version} was sent to {@code session}. */
    void pushed(long version, Session session) {
        if (session != owner) {
            return; // an older connection's: the copy never counts it
        }
        record(version);
    }

    private void record(long version) {
        count++;
        if (count >= versions.length && versions.length < KEPT) {
            long[] grown = new long[versions.length * 2];
            for (long number = Math.max(1, count - versions.length); number < count; number++) {
                grown[(int) (number % grown.length)] = versions[(int) (number % versions.length)];
            }
            versions = grown;
        }
        versions[(int) (count % versions.length)] = version;
    }

    /**
     * The version push number {@code number} showed the copy that {@code session} serves, or -1 when unknown (0,
     * ahead, too old, or an older connection's).
     */
    long versionAt(long number, Session session) {
        if (session != owner || number <= 0 || number > count || count - number >= versions.length) {
            return -1;
        }
        return versions[(int) (number % versions.length)];
    }

    @Override
    public String toString() {
        return "count " + count + " " + java.util.Arrays.toString(versions);
    }
}
