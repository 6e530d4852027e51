package io.profilesync.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.profilesync.master.internal.BrokenOnPurpose;
import io.profilesync.testing.sim.SimulationRun;
import io.profilesync.testing.sim.SimulationRun.Result;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The simulation as CI runs it, and its promise that one seed replays exactly. */
class SimulationTest {
    /** What CI runs on every build; a soak runs more (README). */
    private static final int CI_SEEDS = 2000;

    // Well under 3 minutes on an idle 2-core machine; the default 120 s limit is for hung network tests, and a
    // machine shared by several builds can be many times slower.
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    @Test
    void ciSeedsFindNoFailure() throws Exception {
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        Simulation.Summary summary;
        try (PrintStream out = new PrintStream(report, true, StandardCharsets.UTF_8)) {
            summary = Simulation.run(1, CI_SEEDS, 2, Set.of(), out);
        }
        String text = report.toString(StandardCharsets.UTF_8);
        System.out.print(text);
        assertThat(summary.seeds()).isEqualTo(CI_SEEDS);
        assertThat(text.lines().reduce((a, b) -> b).orElseThrow())
                .startsWith("simulation: " + CI_SEEDS + " seeds, " + summary.failures() + " failures, ");
        assertThat(summary.failingSeeds()).as(text).isEmpty();
        assertThat(summary.failures()).as(text).isZero();
    }

    @Test
    void aSeedReplaysByteForByte() {
        for (long seed : new long[] {7, 42, 1234}) {
            Result first = new SimulationRun(seed, true, Set.of()).run();
            Result second = new SimulationRun(seed, true, Set.of()).run();
            assertThat(second.trace()).isEqualTo(first.trace());
            assertThat(first.trace().lines().count()).isGreaterThan(50);
            Result untraced = new SimulationRun(seed, false, Set.of()).run();
            assertThat(untraced.tasks()).isEqualTo(first.tasks());
            assertThat(untraced.virtualNanos()).isEqualTo(first.virtualNanos());
            assertThat(untraced.violations()).isEqualTo(first.violations());
        }
    }

    @Test
    void theReportOfOneSeedIsItsTraceThenTheSummaryLine() {
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(report, true, StandardCharsets.UTF_8)) {
            Simulation.runOne(3, EnumSet.noneOf(BrokenOnPurpose.class), out);
        }
        String text = report.toString(StandardCharsets.UTF_8);
        assertThat(text).startsWith("     0.000 ms  seed 3: ");
        assertThat(text.lines().reduce((a, b) -> b).orElseThrow()).matches("simulation: 1 seeds, 0 failures, [0-9.]+ s, "
                + "applied-not-durable-lost [01] seeds, [0-9]+ seeds/s");
    }
}
