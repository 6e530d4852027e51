package io.profilesync.master.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.profilesync.master.MasterServer;
import io.profilesync.protocol.internal.Messages.Message;
import io.profilesync.protocol.internal.Messages.Role;
import io.profilesync.protocol.internal.Protocol;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The master's figures: gauges and counters in the configured Micrometer registry, and the {@link MasterServer.Stats}
 * snapshot. Written on the profile thread only; the gauges are atomics, so {@link #stats()} and the registry may read
 * them from any thread.
 */
final class MasterMetrics {
    private final AtomicInteger connectedClients = new AtomicInteger();
    private final AtomicInteger connectedGameServers = new AtomicInteger();
    private final AtomicInteger loadedProfiles = new AtomicInteger();
    private final AtomicInteger dirtyProfiles = new AtomicInteger();
    private final AtomicInteger conflictedProfiles = new AtomicInteger();
    /** 1 while saves succeed (or none failed yet), 0 from a failed save until one succeeds again. */
    private final AtomicInteger databaseAvailable = new AtomicInteger(1);
    private final Counter acceptedUpdates;
    private final Counter refusedUpdates;
    private final Counter savedProfiles;
    private final Counter saveFailures;
    private final Timer saveLatency;
    private final Counter bytesIn;
    private final Counter bytesOut;

    MasterMetrics(MeterRegistry registry) {
        registry.gauge("profilesync.clients.connected", connectedClients);
        registry.gauge("profilesync.gameservers.connected", connectedGameServers);
        registry.gauge("profilesync.profiles.loaded", loadedProfiles);
        registry.gauge("profilesync.profiles.dirty", dirtyProfiles);
        registry.gauge("profilesync.profiles.conflicted", conflictedProfiles);
        registry.gauge("profilesync.database.available", databaseAvailable);
        acceptedUpdates = registry.counter("profilesync.updates.accepted");
        refusedUpdates = registry.counter("profilesync.updates.refused");
        savedProfiles = registry.counter("profilesync.saves");
        saveFailures = registry.counter("profilesync.save.failures");
        saveLatency = Timer.builder("profilesync.save.latency").publishPercentiles(0.5, 0.99).register(registry);
        bytesIn = registry.counter("profilesync.bytes.in");
        bytesOut = registry.counter("profilesync.bytes.out");
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

    void accepted() {
        acceptedUpdates.increment();
    }

    void refused() {
        refusedUpdates.increment();
    }

    void saved(int profiles, long latencyNanos) {
        savedProfiles.increment(profiles);
        saveLatency.record(latencyNanos, TimeUnit.NANOSECONDS);
    }

    void saveFailed(long latencyNanos) {
        saveFailures.increment();
        saveLatency.record(latencyNanos, TimeUnit.NANOSECONDS);
    }

    void received(Message message) {
        bytesIn.increment(Protocol.estimateSize(message));
    }

    void sent(Message message) {
        bytesOut.increment(Protocol.estimateSize(message));
    }

    /** Thread-safe: reads the atomics. */
    MasterServer.Stats stats() {
        return new MasterServer.Stats(connectedClients.get(), connectedGameServers.get(), loadedProfiles.get(),
                dirtyProfiles.get(), conflictedProfiles.get(), databaseAvailable.get() == 1);
    }
}
