package io.profilesync.testing.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What happened in one simulated run, one line per event with its virtual time, for a failing seed's report. Off by
 * default (a run that passes needs no trace, and formatting costs more than the run): a failing seed is replayed
 * with the trace on, and the replay is exact because nothing in a run depends on whether the trace is kept.
 *
 * <p>Threading: single-threaded, as the whole simulation.
 */
public final class Trace {
    private final boolean enabled;
    private final List<String> lines = new ArrayList<>();
    private final VirtualScheduler clock;

    Trace(boolean enabled, VirtualScheduler clock) {
        this.enabled = enabled;
        this.clock = clock;
    }

    /** Whether lines are kept; callers building an expensive line check this first. */
    public boolean enabled() {
        return enabled;
    }

    /** Records one event at the current virtual time (nothing when the trace is off). */
    public void add(String event) {
        if (enabled) {
            lines.add(String.format(Locale.ROOT, "%10.3f ms  %s", clock.nanoTime() / 1e6, event));
        }
    }

    /** The lines so far, in order. */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** The whole trace as text, one event a line. */
    public String text() {
        return String.join("\n", lines) + (lines.isEmpty() ? "" : "\n");
    }
}
