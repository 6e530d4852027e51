package io.profilesync.master.internal;

import io.profilesync.core.PropertyView;
import io.profilesync.master.MasterConfig;
import io.profilesync.protocol.internal.EventLoop;
import io.profilesync.protocol.internal.Messages.ClientPush;
import io.profilesync.protocol.internal.Messages.Role;

/**
 * The clients' push policy: at most one push per {@code clientUpdateDebounce} per client, carrying everything since
 * the last one, coalesced in the client's outbox (its visible part only), with the acknowledgement of its latest
 * batch and its refusals. A full write buffer is tried again shortly, the outbox coalescing meanwhile.
 *
 * <p>Threading: the profile thread only.
 */
final class ClientPushes {
    private static final byte[] NO_CHANGE = new byte[0];

    private final EventLoop loop;
    private final MasterMetrics metrics;
    private final PropertyView clientView;
    private final long debounceNanos;

    ClientPushes(MasterConfig config, EventLoop loop, MasterMetrics metrics, PropertyView clientView) {
        this.loop = loop;
        this.metrics = metrics;
        this.clientView = clientView;
        this.debounceNanos = config.clientUpdateDebounce().toNanos();
    }

    /**
     * Debounced pushes fall due on a grid of this step of the loop's clock, so a client's pushes drift against the
     * ticks of the game servers that write to it. Due exactly a
     * debounce after the last push, the push to a client written by a game server ticking at a divisor of the
     * debounce (100 ms and 1 s) would fall on the very instant that server's batch arrives, lose that race every
     * time, and carry a value one tick old.
     */
    static final long PUSH_GRID_NANOS = 10_000_000;

    /** {@code at}, rounded up to the next point of the push grid. */
    static long onGrid(long at) {
        return Math.floorDiv(at + PUSH_GRID_NANOS - 1, PUSH_GRID_NANOS) * PUSH_GRID_NANOS;
    }

    /** A new client holder that may be pushed to at once. */
    ClientHolder newHolder() {
        return new ClientHolder(loop.nanoTime() - debounceNanos);
    }

    /**
     * A change went into the client's outbox: a push follows. {@code timed}: the change is another writer's, so the
     * push latency is measured from now (unless an older change waits already).
     */
    void changed(Session session, boolean timed) {
        if (timed && session.client.changedAt < 0) {
            session.client.changedAt = loop.nanoTime();
        }
        schedule(session);
    }

    /** Something is to be pushed: a push follows, a debounce after the last one at the earliest. */
    void schedule(Session session) {
        ClientHolder holder = session.client;
        if (holder.push != null) {
            return;
        }
        long now = loop.nanoTime();
        long due = holder.lastPushAt + debounceNanos;
        long delay = due - now <= 0 ? 0 : onGrid(due) - now;
        holder.push = loop.schedule(delay, () -> {
            holder.push = null;
            push(session);
        });
    }

    /** Pushes now whatever is pending (the debounce is over, or the master is shutting down). */
    void push(Session session) {
        ClientHolder holder = session.client;
        holder.cancelPush();
        if (!session.open() || holder.entry == null) {
            return;
        }
        byte[] delta = holder.outbox.hasUpdates() ? holder.outbox.getUpdates(clientView) : NO_CHANGE;
        if (delta.length == 1 && delta[0] == 0) {
            delta = NO_CHANGE; // only hidden properties changed
        }
        if (delta.length == 0 && !session.owesAnswer()) {
            holder.outbox.clearUpdates();
            holder.changedAt = -1; // nothing the client sees changed: nothing to time
            return;
        }
        if (!session.outbound.trySend(new ClientPush(session.ackSeq, session.durableSeq, delta, session.refusals))) {
            holder.push = loop.schedule(OutboundQueue.RETRY_NANOS, () -> {
                holder.push = null;
                push(session);
            });
            return;
        }
        holder.outbox.clearUpdates();
        if (delta.length > 0) {
            holder.pushed.pushed(holder.entry.version, session);
        }
        session.answered();
        holder.lastPushAt = loop.nanoTime();
        if (holder.changedAt >= 0 && delta.length > 0) {
            metrics.pushed(Role.CLIENT, holder.lastPushAt - holder.changedAt);
        }
        holder.changedAt = -1;
    }
}
