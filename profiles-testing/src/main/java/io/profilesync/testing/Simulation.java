package io.profilesync.testing;

import io.profilesync.master.internal.BrokenOnPurpose;
import io.profilesync.testing.sim.SimulationRun;
import io.profilesync.testing.sim.SimulationRun.Invariant;
import io.profilesync.testing.sim.SimulationRun.Result;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The deterministic simulation of the whole system, as a command: the real master core, game-server and client
 * cores, a fault-injecting database and in-memory connections, in one thread under virtual time, driven by one
 * seeded generator per run (see {@link SimulationRun}). A run is a pure function of its seed, so a failing seed is
 * replayed exactly with {@code --seed S}.
 *
 * <pre>
 * java -cp ... io.profilesync.testing.Simulation --seeds 2000     # seeds 1..2000, a report per failing seed
 * java -cp ... io.profilesync.testing.Simulation --seed 81723     # one seed, with its whole trace
 * </pre>
 *
 * <p>The last line printed is always {@code simulation: <N> seeds, <F> failures, <T> s}, then figures
 * (seeds in which changes applied but never durably acknowledged were lost with a master crash and their writer,
 * which the promise allows and which are not failures; seeds per second). The exit code is 0 only when no seed failed. {@code --threads K} runs seeds on K
 * threads (each run stays single-threaded; the report is in seed order either way); {@code --first S} starts the
 * range at S; {@code --broken VARIANT} builds the master core with a defect on purpose (tests of the simulation).
 *
 * <p>Threading: {@link #run} may be called from any thread; it prints to the stream it is given.
 */
public final class Simulation {
    /** How many lines of a failing seed's trace the multi-seed report shows (its end, where the failure is). */
    private static final int TRACE_TAIL = 150;

    /** What a range of seeds found. */
    public record Summary(long seeds, long failures, long appliedNotDurableLostSeeds, double seconds,
                          List<Long> failingSeeds, Map<Invariant, Long> failingSeedsByInvariant,
                          Map<Invariant, Long> firstSeedByInvariant) {
        /** The exact last line of the report. */
        public String line() {
            return String.format(Locale.ROOT, "simulation: %d seeds, %d failures, %.1f s, applied-not-durable-lost %d"
                    + " seeds, %.0f seeds/s", seeds, failures, seconds, appliedNotDurableLostSeeds,
                    seeds / Math.max(seconds, 1e-9));
        }
    }

    /** The first seed that failed, and the invariants it broke. */
    public record Caught(long seed, Set<Invariant> invariants, List<SimulationRun.Violation> violations) {
    }

    private Simulation() {
    }

    /**
     * Runs seeds 1, 2, ... up to {@code maxSeeds} and stops at the first that breaks {@code invariant} (the
     * broken-variant tests: a seed that fails some other way, as a real bug can, is passed over).
     */
    public static java.util.Optional<Caught> firstFailure(Set<BrokenOnPurpose> broken, Invariant invariant,
                                                         long maxSeeds) {
        for (long seed = 1; seed <= maxSeeds; seed++) {
            Result result = new SimulationRun(seed, false, broken).run();
            Set<Invariant> invariants = EnumSet.noneOf(Invariant.class);
            result.violations().forEach(v -> invariants.add(v.invariant()));
            if (invariants.contains(invariant)) {
                return java.util.Optional.of(new Caught(seed, invariants, result.violations()));
            }
        }
        return java.util.Optional.empty();
    }

    public static void main(String[] args) throws Exception {
        long first = 1;
        long count = -1;
        long single = -1;
        int threads = 1;
        Set<BrokenOnPurpose> broken = EnumSet.noneOf(BrokenOnPurpose.class);
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (arg) {
                case "--seeds" -> count = Long.parseLong(required(arg, value));
                case "--seed" -> single = Long.parseLong(required(arg, value));
                case "--first" -> first = Long.parseLong(required(arg, value));
                case "--threads" -> threads = Integer.parseInt(required(arg, value));
                case "--broken" -> broken.add(BrokenOnPurpose.valueOf(required(arg, value)));
                default -> {
                    System.err.println("unknown argument '" + arg + "'; usage: Simulation (--seeds N [--first S]"
                            + " [--threads K] | --seed S) [--broken " + List.of(BrokenOnPurpose.values()) + "]");
                    System.exit(2);
                }
            }
            i++;
        }
        Summary summary;
        if (single >= 0) {
            summary = runOne(single, broken, System.out);
        } else {
            summary = run(first, count < 0 ? 100 : count, threads, broken, System.out);
        }
        System.exit(summary.failures() == 0 ? 0 : 1);
    }

    private static String required(String arg, String value) {
        if (value == null) {
            throw new IllegalArgumentException(arg + " needs a value");
        }
        return value;
    }

    /** Runs one seed and prints its whole trace, then what it found and the summary line. */
    public static Summary runOne(long seed, Set<BrokenOnPurpose> broken, PrintStream out) {
        long start = System.nanoTime();
        Result result = new SimulationRun(seed, true, broken).run();
        double seconds = (System.nanoTime() - start) / 1e9;
        out.print(result.trace());
        report(result, out, false);
        Summary summary = summarize(List.of(result), seconds);
        out.println(summary.line());
        return summary;
    }

    /**
     * Runs seeds {@code first} .. {@code first + count - 1}; prints each failing seed with its violations and the end
     * of its trace (replayed with the trace on), then the summary line.
     */
    public static Summary run(long first, long count, int threads, Set<BrokenOnPurpose> broken, PrintStream out)
            throws InterruptedException {
        long start = System.nanoTime();
        List<Result> results = new ArrayList<>();
        if (threads <= 1) {
            for (long seed = first; seed < first + count; seed++) {
                results.add(new SimulationRun(seed, false, broken).run());
            }
        } else {
            ExecutorService pool = Executors.newFixedThreadPool(threads, runnable -> {
                Thread thread = new Thread(runnable, "simulation");
                thread.setDaemon(true);
                return thread;
            });
            try {
                List<Future<Result>> futures = new ArrayList<>();
                for (long seed = first; seed < first + count; seed++) {
                    long s = seed;
                    futures.add(pool.submit(() -> new SimulationRun(s, false, broken).run()));
                }
                for (Future<Result> future : futures) {
                    results.add(future.get());
                }
            } catch (ExecutionException e) {
                throw new IllegalStateException("a simulated run escaped its own checks: " + e.getCause(), e);
            } finally {
                pool.shutdownNow();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        boolean traced = false;
        for (Result result : results) {
            if (result.failed()) {
                report(new SimulationRun(result.seed(), !traced, broken).run(), out, !traced);
                traced = true;
            }
        }
        Summary summary = summarize(results, seconds);
        out.println(summary.line());
        return summary;
    }

    private static void report(Result result, PrintStream out, boolean withTraceTail) {
        if (!result.failed()) {
            if (!result.appliedLostAcrossCrash().isEmpty()) {
                out.println("seed " + result.seed() + ": changes applied but never durably acknowledged, lost with a "
                        + "master crash and their writer (allowed): " + result.appliedLostAcrossCrash());
            }
            return;
        }
        out.println("seed " + result.seed() + " FAILED (replay: Simulation --seed " + result.seed() + ")");
        for (SimulationRun.Violation violation : result.violations()) {
            out.println("  " + violation);
        }
        if (withTraceTail) {
            List<String> lines = result.trace().lines().toList();
            int from = Math.max(0, lines.size() - TRACE_TAIL);
            out.println("  trace of seed " + result.seed() + (from > 0 ? " (its last " + TRACE_TAIL + " of "
                    + lines.size() + " lines; --seed prints it all)" : "") + ":");
            if (from > 0) {
                out.println("    " + lines.get(0));
            }
            for (String line : lines.subList(from, lines.size())) {
                out.println("    " + line);
            }
        }
    }

    private static Summary summarize(List<Result> results, double seconds) {
        long failures = 0;
        long lost = 0;
        List<Long> failing = new ArrayList<>();
        Map<Invariant, Long> byInvariant = new EnumMap<>(Invariant.class);
        Map<Invariant, Long> firstSeed = new EnumMap<>(Invariant.class);
        for (Result result : results) {
            if (result.failed()) {
                failures++;
                failing.add(result.seed());
                result.violations().stream().map(SimulationRun.Violation::invariant).distinct().forEach(invariant -> {
                    byInvariant.merge(invariant, 1L, Long::sum);
                    firstSeed.putIfAbsent(invariant, result.seed());
                });
            }
            if (!result.appliedLostAcrossCrash().isEmpty()) {
                lost++;
            }
        }
        return new Summary(results.size(), failures, lost, seconds, List.copyOf(failing), byInvariant, firstSeed);
    }
}
