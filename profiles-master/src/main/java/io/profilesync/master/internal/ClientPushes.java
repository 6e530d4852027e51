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
 * <p>The debounce keeps a steady period: a change that finds the debounce over is pushed at once and anchors the
 * period {@link #ARRIVAL_MARGIN_NANOS} after itself; while changes keep coming, each push falls due exactly a debounce
 * after the one before was due, not after it was sent, so the loop's lateness does not make the pushes drift against
 * the game servers' ticks (the old master's pushes drifted only by that lateness and stayed at the phase of their
 * first push; a 10 ms grid made them sweep through the tick and cost half a tick on average: MST's cadence in
 * BENCHMARKS.md). A push sent late (a full write buffer, a loop busy beyond the margin) counts the next debounce from
 * when it was sent, so no two pushes are less than a debounce apart by more than the margin.
 *
 * <p>Threading: the profile thread only.
 */
final class ClientPushes {
    private static final byte[] NO_CHANGE = new byte[0];

    private final EventLoop loop;
    private final MasterMetrics metrics;
    private final PropertyView clientView;
    private final long debounceNanos;
    private final long marginNanos;

    ClientPushes(MasterConfig config, EventLoop loop, MasterMetrics metrics, PropertyView clientView) {
        this.loop = loop;
        this.metrics = metrics;
        this.clientView = clientView;
        this.debounceNanos = config.clientUpdateDebounce().toNanos();
        this.marginNanos = Math.min(ARRIVAL_MARGIN_NANOS, debounceNanos / 4);
    }

    /**
     * How long after the batch that opened a debounce its pushes fall due. A client written by a game server whose
     * tick divides the debounce (MST's 100 ms and 1 s) then hears each batch just after it arrives, every debounce,
     * rather than just before the next one arrives (a value a whole tick old): two ties the margin breaks, the
     * virtual time's exact one and the real clocks' jitter.
     */
    static final long ARRIVAL_MARGIN_NANOS = 10_000_000;

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
        long due = holder.pushAnchor + debounceNanos;
        holder.pushDueAt = due - now <= 0 ? Long.MIN_VALUE : due;
        holder.push = loop.schedule(due - now, () -> {
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
        long now = loop.nanoTime();
        long dueAt = holder.pushDueAt;
        holder.pushDueAt = Long.MIN_VALUE;
        if (dueAt == Long.MIN_VALUE) {
            holder.pushAnchor = now + marginNanos; // opened by this change: the next ones fall just after theirs
        } else {
            holder.pushAnchor = now - dueAt <= marginNanos ? dueAt : now; // on time: the period stays exact
        }
        if (holder.changedAt >= 0 && delta.length > 0) {
            metrics.pushed(Role.CLIENT, now - holder.changedAt);
        }
        holder.changedAt = -1;
    }
}
