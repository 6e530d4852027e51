package io.profilesync.testing.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.profilesync.client.ProfilesClientConfig;
import io.profilesync.client.internal.ClientCore;
import io.profilesync.core.ObservableProfile;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.gameserver.ProfilesServerConfig;
import io.profilesync.gameserver.internal.GameServerCore;
import io.profilesync.master.MasterConfig;
import io.profilesync.master.internal.BrokenOnPurpose;
import io.profilesync.master.internal.MasterCore;
import io.profilesync.master.internal.MasterCoreEvents;
import io.profilesync.protocol.ConnectionState;
import io.profilesync.protocol.ReconnectBackoff;
import io.profilesync.protocol.TransactionRefusedException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * One seeded run of the whole system: the real {@link MasterCore}, real game-server and client cores, the
 * {@link FaultyAccessor}, wired by {@link SimNetwork} under the {@link VirtualScheduler}. A run is a pure function of
 * its seed (and the broken variants it is given): a chaos phase where the workload and the faults of the seed's
 * {@link Swarm} act, then a calm phase (faults off, the master up) in which everything must quiesce, then the
 * invariants.
 *
 * <p>Threading: single-threaded; a run is not reused.
 */
public final class SimulationRun {
    /** The invariants, with the names reports use. */
    public enum Invariant {
        CONVERGENCE("every copy converges to the master's"),
        APPLIED_ONCE("no batch is applied twice"),
        NO_DIRTY_UNLOAD("no dirty profile is unloaded"),
        ANSWERED("every request gets an answer"),
        ACKNOWLEDGED_KEPT("nothing durably acknowledged is lost, even across master crashes"),
        FLUSHED_DURABLE("a completed flush is in the database"),
        DERIVED_TOGETHER("a reaction's change is saved and relayed with the change that triggered it"),
        REFUSED_ALONE("a refusal takes only its property: every other write of a running writer is kept"),
        INCREMENTS_COUNTED("every increment counts once, whoever else increments concurrently"),
        ATOMIC_WHOLE("an atomic purchase applies whole or not at all: every item paid for, the purse never below 0, "
                + "a completed one durable, a refused one nowhere"),
        REMOVED_AS_SEEN("each remove by index deletes the element its writer saw: no other writer's element goes, "
                + "and the one it saw does"),
        QUIESCENCE("the system quiesces once faults stop"),
        NO_EXCEPTION("no core throws");

        private final String text;

        Invariant(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    /** One broken invariant. */
    public record Violation(Invariant invariant, String detail) {
        @Override
        public String toString() {
            return invariant + " (" + invariant.text() + "): " + detail;
        }
    }

    /**
     * What a run found. {@code appliedLostAcrossCrash} are changes the master had applied (its writers' confirmed
     * copies showed them) but never durably acknowledged, lost with a master crash because their writer was gone too
     * (a writer that lives sends them again): the promise allows it, so they are reported apart from violations.
     */
    public record Result(long seed, List<Violation> violations, List<String> appliedLostAcrossCrash, String trace,
                         long tasks, long virtualNanos) {
        public boolean failed() {
            return !violations.isEmpty();
        }
    }

    private static final String SECRET = "sim-game-server-secret";
    private static final long CALM_LIMIT_NANOS = 60_000_000_000L;
    private static final long MAX_TASKS = 3_000_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final long seed;
    private final Set<BrokenOnPurpose> broken;
    /** {@link BrokenOnPurpose#INCREMENTS_AS_VALUES}: the writers increment as MST did. */
    private final boolean incrementAsValue;
    private final Random random;
    private final VirtualScheduler scheduler = new VirtualScheduler();
    private final Trace trace;
    private final Swarm swarm;
    private final SimNetwork network;
    private final FaultyAccessor accessor;
    private final List<String> users = new ArrayList<>();
    private final List<Violation> violations = new ArrayList<>();
    private final List<String> lostAcrossCrash = new ArrayList<>();
    /** Token to the user whose profile holds it, for every token some writer was told the master accepted. */
    private final Map<String, String> applied = new TreeMap<>();
    /**
     * Token to its user, for every token whose writer was told it is durable: the writer's own token in its confirmed
     * copy while that copy has nothing unsent and no batch awaiting its durable acknowledgement.
     */
    private final Map<String, String> durable = new TreeMap<>();
    /** Token to the name of the peer incarnation that wrote it (master edits are not here). */
    private final Map<String, String> writtenBy = new TreeMap<>();
    /** Token to the virtual time it was written. */
    private final Map<String, Long> writtenAt = new TreeMap<>();
    /** Each writer's last connection loss, on the virtual clock. */
    private final Map<String, Long> lastConnectionLoss = new TreeMap<>();
    /** Each token's profile (user id). */
    private final Map<String, String> writtenFor = new TreeMap<>();
    /** "writer/user" to the virtual time of the last refusal that writer was told about that user's profile. */
    private final Map<String, Long> lastRefusal = new TreeMap<>();
    private final List<GameServerNode> gameServers = new ArrayList<>();
    private final List<ClientNode> clients = new ArrayList<>();
    /** The master's profiles as last seen after a task, to catch one unloaded while dirty. */
    private final Map<String, ObservableServerProfile> seenLoaded = new TreeMap<>();
    /** Each shelf token's writer (peer incarnation) and user. */
    private final Map<String, String> shelfOwner = new TreeMap<>();
    private final Map<String, String> shelfFor = new TreeMap<>();
    /** The shelf tokens their writer removed, to the virtual time it did. */
    private final Map<String, Long> shelfRemovedAt = new TreeMap<>();
    /** Shelf tokens durably in place: seen in their writer's settled confirmed copy. */
    private final Set<String> shelfPlaced = new TreeSet<>();
    /** "writer/user" to the virtual time of that writer's last remove from that user's shelf. */
    private final Map<String, Long> lastShelfRemove = new TreeMap<>();
    /** "writer/user" to the virtual time of the last refusal of a shelf edit the writer heard of. */
    private final Map<String, Long> lastShelfRefusal = new TreeMap<>();
    /**
     * The users whose shelf a remove may have reached a master without its base: sent again after a reconnection or
     * to a new master, it applies at its index (the copy's snapshot says nothing of which element is which).
     */
    private final Set<String> shelfAtItsIndex = new TreeSet<>();
    /** The writers whose connection is down: a remove made meanwhile goes out on the snapshot's view. */
    private final Set<String> disconnected = new TreeSet<>();
    /** When each writer last connected: its snapshots follow shortly. */
    private final Map<String, Long> lastConnected = new TreeMap<>();
    /** How long after connecting a writer may still be editing the view from before (its snapshot not yet in). */
    private static final long SNAPSHOT_WINDOW_NANOS = 200_000_000L;
    /** How long before a reconnection a remove may still be sent again (its batch not yet durable). */
    private static final long RESEND_WINDOW_NANOS = 5_000_000_000L;
    /** The purchases whose writer was told they were refused (token to user): never to be seen anywhere. */
    private final Map<String, String> refusedPurchases = new TreeMap<>();

    private NodeLoop masterLoop;
    private MasterCore master;
    private int masterIncarnation;
    private int masterCrashes;
    private boolean chaos = true;
    private long nextToken;
    private long steps;

    public SimulationRun(long seed, boolean traced, Set<BrokenOnPurpose> broken) {
        this.seed = seed;
        this.broken = broken;
        this.incrementAsValue = broken.contains(BrokenOnPurpose.INCREMENTS_AS_VALUES);
        this.random = new Random(seed);
        this.trace = new Trace(traced, scheduler);
        this.swarm = Swarm.draw(random);
        this.network = new SimNetwork(scheduler, random, trace, swarm.network());
        this.accessor = new FaultyAccessor(random, trace, swarm.database());
        // Every row the database ever holds keeps the derived rule, not only the last one.
        accessor.onCommit((userId, json) -> derived("a row of " + userId + " as committed", json));
        // A profile loaded again numbers its pushes afresh: removes its writers made lately may go without a base.
        accessor.onRestore(userId -> sentAgainWithoutBase(userId));
        for (int i = 1; i <= swarm.users(); i++) {
            users.add("u" + i);
        }
    }

    /** Runs the seed to its end and checks the invariants. */
    public Result run() {
        trace.add("seed " + seed + ": " + swarm.describe() + (broken.isEmpty() ? "" : "; broken on purpose " + broken));
        try {
            startMaster();
            for (int i = 0; i < swarm.gameServers(); i++) {
                gameServers.add(new GameServerNode(i));
            }
            for (int i = 0; i < swarm.clients(); i++) {
                clients.add(new ClientNode(i, users.get(i % users.size())));
            }
            scheduler.afterEachTask(this::watchUnloads);
            scheduleStep();
            if (scheduler.runUntil(swarm.chaosNanos(), MAX_TASKS)) {
                violation(Invariant.QUIESCENCE, "more than " + MAX_TASKS + " tasks in the chaos phase (a busy loop)");
                return result();
            }
            calm();
        } catch (RuntimeException | AssertionError e) {
            StringWriter stack = new StringWriter();
            e.printStackTrace(new PrintWriter(stack));
            violation(Invariant.NO_EXCEPTION, stack.toString().lines().limit(12).reduce((a, b) -> a + "\n    " + b)
                    .orElse(e.toString()));
        }
        return result();
    }

    private Result result() {
        return new Result(seed, List.copyOf(violations), List.copyOf(lostAcrossCrash),
                trace.text(),
                scheduler.tasksRun(), scheduler.nanoTime());
    }

    private void violation(Invariant invariant, String detail) {
        trace.add("VIOLATION " + invariant + ": " + detail);
        violations.add(new Violation(invariant, detail));
    }

    // ------------------------------------------------------------------ the master

    private void startMaster() {
        masterIncarnation++;
        masterLoop = new NodeLoop(scheduler, "master" + masterIncarnation);
        accessor.attach(masterLoop);
        MasterConfig config = MasterConfig.builder()
                .gameServerSecret(SECRET)
                .clientAuthenticator(token -> CompletableFuture.completedFuture(token.substring("token-".length())))
                .unloadProfileAfter(Duration.ofNanos(swarm.unloadAfterNanos()))
                .saveProfileDebounce(Duration.ofNanos(swarm.saveDebounceNanos()))
                .clientUpdateDebounce(Duration.ofNanos(swarm.updateIntervalNanos()))
                .profileLoadTimeout(Duration.ofMillis(500))
                .saveRetryMaxDelay(Duration.ofMillis(500))
                .plugin(SimSchema::registerRules)
                .build();
        master = new MasterCore(config, SimSchema.schema(), accessor, masterLoop, broken);
        network.masterUp(new MasterCoreEvents(master), masterLoop);
        seenLoaded.clear();
        trace.add("master " + masterIncarnation + " starts");
    }

    private void crashMaster() {
        masterCrashes++;
        sentAgainWithoutBase("");
        trace.add("master " + masterIncarnation + " CRASHES");
        masterLoop.kill();
        network.masterDown();
        master = null;
        seenLoaded.clear();
        long downFor = 1_000_000 + (long) (random.nextDouble() * 200_000_000);
        scheduler.schedule(downFor, () -> {
            if (master == null) {
                startMaster();
            }
        });
    }

    /** After every task: a profile the master dropped must have had nothing unsaved. */
    private void watchUnloads() {
        if (master == null) {
            return;
        }
        Set<String> loaded = master.loadedUserIds();
        for (Iterator<Map.Entry<String, ObservableServerProfile>> it = seenLoaded.entrySet().iterator();
             it.hasNext(); ) {
            Map.Entry<String, ObservableServerProfile> entry = it.next();
            // Read the entry before removing it: TreeMap's iterator may reuse the removed node for its successor,
            // and the entry would then name the next user (seen: a clean unload of u2 reported as one of u3).
            String userId = entry.getKey();
            ObservableServerProfile profile = entry.getValue();
            if (loaded.contains(userId)) {
                continue;
            }
            it.remove();
            String json = profile.toJson();
            String committed = accessor.committed(userId).map(FaultyAccessor.Row::json).orElse(null);
            String pending = accessor.pendingWrite(userId).orElse(null);
            if (!json.equals(committed) && !json.equals(pending)) {
                violation(Invariant.NO_DIRTY_UNLOAD, "the master unloaded the profile of " + userId
                        + " with changes neither saved nor being saved: in memory " + abbreviate(json)
                        + ", stored " + abbreviate(String.valueOf(committed)));
            }
        }
        for (String userId : loaded) {
            if (!seenLoaded.containsKey(userId)) {
                master.loadedProfile(userId).ifPresent(profile -> seenLoaded.put(userId, profile));
            }
        }
    }

    // ------------------------------------------------------------------ the workload

    private void scheduleStep() {
        long delay = 1 + (long) (random.nextDouble() * swarm.stepNanos());
        scheduler.schedule(delay, () -> {
            if (chaos) {
                step();
                scheduleStep();
            }
        });
    }

    /** A token unique in the run, short (every copy carries the whole list): the writer's initial and a number. */
    private String token(String writer) {
        return writer.charAt(0) + Long.toString(nextToken++, 36);
    }

    private void step() {
        if (++steps % 16 == 0) {
            noteAcknowledgements(); // decoding every copy costs: not at every step
        }
        double roll = random.nextDouble();
        if (roll < swarm.masterCrashPerStep()) {
            if (master != null) {
                noteAcknowledgements(); // what the crash can lose
                crashMaster();
            }
            return;
        }
        roll -= swarm.masterCrashPerStep();
        if (roll < swarm.peerRestartPerStep()) {
            restartSomePeer();
            return;
        }
        roll -= swarm.peerRestartPerStep();
        if (roll < swarm.masterEditPerStep()) {
            masterEdit();
            return;
        }
        int actors = gameServers.size() + clients.size();
        int actor = random.nextInt(actors);
        if (actor < gameServers.size()) {
            gameServers.get(actor).act();
        } else {
            clients.get(actor - gameServers.size()).act();
        }
    }

    private void masterEdit() {
        if (master == null) {
            return;
        }
        String userId = users.get(random.nextInt(users.size()));
        String token = token("master");
        boolean alsoRandom = random.nextBoolean();
        long writeSeed = random.nextLong();
        trace.add("master edits " + userId + ": appends " + token);
        MasterCore core = master;
        core.edit(userId, profile -> {
            SimSchema.appendToken(profile, token, incrementAsValue);
            if (alsoRandom) {
                SimSchema.randomWrite(profile, new Random(writeSeed), false);
            }
        }).whenComplete((ignored, failure) -> {
            if (failure == null && core == master) {
                applied.put(token, userId); // applied, not durable: an edit is saved like any change
            }
        });
    }

    private void restartSomePeer() {
        int actors = gameServers.size() + clients.size();
        int actor = random.nextInt(actors);
        boolean crash = random.nextBoolean();
        if (actor < gameServers.size()) {
            gameServers.get(actor).restart(crash);
        } else {
            clients.get(actor - gameServers.size()).restart(crash);
        }
    }

    /** Every token a writer's confirmed copy shows was accepted by the master. */
    private void noteAcknowledgements() {
        for (GameServerNode node : gameServers) {
            node.noteAcknowledgements();
        }
        for (ClientNode node : clients) {
            node.noteAcknowledgements();
        }
    }

    /**
     * A refusal told to {@code writer}: only one naming the token list, or none ("": the whole delta, or the profile
     * lost), can take a token with it; one naming another property refuses that property alone.
     */
    private void refused(String writer, String userId, String property) {
        if (property.isEmpty() || property.equals(SimSchema.SHELF)) {
            lastShelfRefusal.put(writer + "/" + userId, scheduler.nanoTime());
        }
        if (property.isEmpty() || property.equals(SimSchema.TOKENS)) {
            lastRefusal.put(writer + "/" + userId, scheduler.nanoTime());
        }
    }

    /**
     * A writer's connection dropped: a refusal on its way to it may be lost with it (the master applied the batch, so
     * it is not sent again), which {@link #checkRefusedAlone} cannot tell from a token dropped silently.
     */
    private void connectionLost(String writer, ConnectionState state) {
        if (state == ConnectionState.RECONNECTING) {
            lastConnectionLoss.put(writer, scheduler.nanoTime());
        }
        if (state == ConnectionState.CONNECTED) {
            disconnected.remove(writer);
            lastConnected.put(writer, scheduler.nanoTime());
        } else {
            disconnected.add(writer);
        }
    }

    /**
     * Whether {@code token}'s writer still runs and was told of no refusal for that profile since writing it: it then
     * keeps the batch holding the token until durable, and sends it again to the next master.
     */
    private boolean keptByRunningWriter(String token, String userId, Set<String> running) {
        String writer = writtenBy.get(token); // null for a master edit
        if (writer == null || !running.contains(writer)) {
            return false;
        }
        Long refusal = lastRefusal.get(writer + "/" + userId);
        return refusal == null || refusal < writtenAt.get(token);
    }

    /**
     * Notes what {@code writer}'s confirmed copy of {@code userId}'s profile shows: every token in it is applied, and
     * when the copy is settled the writer's own tokens in it are durably acknowledged.
     */
    private void acknowledge(String writer, List<String> tokens, String userId, boolean settled) {
        for (String token : tokens) {
            applied.putIfAbsent(token, userId);
            if (settled && writer.equals(writtenBy.get(token))) {
                durable.putIfAbsent(token, userId);
            }
        }
    }

    // ------------------------------------------------------------------ game servers

    /**
     * Removes made lately (by any writer, on the profile of {@code userId}, or of every user when it is "") may go
     * again without a base: a new master, or the profile loaded again, numbers its pushes afresh.
     */
    private void sentAgainWithoutBase(String userId) {
        long now = scheduler.nanoTime();
        loadedAgainAt.put(userId, now);
        lastShelfRemove.forEach((key, at) -> {
            String user = key.substring(key.indexOf('/') + 1);
            if ((userId.isEmpty() || user.equals(userId)) && now - at <= RESEND_WINDOW_NANOS) {
                shelfAtItsIndex.add(user);
            }
        });
    }

    /** When each profile ("" for all: a master crash) was last loaded afresh. */
    private final Map<String, Long> loadedAgainAt = new TreeMap<>();

    /**
     * One edit of the shelf by {@code writer}, from its copy's view: remove one of its own tokens by its index there,
     * or put a new one in (appended or inserted).
     */
    private void editShelf(String writer, String userId, ObservableProfile profile) {
        io.profilesync.core.ObservableList<String> shelf = profile.getList(SimSchema.SHELF,
                io.profilesync.core.ElementType.STRING);
        List<String> seen = shelf.value();
        List<String> own = new ArrayList<>();
        for (String token : seen) {
            if (writer.equals(shelfOwner.get(token))) {
                own.add(token);
            }
        }
        if (!own.isEmpty() && random.nextInt(3) == 0) {
            String token = own.get(random.nextInt(own.size()));
            int index = seen.indexOf(token);
            trace.add(writer + " removes " + token + " at " + index + " from the shelf of " + userId + " " + seen);
            shelf.remove(index);
            Long connectedAt = lastConnected.get(writer);
            boolean beforeItsSnapshot = disconnected.contains(writer)
                    || (connectedAt != null && scheduler.nanoTime() - connectedAt < SNAPSHOT_WINDOW_NANOS);
            long renumbered = Math.max(loadedAgainAt.getOrDefault("", -1L), loadedAgainAt.getOrDefault(userId, -1L));
            if (master == null || (beforeItsSnapshot && renumbered >= 0
                    && (connectedAt == null || renumbered > connectedAt - SNAPSHOT_WINDOW_NANOS))) {
                // Made on a view a new master's snapshot replaces: it numbers the pushes afresh, so the remove goes
                // out without a base and applies at its index.
                shelfAtItsIndex.add(userId);
            }
            shelfRemovedAt.put(token, scheduler.nanoTime());
            lastShelfRemove.put(writer + "/" + userId, scheduler.nanoTime());
            return;
        }
        String token = "sh-" + token(writer);
        shelfOwner.put(token, writer);
        shelfFor.put(token, userId);
        if (seen.isEmpty() || random.nextBoolean()) {
            shelf.add(token);
        } else {
            int index = random.nextInt(seen.size() + 1);
            trace.add(writer + " inserts " + token + " at " + index + " in the shelf of " + userId);
            shelf.insert(index, token);
        }
    }

    /** The writer's own shelf tokens its settled confirmed copy shows are durably in place. */
    private void noteShelf(String writer, ObservableProfile confirmedCopy, boolean settled) {
        if (!settled) {
            return;
        }
        for (String token : SimSchema.shelf(confirmedCopy)) {
            if (writer.equals(shelfOwner.get(token))) {
                shelfPlaced.add(token);
            }
        }
    }

    /**
     * Once quiet: no token durably in place is gone unless its own writer removed it (a remove that deleted another
     * element than its writer saw), and every token a running, settled writer removed is gone unless it was told of
     * a refusal since (a remove that missed its element). Users whose shelf a remove may have reached a master
     * without its base are left out.
     */
    private void checkRemovedAsSeen() {
        Set<String> running = runningWriters();
        Map<String, Set<String>> shelves = new TreeMap<>();
        for (String userId : users) {
            Set<String> held = new TreeSet<>();
            Optional<ObservableServerProfile> live = master.loadedProfile(userId);
            if (live.isPresent()) {
                held.addAll(SimSchema.shelf(live.get()));
            } else {
                accessor.committed(userId).ifPresent(row -> held.addAll(SimSchema.shelf(SimSchema.read(row.json()))));
            }
            shelves.put(userId, held);
        }
        List<String> wronglyGone = new ArrayList<>();
        for (String token : shelfPlaced) {
            String userId = shelfFor.get(token);
            if (!shelfRemovedAt.containsKey(token) && !shelfAtItsIndex.contains(userId)
                    && !shelves.get(userId).contains(token)) {
                wronglyGone.add(token + " (" + userId + ", by " + shelfOwner.get(token) + ")");
            }
        }
        if (!wronglyGone.isEmpty()) {
            violation(Invariant.REMOVED_AS_SEEN, "durably in place, never removed by its writer, but gone (another "
                    + "writer's remove deleted it): " + abbreviate(wronglyGone.toString()));
        }
        List<String> stillThere = new ArrayList<>();
        shelfRemovedAt.forEach((token, at) -> {
            String userId = shelfFor.get(token);
            String writer = shelfOwner.get(token);
            Long refusal = lastShelfRefusal.get(writer + "/" + userId);
            Long loss = lastConnectionLoss.get(writer);
            if (running.contains(writer) && !shelfAtItsIndex.contains(userId) && (refusal == null || refusal < at)
                    && (loss == null || loss < at) && settledWriter(writer, userId)
                    && shelves.get(userId).contains(token)) {
                stillThere.add(token + " (" + userId + ", by " + writer + " at " + at / 1000 + " us)");
            }
        });
        if (!stillThere.isEmpty()) {
            violation(Invariant.REMOVED_AS_SEEN, "removed by its running, settled writer, never refused, but still "
                    + "at the master (the remove deleted something else): " + abbreviate(stillThere.toString()));
        }
    }

    /** Whether {@code writer} (a running incarnation) has nothing of {@code userId}'s profile unsent or in flight. */
    private boolean settledWriter(String writer, String userId) {
        for (GameServerNode node : gameServers) {
            if (node.up() && node.name().equals(writer)) {
                return node.core.held(userId).isEmpty() || node.core.settled(userId);
            }
        }
        for (ClientNode node : clients) {
            if (node.up() && node.name().equals(writer)) {
                return node.core.settled();
            }
        }
        return false;
    }

    /** A request a peer made, to check it was answered. */
    private record Request(String what, CompletableFuture<?> future) {
    }

    /** One game-server process slot: a core, replaced by a new incarnation when the process restarts. */
    private final class GameServerNode {
        final int index;
        int incarnation;
        NodeLoop loop;
        GameServerCore core;
        final List<Request> requests = new ArrayList<>();
        final Map<String, CompletableFuture<?>> acquiring = new TreeMap<>();
        boolean down;

        GameServerNode(int index) {
            this.index = index;
            start();
        }

        String name() {
            return "gs" + index + "." + incarnation;
        }

        void start() {
            incarnation++;
            requests.clear();
            acquiring.clear();
            loop = new NodeLoop(scheduler, name());
            ProfilesServerConfig config = ProfilesServerConfig.builder()
                    .host("sim-master").port(7777)
                    .secret(SECRET)
                    .updateInterval(Duration.ofNanos(swarm.updateIntervalNanos()))
                    .reconnectBackoff(new ReconnectBackoff(Duration.ofMillis(5), Duration.ofMillis(200), 0.5))
                    .acquireTimeout(Duration.ofSeconds(3))
                    .build();
            core = new GameServerCore(config, loop, network.connector(loop), random.nextLong(),
                    new SplittableRandom(random.nextLong()));
            String writer = name();
            core.addRefusalListener((userId, property, reason) -> refused(writer, userId, property));
            core.peer().addConnectionListener((state, cause) -> connectionLost(writer, state));
            trace.add(name() + " starts");
            core.start();
        }

        void restart(boolean crash) {
            if (down) {
                return;
            }
            if (crash) {
                trace.add(name() + " CRASHES");
                loop.kill();
                network.peerDown(loop);
            } else {
                trace.add(name() + " closes");
                core.close();
            }
            down = true;
            NodeLoop old = loop;
            long downFor = 1_000_000 + (long) (random.nextDouble() * 100_000_000);
            scheduler.schedule(downFor, () -> {
                old.kill(); // a process that closed has exited by now
                down = false;
                start();
            });
        }

        boolean up() {
            return !down;
        }

        void act() {
            if (!up()) {
                return;
            }
            String userId = users.get(random.nextInt(users.size()));
            Optional<ObservableServerProfile> held = core.held(userId);
            if (held.isEmpty()) {
                CompletableFuture<?> pending = acquiring.get(userId);
                if (pending == null || pending.isDone()) {
                    trace.add(name() + " acquires " + userId);
                    CompletableFuture<?> acquire = core.fillProfileValues(userId);
                    acquiring.put(userId, acquire);
                    requests.add(new Request("acquire " + userId + " at " + scheduler.nanoTime() / 1000 + " us",
                            acquire));
                }
                return;
            }
            if (random.nextInt(10) == 0) {
                trace.add(name() + " releases " + userId);
                requests.add(new Request("release " + userId + " at " + scheduler.nanoTime() / 1000 + " us",
                        core.release(userId)));
                return;
            }
            if (random.nextInt(6) == 0) {
                buy(userId);
                return;
            }
            String token = token(name());
            writtenBy.put(token, name());
            writtenAt.put(token, scheduler.nanoTime());
            writtenFor.put(token, userId);
            trace.add(name() + " writes " + userId + ": appends " + token);
            SimSchema.appendToken(held.get(), token, incrementAsValue);
            for (int i = random.nextInt(3); i > 0; i--) {
                SimSchema.randomWrite(held.get(), random, false);
            }
            if (random.nextInt(3) == 0) {
                editShelf(name(), userId, held.get());
            }
            if (random.nextInt(8) == 0) {
                watchFlush(name(), userId, token, core.flush(userId));
            }
        }

        /** An atomic purchase, its outcome watched: completed means durable, refused means nowhere. */
        void buy(String userId) {
            String token = "buy-" + token(name());
            String node = name();
            trace.add(node + " buys " + token + " for " + userId);
            CompletableFuture<Void> outcome = core.transact(userId, SimSchema.PURCHASE_PRECONDITIONS,
                    profile -> SimSchema.buy(profile, token));
            requests.add(new Request("purchase " + token + " at " + scheduler.nanoTime() / 1000 + " us", outcome));
            outcome.whenComplete((ignored, error) -> {
                if (error == null) {
                    boolean durable = accessor.committed(userId).map(row -> SimSchema.purchases(SimSchema.read(
                            row.json())).contains(token)).orElse(false);
                    trace.add(node + ": " + token + " bought" + (durable ? ", durable" : ""));
                    if (!durable) {
                        violation(Invariant.ATOMIC_WHOLE, node + ": the purchase " + token + " of " + userId
                                + " completed but the database row does not hold it");
                    }
                } else if (error instanceof TransactionRefusedException) {
                    trace.add(node + ": " + token + " refused: " + error.getMessage());
                    refusedPurchases.put(token, userId);
                } else {
                    trace.add(node + ": " + token + " undecided: " + error.getMessage());
                }
            });
        }

        void noteAcknowledgements() {
            if (!up()) {
                return;
            }
            for (String userId : users) {
                boolean settled = core.settled(userId);
                confirmed(userId).ifPresent(profile -> {
                    acknowledge(name(), SimSchema.tokens(profile), userId, settled);
                    noteShelf(name(), profile, settled);
                });
            }
        }

        /** The master's acknowledged state of the held profile, decoded into a copy of the live one. */
        Optional<ObservableProfile> confirmed(String userId) {
            Optional<ObservableServerProfile> held = core.held(userId);
            Optional<byte[]> bytes = core.confirmed(userId);
            if (held.isEmpty() || bytes.isEmpty()) {
                return Optional.empty();
            }
            ObservableProfile copy = held.get().copy();
            copy.fromBytes(bytes.get());
            return Optional.of(copy);
        }
    }

    // ------------------------------------------------------------------ clients

    /** One client process slot of one user. */
    private final class ClientNode {
        final int index;
        final String userId;
        int incarnation;
        NodeLoop loop;
        ClientCore core;
        final List<CompletableFuture<?>> requests = new ArrayList<>();
        CompletableFuture<?> fill;
        boolean down;

        ClientNode(int index, String userId) {
            this.index = index;
            this.userId = userId;
            start();
        }

        String name() {
            return "client" + index + "." + incarnation + "(" + userId + ")";
        }

        void start() {
            incarnation++;
            requests.clear();
            fill = null;
            loop = new NodeLoop(scheduler, name());
            ProfilesClientConfig config = ProfilesClientConfig.builder()
                    .host("sim-master").port(7777)
                    .token("token-" + userId)
                    .updateInterval(Duration.ofNanos(swarm.updateIntervalNanos()))
                    .reconnectBackoff(new ReconnectBackoff(Duration.ofMillis(5), Duration.ofMillis(200), 0.5))
                    .fetchTimeout(Duration.ofSeconds(3))
                    .build();
            core = new ClientCore(config, loop, network.connector(loop), random.nextLong(),
                    new SplittableRandom(random.nextLong()));
            String writer = name();
            core.addRefusalListener((property, reason) -> refused(writer, userId, property));
            core.peer().addConnectionListener((state, cause) -> connectionLost(writer, state));
            trace.add(name() + " starts");
            core.start();
        }

        void restart(boolean crash) {
            if (down) {
                return;
            }
            if (crash) {
                trace.add(name() + " CRASHES");
                loop.kill();
                network.peerDown(loop);
            } else {
                trace.add(name() + " closes");
                core.close();
            }
            down = true;
            NodeLoop old = loop;
            long downFor = 1_000_000 + (long) (random.nextDouble() * 100_000_000);
            scheduler.schedule(downFor, () -> {
                old.kill(); // a process that closed has exited by now
                down = false;
                start();
            });
        }

        boolean up() {
            return !down;
        }

        void act() {
            if (!up()) {
                return;
            }
            Optional<ObservableProfile> profile = core.profile();
            if (profile.isEmpty()) {
                if (fill == null || fill.isDone()) {
                    trace.add(name() + " fills its profile");
                    fill = core.fillInProfileValues();
                    requests.add(fill);
                }
                return;
            }
            String token = token(name());
            writtenBy.put(token, name());
            writtenAt.put(token, scheduler.nanoTime());
            writtenFor.put(token, userId);
            trace.add(name() + " writes: appends " + token);
            SimSchema.appendToken(profile.get(), token, incrementAsValue);
            for (int i = random.nextInt(3); i > 0; i--) {
                SimSchema.randomWrite(profile.get(), random, true);
            }
            if (random.nextInt(3) == 0) {
                editShelf(name(), userId, profile.get());
            }
            if (random.nextInt(8) == 0) {
                watchFlush(name(), userId, token, core.flush());
            }
        }

        void noteAcknowledgements() {
            if (up()) {
                boolean settled = core.settled();
                confirmed().ifPresent(profile -> {
                    acknowledge(name(), SimSchema.tokens(profile), userId, settled);
                    noteShelf(name(), profile, settled);
                });
            }
        }

        /** The master's acknowledged state of the profile (client view), decoded into a copy of the live one. */
        Optional<ObservableProfile> confirmed() {
            Optional<ObservableProfile> live = core.profile();
            Optional<byte[]> bytes = core.confirmed();
            if (live.isEmpty() || bytes.isEmpty()) {
                return Optional.empty();
            }
            ObservableProfile copy = live.get().copy();
            copy.fromBytes(bytes.get());
            return Optional.of(copy);
        }
    }

    /**
     * {@code flush} covers the write of {@code token}: when it completes (not when it fails: a release, a loss or a
     * close may end it), a token the master holds must be in the database's committed row too. A token the master
     * does not hold was refused (all or nothing: a random write beside it may be out of range; the refusal itself may
     * have been lost with a connection) or lost with a crashed master before any save: not what a flush promises.
     */
    private void watchFlush(String node, String userId, String token, CompletableFuture<Void> flush) {
        trace.add(node + " flushes " + userId + " (" + token + ")");
        flush.whenComplete((ignored, error) -> {
            if (error != null) {
                trace.add(node + ": the flush of " + token + " failed: " + error.getMessage());
                return;
            }
            if (holdsToken(accessor.committed(userId).map(FaultyAccessor.Row::json), userId, token)) {
                trace.add(node + ": the flush of " + token + " is durable");
            } else if (holdsToken(master.loadedProfile(userId).map(ObservableServerProfile::toJson), userId, token)) {
                violation(Invariant.FLUSHED_DURABLE, node + ": the flush of " + token + " completed while the "
                        + "master holds it and the database row of " + userId + " does not");
            } else {
                trace.add(node + ": the flush of " + token + " completed; the master never kept it (refused)");
            }
        });
    }

    private static boolean holdsToken(Optional<String> json, String userId, String token) {
        if (json.isEmpty()) {
            return false;
        }
        ObservableServerProfile profile = SimSchema.schema().newServerProfile(userId);
        profile.fromJson(json.get());
        return SimSchema.tokens(profile).contains(token);
    }

    // ------------------------------------------------------------------ calm and invariants

    private void calm() {
        chaos = false;
        network.faults(SimNetwork.Faults.none());
        accessor.faults(FaultyAccessor.Faults.none());
        trace.add("faults stop");
        long deadline = scheduler.nanoTime() + CALM_LIMIT_NANOS;
        scheduler.schedule(0, () -> {
            if (master == null) {
                startMaster();
            }
        });
        boolean quiet = false;
        while (scheduler.nanoTime() < deadline) {
            if (scheduler.runUntil(scheduler.nanoTime() + 50_000_000, MAX_TASKS)) {
                violation(Invariant.QUIESCENCE, "more than " + MAX_TASKS + " tasks in 50 ms of calm (a busy loop)");
                return;
            }
            if (master != null && allQuiescent()) {
                // The peers have nothing in flight, but the master may still owe a debounced push: let it pass.
                long settle = 2 * swarm.updateIntervalNanos() + 2 * swarm.network().maxLatencyNanos() + 50_000_000;
                if (scheduler.runUntil(scheduler.nanoTime() + settle, MAX_TASKS)) {
                    violation(Invariant.QUIESCENCE, "more than " + MAX_TASKS + " tasks while settling (a busy loop)");
                    return;
                }
                if (master != null && allQuiescent()) {
                    quiet = true;
                    break;
                }
            }
        }
        noteAcknowledgements();
        trace.add(quiet ? "quiescent" : "not quiescent after " + CALM_LIMIT_NANOS / 1_000_000 + " ms of calm");
        if (!quiet) {
            violation(Invariant.QUIESCENCE, "not quiescent " + CALM_LIMIT_NANOS / 1_000_000_000 + " s after the "
                    + "faults stopped: " + notQuiescent());
        }
        checkAnswered();
        if (quiet) {
            checkConvergence();
            checkRefusedAlone();
            checkRemovedAsSeen();
        }
        checkAppliedOnce();
        checkAcknowledgedKept();
        checkDerived();
    }

    /**
     * Once quiet: every token a still-running writer appended is at the master, unless that writer was told of a
     * refusal of the token list (or of its whole delta, or of the profile) since, or lost its connection since (a
     * refusal may have been lost with it): a write beside it that broke a constraint is refused alone and takes no
     * token with it.
     */
    private void checkRefusedAlone() {
        Set<String> running = runningWriters();
        Map<String, Set<String>> present = tokensAtMaster();
        List<String> lost = new ArrayList<>();
        writtenFor.forEach((token, userId) -> {
            Long loss = lastConnectionLoss.get(writtenBy.get(token));
            if (!keptByRunningWriter(token, userId, running) || (loss != null && loss >= writtenAt.get(token))) {
                return; // refused, its writer gone, or a refusal possibly lost with a connection
            }
            if (!present.get(userId).contains(token)) {
                Long refusal = lastRefusal.get(writtenBy.get(token) + "/" + userId);
                lost.add(token + " (" + userId + ", by " + writtenBy.get(token) + " at "
                        + writtenAt.get(token) / 1000 + " us, last refusal of the token list "
                        + (refusal == null ? "none" : "at " + refusal / 1000 + " us") + ")");
            }
        });
        if (!lost.isEmpty()) {
            violation(Invariant.REFUSED_ALONE, "written by a running writer, never refused, but not at the master: "
                    + abbreviate(lost.toString()));
        }
    }

    /** The master's copies and the stored rows keep the schema's derived rule (every copy converged to them). */
    private void checkDerived() {
        for (String userId : users) {
            master.loadedProfile(userId).ifPresent(profile -> derived("the master's copy of " + userId,
                    profile.toJson()));
        }
        accessor.committed().forEach((userId, row) -> derived("the stored row of " + userId, row.json()));
    }

    private void derived(String what, String json) {
        ObservableProfile profile = SimSchema.read(json);
        String unpaid = SimSchema.purchaseProblem(profile);
        if (unpaid != null) {
            violation(Invariant.ATOMIC_WHOLE, what + ": " + unpaid);
        }
        for (String token : SimSchema.purchases(profile)) {
            if (refusedPurchases.containsKey(token)) {
                violation(Invariant.ATOMIC_WHOLE, what + ": holds " + token + ", whose writer was told it was refused");
            }
        }
        String problem = SimSchema.derivedProblem(profile);
        if (problem != null) {
            violation(Invariant.DERIVED_TOGETHER, what + ": " + problem);
        }
        String tally = SimSchema.tallyProblem(profile);
        if (tally != null) {
            violation(Invariant.INCREMENTS_COUNTED, what + ": " + tally);
        }
    }

    private boolean allQuiescent() {
        for (GameServerNode node : gameServers) {
            if (node.up() && !node.core.quiescent()) {
                return false;
            }
        }
        for (ClientNode node : clients) {
            if (node.up() && !node.core.quiescent()) {
                return false;
            }
        }
        return true;
    }

    private String notQuiescent() {
        List<String> busy = new ArrayList<>();
        for (GameServerNode node : gameServers) {
            if (node.up() && !node.core.quiescent()) {
                busy.add(node.name() + " " + node.core.state());
            }
        }
        for (ClientNode node : clients) {
            if (node.up() && !node.core.quiescent()) {
                busy.add(node.name() + " " + node.core.state());
            }
        }
        return busy.isEmpty() ? "the master is down" : String.join(", ", busy);
    }

    private void checkAnswered() {
        for (GameServerNode node : gameServers) {
            for (Request request : node.requests) {
                if (node.up() && !request.future().isDone()) {
                    violation(Invariant.ANSWERED, node.name() + ": " + request.what() + " never answered");
                }
            }
        }
        for (ClientNode node : clients) {
            for (CompletableFuture<?> future : node.requests) {
                if (node.up() && !future.isDone()) {
                    violation(Invariant.ANSWERED, node.name() + ": a fill never answered");
                }
            }
        }
    }

    /** The master's current copy of {@code userId}: loaded, else stored, else none. */
    private Optional<String> masterJson(String userId) {
        Optional<ObservableServerProfile> loaded = master.loadedProfile(userId);
        if (loaded.isPresent()) {
            return Optional.of(loaded.get().toJson());
        }
        return accessor.committed(userId).map(FaultyAccessor.Row::json);
    }

    private void checkConvergence() {
        for (GameServerNode node : gameServers) {
            if (!node.up()) {
                continue;
            }
            for (String userId : users) {
                Optional<ObservableServerProfile> held = node.core.held(userId);
                if (held.isEmpty()) {
                    continue;
                }
                Optional<ObservableServerProfile> masters = master.loadedProfile(userId);
                if (masters.isEmpty()) {
                    violation(Invariant.CONVERGENCE, node.name() + " holds " + userId
                            + " but the master has not loaded it");
                    continue;
                }
                compare(node.name() + " copy of " + userId, held.get().toJson(), masters.get().toJson());
                node.confirmed(userId).ifPresent(confirmed -> compare(node.name() + " confirmed state of "
                        + userId, confirmed.toJson(), masters.get().toJson()));
            }
        }
        for (ClientNode node : clients) {
            if (!node.up()) {
                continue;
            }
            Optional<ObservableProfile> profile = node.core.profile();
            if (profile.isEmpty()) {
                continue;
            }
            Optional<String> masters = masterJson(node.userId);
            if (masters.isEmpty()) {
                violation(Invariant.CONVERGENCE, node.name() + " has a profile the master never stored");
                continue;
            }
            compare(node.name() + " copy", profile.get().toJson(), masters.get());
            node.confirmed().ifPresent(confirmed -> compare(node.name() + " confirmed state",
                    confirmed.toJson(), masters.get()));
        }
    }

    /** Every property of {@code copy} must equal the master's (a client's view leaves some out). */
    private void compare(String what, String copy, String masters) {
        try {
            JsonNode copyNode = JSON.readTree(copy);
            JsonNode masterNode = JSON.readTree(masters);
            List<String> differences = new ArrayList<>();
            copyNode.fieldNames().forEachRemaining(name -> {
                JsonNode mine = copyNode.get(name);
                JsonNode theirs = masterNode.get(name);
                if (!mine.equals(theirs)) {
                    differences.add(name + ": " + difference(mine, theirs));
                }
            });
            if (!differences.isEmpty()) {
                violation(Invariant.CONVERGENCE, what + " differs from the master's: " + String.join("; ", differences));
            }
        } catch (java.io.IOException e) {
            violation(Invariant.CONVERGENCE, what + ": unreadable JSON " + e.getMessage());
        }
    }

    private void checkAppliedOnce() {
        for (String userId : users) {
            List<String> places = new ArrayList<>();
            master.loadedProfile(userId).ifPresent(p -> duplicates("the master's copy of " + userId,
                    SimSchema.tokens(p), places));
            for (GameServerNode node : gameServers) {
                if (node.up()) {
                    node.core.held(userId).ifPresent(p -> duplicates(node.name() + " copy of " + userId,
                            SimSchema.tokens(p), places));
                }
            }
            for (String place : places) {
                appliedTwice(place);
            }
        }
        for (ClientNode node : clients) {
            if (node.up()) {
                List<String> places = new ArrayList<>();
                node.core.profile().ifPresent(p -> duplicates(node.name() + " copy", SimSchema.tokens(p), places));
                places.forEach(this::appliedTwice);
            }
        }
    }

    /**
     * A change applied twice: a violation across master crashes too, since the applied batch numbers are stored with
     * each profile (a restarted master skips what the saved record holds).
     */
    private void appliedTwice(String place) {
        violation(Invariant.APPLIED_ONCE, place + (masterCrashes > 0 ? " (after " + masterCrashes
                + " master crash(es))" : ""));
    }

    private static void duplicates(String where, List<String> tokens, List<String> places) {
        Set<String> twice = new TreeSet<>();
        SimSchema.tokenCounts(tokens).forEach((token, count) -> {
            if (count > 1) {
                twice.add(token + " x" + count);
            }
        });
        if (!twice.isEmpty()) {
            places.add(where + " holds " + twice);
        }
    }

    /**
     * A durably acknowledged token must be in the master's profile whatever crashed. A token only applied (in some
     * confirmed copy) must be there unless the master crashed and its writer is gone too, or was told of a refusal
     * for that profile since: a writer that died before its batch was durable takes it along, and a batch sent again
     * to the next master may no longer apply there (a list index written against the old master's state, which
     * lost other writers' changes that were not durable), which the promise allows (reported apart); a writer still
     * running and told of no refusal keeps the batch and sends it to the next master.
     */
    private void checkAcknowledgedKept() {
        Map<String, Set<String>> present = tokensAtMaster();
        Set<String> running = runningWriters();
        List<String> durableLost = new ArrayList<>();
        List<String> appliedLost = new ArrayList<>();
        applied.forEach((token, userId) -> {
            if (!present.get(userId).contains(token)) {
                boolean kept = durable.containsKey(token) || keptByRunningWriter(token, userId, running);
                (kept ? durableLost : appliedLost).add(token + " (" + userId
                        + (durable.containsKey(token) ? ", durable" : ", kept by " + writtenBy.get(token)) + ")");
            }
        });
        durable.forEach((token, userId) -> {
            if (!applied.containsKey(token) && !present.get(userId).contains(token)) {
                durableLost.add(token + " (" + userId + ")");
            }
        });
        if (!durableLost.isEmpty()) {
            violation(Invariant.ACKNOWLEDGED_KEPT, "durably acknowledged, or applied and kept by a running writer, but "
                    + "gone from the master"
                    + (masterCrashes > 0 ? " (" + masterCrashes + " master crash(es))" : ", with no crash") + ": "
                    + durableLost);
        }
        if (appliedLost.isEmpty()) {
            return;
        }
        if (masterCrashes > 0) {
            trace.add("applied, never durable, and lost across " + masterCrashes + " master crash(es): "
                    + appliedLost);
            lostAcrossCrash.addAll(appliedLost);
        } else {
            violation(Invariant.ACKNOWLEDGED_KEPT, "applied but gone from the master, with no crash: " + appliedLost);
        }
    }

    /** The tokens the master holds for each user (its live copy, else the committed row). */
    private Map<String, Set<String>> tokensAtMaster() {
        Map<String, Set<String>> present = new TreeMap<>();
        for (String userId : users) {
            Set<String> tokens = new TreeSet<>();
            masterJson(userId).ifPresent(json -> {
                ObservableServerProfile profile = SimSchema.schema().newServerProfile(userId);
                profile.fromJson(json);
                tokens.addAll(SimSchema.tokens(profile));
            });
            present.put(userId, tokens);
        }
        return present;
    }

    /** The names of the game servers and clients running now (their memory of what they wrote is intact). */
    private Set<String> runningWriters() {
        Set<String> running = new TreeSet<>();
        gameServers.stream().filter(GameServerNode::up).forEach(node -> running.add(node.name()));
        clients.stream().filter(ClientNode::up).forEach(node -> running.add(node.name()));
        return running;
    }

    /** Where two values differ: for arrays the sizes and the first index that differs, else both values. */
    private static String difference(JsonNode mine, JsonNode theirs) {
        if (mine.isArray() && theirs != null && theirs.isArray()) {
            int first = 0;
            while (first < mine.size() && first < theirs.size() && mine.get(first).equals(theirs.get(first))) {
                first++;
            }
            return "size " + mine.size() + " vs the master's " + theirs.size() + ", first difference at index "
                    + first + ": " + (first < mine.size() ? mine.get(first) : "(end)") + " vs the master's "
                    + (first < theirs.size() ? theirs.get(first) : "(end)");
        }
        return abbreviate(mine.toString()) + " vs the master's " + abbreviate(String.valueOf(theirs));
    }

    private static String abbreviate(String text) {
        return text.length() <= 300 ? text : text.substring(0, 300) + "...(" + text.length() + " chars)";
    }
}
