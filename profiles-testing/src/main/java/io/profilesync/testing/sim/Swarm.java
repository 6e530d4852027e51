package io.profilesync.testing.sim;

import java.util.Locale;
import java.util.Random;

/**
 * What one seed runs ("swarm testing", as TigerBeetle's VOPR does): how many game servers, clients and users, how long
 * the chaos lasts, and which faults are likely at all. Each fault is switched on or off per seed, and its rate drawn
 * when on, so some seeds hammer one fault and others try rare combinations.
 */
public record Swarm(int gameServers, int clients, int users, long chaosNanos, long stepNanos,
                    SimNetwork.Faults network, FaultyAccessor.Faults database, double masterCrashPerStep,
                    double peerRestartPerStep, double masterEditPerStep, long updateIntervalNanos,
                    long unloadAfterNanos, long saveDebounceNanos) {

    /** Draws the swarm of one seed from the run's generator (the first draws of the run). */
    public static Swarm draw(Random random) {
        boolean drops = random.nextBoolean();
        boolean stalls = random.nextBoolean();
        boolean smallBuffers = random.nextInt(3) == 0;
        boolean slowNetwork = random.nextBoolean();
        SimNetwork.Faults network = new SimNetwork.Faults(
                drops ? 0.002 + random.nextDouble() * 0.03 : 0,
                random.nextInt(3) == 0 ? random.nextDouble() * 0.3 : 0,
                stalls ? random.nextDouble() * 0.05 : 0,
                stalls ? 1_000_000 + (long) (random.nextDouble() * 80_000_000) : 0,
                smallBuffers ? 2 : 64,
                smallBuffers ? 8 : 256,
                slowNetwork ? 20_000_000 : 1_000_000);
        boolean dbFailures = random.nextBoolean();
        boolean dbHangs = random.nextInt(4) == 0;
        boolean dbSlow = random.nextBoolean();
        FaultyAccessor.Faults database = new FaultyAccessor.Faults(
                dbFailures ? random.nextDouble() * 0.3 : 0,
                dbHangs ? random.nextDouble() * 0.1 : 0,
                dbSlow ? 50_000_000 : 2_000_000,
                3_000_000_000L);
        return new Swarm(
                1 + random.nextInt(3),
                random.nextInt(4),
                1 + random.nextInt(3),
                500_000_000L + (long) (random.nextDouble() * 1_500_000_000L),
                2_000_000 + random.nextInt(8_000_000),
                network,
                database,
                random.nextInt(3) == 0 ? random.nextDouble() * 0.01 : 0,
                random.nextInt(2) == 0 ? random.nextDouble() * 0.01 : 0,
                random.nextInt(2) == 0 ? random.nextDouble() * 0.05 : 0,
                5_000_000 + random.nextInt(45_000_000),
                20_000_000 + (long) (random.nextDouble() * 400_000_000),
                5_000_000 + (long) (random.nextDouble() * 300_000_000));
    }

    /** One line for the trace's head. */
    public String describe() {
        return String.format(Locale.ROOT, "%d game servers, %d clients, %d users, chaos %.0f ms, step %.1f ms; "
                        + "network drop %.4f connect-fail %.2f stall %.3f (%.0f ms) capacity %d-%d latency<=%.1f ms; "
                        + "db fail %.2f hang %.2f latency<=%.0f ms; master crash %.4f/step, peer restart %.4f/step, "
                        + "master edit %.3f/step; update %.0f ms, unload after %.0f ms, save debounce %.0f ms",
                gameServers, clients, users, chaosNanos / 1e6, stepNanos / 1e6, network.dropPerMessage(),
                network.connectFailure(), network.stallPerMessage(), network.maxStallNanos() / 1e6,
                network.minCapacity(), network.maxCapacity(), network.maxLatencyNanos() / 1e6, database.failure(),
                database.hang(), database.maxLatencyNanos() / 1e6, masterCrashPerStep, peerRestartPerStep,
                masterEditPerStep, updateIntervalNanos / 1e6, unloadAfterNanos / 1e6, saveDebounceNanos / 1e6);
    }
}
