package io.profilesync.core;

import static io.profilesync.core.Fixtures.hex;
import static io.profilesync.core.Fixtures.of;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Whole encodings and deltas of every type, with the exact bytes of documented examples. */
class ProfileCodecTest {

    /** A property, a change to make, and the exact update bytes it must produce (after count and index). */
    static Stream<Arguments> updates() {
        return Stream.of(
                update(new ObservableInt("p"), p -> p.set(5), "0a"),
                update(new ObservableInt("p"), p -> p.set(-1), "01"),
                update(new ObservableInt("p"), p -> p.set(Integer.MIN_VALUE), "ff ff ff ff 0f"),
                update(new ObservableLong("p"), p -> p.set(300L), "d8 04"),
                update(new ObservableLong("p"), p -> p.set(Long.MIN_VALUE), "ff ff ff ff ff ff ff ff ff 01"),
                update(new ObservableFloat("p"), p -> p.set(1.5f), "00 00 c0 3f"),
                update(new ObservableDouble("p"), p -> p.set(-0.1), "9a 99 99 99 99 99 b9 bf"),
                update(new ObservableBool("p"), p -> p.set(true), "01"),
                update(new ObservableString("p"), p -> p.set("hé"), "03 68 c3 a9"),
                update(new ObservableDateTime("p"), p -> p.set(Fixtures.SOME_INSTANT), "f6 b1 f4 d1 bf 68"),
                update(new ObservableDateTime("p"), p -> p.set(Instant.ofEpochMilli(-1)), "01"),
                update(new ObservableVector3("p"), p -> p.set(1.5f, 0f, -0f), "00 00 c0 3f 00 00 00 00 00 00 00 80"),
                update(new ObservableVector3("p", Vector3.ZERO, 0.01f), p -> p.set(1f, -2f, 327.67f),
                        "64 00 38 ff ff 7f"));
    }

    private static <P extends ObservableProperty<?>> Arguments update(P property, Consumer<P> change, String hex) {
        return Arguments.of(property.typeDescriptor(), property, change, hex);
    }

    @ParameterizedTest(name = "{0} update is {3}")
    @MethodSource("updates")
    <P extends ObservableProperty<?>> void scalarDeltaHasExactBytesAndRoundTrips(String type, P property,
            Consumer<P> change, String expectedUpdate) {
        ObservableProfile source = of(property);
        ObservableProfile replica = source.copy();
        change.accept(property);
        byte[] delta = Fixtures.ship(source, replica);
        assertThat(hex(delta)).isEqualTo("01 00 " + expectedUpdate);
        assertThat(replica.hasUpdates()).as("a remote change is not recorded").isFalse();

        ObservableProfile loaded = of(property.copy());
        loaded.fromBytes(source.toBytes());
        Fixtures.assertSame(source, loaded);
        assertThat(hex(source.toBytes())).endsWith(expectedUpdate);
    }

    @Test
    void oneSmallIntChangeIsThreeBytesWhereMstSendsFourteen() {
        ObservableProfile source = of(new ObservableInt("gold"), new ObservableInt("gems"), new ObservableInt("xp"));
        ObservableProfile replica = source.copy();
        source.get("xp", ObservableInt.class).set(63);
        byte[] delta = Fixtures.ship(source, replica);
        assertThat(hex(delta)).isEqualTo("01 08 7e");
        assertThat(delta).hasSizeLessThanOrEqualTo(3);
    }

    @Test
    void oneQuantizedVectorChangeIsEightBytes() {
        ObservableProfile source = of(new ObservableVector3("pos", Vector3.ZERO, 0.01f));
        ObservableProfile replica = source.copy();
        source.get("pos", ObservableVector3.class).set(-327f, 327f, 0.05f);
        byte[] delta = Fixtures.ship(source, replica);
        assertThat(hex(delta)).isEqualTo("01 00 44 80 bc 7f 05 00");
        assertThat(delta).hasSize(8);
    }

    @Test
    void deltaOfSeveralPropertiesListsAscendingIndices() {
        ObservableProfile source = of(new ObservableInt("a"), new ObservableBool("b"), new ObservableString("c"));
        ObservableProfile replica = source.copy();
        source.get("c", ObservableString.class).set("x");
        source.get("a", ObservableInt.class).set(1);
        assertThat(hex(Fixtures.ship(source, replica))).isEqualTo("02 00 02 08 01 78");
        assertThat(hex(source.getUpdates())).as("nothing left after clearUpdates").isEqualTo("00");
    }

    @Test
    void listOperationsHaveTheirDocumentedBytes() {
        ObservableList<Integer> list = new ObservableList<>("l", ElementType.INT, List.of(1, 2));
        ObservableProfile source = of(list);
        ObservableProfile replica = source.copy();
        list.insert(1, 7);
        assertThat(hex(Fixtures.ship(source, replica))).isEqualTo("01 00 01 02 01 0e");
        list.set(0, -1);
        list.add(3);
        list.remove(2);
        assertThat(hex(Fixtures.ship(source, replica))).isEqualTo("01 00 03 00 00 01 01 06 03 02");
        list.clear();
        list.add(4);
        assertThat(hex(Fixtures.ship(source, replica))).isEqualTo("01 00 02 04 01 08");
        list.replaceAll(List.of(5, 6));
        assertThat(hex(Fixtures.ship(source, replica))).isEqualTo("01 00 01 05 02 0a 0c");
        assertThat(Fixtures.<Integer>list(replica, "l").value()).isEqualTo(List.of(5, 6));
    }

    @Test
    void dictionaryOperationsHaveTheirDocumentedBytes() {
        ObservableDictionary<String, Integer> dict = new ObservableDictionary<>("d", ElementType.STRING,
                ElementType.INT);
        ObservableProfile source = of(dict);
        ObservableProfile replica = source.copy();
        dict.put("a", 3);
        assertThat(hex(Fixtures.ship(source, replica))).isEqualTo("01 00 01 00 01 61 06");
        dict.remove("a");
        dict.remove("missing");
        assertThat(hex(Fixtures.ship(source, replica))).isEqualTo("01 00 01 01 01 61");
        dict.put("b", 1);
        dict.clear();
        assertThat(hex(Fixtures.ship(source, replica))).isEqualTo("01 00 01 02");
        dict.replaceAll(Map.of("z", 1, "y", 2));
        assertThat(hex(Fixtures.ship(source, replica))).as("replace lists keys sorted")
                .isEqualTo("01 00 01 03 02 01 79 04 01 7a 02");
    }

    @Test
    void wholeProfileIsFormatByteFingerprintAndValues() throws Exception {
        ObservableProfile profile = of(new ObservableInt("gold", 5), new ObservableString("nick", "hé"));
        byte[] bytes = profile.toBytes();
        assertThat(bytes).hasSize(1 + 8 + 1 + 4);
        assertThat(bytes[0]).isEqualTo((byte) ObservableProfile.FORMAT_VERSION);
        assertThat(hex(bytes)).endsWith("0a 03 68 c3 a9");

        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] digest = sha.digest("gold\0int\nnick\0string\n".getBytes(StandardCharsets.UTF_8));
        long expected = ByteBuffer.wrap(digest, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(profile.fingerprint()).isEqualTo(expected);
        assertThat(ByteBuffer.wrap(bytes, 1, 8).order(ByteOrder.LITTLE_ENDIAN).getLong()).isEqualTo(expected);
        assertThat(profile.fingerprint(p -> p.name().equals("gold")))
                .isEqualTo(of(new ObservableInt("gold")).fingerprint());
    }

    @Test
    void everyTypeRoundTripsWholeAndAsOneDelta() {
        ObservableProfile source = Fixtures.everyType();
        ObservableProfile replica = source.copy();
        Fixtures.fillEveryType(source);
        byte[] delta = Fixtures.ship(source, replica);
        assertThat(delta[0]).as("every property changed").isEqualTo((byte) source.size());

        ObservableProfile loaded = Fixtures.everyType();
        loaded.fromBytes(source.toBytes());
        Fixtures.assertSame(source, loaded);
        assertThat(loaded.hasUpdates()).as("fromBytes marks nothing dirty").isFalse();
        assertThat(Fixtures.<Integer>list(loaded, "ints").value()).containsExactly(0, 1, 2, -3);
        assertThat(Fixtures.<Boolean>list(loaded, "bools").value()).containsExactly(true);
        assertThat(Fixtures.<String, Integer>dict(loaded, "counts").value()).isEqualTo(Map.of("a", 11, "b", 2));
    }

    @Test
    void fromBytesReplacesCollectionsAndDropsPendingChanges() {
        ObservableProfile source = Fixtures.everyType();
        Fixtures.fillEveryType(source);
        ObservableProfile target = Fixtures.everyType();
        Fixtures.<Integer>list(target, "ints").add(99);
        Fixtures.<String, Integer>dict(target, "counts").put("only-here", 1);
        target.get("gold", ObservableInt.class).set(1);
        target.fromBytes(source.toBytes());
        Fixtures.assertSame(source, target);
        assertThat(target.hasUpdates()).isFalse();
        assertThat(Fixtures.<String, Integer>dict(target, "counts").containsKey("only-here")).isFalse();
    }

    @Test
    void fromBytesFiresListenersOnlyOfChangedProperties() {
        ObservableProfile source = of(new ObservableInt("a", 1), new ObservableInt("b", 2));
        ObservableProfile target = of(new ObservableInt("a", 1), new ObservableInt("b", 0));
        List<String> changed = new java.util.ArrayList<>();
        target.addListener(p -> changed.add(p.name()));
        target.fromBytes(source.toBytes());
        assertThat(changed).containsExactly("b");
    }

    @Test
    void emptyDeltaIsOneByteAndChangesNothing() {
        ObservableProfile profile = Fixtures.everyType();
        assertThat(profile.hasUpdates()).isFalse();
        assertThat(hex(profile.getUpdates())).isEqualTo("00");
        assertThat(profile.copy().applyUpdates(new byte[] {0})).isEmpty();
    }
}
