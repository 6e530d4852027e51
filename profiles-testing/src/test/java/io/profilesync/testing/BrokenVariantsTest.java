package io.profilesync.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.profilesync.master.internal.BrokenOnPurpose;
import io.profilesync.testing.sim.SimulationRun.Invariant;
import java.util.EnumSet;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The simulation bites: built with each defect on purpose, the master core fails an invariant within a bounded
 * number of seeds, and the invariant that catches it is the one the defect breaks.
 */
class BrokenVariantsTest {
    private static final int MAX_SEEDS = 400;

    // Well under 3 minutes on an idle 2-core machine; the default 120 s limit is for hung network tests, and a
    // machine shared by several builds can be many times slower.
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    @ParameterizedTest
    // DEDUPE_OFF is caught since writers keep applied batches until durable: after a master crash they send them
    // again, and only the exactly-once record saved with the profile tells the new master which it already has.
    @CsvSource({
        "DEDUPE_OFF, APPLIED_ONCE",
        "PUSH_SKIPS_WRITERS_OWN_CHANGES, CONVERGENCE",
        "UNLOAD_IGNORES_DIRTINESS, NO_DIRTY_UNLOAD",
        "ACK_BEFORE_DURABLE, ACKNOWLEDGED_KEPT",
        // Acknowledged as durable when applied: a flush completes before its write is in the database.
        "ACK_BEFORE_DURABLE, FLUSHED_DURABLE",
        // A reaction made a moment after its trigger: a save in between stores the trigger without its consequence.
        "REACTION_APART, DERIVED_TOGETHER",
        // The old all-or-nothing refusal: a token appended beside an out-of-range write is refused with it.
        "REFUSAL_TAKES_THE_DELTA, REFUSED_ALONE",
        // Increments sent as the writer's new value: two writers adding at once, one addition is overwritten.
        "INCREMENTS_AS_VALUES, INCREMENTS_COUNTED",
        // An atomic purchase applied piecewise, unchecked: an item kept while its payment was refused below 0.
        "ATOMIC_APPLIES_PIECEWISE, ATOMIC_WHOLE",
        // A list index applied as it came, on the master's newer list: a remove deletes another writer's element.
        "LIST_EDITS_NOT_REBASED, REMOVED_AS_SEEN",
    })
    void eachDefectIsCaught(BrokenOnPurpose defect, Invariant expected) {
        Optional<Simulation.Caught> caught = Simulation.firstFailure(EnumSet.of(defect), expected, MAX_SEEDS);
        assertThat(caught).as("%s caught within %d seeds", defect, MAX_SEEDS).isPresent();
        System.out.println(defect + ": caught by " + caught.get().invariants() + " at seed " + caught.get().seed());
        assertThat(caught.get().invariants()).contains(expected);
    }
}
