package io.profilesync.master.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.profilesync.core.ObservableInt;
import io.profilesync.protocol.internal.Messages.AcquireFailed;
import io.profilesync.protocol.internal.Messages.AcquireProfile;
import io.profilesync.protocol.internal.Messages.ProfileAcquired;
import io.profilesync.protocol.internal.Messages.ReleaseProfile;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Loads, retries, timeouts and unloads, in virtual time: the 4 s of real waiting of the socket test take none. */
class ProfileCacheTest extends CoreHarness {
    @Test
    void aFailedLoadIsRetriedAfter200Then800MillisAndEveryWaiterGetsTheProfile() {
        start(config().build());
        RecordingChannel one = gameServer(1);
        RecordingChannel two = gameServer(2);
        accessor.failRestores = 2;
        long start = loop.nanoTime();
        receive(one, new AcquireProfile(1, "alice"));
        receive(two, new AcquireProfile(9, "alice"));
        assertThat(one.sent(ProfileAcquired.class)).isEmpty();

        loop.advance(ms(199));
        assertThat(accessor.restoreTimes).hasSize(1);
        loop.advance(ms(1));
        assertThat(accessor.restoreTimes).hasSize(2);
        loop.advance(ms(800));
        assertThat(accessor.restoreTimes).containsExactly(start, start + ms(200).toNanos(), start + ms(1000).toNanos());
        assertThat(one.last(ProfileAcquired.class).requestId()).isEqualTo(1);
        assertThat(two.last(ProfileAcquired.class).requestId()).as("one load served both").isEqualTo(9);
        assertThat(core.loadedUserIds()).containsExactly("alice");
    }

    @Test
    void whenTheAttemptsAreSpentEveryWaiterIsToldWhyAndNothingStaysBehind() {
        start(config().profileLoadAttempts(3).build());
        RecordingChannel gameServer = gameServer(1);
        accessor.failRestores = 3;
        receive(gameServer, new AcquireProfile(2, "bob"));
        loop.advance(ms(999));
        assertThat(gameServer.sent(AcquireFailed.class)).isEmpty();
        loop.advance(ms(1));
        AcquireFailed failed = gameServer.last(AcquireFailed.class);
        assertThat(failed.requestId()).isEqualTo(2);
        assertThat(failed.reason()).contains("bob").contains("3 attempt(s)");
        assertThat(core.loadedUserIds()).isEmpty();
        assertThat(core.stats().loadedProfiles()).isZero();

        // The next need starts afresh.
        acquire(gameServer, 3, "bob");
        assertThat(accessor.restoreTimes).hasSize(4);
    }

    @Test
    void aLoadThatHangsIsAnsweredAtTheTimeoutAndItsLateResultIsIgnored() {
        start(config().profileLoadTimeout(ms(300)).build());
        RecordingChannel gameServer = gameServer(4);
        accessor.holdRestores = true;
        receive(gameServer, new AcquireProfile(7, "carol"));
        loop.advance(ms(299));
        assertThat(gameServer.sent(AcquireFailed.class)).isEmpty();
        loop.advance(ms(1));
        assertThat(gameServer.last(AcquireFailed.class).reason()).contains("carol").contains("timed out after 300 ms");

        accessor.heldRestores.get(0).complete(false);
        loop.runDue();
        assertThat(gameServer.sent(ProfileAcquired.class)).isEmpty();
        assertThat(core.loadedUserIds()).isEmpty();
    }

    @Test
    void anIdleProfileIsUnloadedOnlyAfterItsChangesAreSaved() {
        accessor.rows.put("alice", new ScriptedAccessor.Row("{\"level\":2}", 1));
        start(config().saveProfileDebounce(Duration.ofSeconds(10)).unloadProfileAfter(Duration.ofSeconds(1))
                .build());
        RecordingChannel gameServer = gameServer(11);
        ProfileAcquired acquired = acquire(gameServer, 1, "alice");
        batch(gameServer, 1, acquired.handle(), delta(replica(acquired.profile()),
                p -> p.get("level", ObservableInt.class).set(9)));
        receive(gameServer, new ReleaseProfile(acquired.handle()));
        accessor.failSaves = 2;

        // Idle for 1 s: saved at once (not 10 s later), but the database fails twice; it stays loaded meanwhile.
        loop.advance(Duration.ofMillis(2500));
        assertThat(accessor.saveTimes).hasSize(2);
        assertThat(core.loadedUserIds()).containsExactly("alice");
        assertThat(core.isDirty("alice")).isTrue();

        loop.advance(Duration.ofMillis(100));
        assertThat(accessor.saveTimes).hasSize(3);
        assertThat(accessor.rows.get("alice").json()).contains("\"level\":9");
        assertThat(core.loadedUserIds()).as("unloaded as soon as it was clean").isEmpty();
        assertThat(core.stats().loadedProfiles()).isZero();
    }

    @Test
    void aHolderComingBackInTimeFindsItLoadedAndTheUnloadClockStartsAgainWhenItLeaves() {
        start(config().unloadProfileAfter(Duration.ofSeconds(5)).build());
        RecordingChannel gameServer = gameServer(12);
        ProfileAcquired first = acquire(gameServer, 1, "alice");
        loop.advance(Duration.ofSeconds(2)); // its creation is saved meanwhile
        receive(gameServer, new ReleaseProfile(first.handle()));
        loop.advance(Duration.ofSeconds(4));
        acquire(gameServer, 2, "alice");
        assertThat(accessor.restoreTimes).as("no second load").hasSize(1);
        loop.advance(Duration.ofMinutes(1));
        assertThat(core.loadedUserIds()).as("held: never unloaded").containsExactly("alice");

        receive(gameServer, new ReleaseProfile(gameServer.last(ProfileAcquired.class).handle()));
        loop.advance(ms(4999));
        assertThat(core.loadedUserIds()).containsExactly("alice");
        loop.advance(ms(1));
        assertThat(core.loadedUserIds()).isEmpty();
    }

    @Test
    void brokenOnPurposeTheUnloadDropsUnsavedChanges() {
        accessor.rows.put("alice", new ScriptedAccessor.Row("{\"level\":2}", 1));
        start(config().saveProfileDebounce(Duration.ofSeconds(10)).unloadProfileAfter(Duration.ofSeconds(1)).build(),
                BrokenOnPurpose.UNLOAD_IGNORES_DIRTINESS);
        RecordingChannel gameServer = gameServer(11);
        ProfileAcquired acquired = acquire(gameServer, 1, "alice");
        batch(gameServer, 1, acquired.handle(), delta(replica(acquired.profile()),
                p -> p.get("level", ObservableInt.class).set(9)));
        receive(gameServer, new ReleaseProfile(acquired.handle()));
        loop.advance(Duration.ofSeconds(1));
        assertThat(core.loadedUserIds()).isEmpty();
        loop.advance(Duration.ofMinutes(1));
        assertThat(accessor.rows.get("alice").json()).as("the change is lost").contains("\"level\":2");
    }
}
