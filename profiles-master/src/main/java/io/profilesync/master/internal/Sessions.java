package io.profilesync.master.internal;

import io.profilesync.protocol.RefusalCode;
import io.profilesync.protocol.internal.EventLoop;
import io.profilesync.protocol.internal.Messages.Refused;
import io.profilesync.protocol.internal.PeerChannel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connected peers, by channel (insertion-ordered: the same order on every run), and how a session ends: a
 * disconnect, a refusal, a protocol violation, a peer that does not read. When one ends, {@code onClosed} lets the
 * holder rooms release what it held.
 *
 * <p>Threading: the profile thread only.
 */
final class Sessions {
    private static final Logger LOG = LoggerFactory.getLogger(Sessions.class);
    /** A moment's grace so a Refused message leaves before the connection closes. */
    static final long CLOSE_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final EventLoop loop;
    private final MasterMetrics metrics;
    private final Consumer<Session> onClosed;
    private final Map<PeerChannel, Session> byChannel = new LinkedHashMap<>();
    private final long maxQueuedBytes;

    Sessions(EventLoop loop, MasterMetrics metrics, Consumer<Session> onClosed, long maxQueuedBytes) {
        this.maxQueuedBytes = maxQueuedBytes;
        this.loop = loop;
        this.metrics = metrics;
        this.onClosed = onClosed;
    }

    Session open(PeerChannel channel) {
        Session session = new Session(channel, loop.nanoTime(), s -> new OutboundQueue(channel, loop, metrics, () -> stalled(s),
                maxQueuedBytes));
        byChannel.put(channel, session);
        return session;
    }

    /** The open session of {@code channel}, or null. */
    Session get(PeerChannel channel) {
        Session session = byChannel.get(channel);
        return session == null || !session.open() ? null : session;
    }

    /** Every session, in the order they connected (a copy: closing one while walking it is fine). */
    List<Session> all() {
        return new ArrayList<>(byChannel.values());
    }

    /** The connection ended (or the master ends it): the session closes and releases what it held. Idempotent. */
    void closed(Session session) {
        byChannel.remove(session.channel);
        if (!session.open()) {
            return;
        }
        boolean wasReady = session.ready();
        session.state = Session.State.CLOSED;
        if (session.authenticationTimeout != null) {
            session.authenticationTimeout.cancel();
        }
        session.outbound.close();
        if (wasReady) {
            metrics.peerGone(session.role);
        }
        onClosed.accept(session);
        LOG.info("{} disconnected", session);
    }

    /** Tells the peer why it is refused, and closes it. */
    void refuse(Session session, RefusalCode code, String reason) {
        LOG.warn("Refused {}: {} ({})", session, reason, code);
        metrics.handshakeRefused(code.name().toLowerCase(java.util.Locale.ROOT));
        session.outbound.send(new Refused(code, reason));
        closeSoon(session);
    }

    /** The peer broke the protocol: it is told so, and closed. */
    void violation(Session session, String what) {
        LOG.warn("Disconnecting {}: it {}", session, what);
        session.outbound.send(new Refused(RefusalCode.BAD_MESSAGE, "protocol violation: the peer " + what));
        closeSoon(session);
    }

    /** Closes the session now, and its channel after a moment's grace so what was just sent can leave. */
    private void closeSoon(Session session) {
        closed(session);
        loop.schedule(CLOSE_GRACE_NANOS, session.channel::close);
    }

    private void stalled(Session session) {
        LOG.warn("Disconnecting {}: it reads too slowly ({} messages wait for its write buffer)", session,
                session.outbound.size());
        closed(session);
        session.channel.close();
    }
}
