package io.profilesync.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ScalarPropertiesTest {

    /** For each scalar type: the property at its default, a different value, and that value's equal twin. */
    static Stream<Arguments> scalars() {
        return Stream.of(
                Arguments.of(new ObservableInt("p"), 5, Integer.valueOf(5)),
                Arguments.of(new ObservableLong("p"), 5L, Long.valueOf(5L)),
                Arguments.of(new ObservableFloat("p"), Float.NaN, Float.intBitsToFloat(0x7fc00000)),
                Arguments.of(new ObservableDouble("p"), Double.NaN, Double.longBitsToDouble(0x7ff8000000000000L)),
                Arguments.of(new ObservableBool("p"), true, Boolean.TRUE),
                Arguments.of(new ObservableString("p"), "abc", new String("abc")),
                Arguments.of(new ObservableDateTime("p"), SOME_INSTANT_NANOS, Fixtures.SOME_INSTANT),
                Arguments.of(new ObservableVector3("p"), new Vector3(1, 2, 3), new Vector3(1, 2, 3)),
                Arguments.of(new ObservableVector3("p", Vector3.ZERO, 0.5f), new Vector3(1.1f, 2, 3),
                        new Vector3(1f, 2, 3)));
    }

    private static final Instant SOME_INSTANT_NANOS = Fixtures.SOME_INSTANT.plusNanos(456_789);

    @ParameterizedTest
    @MethodSource("scalars")
    <T> void setChangesOnceAndEqualSetChangesNothing(ObservableScalar<T> property, T value, T equalValue) {
        ObservableProfile profile = Fixtures.of(property);
        List<String> events = new ArrayList<>();
        T initial = property.get();
        property.addListener((old, now) -> events.add("value " + old + " -> " + now));
        profile.addListener(p -> events.add("profile " + p.name()));

        property.set(value);
        assertThat(property.isDirty()).isTrue();
        assertThat(profile.hasUpdates()).isTrue();
        assertThat(events).containsExactly("value " + initial + " -> " + property.get(), "profile p");

        profile.clearUpdates();
        events.clear();
        property.set(equalValue);
        property.set(property.get());
        assertThat(property.isDirty()).isFalse();
        assertThat(profile.hasUpdates()).isFalse();
        assertThat(events).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("scalars")
    <T> void nullIsRefusedNamingTheProperty(ObservableScalar<T> property, T value, T equalValue) {
        assertThatThrownBy(() -> property.set(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("'p'");
        assertThat(property.isDirty()).isFalse();
    }

    @Test
    void removedListenerIsNoLongerTold() {
        ObservableInt gold = new ObservableInt("gold");
        List<Integer> seen = new ArrayList<>();
        ValueListener<Integer> listener = (old, now) -> seen.add(now);
        gold.addListener(listener);
        gold.set(1);
        gold.removeListener(listener);
        gold.set(2);
        assertThat(seen).containsExactly(1);
    }

    @Test
    void intAddAndSubtractAreBoundedAndRefuseOverflow() {
        ObservableInt gold = new ObservableInt("gold", 10);
        assertThat(gold.add(5, 15)).isTrue();
        assertThat(gold.intValue()).isEqualTo(15);
        assertThat(gold.add(1, 15)).isFalse();
        assertThat(gold.subtract(15, 0)).isTrue();
        assertThat(gold.subtract(1, 0)).isFalse();
        assertThat(gold.intValue()).isZero();

        gold.set(Integer.MAX_VALUE);
        assertThat(gold.add(1, Integer.MAX_VALUE)).isFalse();
        assertThat(gold.subtract(-1, Integer.MIN_VALUE)).isFalse();
        gold.set(Integer.MIN_VALUE);
        assertThat(gold.subtract(1, Integer.MIN_VALUE)).isFalse();
        assertThat(gold.add(Integer.MIN_VALUE, Integer.MAX_VALUE)).isFalse();
        assertThat(gold.intValue()).isEqualTo(Integer.MIN_VALUE);
        assertThat(gold.add(-1, 0)).as("below int range").isFalse();
    }

    @Test
    void longAddAndSubtractAreBoundedAndRefuseOverflow() {
        ObservableLong xp = new ObservableLong("xp", 10);
        assertThat(xp.add(5, 15)).isTrue();
        assertThat(xp.add(1, 15)).isFalse();
        assertThat(xp.subtract(15, 0)).isTrue();
        assertThat(xp.subtract(1, 0)).isFalse();
        xp.set(Long.MAX_VALUE);
        assertThat(xp.add(1, Long.MAX_VALUE)).isFalse();
        assertThat(xp.subtract(-1, Long.MIN_VALUE)).isFalse();
        assertThat(xp.subtract(Long.MAX_VALUE, 0)).isTrue();
        xp.set(Long.MIN_VALUE);
        assertThat(xp.subtract(1, Long.MIN_VALUE)).isFalse();
        assertThat(xp.add(-1, Long.MAX_VALUE)).isFalse();
        assertThat(xp.add(Long.MAX_VALUE, Long.MAX_VALUE)).isTrue();
        assertThat(xp.longValue()).isEqualTo(-1L);
    }

    @Test
    void floatingAddAndSubtractAreBoundedAndRefuseNaN() {
        ObservableFloat speed = new ObservableFloat("speed", 1f);
        assertThat(speed.add(1f, 2f)).isTrue();
        assertThat(speed.add(0.5f, 2f)).isFalse();
        assertThat(speed.subtract(2f, 0f)).isTrue();
        assertThat(speed.subtract(0.5f, 0f)).isFalse();
        assertThat(speed.add(Float.NaN, 10f)).as("NaN is not within any bound").isFalse();
        assertThat(speed.subtract(Float.NaN, -10f)).isFalse();
        assertThat(speed.floatValue()).isZero();

        ObservableDouble ratio = new ObservableDouble("ratio", 1d);
        assertThat(ratio.add(1d, 2d)).isTrue();
        assertThat(ratio.add(0.5d, 2d)).isFalse();
        assertThat(ratio.subtract(2d, 0d)).isTrue();
        assertThat(ratio.subtract(0.5d, 0d)).isFalse();
        assertThat(ratio.add(Double.NaN, 10d)).isFalse();
        assertThat(ratio.subtract(Double.NaN, -10d)).isFalse();
        ratio.set(Double.NaN);
        assertThat(ratio.add(1d, 10d)).as("NaN plus anything stays NaN, outside bounds").isFalse();
        assertThat(ratio.doubleValue()).isNaN();
    }

    @Test
    void floatingValuesCompareByBits() {
        ObservableDouble ratio = new ObservableDouble("ratio", 0d);
        List<Double> seen = new ArrayList<>();
        ratio.addListener((old, now) -> seen.add(now));
        ratio.set(-0d);
        assertThat(ratio.isDirty()).as("-0.0 differs from 0.0").isTrue();
        ratio.set(Double.NaN);
        ratio.set(Double.longBitsToDouble(0x7ff8000000000001L));
        assertThat(seen).hasSize(2);

        ObservableFloat speed = new ObservableFloat("speed", 0f);
        speed.set(-0f);
        assertThat(speed.isDirty()).isTrue();
    }

    @Test
    void dateTimeIsTruncatedToMillisecondsTowardThePast() {
        ObservableDateTime seen = new ObservableDateTime("seen");
        seen.set(Instant.parse("2026-01-31T12:00:00.123999999Z"));
        assertThat(seen.get()).isEqualTo(Instant.parse("2026-01-31T12:00:00.123Z"));
        seen.set(Instant.ofEpochSecond(-1, 999_999_999));
        assertThat(seen.get()).isEqualTo(Instant.ofEpochMilli(-1));
        seen.set(Instant.ofEpochMilli(Long.MAX_VALUE));
        seen.set(Instant.ofEpochMilli(Long.MIN_VALUE));
        assertThatThrownBy(() -> seen.set(Instant.MAX)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("epoch milliseconds");
        assertThat(seen.get()).isEqualTo(Instant.ofEpochMilli(Long.MIN_VALUE));
    }

    @Test
    void quantizedVectorRoundsToTheStepAndRefusesOutOfRange() {
        ObservableVector3 spawn = new ObservableVector3("spawn", Vector3.ZERO, 0.01f);
        assertThat(spawn.step()).isEqualTo(0.01f);
        assertThat(spawn.maxMagnitude()).isEqualTo(32767 * 0.01f);
        assertThat(spawn.typeDescriptor()).isEqualTo("vector3/0.01");

        spawn.set(1.234f, -1.235f, 0.004f);
        assertThat(spawn.get()).isEqualTo(new Vector3(1.23f, -1.24f, 0f));
        spawn.set(327.67f, -327.67f, -0.004f);
        assertThat(spawn.get()).as("multiples of the float step")
                .isEqualTo(new Vector3(32767 * 0.01f, -32767 * 0.01f, 0f));
        assertThat(Float.floatToRawIntBits(spawn.get().z())).as("-0.004 rounds to +0").isZero();

        Vector3 before = spawn.get();
        for (Vector3 bad : List.of(new Vector3(327.68f, 0, 0), new Vector3(0, -400, 0), new Vector3(0, 0, Float.NaN),
                new Vector3(Float.POSITIVE_INFINITY, 0, 0))) {
            assertThatThrownBy(() -> spawn.set(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'spawn'").hasMessageContaining("outside ±327.67,")
                    .hasMessageContaining("use a larger step");
        }
        assertThat(spawn.get()).isEqualTo(before);
        assertThatThrownBy(() -> new ObservableVector3("v", new Vector3(1000, 0, 0), 0.01f))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void quantizationIsIdempotentSoEveryCopyHoldsTheSameFloat() {
        java.util.Random random = new java.util.Random(7);
        for (float step : new float[] {0.01f, 0.001f, 0.5f, 1f / 3}) {
            ObservableVector3 v = new ObservableVector3("v", Vector3.ZERO, step);
            for (int i = 0; i < 2000; i++) {
                float x = (random.nextFloat() * 2 - 1) * v.maxMagnitude();
                v.set(x, -x, x / 2);
                Vector3 once = v.get();
                ObservableVector3 copy = new ObservableVector3("v", once, step);
                assertThat(copy.get()).isEqualTo(once);
                assertThat(Math.abs(once.x() - x)).isLessThanOrEqualTo(step / 2 * 1.001f);
            }
        }
    }

    @Test
    void vectorStepMustBeZeroOrPositive() {
        for (float bad : new float[] {-0.01f, Float.NaN, Float.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> new ObservableVector3("v", Vector3.ZERO, bad))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("quantization step of 'v'");
        }
        assertThat(new ObservableVector3("v").typeDescriptor()).isEqualTo("vector3");
        assertThat(new ObservableVector3("v").maxMagnitude()).isEqualTo(Float.MAX_VALUE);
    }

    @Test
    void blankNamesAreRefused() {
        assertThatThrownBy(() -> new ObservableInt(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ObservableInt(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void stringsWithUnpairedSurrogatesAreRefusedBecauseUtf8CannotCarryThem() {
        ObservableString nick = new ObservableString("nick");
        Consumer<String> set = nick::set;
        assertThatThrownBy(() -> set.accept("a\uD800b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'nick'");
        assertThatThrownBy(() -> set.accept("\uDC00")).isInstanceOf(IllegalArgumentException.class);
        set.accept("🐉");
        assertThat(nick.get()).isEqualTo("🐉");
        assertThatThrownBy(() -> new ObservableList<>("l", ElementType.STRING).add("\uD83D"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ObservableDictionary<>("d", ElementType.STRING, ElementType.INT).put("\uD83D", 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void copyHasSameValueNoListenersNothingDirty() {
        ObservableVector3 spawn = new ObservableVector3("spawn", new Vector3(1, 2, 3), 0.25f);
        spawn.addListener((old, now) -> {
            throw new AssertionError("copy must not share listeners");
        });
        ObservableVector3 copy = spawn.copy();
        assertThat(copy.get()).isEqualTo(spawn.get());
        assertThat(copy.step()).isEqualTo(0.25f);
        copy.set(0, 0, 0);
        assertThat(copy.isDirty()).isTrue();
        assertThat(spawn.get()).isEqualTo(new Vector3(1, 2, 3));
    }
}
