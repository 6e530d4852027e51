package io.profilesync.master.internal;

import io.profilesync.master.MasterConfig;
import io.profilesync.protocol.internal.EventLoop;
import io.profilesync.protocol.internal.Messages.HandleDelta;
import io.profilesync.protocol.internal.Messages.Role;
import io.profilesync.protocol.internal.Messages.ServerPush;
import java.util.ArrayList;
import java.util.List;

/**
 * The game servers' push policy: as soon as the profile thread is free (so pushes coalesce under load), every holding
 * whose outbox recorded something, in chunks of at most half the object buffer; the last chunk carries the
 * acknowledgement and the refusals (the others {@code ackSeq} -1). A full write buffer is tried again shortly, the
 * outboxes coalescing meanwhile.
 *
 * <p>Threading: the profile thread only.
 */
final class GameServerPushes {
    private final EventLoop loop;
    private final MasterMetrics metrics;
    private final int maxChunkBytes;

    GameServerPushes(MasterConfig config, EventLoop loop, MasterMetrics metrics) {
        this.loop = loop;
        this.metrics = metrics;
        this.maxChunkBytes = config.objectBufferSize() / 2;
    }

    /**
     * A change went into {@code holding}'s outbox: a push follows. {@code timed}: the change is another writer's, so
     * the push latency is measured from now (unless an older change waits already).
     */
    void changed(Holding holding, boolean timed) {
        if (timed && holding.changedAt < 0) {
            holding.changedAt = loop.nanoTime();
        }
        holding.session.gameServer.dirty.add(holding);
        schedule(holding.session);
    }

    /** Something is to be pushed: a push follows once what is already due on the loop has run. */
    void schedule(Session session) {
        GameServerHoldings holdings = session.gameServer;
        if (!holdings.pushScheduled) {
            holdings.pushScheduled = true;
            loop.execute(() -> push(session));
        }
    }

    /** Pushes now whatever is pending. */
    void push(Session session) {
        GameServerHoldings holdings = session.gameServer;
        holdings.pushScheduled = false;
        if (!session.open()) {
            return;
        }
        List<HandleDelta> chunk = new ArrayList<>();
        List<Holding> inChunk = new ArrayList<>();
        int chunkBytes = 0;
        for (Holding holding : new ArrayList<>(holdings.dirty)) {
            byte[] delta = holding.outbox.getUpdates();
            if (!chunk.isEmpty() && chunkBytes + delta.length > maxChunkBytes) {
                if (!session.outbound.trySend(new ServerPush(-1, -1, chunk, List.of()))) {
                    retry(session);
                    return;
                }
                clearSent(holdings, inChunk);
                chunk = new ArrayList<>();
                inChunk = new ArrayList<>();
                chunkBytes = 0;
            }
            chunk.add(new HandleDelta(holding.handle, delta));
            inChunk.add(holding);
            chunkBytes += delta.length + 8;
        }
        if (chunk.isEmpty() && !session.owesAnswer()) {
            return;
        }
        if (!session.outbound.trySend(new ServerPush(session.ackSeq, session.durableSeq, chunk, session.refusals))) {
            retry(session);
            return;
        }
        clearSent(holdings, inChunk);
        session.answered();
    }

    private void clearSent(GameServerHoldings holdings, List<Holding> sent) {
        long now = loop.nanoTime();
        for (Holding holding : sent) {
            holding.outbox.clearUpdates();
            holding.pushed.pushed(holding.entry.version, holding.session);
            holdings.dirty.remove(holding);
            if (holding.changedAt >= 0) {
                metrics.pushed(Role.GAME_SERVER, now - holding.changedAt);
                holding.changedAt = -1;
            }
        }
    }

    private void retry(Session session) {
        // The connection's write buffer is full (a slow reader): the outboxes keep coalescing until it drains.
        GameServerHoldings holdings = session.gameServer;
        if (!holdings.pushScheduled) {
            holdings.pushScheduled = true;
            loop.schedule(OutboundQueue.RETRY_NANOS, () -> push(session));
        }
    }
}
