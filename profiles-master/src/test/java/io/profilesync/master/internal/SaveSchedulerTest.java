package io.profilesync.master.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.profilesync.core.ObservableInt;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Save debounce, batches, retries with backoff and conflicts, in virtual time. */
class SaveSchedulerTest extends CoreHarness {
    static final long COALESCE = SaveScheduler.COALESCE_NANOS;

    @Test
    void aThousandChangesWithinTheDebounceGiveOneSaveOfTheLastValue() {
        accessor.rows.put("alice", new ScriptedAccessor.Row("{}", 1));
        start(config().build());
        long start = loop.nanoTime();
        for (int i = 1; i <= 1000; i++) {
            int gold = i;
            edit("alice", p -> p.get("gold", ObservableInt.class).set(gold));
            loop.advance(Duration.ofNanos(900_000)); // 1000 changes in 0.9 s
        }
        assertThat(accessor.saveTimes).isEmpty();
        assertThat(core.isDirty("alice")).isTrue();
        loop.advance(ms(200));
        assertThat(accessor.saveTimes).containsExactly(start + Duration.ofSeconds(1).toNanos() + COALESCE);
        assertThat(accessor.rows.get("alice").json()).contains("\"gold\":1000");
        assertThat(core.isDirty("alice")).isFalse();
        assertThat(core.stats().dirtyProfiles()).isZero();
    }

    @Test
    void profilesFallingDueTogetherShareOneBatchOfAtMostSaveBatchSize() {
        start(config().saveBatchSize(3).build());
        for (int i = 0; i < 7; i++) {
            int gold = i;
            edit("user" + i, p -> p.get("gold", ObservableInt.class).set(gold));
        }
        loop.advance(Duration.ofSeconds(2));
        assertThat(accessor.saveTimes).as("7 profiles in batches of 3").hasSize(3);
        assertThat(accessor.rows).hasSize(7);
        assertThat(core.dirtyCount()).isZero();
    }

    @Test
    void aFailedSaveIsRetriedWithADoublingDelayUpToTheMaximumAndNeverDropped() {
        start(config().saveRetryMaxDelay(ms(1500)).build());
        accessor.rows.put("alice", new ScriptedAccessor.Row("{}", 1));
        accessor.failSaves = 4;
        long start = loop.nanoTime();
        edit("alice", p -> p.get("gold", ObservableInt.class).set(5));
        loop.advance(Duration.ofSeconds(10));
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < accessor.saveTimes.size(); i++) {
            gaps.add(accessor.saveTimes.get(i) - accessor.saveTimes.get(i - 1));
        }
        assertThat(accessor.saveTimes.get(0)).isEqualTo(start + Duration.ofSeconds(1).toNanos() + COALESCE);
        assertThat(gaps).containsExactly(ms(500).toNanos() + COALESCE, ms(1000).toNanos() + COALESCE,
                ms(1500).toNanos() + COALESCE, ms(1500).toNanos() + COALESCE);
        assertThat(accessor.rows.get("alice").json()).contains("\"gold\":5");
        assertThat(core.dirtyCount()).isZero();
    }

    @Test
    void aStaleRowIsNeverOverwrittenNorRetried() {
        accessor.rows.put("alice", new ScriptedAccessor.Row("{\"gold\":1}", 1));
        start(config().build());
        edit("alice", p -> p.get("gold", ObservableInt.class).set(5));
        accessor.rows.put("alice", new ScriptedAccessor.Row("{\"gold\":999}", 2)); // an operator's edit
        loop.advance(Duration.ofMinutes(5));
        assertThat(accessor.saveTimes).hasSize(1);
        assertThat(accessor.rows.get("alice").json()).isEqualTo("{\"gold\":999}");
        assertThat(core.stats().conflictedProfiles()).isEqualTo(1);
        assertThat(core.dirtyCount()).isEqualTo(1);
        assertThat(core.savableDirtyCount()).isZero();
        assertThat(core.saveDue(true)).as("not even on the way out").isEmpty();
    }

    @Test
    void aSaveThatCommittedButReportedAFailureIsRecognisedAndTheProfileCarriesOn() {
        accessor.rows.put("alice", new ScriptedAccessor.Row("{\"gold\":1}", 1));
        start(config().build());
        accessor.failSavesAfterCommit = 1;
        edit("alice", p -> p.get("gold", ObservableInt.class).set(5));
        loop.advance(Duration.ofSeconds(1).plus(ms(20)));
        assertThat(accessor.saveTimes).hasSize(1);
        assertThat(accessor.rows.get("alice").version()).as("committed, though reported failed").isEqualTo(2);
        assertThat(core.isDirty("alice")).isTrue();

        loop.advance(Duration.ofSeconds(2)); // the retry is refused as stale: the row is read back, and it is ours
        assertThat(core.stats().conflictedProfiles()).isZero();
        assertThat(core.isDirty("alice")).isFalse();
        edit("alice", p -> p.get("gold", ObservableInt.class).set(6));
        loop.advance(Duration.ofSeconds(2));
        assertThat(accessor.rows.get("alice").json()).contains("\"gold\":6");
        assertThat(accessor.rows.get("alice").version()).isEqualTo(3);
        assertThat(core.isDirty("alice")).isFalse();
    }

    @Test
    void aCommittedSaveThatReportedAFailureIsRecognisedAfterFurtherFailedAttemptsToo() {
        accessor.rows.put("alice", new ScriptedAccessor.Row("{\"gold\":1}", 1));
        start(config().build());
        accessor.failSavesAfterCommit = 1;
        edit("alice", p -> p.get("gold", ObservableInt.class).set(5));
        loop.advance(Duration.ofSeconds(1).plus(ms(20)));
        assertThat(accessor.rows.get("alice").version()).isEqualTo(2);
        accessor.failSaves = 1; // the retry, with a newer value, fails before its commit
        edit("alice", p -> p.get("gold", ObservableInt.class).set(6));
        loop.advance(Duration.ofSeconds(7)); // then stale against version 2, the first attempt's: carry on
        assertThat(core.stats().conflictedProfiles()).isZero();
        assertThat(accessor.rows.get("alice").json()).contains("\"gold\":6");
        assertThat(accessor.rows.get("alice").version()).isEqualTo(3);
        assertThat(core.isDirty("alice")).isFalse();
    }

    @Test
    void aStaleRowAfterASaveThatReportedAFailureIsStillAConflictWhenItIsNotOurs() {
        accessor.rows.put("alice", new ScriptedAccessor.Row("{\"gold\":1}", 1));
        start(config().build());
        accessor.failSaves = 1; // this one did not commit
        edit("alice", p -> p.get("gold", ObservableInt.class).set(5));
        loop.advance(Duration.ofSeconds(1).plus(ms(20)));
        assertThat(accessor.saveTimes).hasSize(1);
        accessor.rows.put("alice", new ScriptedAccessor.Row("{\"gold\":999}", 2)); // an operator's edit meanwhile
        loop.advance(Duration.ofSeconds(5));
        assertThat(accessor.rows.get("alice").json()).isEqualTo("{\"gold\":999}");
        assertThat(core.stats().conflictedProfiles()).isEqualTo(1);
        assertThat(core.savableDirtyCount()).isZero();
    }

    @Test
    void aChangeDuringASaveIsSavedADebounceAfterItNotLost() {
        accessor.rows.put("alice", new ScriptedAccessor.Row("{}", 1));
        start(config().build());
        accessor.holdSaves = true;
        edit("alice", p -> p.get("gold", ObservableInt.class).set(5));
        loop.advance(Duration.ofSeconds(2));
        assertThat(accessor.heldSaves).hasSize(1);
        long changedAt = loop.nanoTime();
        edit("alice", p -> p.get("gold", ObservableInt.class).set(6));
        accessor.holdSaves = false;
        accessor.releaseHeldSaves();
        assertThat(accessor.rows.get("alice").json()).as("the snapshot taken before the change")
                .contains("\"gold\":5");
        loop.advance(ms(500));
        assertThat(core.isDirty("alice")).as("changed while saving").isTrue();
        loop.advance(ms(600));
        assertThat(accessor.saveTimes).hasSize(2);
        assertThat(accessor.saveTimes.get(1)).isEqualTo(changedAt + Duration.ofSeconds(1).toNanos() + COALESCE);
        assertThat(accessor.rows.get("alice").json()).contains("\"gold\":6");
        assertThat(core.isDirty("alice")).isFalse();
    }

    @Test
    void saveDueAllSavesWhatIsNotDueYet() {
        start(config().saveProfileDebounce(Duration.ofMinutes(10)).build());
        for (int i = 0; i < 5; i++) {
            edit("user" + i, p -> p.get("gold", ObservableInt.class).set(1));
        }
        assertThat(core.saveDue(false)).isEmpty();
        assertThat(core.saveDue(true)).hasSize(1);
        loop.runDue();
        assertThat(core.dirtyCount()).isZero();
        assertThat(accessor.rows).hasSize(5);
    }
}
