package io.profilesync.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** Shared test fixtures: a profile holding every property type, hex helpers and replica helpers. */
final class Fixtures {
    static final Instant SOME_INSTANT = Instant.parse("2026-11-21T08:00:00.123Z");

    private Fixtures() {
    }

    /** A profile with one property of every type (scalars first, then lists, then dictionaries), at defaults. */
    static ObservableProfile everyType() {
        ObservableProfile profile = new ObservableProfile();
        profile.add(new ObservableInt("gold", 0));
        profile.add(new ObservableLong("xp", 0L));
        profile.add(new ObservableFloat("speed", 0f));
        profile.add(new ObservableDouble("ratio", 0d));
        profile.add(new ObservableBool("vip", false));
        profile.add(new ObservableString("nick", ""));
        profile.add(new ObservableDateTime("lastSeen", Instant.EPOCH));
        profile.add(new ObservableVector3("pos", Vector3.ZERO));
        profile.add(new ObservableVector3("spawn", Vector3.ZERO, 0.01f));
        profile.add(new ObservableList<>("ints", ElementType.INT));
        profile.add(new ObservableList<>("longs", ElementType.LONG));
        profile.add(new ObservableList<>("floats", ElementType.FLOAT));
        profile.add(new ObservableList<>("doubles", ElementType.DOUBLE));
        profile.add(new ObservableList<>("bools", ElementType.BOOL));
        profile.add(new ObservableList<>("strings", ElementType.STRING));
        profile.add(new ObservableDictionary<>("counts", ElementType.STRING, ElementType.INT));
        profile.add(new ObservableDictionary<>("names", ElementType.INT, ElementType.STRING));
        profile.add(new ObservableDictionary<>("weights", ElementType.STRING, ElementType.DOUBLE));
        profile.add(new ObservableDictionary<>("flags", ElementType.INT, ElementType.BOOL));
        return profile;
    }

    /** Sets every property of an {@link #everyType()} profile to a non-default value, with collections of each op. */
    static void fillEveryType(ObservableProfile p) {
        p.get("gold", ObservableInt.class).set(-1234);
        p.get("xp", ObservableLong.class).set(9_876_543_210L);
        p.get("speed", ObservableFloat.class).set(1.5f);
        p.get("ratio", ObservableDouble.class).set(-0.1);
        p.get("vip", ObservableBool.class).set(true);
        p.get("nick", ObservableString.class).set("Zoë \"the\" \\ 🐉\r\n\t");
        p.get("lastSeen", ObservableDateTime.class).set(SOME_INSTANT);
        p.get("pos", ObservableVector3.class).set(1.25f, -2.5f, 1e-7f);
        p.get("spawn", ObservableVector3.class).set(12.34f, -56.78f, 327.67f);
        ObservableList<Integer> ints = list(p, "ints");
        ints.add(1);
        ints.add(2);
        ints.insert(0, 0);
        ints.insert(3, 3);
        ints.insert(1, 100);
        ints.remove(1);
        ints.set(3, -3);
        Fixtures.<Long>list(p, "longs").replaceAll(List.of(Long.MIN_VALUE, Long.MAX_VALUE));
        ObservableList<Float> floats = list(p, "floats");
        floats.add(Float.NaN);
        floats.add(-0f);
        Fixtures.<Double>list(p, "doubles").add(Double.MIN_VALUE);
        ObservableList<Boolean> bools = list(p, "bools");
        bools.add(true);
        bools.add(false);
        bools.clear();
        bools.add(true);
        ObservableList<String> strings = list(p, "strings");
        strings.add("a");
        strings.insert(0, "");
        ObservableDictionary<String, Integer> counts = dict(p, "counts");
        counts.put("b", 2);
        counts.put("a", 1);
        counts.put("a", 11);
        counts.put("gone", 5);
        counts.remove("gone");
        ObservableDictionary<Integer, String> names = dict(p, "names");
        names.put(-7, "minus seven");
        names.put(42, "answer");
        Fixtures.<String, Double>dict(p, "weights").replaceAll(Map.of("x", 0.5, "y", Double.NEGATIVE_INFINITY));
        ObservableDictionary<Integer, Boolean> flags = dict(p, "flags");
        flags.put(1, true);
        flags.clear();
        flags.put(2, false);
    }

    /** The list of that name, typed as the caller needs. */
    @SuppressWarnings("unchecked")
    static <E> ObservableList<E> list(ObservableProfile p, String name) {
        return p.get(name, ObservableList.class);
    }

    /** The dictionary of that name, typed as the caller needs. */
    @SuppressWarnings("unchecked")
    static <K, V> ObservableDictionary<K, V> dict(ObservableProfile p, String name) {
        return p.get(name, ObservableDictionary.class);
    }

    /** A profile holding only {@code property}. */
    static ObservableProfile of(ObservableProperty<?>... properties) {
        return new ObservableProfile(List.of(properties));
    }

    static String hex(byte[] bytes) {
        return HexFormat.ofDelimiter(" ").formatHex(bytes);
    }

    static byte[] unhex(String text) {
        return HexFormat.of().parseHex(text.replaceAll("\\s+", ""));
    }

    /** Ships the source's pending delta to the replica (then clears it) and asserts both now hold the same. */
    static byte[] ship(ObservableProfile source, ObservableProfile replica) {
        byte[] delta = source.getUpdates();
        source.clearUpdates();
        replica.applyUpdates(delta);
        assertSame(source, replica);
        return delta;
    }

    static void assertSame(ObservableProfile expected, ObservableProfile actual) {
        assertThat(hex(actual.toBytes())).isEqualTo(hex(expected.toBytes()));
        assertThat(actual.toJson()).isEqualTo(expected.toJson());
    }
}
