package io.profilesync.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.profilesync.core.ObservableInt;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.ProfileFormatException;
import io.profilesync.core.ProfilesException;
import io.profilesync.core.StaleProfileException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InMemoryProfilesDatabaseAccessorTest {
    private final InMemoryProfilesDatabaseAccessor db = new InMemoryProfilesDatabaseAccessor();

    @AfterEach
    void close() {
        db.close();
    }

    /** Every property type (TestProfiles) and a "gold" the tests below write and corrupt. */
    private static ObservableServerProfile profile(String userId) {
        ObservableServerProfile profile = TestProfiles.newProfile(userId);
        profile.add(new ObservableInt("gold", 0));
        return profile;
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(10, TimeUnit.SECONDS);
    }

    @Test
    void savesAndRestoresEveryTypeWithVersions() throws Exception {
        ObservableServerProfile saved = profile("u1");
        saved.fromJson(TestProfiles.filled("u1", 7).toJson());
        assertThat(await(db.restoreProfileAsync(saved))).isFalse();
        assertThat(saved.storedVersion()).isZero();
        await(db.updateProfileAsync(saved));
        assertThat(saved.storedVersion()).isOne();
        await(db.updateProfileAsync(saved));
        assertThat(saved.storedVersion()).isEqualTo(2);

        ObservableServerProfile restored = profile("u1");
        assertThat(await(db.restoreProfileAsync(restored))).isTrue();
        assertThat(restored.storedVersion()).isEqualTo(2);
        TestProfiles.assertSameContent(restored, saved);
        assertThat(restored.hasUpdates()).isFalse();
    }

    @Test
    void staleSavesWriteNothingAndBatchesAreAllOrNothing() throws Exception {
        ObservableServerProfile a = profile("a");
        ObservableServerProfile b = profile("b");
        await(db.updateProfilesAsync(List.of(a, b)));
        ObservableServerProfile staleB = profile("b");
        staleB.get("gold", ObservableInt.class).set(1);
        a.get("gold", ObservableInt.class).set(2);
        assertThatThrownBy(() -> await(db.updateProfilesAsync(List.of(a, staleB))))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(StaleProfileException.class)
                .hasMessageContaining("user 'b'").hasMessageContaining("expected stored version 0");
        assertThat(db.row("a").version()).isOne();
        assertThat(db.row("a").json()).contains("\"gold\":0");
        await(db.updateProfilesAsync(List.of()));
        assertThat(db.saveCalls()).isEqualTo(2);
    }

    @Test
    void corruptRowsAndSimulatedFailuresFailTheFuture() throws Exception {
        db.putRow("u", "{\"gold\":\"lots\"}", 3);
        ObservableServerProfile profile = profile("u");
        assertThatThrownBy(() -> await(db.restoreProfileAsync(profile))).cause()
                .isInstanceOf(ProfileFormatException.class).hasMessageContaining("user 'u'")
                .hasMessageContaining("'gold'");
        assertThat(profile.storedVersion()).isZero();

        db.failNextRestores(1);
        assertThatThrownBy(() -> await(db.restoreProfileAsync(profile))).cause()
                .isInstanceOf(ProfilesException.class).hasMessageContaining("simulated");
        db.putRow("u", "{\"gold\":5}", 3);
        assertThat(await(db.restoreProfileAsync(profile))).isTrue();
        assertThat(profile.get("gold", ObservableInt.class).intValue()).isEqualTo(5);
        assertThat(db.restoreCalls()).isEqualTo(3);
    }
}
