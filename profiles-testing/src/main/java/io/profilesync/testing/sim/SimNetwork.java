package io.profilesync.testing.sim;

import io.profilesync.master.transport.websocket.PeerEvents;
import io.profilesync.protocol.internal.Connector;
import io.profilesync.protocol.internal.Messages.Message;
import io.profilesync.protocol.internal.PeerChannel;
import java.net.ConnectException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * In-memory connections between the peers and the master, under virtual time. Each connection delivers in order
 * (TCP), with a latency of its own plus jitter; each direction holds at most {@code capacity} messages in flight, so
 * a reader that stalls (it stops reading for a while) makes the writer's {@code trySend} say no. Any message may be
 * the last: the connection is then cut, the messages in flight are lost, and each end learns it through its
 * disconnect input. A graceful close still delivers what was sent before it.
 *
 * <p>Threading: single-threaded, as the whole simulation.
 */
public final class SimNetwork {
    /** The fault rates of one run (swarm testing: each seed picks its own). */
    public record Faults(double dropPerMessage, double connectFailure, double stallPerMessage, long maxStallNanos,
                         int minCapacity, int maxCapacity, long maxLatencyNanos) {
        public static Faults none() {
            return new Faults(0, 0, 0, 0, 1024, 1024, 200_000);
        }
    }

    private final VirtualScheduler scheduler;
    private final Random random;
    private final Trace trace;
    private final List<Connection> connections = new ArrayList<>();
    private Faults faults;
    private PeerEvents master;
    private NodeLoop masterLoop;
    private int nextConnectionId = 1;

    public SimNetwork(VirtualScheduler scheduler, Random random, Trace trace, Faults faults) {
        this.scheduler = scheduler;
        this.random = random;
        this.trace = trace;
        this.faults = faults;
    }

    /** Changes the fault rates (the run turns them off before it lets the system quiesce). */
    public void faults(Faults value) {
        this.faults = value;
    }

    /** The master (re)started: new connections reach {@code inputs} on {@code loop}. */
    public void masterUp(PeerEvents inputs, NodeLoop loop) {
        this.master = inputs;
        this.masterLoop = loop;
    }

    /** The master crashed: every connection to it is cut; only the peers learn it (the master is gone). */
    public void masterDown() {
        for (Connection connection : List.copyOf(connections)) {
            if (connection.masterLoop == masterLoop) {
                connection.sever("master crashed");
            }
        }
        master = null;
        masterLoop = null;
    }

    /** Cuts every connection of {@code peerLoop} (its process died): the master learns it, the peer is gone. */
    public void peerDown(NodeLoop peerLoop) {
        for (Connection connection : List.copyOf(connections)) {
            if (connection.peerLoop == peerLoop) {
                connection.sever(peerLoop.name() + " died");
            }
        }
    }

    /** Cuts every open connection (a network blip): what is in flight is lost, both ends learn it; nobody dies. */
    public void cutAll(String why) {
        for (Connection connection : List.copyOf(connections)) {
            connection.sever(why);
        }
    }

    /** Connections still open (neither closed nor cut). */
    public int openConnections() {
        return connections.size();
    }

    /** A {@link Connector} for the peer core that runs on {@code peerLoop}. */
    public Connector connector(NodeLoop peerLoop) {
        return new Connector() {
            @Override
            public void connect(Events events) {
                long delay = latency();
                trace.add(peerLoop.name() + " connects");
                peerLoop.schedule(delay, () -> open(peerLoop, events));
            }
        };
    }

    private void open(NodeLoop peerLoop, Connector.Events events) {
        if (master == null || random.nextDouble() < faults.connectFailure()) {
            String why = master == null ? "master is down" : "connection refused (fault)";
            trace.add(peerLoop.name() + " connect failed: " + why);
            events.onOpenFailed(new ConnectException(why));
            return;
        }
        Connection connection = new Connection(nextConnectionId++, peerLoop, events);
        connections.add(connection);
        trace.add(connection.name + " open");
        PeerEvents inputs = master;
        masterLoop.execute(() -> inputs.onConnected(connection.masterEnd));
        events.onOpen(connection.peerEnd);
    }

    private long latency() {
        return 50_000 + (long) (random.nextDouble() * faults.maxLatencyNanos());
    }

    /** One connection: the master's end and the peer's end, one direction each way. */
    private final class Connection {
        final int id;
        final String name;
        final NodeLoop peerLoop;
        final NodeLoop masterLoop;
        final PeerEvents masterInputs;
        final Connector.Events peerEvents;
        final Direction toMaster;
        final Direction toPeer;
        final End masterEnd;
        final End peerEnd;
        boolean open = true;

        Connection(int id, NodeLoop peerLoop, Connector.Events peerEvents) {
            this.id = id;
            this.name = "conn " + id + " (" + peerLoop.name() + ")";
            this.peerLoop = peerLoop;
            this.masterLoop = SimNetwork.this.masterLoop;
            this.masterInputs = SimNetwork.this.master;
            this.peerEvents = peerEvents;
            int span = faults.maxCapacity() - faults.minCapacity();
            this.toMaster = new Direction(faults.minCapacity() + (span <= 0 ? 0 : random.nextInt(span + 1)));
            this.toPeer = new Direction(faults.minCapacity() + (span <= 0 ? 0 : random.nextInt(span + 1)));
            this.masterEnd = new End(true);
            this.peerEnd = new End(false);
        }

        /** A fault cuts the connection: what is in flight is lost, both ends learn it. */
        void sever(String why) {
            if (!open) {
                return;
            }
            open = false;
            connections.remove(this);
            trace.add(name + " cut: " + why);
            masterEnd.disconnectAfter(latency(), false);
            peerEnd.disconnectAfter(latency(), false);
        }

        /** One end closed the connection: what it sent still arrives, then the other end learns of the close. */
        void close(End closer) {
            if (!open) {
                return;
            }
            open = false;
            connections.remove(this);
            trace.add(name + " closed by the " + (closer.atMaster ? "master" : "peer"));
            End other = closer == masterEnd ? peerEnd : masterEnd;
            Direction outgoing = closer.atMaster ? toPeer : toMaster;
            closer.disconnectAfter(0, false);
            other.disconnectAfter(Math.max(outgoing.lastDeliveryAt - scheduler.nanoTime(), 0) + latency(), true);
        }

        /** A message on its way, and whether the connection is cut once it is delivered. */
        private record InFlight(Message message, boolean cutAfter) {
        }

        /** One direction: messages in flight, in order. */
        final class Direction {
            final int capacity;
            /** In the order sent; each delivery task hands over the oldest, so no message overtakes another. */
            final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
            long lastDeliveryAt;
            long stalledUntil;

            Direction(int capacity) {
                this.capacity = capacity;
            }
        }

        /** One end of the connection, the channel its core holds. */
        final class End implements PeerChannel {
            final boolean atMaster;
            boolean disconnectScheduled;
            boolean gracefulDeliveries;

            End(boolean atMaster) {
                this.atMaster = atMaster;
            }

            @Override
            public boolean trySend(Message message) {
                if (!open) {
                    return false;
                }
                Direction direction = atMaster ? toPeer : toMaster;
                if (direction.inFlight.size() >= direction.capacity) {
                    if (trace.enabled()) {
                        trace.add(name + (atMaster ? " master->peer" : " peer->master") + " full ("
                                + direction.capacity + " in flight): " + Describe.of(message));
                    }
                    return false;
                }
                if (random.nextDouble() < faults.stallPerMessage()) {
                    long stall = (long) (random.nextDouble() * faults.maxStallNanos());
                    direction.stalledUntil = Math.max(direction.stalledUntil, scheduler.nanoTime() + stall);
                    trace.add(name + (atMaster ? " peer" : " master") + " stops reading for " + stall / 1000 + " us");
                }
                boolean cutBefore = random.nextDouble() < faults.dropPerMessage();
                boolean cutAfter = !cutBefore && random.nextDouble() < faults.dropPerMessage();
                if (trace.enabled()) {
                    trace.add(name + (atMaster ? " master->peer " : " peer->master ") + Describe.of(message));
                }
                if (cutBefore) {
                    sever("dropped with that message");
                    return true;
                }
                direction.inFlight.addLast(new InFlight(message, cutAfter));
                long at = Math.max(direction.lastDeliveryAt, scheduler.nanoTime() + latency());
                direction.lastDeliveryAt = at;
                NodeLoop receiver = atMaster ? peerLoop : masterLoop;
                receiver.schedule(at - scheduler.nanoTime(), () -> deliver(direction));
                return true;
            }

            /**
             * One delivery task per message sent: it hands over the oldest message in flight, not the one it was
             * scheduled for. A task put off by a stall is queued again for the stall's end, and a stall extended
             * meanwhile can queue a later message's task ahead of an earlier one's, so tasks may run out of order;
             * the messages must not (TCP). The oldest is always due when any task runs (due times only grow).
             */
            private void deliver(Direction direction) {
                if (!open && !(gracefulDeliveriesFor(direction))) {
                    return;
                }
                long now = scheduler.nanoTime();
                if (direction.stalledUntil > now) {
                    NodeLoop receiver = atMaster ? peerLoop : masterLoop;
                    receiver.schedule(direction.stalledUntil - now, () -> deliver(direction));
                    return;
                }
                InFlight next = direction.inFlight.pollFirst();
                if (next == null) {
                    return;
                }
                Message message = next.message();
                if (atMaster) {
                    peerEvents.onMessage(peerEnd, message);
                } else {
                    masterInputs.onReceived(masterEnd, message);
                }
                if (next.cutAfter()) {
                    sever("dropped after that message");
                }
            }

            /** After a graceful close, what the closer sent before it is still delivered. */
            private boolean gracefulDeliveriesFor(Direction direction) {
                End receiverEnd = direction == toPeer ? peerEnd : masterEnd;
                return receiverEnd.gracefulDeliveries;
            }

            void disconnectAfter(long delay, boolean graceful) {
                if (disconnectScheduled) {
                    return;
                }
                disconnectScheduled = true;
                gracefulDeliveries = graceful;
                NodeLoop loop = atMaster ? masterLoop : peerLoop;
                loop.schedule(delay, () -> {
                    gracefulDeliveries = false;
                    trace.add(name + (atMaster ? " master" : " peer") + " learns the connection ended");
                    if (atMaster) {
                        masterInputs.onDisconnected(this);
                    } else {
                        peerEvents.onClosed(this);
                    }
                });
            }

            @Override
            public void close() {
                Connection.this.close(this);
            }

            @Override
            public String remoteAddress() {
                return atMaster ? "sim-" + peerLoop.name() + ":" + id : "sim-master:7777";
            }

            @Override
            public String describe() {
                return name;
            }

            @Override
            public String toString() {
                return describe();
            }

            /**
             * Stable across replays (identity hash codes are not), so a core that keeps channels in a hash map
             * still iterates them in the same order on every run of a seed.
             */
            @Override
            public int hashCode() {
                return id * 2 + (atMaster ? 1 : 0);
            }

            @Override
            public boolean equals(Object other) {
                return this == other;
            }
        }
    }
}
