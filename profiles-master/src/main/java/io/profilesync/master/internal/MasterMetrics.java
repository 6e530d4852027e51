package io.profilesync.master.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.profilesync.master.BuildInfo;
import io.profilesync.master.MasterServer;
import io.profilesync.protocol.internal.Messages.Message;
import io.profilesync.protocol.internal.Messages.Role;
import io.profilesync.protocol.internal.Protocol;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The master's figures: gauges and counters in the configured Micrometer registry, and the {@link MasterServer.Stats}
 * snapshot. Written on the profile thread only; the gauges are atomics, so {@link #stats()} and the registry may read
 * them from any thread.
 */
final class MasterMetrics {
    private final MeterRegistry registry;
    private final AtomicInteger connectedClients = new AtomicInteger();
    private final AtomicInteger connectedGameServers = new AtomicInteger();
    private final AtomicInteger loadedProfiles = new AtomicInteger();
    private final AtomicInteger dirtyProfiles = new AtomicInteger();
    private final AtomicInteger conflictedProfiles = new AtomicInteger();
    /** Save batches failed since the last one that succeeded; read by the health check from any thread. */
    private final AtomicInteger consecutiveSaveFailures = new AtomicInteger();
    private volatile String lastSaveFailure = "";
    /** 1 while saves succeed (or none failed yet), 0 from a failed save until one succeeds again. */
    private final AtomicInteger databaseAvailable = new AtomicInteger(1);
    private final Counter savedProfiles;
    private final Counter saveFailures;
    private final Timer saveSucceeded;
    private final Timer saveFailed;
    private final Timer loadSucceeded;
    private final Timer loadFailed;
    private final Counter loadFailures;
    private final Timer pushedToClients;
    private final Timer pushedToGameServers;
    private final Counter bytesIn;
    private final Counter bytesOut;
    /** One counter per tag combination, made on first use; the profile thread only, so a plain map. */
    private final Map<String, Counter> counters = new HashMap<>();
    private Counter acceptedFromClients;
    private Counter acceptedFromGameServers;

    MasterMetrics(MeterRegistry registry) {
        this.registry = registry;
        gauge("profilesync.clients.connected", "Game clients connected and authenticated now", connectedClients);
        gauge("profilesync.gameservers.connected", "Game servers connected and authenticated now",
                connectedGameServers);
        gauge("profilesync.profiles.loaded", "Profiles in the master's memory now", loadedProfiles);
        gauge("profilesync.profiles.dirty", "Profiles with changes not saved yet", dirtyProfiles);
        gauge("profilesync.profiles.conflicted", "Profiles whose stored version moved under the master (another "
                + "writer of the database); kept in memory, never overwritten", conflictedProfiles);
        gauge("profilesync.database.available", "1 while saves succeed, 0 from a failed save until one succeeds "
                + "again (durable acknowledgements wait meanwhile)", databaseAvailable);
        savedProfiles = Counter.builder("profilesync.saves").description("Profiles saved to the database")
                .register(registry);
        saveFailures = Counter.builder("profilesync.save.failures").description("Save batches the database refused "
                + "or failed (each is retried, never dropped)").register(registry);
        saveSucceeded = latency("profilesync.save.latency", "Time a save batch took in the database", "success");
        saveFailed = latency("profilesync.save.latency", "Time a save batch took in the database", "failure");
        loadSucceeded = latency("profilesync.load.latency", "Time one attempt to load a profile took", "success");
        loadFailed = latency("profilesync.load.latency", "Time one attempt to load a profile took", "failure");
        pushedToClients = pushLatency("client");
        pushedToGameServers = pushLatency("game_server");
        loadFailures = Counter.builder("profilesync.load.failures").description("Profiles that could not be loaded "
                + "after every attempt (the waiting peers are told)").register(registry);
        bytesIn = Counter.builder("profilesync.bytes.in").description("Estimated bytes of messages received from "
                + "peers").baseUnit("bytes").register(registry);
        bytesOut = Counter.builder("profilesync.bytes.out").description("Estimated bytes of messages sent to peers")
                .baseUnit("bytes").register(registry);
        String version = MasterServer.class.getPackage().getImplementationVersion();
        Gauge.builder("profilesync.build.info", () -> 1)
                .description("The running profilesync build: version and git commit (1 always)")
                .tag("version", version == null ? "development" : version)
                .tag("commit", BuildInfo.commit())
                .register(registry);
    }

    private void gauge(String name, String description, AtomicInteger value) {
        Gauge.builder(name, value, AtomicInteger::get).description(description).register(registry);
    }

    /** A latency timer with a Prometheus histogram (aggregatable across masters), one per outcome. */
    private Timer latency(String name, String description, String outcome) {
        return histogram(name, description + " (outcome: success or failure)").tag("outcome", outcome)
                .register(registry);
    }

    /** The push latency to one kind of holder; a push is only ever written (a full buffer is retried), not failed. */
    private Timer pushLatency(String holder) {
        return histogram("profilesync.push.latency", "Time from the master accepting a change to the push that "
                + "carries it being written to each other holder (holder: client or game_server; clients' include "
                + "clientUpdateDebounce)").tag("holder", holder).register(registry);
    }

    private static Timer.Builder histogram(String name, String description) {
        return Timer.builder(name).description(description).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(1));
    }

    private Counter counter(String name, String description, String... tags) {
        String key = name + String.join("\u0000", tags);
        return counters.computeIfAbsent(key, k -> Counter.builder(name).description(description).tags(tags)
                .register(registry));
    }

    private static String role(Role role) {
        return role == Role.CLIENT ? "client" : "game_server";
    }

    void peerReady(Role role) {
        (role == Role.CLIENT ? connectedClients : connectedGameServers).incrementAndGet();
    }

    void peerGone(Role role) {
        (role == Role.CLIENT ? connectedClients : connectedGameServers).decrementAndGet();
    }

    void loaded(int count) {
        loadedProfiles.set(count);
    }

    void dirty(int count) {
        dirtyProfiles.set(count);
    }

    void databaseAvailable(boolean available) {
        databaseAvailable.set(available ? 1 : 0);
    }

    void conflicted() {
        conflictedProfiles.incrementAndGet();
    }

    /** An update applied; {@code writer}: the role of the peer that sent it. */
    void accepted(Role writer) {
        // Once per applied update: the two counters are looked up once, not by building their key each time.
        Counter counter = writer == Role.CLIENT ? acceptedFromClients : acceptedFromGameServers;
        if (counter == null) {
            counter = counter("profilesync.updates.accepted", "Updates applied, by the kind of writer", "writer",
                    role(writer));
            if (writer == Role.CLIENT) {
                acceptedFromClients = counter;
            } else {
                acceptedFromGameServers = counter;
            }
        }
        counter.increment();
    }

    /**
     * An update refused.
     *
     * @param reason why, as a label: too_large, rejected (a constraint or a permission), malformed, not_held,
     *     too_big_to_send
     */
    void refused(Role writer, String reason) {
        counter("profilesync.updates.refused", "Updates refused, by the kind of writer and the reason", "writer",
                role(writer), "reason", reason).increment();
    }

    /** A hook threw; {@code kind}: listener, validator, reaction. */
    void hookFailed(String kind) {
        counter("profilesync.hook.failures", "Hooks (listeners, validators, reactions) that threw", "kind", kind)
                .increment();
    }

    /** A hook ran longer than hookWarnAfter on the profile thread. */
    void hookSlow(String kind) {
        counter("profilesync.hook.slow", "Hook calls slower than hookWarnAfter", "kind", kind).increment();
    }

    /** A peer refused at the handshake; {@code reason}: the refusal code (authentication, timeout...). */
    void handshakeRefused(String reason) {
        counter("profilesync.handshakes.refused", "Connections refused at the handshake, by reason", "reason",
                reason).increment();
    }

    /**
     * A failed authentication.
     *
     * @param reason a label: for clients the token's problem (missing, malformed, bad_signature, expired,
     *     invalid_user_id, rejected), for game servers wrong_secret or no_secrets_configured
     */
    void authenticationFailed(Role role, String reason) {
        counter("profilesync.authentications.failed", "Failed authentications, by role and reason", "role",
                role(role), "reason", reason).increment();
    }

    void saved(int profiles, long latencyNanos) {
        savedProfiles.increment(profiles);
        consecutiveSaveFailures.set(0);
        saveSucceeded.record(latencyNanos, TimeUnit.NANOSECONDS);
    }

    void saveFailed(long latencyNanos, Throwable cause) {
        saveFailures.increment();
        consecutiveSaveFailures.incrementAndGet();
        lastSaveFailure = String.valueOf(cause == null ? "unknown" : cause.getMessage()).lines().findFirst()
                .orElse("");
        saveFailed.record(latencyNanos, TimeUnit.NANOSECONDS);
    }

    /** A push carried changes of other writers to a holder, the oldest accepted {@code latencyNanos} ago. */
    void pushed(Role holder, long latencyNanos) {
        (holder == Role.CLIENT ? pushedToClients : pushedToGameServers).record(latencyNanos, TimeUnit.NANOSECONDS);
    }

    /** One load attempt ended. */
    void loadAttempted(boolean succeeded, long latencyNanos) {
        (succeeded ? loadSucceeded : loadFailed).record(latencyNanos, TimeUnit.NANOSECONDS);
    }

    /** A profile could not be loaded at all. */
    void loadFailed() {
        loadFailures.increment();
    }

    void received(Message message) {
        bytesIn.increment(Protocol.estimateSize(message));
        counter("profilesync.messages", "Messages, by direction and type", "direction", "in", "type",
                message.getClass().getSimpleName()).increment();
    }

    void sent(Message message) {
        bytesOut.increment(Protocol.estimateSize(message));
        counter("profilesync.messages", "Messages, by direction and type", "direction", "out", "type",
                message.getClass().getSimpleName()).increment();
    }

    /** Save batches failed in a row, and the last failure's message; thread-safe. */
    int consecutiveSaveFailures() {
        return consecutiveSaveFailures.get();
    }

    String lastSaveFailure() {
        return lastSaveFailure;
    }

    /** Thread-safe: reads the atomics. */
    MasterServer.Stats stats() {
        return new MasterServer.Stats(connectedClients.get(), connectedGameServers.get(), loadedProfiles.get(),
                dirtyProfiles.get(), conflictedProfiles.get(), databaseAvailable.get() == 1);
    }
}
