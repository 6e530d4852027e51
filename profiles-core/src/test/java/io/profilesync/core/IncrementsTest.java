package io.profilesync.core;

import static io.profilesync.core.Fixtures.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Increments travel as "add n" and are applied to the receiving copy's own current value. */
class IncrementsTest {
    private static ObservableProfile gold(int value) {
        return new ObservableProfile(List.of(new ObservableInt("gold", value)));
    }

    private static ObservableInt goldOf(ObservableProfile profile) {
        return profile.get("gold", ObservableInt.class);
    }

    @Test
    void oneSmallIncrementIsThreeBytesAndAddsToTheReceiversValue() {
        ObservableProfile writer = gold(100);
        ObservableProfile master = gold(100);
        goldOf(writer).add(1);
        byte[] delta = writer.getUpdates();
        assertThat(hex(delta)).isEqualTo("01 01 02");
        goldOf(master).set(500); // someone else's change got there first
        master.applyUpdates(delta);
        assertThat(goldOf(master).intValue()).isEqualTo(501);
    }

    @Test
    void concurrentIncrementsFromEveryWriterAllCount() {
        ObservableProfile master = gold(0);
        List<ObservableProfile> writers = List.of(gold(0), gold(0), gold(0));
        for (int round = 0; round < 1000; round++) {
            for (ObservableProfile writer : writers) {
                assertThat(goldOf(writer).add(1, Integer.MAX_VALUE)).isTrue();
                master.applyUpdates(writer.getUpdates(), ApplyOptions.REMOTE.recorded(true));
                writer.clearUpdates();
                master.clearUpdates();
            }
        }
        assertThat(goldOf(master).intValue()).isEqualTo(3000);
    }

    @Test
    void incrementsBetweenTwoDeltasTravelAsOneAndASetMakesTheWholeAValue() {
        ObservableProfile writer = gold(10);
        goldOf(writer).add(2);
        goldOf(writer).subtract(5);
        assertThat(goldOf(writer).recordedIncrement()).isEqualTo(-3);
        assertThat(hex(writer.getUpdates())).isEqualTo("01 01 05");

        goldOf(writer).set(40);
        goldOf(writer).add(2);
        assertThat(goldOf(writer).recordedIncrement()).as("a value once set").isNull();
        assertThat(hex(writer.getUpdates())).as("set 42").isEqualTo("01 00 54");

        writer.clearUpdates();
        goldOf(writer).add(0);
        assertThat(writer.hasUpdates()).as("adding 0 records nothing").isFalse();
    }

    @Test
    void aBoundedSpendIsRefusedWhereTheReceiversValueIsTooLowEvenIfTheWritersWasNot() {
        ObservableProfile writer = gold(100);
        assertThat(goldOf(writer).subtract(30, 0)).isTrue();
        byte[] delta = writer.getUpdates();
        assertThat(hex(delta)).as("bounded: amount -30, lower bound 0").isEqualTo("01 02 3b 01 00");

        ObservableProfile master = gold(20);
        List<String> told = new ArrayList<>();
        UpdateFilter filter = new UpdateFilter() {
            @Override
            public boolean accept(ObservableProperty<?> property, Object newValue) {
                return true;
            }

            @Override
            public void cannotApply(ObservableProperty<?> property, String reason) {
                told.add(property.name() + ": " + reason);
            }
        };
        assertThat(master.applyUpdates(delta, ApplyOptions.REMOTE.filteredBy(filter))).isEmpty();
        assertThat(goldOf(master).intValue()).isEqualTo(20);
        assertThat(told).containsExactly("gold: 'gold' 20 + -30 = -10 is below 0, the least its writer allowed");

        assertThatThrownBy(() -> master.applyUpdates(delta, ApplyOptions.REMOTE.validatedBy((p, v) -> { })))
                .isInstanceOf(UpdateRejectedException.class).hasMessageContaining("below 0");
        assertThat(master.applyUpdates(delta)).as("a plain replica leaves it out").isEmpty();

        ObservableProfile rich = gold(50);
        rich.applyUpdates(delta);
        assertThat(goldOf(rich).intValue()).isEqualTo(20);
    }

    @Test
    void anIncrementBeyondTheTypeIsLeftOutAndALocalOneIsRefused() {
        ObservableProfile writer = gold(0);
        goldOf(writer).add(10);
        ObservableProfile master = gold(Integer.MAX_VALUE - 5);
        assertThat(master.applyUpdates(writer.getUpdates())).isEmpty();
        assertThat(goldOf(master).intValue()).isEqualTo(Integer.MAX_VALUE - 5);
        assertThat(goldOf(master).add(10)).isFalse();
        assertThat(goldOf(master).subtract(Integer.MIN_VALUE)).isFalse();
        assertThat(master.hasUpdates()).isFalse();
    }

    @Test
    void aSummedIncrementBeyondTheTypeTravelsAsTheValue() {
        ObservableProfile writer = gold(Integer.MIN_VALUE);
        ObservableInt gold = goldOf(writer);
        gold.add(Integer.MAX_VALUE);
        gold.add(Integer.MAX_VALUE); // the sum 2^32 - 2 no longer fits an int
        assertThat(gold.intValue()).isEqualTo(Integer.MAX_VALUE - 1);
        assertThat(gold.recordedIncrement()).isNull();
        ObservableProfile replica = gold(0);
        replica.applyUpdates(writer.getUpdates());
        assertThat(goldOf(replica).intValue()).isEqualTo(Integer.MAX_VALUE - 1);
    }

    @Test
    void boundsAtTheEdgeOfTheTypeStillComposeAsIncrements() {
        ObservableProfile writer = gold(0);
        goldOf(writer).add(1, Integer.MAX_VALUE);
        goldOf(writer).add(1, Integer.MAX_VALUE); // the first bound shifted past the type bounds nothing
        assertThat(goldOf(writer).recordedIncrement()).isEqualTo(2);
        goldOf(writer).subtract(1, Integer.MIN_VALUE);
        goldOf(writer).subtract(1, Integer.MIN_VALUE);
        assertThat(goldOf(writer).recordedIncrement()).isEqualTo(0);
        ObservableProfile other = gold(Integer.MAX_VALUE - 1);
        other.applyUpdates(writer.getUpdates());
        assertThat(goldOf(other).intValue()).isEqualTo(Integer.MAX_VALUE - 1);
    }

    @Test
    void aLongIncrementAtTheEdgesOfTheTypeIsRefusedLocallyAndItsSumTravelsAsTheValue() {
        ObservableProfile writer = new ObservableProfile(List.of(new ObservableLong("xp", Long.MAX_VALUE - 1)));
        ObservableLong xp = writer.get("xp", ObservableLong.class);
        assertThat(xp.add(2)).isFalse(); // past Long.MAX_VALUE
        assertThat(xp.add(1)).isTrue();
        assertThat(xp.longValue()).isEqualTo(Long.MAX_VALUE);
        assertThat(xp.subtract(Long.MAX_VALUE)).isTrue();
        assertThat(xp.subtract(Long.MAX_VALUE)).isTrue();
        assertThat(xp.subtract(2)).isFalse(); // past Long.MIN_VALUE
        assertThat(xp.longValue()).isEqualTo(-Long.MAX_VALUE);
        // 1 - MAX - MAX fits no long, so the composed increment cannot travel: the value does.
        assertThat(xp.recordedIncrement()).isNull();
        xp.add(1, Long.MAX_VALUE);
        ObservableProfile replica = new ObservableProfile(List.of(new ObservableLong("xp", 7)));
        replica.applyUpdates(writer.getUpdates());
        assertThat(replica.get("xp", ObservableLong.class).longValue()).isEqualTo(1 - Long.MAX_VALUE);
    }

    @Test
    void composedBoundsAcceptExactlyWhatTheStepsWouldHaveAcceptedOneByOne() {
        Random random = new Random(7);
        for (int run = 0; run < 2000; run++) {
            int start = random.nextInt(41) - 20;
            ObservableProfile writer = gold(start);
            List<int[]> steps = new ArrayList<>(); // amount, kind (0 free, 1 upper, 2 lower), bound
            for (int i = 1 + random.nextInt(4); i > 0; i--) {
                int amount = random.nextInt(21) - 10;
                int kind = random.nextInt(3);
                int bound = random.nextInt(61) - 30;
                boolean applied = switch (kind) {
                    case 0 -> goldOf(writer).add(amount);
                    case 1 -> goldOf(writer).add(amount, bound);
                    default -> goldOf(writer).subtract(-amount, bound);
                };
                if (applied && amount != 0) {
                    steps.add(new int[] {amount, kind, bound});
                }
            }
            if (!writer.hasUpdates()) {
                continue;
            }
            byte[] delta = writer.getUpdates();
            for (int elsewhere = -40; elsewhere <= 40; elsewhere++) {
                long value = elsewhere;
                boolean fits = true;
                for (int[] step : steps) {
                    value += step[0];
                    fits &= step[1] == 0 || (step[1] == 1 ? value <= step[2] : value >= step[2]);
                }
                ObservableProfile other = gold(elsewhere);
                other.applyUpdates(delta);
                assertThat(goldOf(other).intValue()).as("run %d from %d, steps from %d", run, elsewhere, start)
                        .isEqualTo(fits ? (int) value : elsewhere);
            }
        }
    }

    @Test
    void aCopyKeptInStepTakesTheResultAsAValue() {
        ObservableProfile master = gold(7);
        ObservableProfile outbox = gold(7);
        ObservableProfile writer = gold(7);
        goldOf(writer).add(3);
        master.applyUpdates(writer.getUpdates(), ApplyOptions.REMOTE.recorded(true));
        assertThat(goldOf(master).recordedIncrement()).as("recorded as it came").isEqualTo(3);
        outbox.recordChangesOf(master);
        assertThat(hex(outbox.getUpdates())).as("the master's value, 10").isEqualTo("01 00 14");
    }

    @Test
    void validatorsAndFiltersAreToldTheKindAndTheResult() {
        ObservableProfile writer = gold(1);
        goldOf(writer).add(4);
        goldOf(writer).set(goldOf(writer).intValue()); // unchanged: still an increment
        ObservableProfile master = gold(10);
        List<String> seen = new ArrayList<>();
        master.applyUpdates(writer.getUpdates(), ApplyOptions.REMOTE.validatedBy(new UpdateValidator() {
            @Override
            public void validate(ObservableProperty<?> property, Object newValue) {
                throw new AssertionError("the kind-aware method is called");
            }

            @Override
            public void validate(ObservableProperty<?> property, Object newValue, ChangeKind kind) {
                seen.add(property.value() + " -> " + newValue + " " + kind);
            }
        }));
        assertThat(seen).containsExactly("10 -> 14 INCREMENT");
    }

    @Test
    void floatingPointIncrementsAddToTheReceiversValueAndNaNIsNeverWithinABound() {
        ObservableProfile writer = new ObservableProfile(List.of(new ObservableDouble("ratio", 1.0)));
        ObservableDouble ratio = writer.get("ratio", ObservableDouble.class);
        assertThat(ratio.add(Double.NaN, 10.0)).isFalse();
        assertThat(ratio.add(0.5)).isTrue();
        ObservableProfile other = new ObservableProfile(List.of(new ObservableDouble("ratio", 2.0)));
        other.applyUpdates(writer.getUpdates());
        assertThat(other.get("ratio", ObservableDouble.class).doubleValue()).isEqualTo(2.5);
    }
}
