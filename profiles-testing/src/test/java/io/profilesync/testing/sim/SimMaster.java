package io.profilesync.testing.sim;

import io.profilesync.core.DatabaseException;
import io.profilesync.core.IProfilesDatabaseAccessor;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.PropertyView;
import io.profilesync.gameserver.ProfilesServer;
import io.profilesync.gameserver.ProfilesServerConfig;
import io.profilesync.gameserver.internal.GameServerCore;
import io.profilesync.master.AuthenticationException;
import io.profilesync.master.MasterConfig;
import io.profilesync.master.internal.MasterCore;
import io.profilesync.master.internal.MasterCoreEvents;
import io.profilesync.master.transport.websocket.PeerEvents;
import io.profilesync.populators.ProfileSchema;
import io.profilesync.protocol.ReconnectBackoff;
import io.profilesync.protocol.internal.Connector;
import io.profilesync.protocol.internal.Messages.ClientUpdate;
import io.profilesync.protocol.internal.Messages.Hello;
import io.profilesync.protocol.internal.Messages.Message;
import io.profilesync.protocol.internal.Messages.ServerBatch;
import io.profilesync.protocol.internal.Messages.ServerTransaction;
import io.profilesync.protocol.internal.Messages.Welcome;
import io.profilesync.protocol.internal.PeerChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The real master for the tiers' tests: a {@link MasterCore} on the {@link SimNetwork} under virtual time, its
 * database in memory (a {@link FaultyAccessor} without faults). The game-server and client cores under test connect
 * to it through {@link #connector(NodeLoop)}, so what a test checks is what the master does.
 *
 * <p>Around the core it records every message that reaches the master from a peer and counts the welcomes it sends,
 * and notes it when an instance numbers its batches with a gap ({@link #violations()}). What a test needs to go wrong,
 * it makes go wrong the way it does in production: the database fails, or never answers, the loads of one user; the
 * network loses everything that travels one way until the connections are cut; the connections are cut.
 *
 * <p>Threading: single-threaded: the test's thread runs the whole simulation, every peer's core on its own
 * {@link NodeLoop} of the one {@link VirtualScheduler}; call the cores and this class only between its runs.
 */
public final class SimMaster {
    /** The game servers' secret. */
    public static final String SECRET = "tier-test-game-server-secret";
    private static final long STEP_NANOS = 1_000_000;
    private static final long PATIENCE_NANOS = Duration.ofSeconds(60).toNanos();
    private static final long MAX_TASKS = 10_000_000;

    private final VirtualScheduler scheduler = new VirtualScheduler();
    private final Random random = new Random(1);
    private final SimNetwork network = new SimNetwork(scheduler, random, new Trace(false, scheduler),
            SimNetwork.Faults.none());
    private final NodeLoop loop = new NodeLoop(scheduler, "master");
    private final FaultyAccessor database = new FaultyAccessor(random, new Trace(false, scheduler),
            FaultyAccessor.Faults.none());
    private final MasterCore core;
    private final Set<String> failingLoads = new TreeSet<>();
    private final Set<String> heldLoads = new TreeSet<>();
    /** The answers the database owes, by user id. */
    private final Map<String, List<Runnable>> held = new TreeMap<>();
    private final List<Message> received = new ArrayList<>();
    private final List<Message> sent = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    /** The highest batch number each instance id handed to the core. */
    private final Map<Long, Long> lastSeq = new TreeMap<>();
    private boolean loseToMaster;
    private boolean loseToPeers;
    private int welcomes;

    private SimMaster(ProfileSchema schema, Map<String, String> tokens, UnaryOperator<MasterConfig.Builder> tweak) {
        database.attach(loop);
        MasterConfig.Builder config = MasterConfig.builder()
                .gameServerSecret(SECRET)
                .clientAuthenticator(token -> tokens.containsKey(token)
                        ? CompletableFuture.completedFuture(tokens.get(token))
                        : CompletableFuture.failedFuture(new AuthenticationException("unknown token; log in again")))
                .clientUpdateDebounce(Duration.ofMillis(20))
                .saveProfileDebounce(Duration.ofMillis(50))
                // A load the test holds must not time out on the master before the peer's own timeout.
                .profileLoadTimeout(Duration.ofSeconds(60));
        core = new MasterCore(tweak.apply(config).build(), schema, new ScriptedDatabase(), loop);
        network.masterUp(new Recorder(new MasterCoreEvents(core)), loop);
    }

    /**
     * A master of {@code schema} that accepts the game-server secret {@link #SECRET} and, from clients, the tokens of
     * {@code tokens} (token to user id); {@code tweak} changes the rest of its configuration.
     */
    public static SimMaster start(ProfileSchema schema, Map<String, String> tokens,
            UnaryOperator<MasterConfig.Builder> tweak) {
        return new SimMaster(schema, Map.copyOf(tokens), tweak);
    }

    // ---------------------------------------------------------------- peers and time

    /** A new node for a peer's core. */
    public NodeLoop peerLoop(String name) {
        return new NodeLoop(scheduler, name);
    }

    /** How the core running on {@code peerLoop} reaches this master. */
    public Connector connector(NodeLoop peerLoop) {
        return network.connector(peerLoop);
    }

    /** A seed for a peer's instance id or random source, the same on every run of the test. */
    public long seed() {
        return random.nextLong();
    }

    /**
     * A game server's core for {@code schema} named {@code name} (its {@code index} seeds it), ticking every 10 ms,
     * connected and welcomed by this master, telling every refusal to {@code refused}.
     */
    public GameServerCore gameServer(String name, int index, ProfileSchema schema,
            ProfilesServer.RefusalListener refused) throws ExecutionException {
        ProfilesServerConfig config = ProfilesServerConfig.builder().host("sim-master").port(7777)
                .secret(SECRET).schemaFingerprint(schema.fingerprint())
                .updateInterval(Duration.ofMillis(10))
                .reconnectBackoff(new ReconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200), 0.2)).build();
        NodeLoop peer = peerLoop(name);
        GameServerCore server = new GameServerCore(config, peer, connector(peer), seed() + index,
                new SplittableRandom(seed() + index));
        server.addRefusalListener(refused);
        server.start();
        result(server.peer().connected());
        return server;
    }

    /** Lets {@code duration} of virtual time pass. */
    public void run(Duration duration) {
        runTasksUntil(scheduler.nanoTime() + duration.toNanos());
    }

    /** Runs until {@code done} holds (checked every virtual millisecond); fails after a minute of virtual time. */
    public void runUntil(String what, BooleanSupplier done) {
        long deadline = scheduler.nanoTime() + PATIENCE_NANOS;
        while (!done.getAsBoolean()) {
            if (scheduler.nanoTime() >= deadline) {
                throw new AssertionError("not within " + PATIENCE_NANOS / 1_000_000_000 + " s of virtual time: "
                        + what);
            }
            runTasksUntil(scheduler.nanoTime() + STEP_NANOS);
        }
    }

    /** Runs for {@code duration}, failing as soon as {@code holds} does not. */
    public void runWhile(String what, Duration duration, BooleanSupplier holds) {
        long end = scheduler.nanoTime() + duration.toNanos();
        while (scheduler.nanoTime() < end) {
            if (!holds.getAsBoolean()) {
                throw new AssertionError("no longer true after " + (scheduler.nanoTime() - end + duration.toNanos())
                        / 1_000_000 + " ms of virtual time: " + what);
            }
            runTasksUntil(Math.min(end, scheduler.nanoTime() + STEP_NANOS));
        }
    }

    /**
     * Runs until {@code future} completes and returns its value.
     *
     * @throws ExecutionException when it failed, with its cause
     */
    public <T> T result(CompletableFuture<T> future) throws ExecutionException {
        runUntil("the future completes", future::isDone);
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void runTasksUntil(long deadline) {
        if (scheduler.runUntil(deadline, MAX_TASKS)) {
            throw new AssertionError("more than " + MAX_TASKS + " tasks before " + deadline + " ns (a busy loop)");
        }
    }

    // ---------------------------------------------------------------- the master's state

    /** Changes a profile on the master itself, as an operator's tool does, and runs until the change is made. */
    public void change(String userId, Consumer<ObservableServerProfile> edit) throws ExecutionException {
        result(core.edit(userId, edit));
    }

    /** The master's copy of the profile of {@code userId}, which it must have loaded. */
    public ObservableServerProfile profile(String userId) {
        return core.loadedProfile(userId).orElseThrow(() -> new AssertionError("the master has not loaded "
                + userId));
    }

    public byte[] profileBytes(String userId) {
        return profile(userId).toBytes();
    }

    public byte[] profileBytes(String userId, PropertyView view) {
        return profile(userId).toBytes(view);
    }

    /** The master core itself. */
    public MasterCore core() {
        return core;
    }

    // ---------------------------------------------------------------- what went wrong, on purpose

    /** The database fails every load of the profile of {@code userId} (the master retries, then gives up). */
    public void failLoadsOf(String userId) {
        failingLoads.add(userId);
    }

    public void stopFailingLoadsOf(String userId) {
        failingLoads.remove(userId);
    }

    /** The database does not answer loads of the profile of {@code userId} until {@link #answerLoadsOf}. */
    public void holdLoadsOf(String userId) {
        heldLoads.add(userId);
    }

    /** The database answers the held loads of {@code userId}, and the next ones at once. */
    public void answerLoadsOf(String userId) {
        heldLoads.remove(userId);
        List<Runnable> due = held.remove(userId);
        if (due != null) {
            due.forEach(Runnable::run);
        }
    }

    /**
     * While on, the network loses every message the peers send to the master, on every open connection (which stay
     * open, as a TCP connection whose tail is lost until it breaks): what the peers sent there stays unacknowledged.
     */
    public void loseToMaster(boolean on) {
        loseToMaster = on;
    }

    /**
     * While on, the network loses every message the master sends (pushes, acknowledgements), while the master itself
     * goes on applying what arrives.
     */
    public void loseToPeers(boolean on) {
        loseToPeers = on;
    }

    /** Cuts every connection (the peers see an unexpected disconnect, and the master too). */
    public void cutConnections() {
        network.cutAll("cut by the test");
    }

    // ---------------------------------------------------------------- what happened

    /** Every message that reached the master from a peer, in order, also those lost there on purpose. */
    public List<Message> received() {
        return List.copyOf(received);
    }

    public <T> List<T> received(Class<T> type) {
        return only(type, received);
    }

    /** Every message of {@code type} the master sent to a peer, in order (none the network lost on purpose). */
    public <T> List<T> sent(Class<T> type) {
        return only(type, sent);
    }

    private static <T> List<T> only(Class<T> type, List<Message> messages) {
        List<T> result = new ArrayList<>();
        for (Message message : messages) {
            if (type.isInstance(message)) {
                result.add(type.cast(message));
            }
        }
        return result;
    }

    /** How many Welcomes the master sent (and the network did not lose). */
    public int welcomes() {
        return welcomes;
    }

    /** Batch numbers some instance skipped ("instance 7 sent seq 3 after 1"); empty when all went by the book. */
    public List<String> violations() {
        return List.copyOf(violations);
    }

    // ---------------------------------------------------------------- around the core

    /** The core's network inputs, recorded and, on purpose, lost. */
    private final class Recorder implements PeerEvents {
        private final PeerEvents core;
        private final Map<PeerChannel, Watched> channels = new HashMap<>();

        Recorder(PeerEvents core) {
            this.core = core;
        }

        @Override
        public void onConnected(PeerChannel channel) {
            Watched watched = new Watched(channel);
            channels.put(channel, watched);
            core.onConnected(watched);
        }

        @Override
        public void onReceived(PeerChannel channel, Message message) {
            Watched watched = channels.get(channel);
            received.add(message);
            if (loseToMaster) {
                return;
            }
            if (message instanceof Hello hello) {
                watched.instanceId = hello.instanceId();
            } else if (message instanceof ServerBatch batch) {
                numbered(watched.instanceId, batch.seq());
            } else if (message instanceof ServerTransaction transaction) {
                numbered(watched.instanceId, transaction.seq());
            } else if (message instanceof ClientUpdate update) {
                numbered(watched.instanceId, update.seq());
            }
            core.onReceived(watched, message);
        }

        @Override
        public void onDisconnected(PeerChannel channel) {
            core.onDisconnected(channels.remove(channel));
        }

        private void numbered(long instanceId, long seq) {
            long last = lastSeq.getOrDefault(instanceId, 0L);
            if (seq > last + 1) {
                violations.add("instance " + instanceId + " sent seq " + seq + " after " + last);
            }
            lastSeq.put(instanceId, Math.max(last, seq));
        }
    }

    /** The master's end of one connection, as the core holds it. */
    private final class Watched implements PeerChannel {
        private final PeerChannel channel;
        long instanceId;

        Watched(PeerChannel channel) {
            this.channel = channel;
        }

        @Override
        public boolean trySend(Message message) {
            if (loseToPeers) {
                return true; // taken by the network, and lost
            }
            boolean taken = channel.trySend(message);
            if (taken) {
                sent.add(message);
                welcomes += message instanceof Welcome ? 1 : 0;
            }
            return taken;
        }

        @Override
        public void close() {
            channel.close();
        }

        @Override
        public String remoteAddress() {
            return channel.remoteAddress();
        }

        @Override
        public String describe() {
            return channel.describe();
        }

        @Override
        public int hashCode() {
            return channel.hashCode();
        }

        @Override
        public boolean equals(Object other) {
            return this == other;
        }
    }

    /** The in-memory database, with the loads a test makes fail or wait. */
    private final class ScriptedDatabase implements IProfilesDatabaseAccessor {
        @Override
        public CompletableFuture<Boolean> restoreProfileAsync(ObservableServerProfile profile) {
            String userId = profile.userId();
            CompletableFuture<Boolean> result = new CompletableFuture<>();
            if (failingLoads.contains(userId)) {
                loop.execute(() -> result.completeExceptionally(new DatabaseException("database down (scripted) "
                        + "for user '" + userId + "'")));
            } else if (heldLoads.contains(userId)) {
                held.computeIfAbsent(userId, u -> new ArrayList<>()).add(() -> database.restoreProfileAsync(profile)
                        .whenComplete((found, error) -> {
                            if (error != null) {
                                result.completeExceptionally(error);
                            } else {
                                result.complete(found);
                            }
                        }));
            } else {
                return database.restoreProfileAsync(profile);
            }
            return result;
        }

        @Override
        public CompletableFuture<Void> updateProfilesAsync(Collection<? extends ObservableServerProfile> profiles) {
            return database.updateProfilesAsync(profiles);
        }
    }
}
