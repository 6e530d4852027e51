package io.profilesync.master.internal;

import io.profilesync.core.PropertyView;
import io.profilesync.master.MasterConfig;
import io.profilesync.protocol.internal.Messages.AcquireFailed;
import java.util.function.BiConsumer;

/**
 * How a peer that asked for a profile gets it, the same for clients and game servers: loaded first if need be, then
 * a snapshot of the peer's view that fits in one message is handed to the holder room, or the peer is answered
 * {@code AcquireFailed} with the reason (the load failed, or the profile is too large to send). A peer gone
 * meanwhile gets nothing.
 *
 * <p>Threading: the profile thread only.
 */
final class Handouts {
    /** Room kept in the object buffer for the message around the snapshot. */
    private static final int MESSAGE_OVERHEAD = 1024;

    private final ProfileCache cache;
    private final int maxSnapshotBytes;

    Handouts(MasterConfig config, ProfileCache cache) {
        this.cache = cache;
        this.maxSnapshotBytes = config.objectBufferSize() - MESSAGE_OVERHEAD;
    }

    /**
     * Gets {@code userId}'s profile for {@code session}, then calls {@code give} with it and its snapshot in
     * {@code view}; {@code requestId} answers a failure (0 for clients).
     */
    void handOut(Session session, int requestId, String userId, PropertyView view,
            BiConsumer<ProfileEntry, byte[]> give) {
        cache.acquire(userId, entry -> {
            if (!session.open()) {
                return;
            }
            byte[] snapshot = entry.profile.toBytes(view);
            if (snapshot.length > maxSnapshotBytes) {
                session.outbound.send(new AcquireFailed(requestId, "the profile of user '" + userId + "' is "
                        + snapshot.length + " bytes, more than objectBufferSize allows; raise objectBufferSize on "
                        + "every tier"));
                return;
            }
            give.accept(entry, snapshot);
        }, reason -> {
            if (session.open()) {
                session.outbound.send(new AcquireFailed(requestId, reason));
            }
        });
    }
}
