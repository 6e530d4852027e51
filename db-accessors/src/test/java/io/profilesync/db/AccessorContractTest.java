package io.profilesync.db;

import static io.profilesync.db.TestProfiles.assertSameContent;
import static io.profilesync.db.TestProfiles.filled;
import static io.profilesync.db.TestProfiles.newProfile;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.profilesync.core.AppliedBatches;
import io.profilesync.core.IProfilesDatabaseAccessor;
import io.profilesync.core.ObservableInt;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.ObservableString;
import io.profilesync.core.ProfileFormatException;
import io.profilesync.core.StaleProfileException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link IProfilesDatabaseAccessor} must keep, as tests. To check an accessor, extend this class
 * and implement {@link #open()}, {@link #writeRaw} and {@link #readRaw}; depend on the {@code db-accessors} test-jar:
 * <pre>{@code
 * <dependency>
 *     <groupId>io.profilesync</groupId>
 *     <artifactId>db-accessors</artifactId>
 *     <type>test-jar</type>
 *     <scope>test</scope>
 * </dependency>}</pre>
 *
 * <p>Each test gets a new instance of the subclass (JUnit's default), and must find an empty store: keep the store's
 * location in an instance field (a {@code @TempDir} field, a fresh schema...) and let {@link #open()} open it.
 *
 * <p>Threading: the tests call the accessor from the test thread and wait for its futures (60 s at most each).
 */
public abstract class AccessorContractTest {
    /** What a store holds for one user, as {@link #readRaw} returns it. */
    public record RawRow(String json, long version) {
    }

    /** The accessor under test, opened before each test and closed after it. */
    protected IProfilesDatabaseAccessor accessor;

    /**
     * Opens an accessor on this test's store: empty at the first call of a test, the same store at every later call
     * of the same test (tests close and reopen it).
     */
    protected abstract IProfilesDatabaseAccessor open() throws Exception;

    /**
     * Writes the stored data of {@code userId} directly, bypassing the accessor and its version checks, as an operator
     * mending a row with plain SQL or an editor would.
     */
    protected abstract void writeRaw(String userId, String json, long version) throws Exception;

    /** What the store holds for {@code userId}, read directly; null when nothing. */
    protected abstract RawRow readRaw(String userId) throws Exception;

    /** Whether the store keeps text that is not JSON at all; false for JSON-typed columns, which refuse it. */
    protected boolean storesInvalidJson() {
        return true;
    }

    @BeforeEach
    void openAccessor() throws Exception {
        accessor = open();
    }

    @AfterEach
    void closeAccessor() {
        if (accessor != null) {
            accessor.close();
        }
    }

    /** Waits for {@code future} and returns its value, or rethrows the exception it failed with. */
    protected static <T> T await(CompletableFuture<T> future) throws Exception {
        try {
            return future.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    protected final void save(ObservableServerProfile... profiles) throws Exception {
        await(accessor.updateProfilesAsync(List.of(profiles)));
    }

    /** Restores {@code userId} into a new default profile; fails the test when there is no stored row. */
    protected final ObservableServerProfile restored(String userId) throws Exception {
        ObservableServerProfile p = newProfile(userId);
        assertThat(await(accessor.restoreProfileAsync(p))).as("stored row of " + userId + " found").isTrue();
        return p;
    }

    @Test
    void restoreOfNewUserReturnsFalseAndKeepsDefaults() throws Exception {
        ObservableServerProfile p = newProfile("new-user");

        assertThat(await(accessor.restoreProfileAsync(p))).isFalse();

        assertSameContent(p, newProfile("new-user"));
        assertThat(p.storedVersion()).isZero();
        assertThat(readRaw("new-user")).isNull();
    }

    @Test
    void everyPropertyTypeRoundTrips() throws Exception {
        ObservableServerProfile original = filled("alice", 42);
        save(original);

        assertThat(original.storedVersion()).isEqualTo(1);
        ObservableServerProfile back = restored("alice");
        assertSameContent(back, original);
        assertThat(back.storedVersion()).isEqualTo(1);
    }

    @Test
    void awkwardStringsRoundTripExactly() throws Exception {
        List<ObservableServerProfile> profiles = new ArrayList<>();
        for (int i = 0; i < TestProfiles.AWKWARD_STRINGS.length; i++) {
            ObservableServerProfile p = newProfile("strings-" + i);
            p.get("nickname", ObservableString.class).set(TestProfiles.AWKWARD_STRINGS[i]);
            profiles.add(p);
        }
        await(accessor.updateProfilesAsync(profiles));

        for (int i = 0; i < profiles.size(); i++) {
            assertThat(restored("strings-" + i).get("nickname", ObservableString.class).get())
                    .isEqualTo(TestProfiles.AWKWARD_STRINGS[i]);
        }
    }

    /**
     * Every value the model holds comes back bit for bit: -0.0, subnormals, NaN and the infinities in doubles and
     * floats (scalars, lists, dictionaries, vectors), longs beyond a double's precision, strings with U+0000 and
     * other characters that JSON or a database might rewrite.
     */
    @Test
    void everyValueTheModelHoldsRoundTripsExactly() throws Exception {
        List<ObservableServerProfile> profiles = TestProfiles.exactValueProfiles("exact-");
        await(accessor.updateProfilesAsync(profiles));

        for (ObservableServerProfile original : profiles) {
            ObservableServerProfile back = restored(original.userId());
            assertSameContent(back, original);
            double want = original.get("rating", io.profilesync.core.ObservableDouble.class).get();
            double got = back.get("rating", io.profilesync.core.ObservableDouble.class).get();
            assertThat(Double.doubleToRawLongBits(got)).as("bits of " + want).isEqualTo(
                    Double.doubleToRawLongBits(want));
        }
        accessor.close(); // and from the store itself, not a cache
        accessor = open();
        for (ObservableServerProfile original : profiles) {
            assertSameContent(restored(original.userId()), original);
        }
    }

    @Test
    void versionGrowsByOneOnEverySave() throws Exception {
        ObservableServerProfile p = newProfile("bob");
        ObservableInt level = p.get("level", ObservableInt.class);
        for (int i = 1; i <= 3; i++) {
            level.set(i * 10);
            save(p);
            assertThat(p.storedVersion()).isEqualTo(i);
            assertThat(readRaw("bob").version()).isEqualTo(i);
        }
        ObservableServerProfile back = restored("bob");
        assertThat(back.storedVersion()).isEqualTo(3);
        assertThat(back.get("level", ObservableInt.class).get()).isEqualTo(30);
    }

    @Test
    void staleVersionIsRefusedAndNothingIsWritten() throws Exception {
        ObservableServerProfile first = newProfile("carol");
        save(first);
        ObservableServerProfile second = restored("carol");
        first.get("level", ObservableInt.class).set(2);
        save(first);
        RawRow stored = readRaw("carol");

        second.get("level", ObservableInt.class).set(99);
        assertThatThrownBy(() -> save(second))
                .isInstanceOfSatisfying(StaleProfileException.class, e -> {
                    assertThat(e.userId()).isEqualTo("carol");
                    assertThat(e.expectedVersion()).isEqualTo(1);
                    assertThat(e.actualVersion()).isEqualTo(2);
                })
                .hasMessageContaining("carol").hasMessageContaining("1").hasMessageContaining("2");

        assertThat(readRaw("carol")).isEqualTo(stored);
        assertThat(second.storedVersion()).as("a refused save leaves the stored version").isEqualTo(1);
        assertThat(restored("carol").get("level", ObservableInt.class).get()).isEqualTo(2);
    }

    @Test
    void insertWithVersionZeroOverAnExistingRowIsStale() throws Exception {
        save(newProfile("dave"));
        RawRow stored = readRaw("dave");

        ObservableServerProfile fresh = newProfile("dave");
        fresh.get("level", ObservableInt.class).set(5);
        assertThatThrownBy(() -> save(fresh)).isInstanceOfSatisfying(StaleProfileException.class, e -> {
            assertThat(e.expectedVersion()).isZero();
            assertThat(e.actualVersion()).isEqualTo(1);
        });
        assertThat(readRaw("dave")).isEqualTo(stored);
    }

    @Test
    void saveExpectingARowThatIsGoneIsStale() throws Exception {
        ObservableServerProfile p = newProfile("erin");
        p.setStoredVersion(3);

        assertThatThrownBy(() -> save(p)).isInstanceOfSatisfying(StaleProfileException.class, e -> {
            assertThat(e.userId()).isEqualTo("erin");
            assertThat(e.expectedVersion()).isEqualTo(3);
            assertThat(e.actualVersion()).isEqualTo(-1);
        });
        assertThat(readRaw("erin")).isNull();
    }

    @Test
    void oneStaleProfileFailsTheWholeBatch() throws Exception {
        ObservableServerProfile stale = newProfile("batch-2");
        save(stale);
        save(restored("batch-2")); // someone else saves it: now at version 2
        List<ObservableServerProfile> batch = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            batch.add(i == 2 ? stale : filled("batch-" + i, i));
        }

        assertThatThrownBy(() -> await(accessor.updateProfilesAsync(batch)))
                .isInstanceOfSatisfying(StaleProfileException.class, e -> assertThat(e.userId()).isEqualTo("batch-2"));

        for (int i = 0; i < 5; i++) {
            if (i != 2) {
                assertThat(readRaw("batch-" + i)).as("batch-" + i + " not written").isNull();
                assertThat(batch.get(i).storedVersion()).isZero();
            }
        }
        assertThat(readRaw("batch-2").version()).isEqualTo(2);
    }

    @Test
    void aProfileWhoseRowIsGoneFailsABatchOfNewOnesToo() throws Exception {
        ObservableServerProfile gone = newProfile("gone");
        gone.setStoredVersion(2);
        List<ObservableServerProfile> batch = List.of(filled("fresh-1", 1), gone, filled("fresh-2", 2));

        assertThatThrownBy(() -> await(accessor.updateProfilesAsync(batch)))
                .isInstanceOfSatisfying(StaleProfileException.class, e -> {
                    assertThat(e.userId()).isEqualTo("gone");
                    assertThat(e.actualVersion()).isEqualTo(-1);
                });
        assertThat(readRaw("fresh-1")).isNull();
        assertThat(readRaw("gone")).isNull();
        assertThat(readRaw("fresh-2")).isNull();
    }

    @Test
    void emptyBatchDoesNothing() throws Exception {
        await(accessor.updateProfilesAsync(List.of()));

        assertThat(await(accessor.restoreProfileAsync(newProfile("anyone")))).isFalse();
    }

    @Test
    void tenThousandProfilesInBatchesOfAThousandComeBackExactly() throws Exception {
        int total = 10_000;
        int batchSize = 1_000;
        List<ObservableServerProfile> all = new ArrayList<>(total);
        for (int from = 0; from < total; from += batchSize) {
            List<ObservableServerProfile> batch = new ArrayList<>(batchSize);
            for (int i = from; i < from + batchSize; i++) {
                batch.add(filled("user-" + i, i));
            }
            await(accessor.updateProfilesAsync(batch));
            all.addAll(batch);
        }

        List<ObservableServerProfile> back = new ArrayList<>(total);
        List<CompletableFuture<Boolean>> restores = new ArrayList<>(total);
        for (int i = 0; i < total; i++) {
            ObservableServerProfile p = newProfile("user-" + i);
            back.add(p);
            restores.add(accessor.restoreProfileAsync(p));
        }
        for (int i = 0; i < total; i++) {
            assertThat(await(restores.get(i))).isTrue();
            assertThat(back.get(i).storedVersion()).isEqualTo(1);
            assertThat(back.get(i).toBytes()).as("user-" + i).isEqualTo(all.get(i).toBytes());
            assertThat(back.get(i).toJson()).as("user-" + i).isEqualTo(all.get(i).toJson());
        }
    }

    @Test
    void storedJsonOfTheWrongTypeIsReportedNamingTheUserAndLeftUntouched() throws Exception {
        writeRaw("mallory", "{\"level\": \"very high\"}", 4);
        assertCorruptRowIsLeftAlone("mallory");
    }

    @Test
    void storedTextThatIsNotJsonIsReportedNamingTheUserAndLeftUntouched() throws Exception {
        if (!storesInvalidJson()) {
            return; // a JSON-typed column cannot hold it: covered by the wrong-type case
        }
        writeRaw("trent", "{\"level\": 3, \"nickname\": \"unterminated", 4);
        assertCorruptRowIsLeftAlone("trent");
    }

    private void assertCorruptRowIsLeftAlone(String userId) throws Exception {
        RawRow stored = readRaw(userId);
        ObservableServerProfile p = newProfile(userId);

        assertThatThrownBy(() -> await(accessor.restoreProfileAsync(p)))
                .isInstanceOf(ProfileFormatException.class)
                .hasMessageContaining(userId);

        assertSameContent(p, newProfile(userId));
        assertThat(p.storedVersion()).isZero();
        // The master never overwrites it with defaults: a save of the never-restored profile is stale.
        assertThatThrownBy(() -> save(p)).isInstanceOf(StaleProfileException.class);
        assertThat(readRaw(userId)).isEqualTo(stored);
    }

    @Test
    void unknownStoredPropertiesAreKeptAndWrittenBackUnchangedAndMissingOnesKeepDefaults() throws Exception {
        writeRaw("walter", "{\"retiredProperty\": [1, 2.50, -0.0], \"level\": 7, \"coins\": 120}", 2);

        ObservableServerProfile back = restored("walter");

        ObservableServerProfile expected = newProfile("walter");
        expected.get("level", ObservableInt.class).set(7);
        expected.get("coins", io.profilesync.core.ObservableLong.class).set(120L);
        assertThat(back.toBytes()).isEqualTo(expected.toBytes());
        assertThat(back.storedVersion()).isEqualTo(2);
        assertThat(back.keptProperties()).containsExactly(java.util.Map.entry("retiredProperty", "[1, 2.50, -0.0]"));

        back.get("level", ObservableInt.class).set(8);
        save(back); // a save of the restored profile writes the kept value back, unchanged
        ObservableServerProfile again = restored("walter");
        assertThat(again.keptProperties()).isEqualTo(back.keptProperties());
        assertThat(again.get("level", ObservableInt.class).get()).isEqualTo(8);
        assertThat(readRaw("walter").json()).contains("\"retiredProperty\":[1, 2.50, -0.0]");
    }

    /** A record of two writers, used at distinct times, for the applied-batches tests. */
    protected static AppliedBatches record(long seq) {
        return AppliedBatches.EMPTY.with("game-server:eu-1#1", seq, Instant.parse("2026-12-02T08:00:00.125Z"))
                .with("client:alice#3", seq * 2 + 1, Instant.parse("2026-12-02T07:59:58Z"));
    }

    @Test
    void theAppliedBatchesRecordIsRestoredWithTheProfile() throws Exception {
        ObservableServerProfile p = filled("exactly-once", 3);
        p.setAppliedBatches(record(41));
        save(p);
        assertThat(restored("exactly-once").appliedBatches()).isEqualTo(record(41));

        p.setAppliedBatches(record(42).without("client:alice#3"));
        save(p);
        accessor.close(); // from the store itself, not a cache
        accessor = open();
        ObservableServerProfile back = restored("exactly-once");
        assertThat(back.appliedBatches()).isEqualTo(record(42).without("client:alice#3"));
        assertSameContent(back, p);

        ObservableServerProfile none = newProfile("no-record");
        save(none);
        assertThat(restored("no-record").appliedBatches()).isEqualTo(AppliedBatches.EMPTY);
    }

    @Test
    void aBatchOfSavesWritesEveryRecordWithItsDataOrNone() throws Exception {
        ObservableServerProfile stale = newProfile("records-2");
        stale.setAppliedBatches(record(1));
        save(stale);
        ObservableServerProfile other = restored("records-2");
        other.setAppliedBatches(record(2));
        save(other); // someone else saves it: now at version 2, with record(2)
        List<ObservableServerProfile> batch = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ObservableServerProfile p = i == 2 ? stale : filled("records-" + i, i);
            p.setAppliedBatches(record(100 + i));
            batch.add(p);
        }

        assertThatThrownBy(() -> await(accessor.updateProfilesAsync(batch))).isInstanceOf(StaleProfileException.class);

        assertThat(restored("records-2").appliedBatches()).isEqualTo(record(2));
        for (int i : new int[] {0, 1, 3}) {
            assertThat(readRaw("records-" + i)).as("records-" + i + " not written").isNull();
        }
        batch.remove(2);
        await(accessor.updateProfilesAsync(batch));
        for (ObservableServerProfile p : batch) {
            ObservableServerProfile back = restored(p.userId());
            assertThat(back.appliedBatches()).isEqualTo(p.appliedBatches());
            assertSameContent(back, p);
        }
    }

    @Test
    void aStaleSaveChangesNeitherTheDataNorTheRecord() throws Exception {
        ObservableServerProfile first = newProfile("stale-record");
        first.setAppliedBatches(record(7));
        save(first);
        ObservableServerProfile second = restored("stale-record");
        first.get("level", ObservableInt.class).set(2);
        first.setAppliedBatches(record(8));
        save(first);
        RawRow stored = readRaw("stale-record");

        second.get("level", ObservableInt.class).set(99);
        second.setAppliedBatches(record(9));
        assertThatThrownBy(() -> save(second)).isInstanceOf(StaleProfileException.class);

        assertThat(readRaw("stale-record")).isEqualTo(stored);
        ObservableServerProfile back = restored("stale-record");
        assertThat(back.appliedBatches()).isEqualTo(record(8));
        assertThat(back.get("level", ObservableInt.class).get()).isEqualTo(2);
    }

    @Test
    void savedProfilesSurviveClosingAndReopening() throws Exception {
        ObservableServerProfile original = filled("peggy", 7);
        CompletableFuture<Void> saving = accessor.updateProfileAsync(original);
        accessor.close(); // waits for the save already submitted
        accessor = null;
        assertThat(saving).isCompleted();

        accessor = open();
        assertSameContent(restored("peggy"), original);
    }

    @Test
    void concurrentSavesOfOneNewProfileLetExactlyOneWin() throws Exception {
        for (int user = 0; user < 20; user++) {
            ObservableServerProfile a = filled("race-" + user, 1);
            ObservableServerProfile b = filled("race-" + user, 2);
            CompletableFuture<Void> fa = accessor.updateProfileAsync(a);
            CompletableFuture<Void> fb = accessor.updateProfileAsync(b);
            int wins = 0;
            for (CompletableFuture<Void> f : List.of(fa, fb)) {
                try {
                    await(f);
                    wins++;
                } catch (StaleProfileException expected) {
                    assertThat(expected.userId()).isEqualTo("race-" + user);
                }
            }
            assertThat(wins).as("winners for race-" + user).isEqualTo(1);
            ObservableServerProfile winner = a.storedVersion() == 1 ? a : b;
            assertSameContent(restored("race-" + user), winner);
        }
    }
}
