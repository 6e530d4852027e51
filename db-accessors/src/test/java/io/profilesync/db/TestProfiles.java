package io.profilesync.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.profilesync.core.ElementType;
import io.profilesync.core.ObservableBool;
import io.profilesync.core.ObservableDateTime;
import io.profilesync.core.ObservableDictionary;
import io.profilesync.core.ObservableDouble;
import io.profilesync.core.ObservableFloat;
import io.profilesync.core.ObservableInt;
import io.profilesync.core.ObservableList;
import io.profilesync.core.ObservableLong;
import io.profilesync.core.ObservableProfile;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.ObservableString;
import io.profilesync.core.ObservableVector3;
import io.profilesync.core.Vector3;
import java.time.Instant;
import java.util.SplittableRandom;

/**
 * Profiles with a property of every type, filled with awkward values, for accessor tests and benchmarks.
 * Threading: stateless, thread-safe.
 */
public final class TestProfiles {
    /** Strings a store must keep to the character: line breaks, tabs, emoji, quotes, SQL and JSON syntax. */
    public static final String[] AWKWARD_STRINGS = {
        "", " ", "line one\r\nline two\nline three\rend", "\ttabbed\t\t", "emoji 😀🎮🧙‍♀️👍🏽",
        "quotes \" ' ` and backslash \\ and slash /", "'; DROP TABLE profiles; --", "{\"json\": [1, 2]}",
        "ünïcödé 日本語 العربية", "control \u0001\u001f\u007f", "x".repeat(5000), "\u0000", "nul \u0000 inside",
        "separators \u2028\u2029 nel \u0085 bom \uFEFF last \uFFFF", "escaped-looking \\u0000 \\n",
    };

    /** Doubles a store must keep bit for bit: signed zeros, subnormals, extremes, NaN and the infinities. */
    public static final double[] EXACT_DOUBLES = {
        -0.0, 0.0, 1e-300, -1e-300, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE,
        -Double.MAX_VALUE, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.1 + 0.2, 1e21, 1e-7,
        9007199254740993.0, 4.9e-324 * 3,
    };

    /** Floats a store must keep bit for bit. */
    public static final float[] EXACT_FLOATS = {
        -0.0f, 0.0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, Float.NaN,
        Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0.1f, 16777217f, 1e-45f * 7,
    };

    /** Longs a store must keep exactly: beyond a double's 53 bits of precision, and the extremes. */
    public static final long[] EXACT_LONGS = {
        Long.MIN_VALUE, Long.MAX_VALUE, (1L << 53) + 1, -(1L << 53) - 1, 0L, -1L,
    };

    private TestProfiles() {
    }

    /** A profile of user {@code userId} holding every property type at its default value. */
    public static ObservableServerProfile newProfile(String userId) {
        ObservableServerProfile p = new ObservableServerProfile(userId);
        p.add(new ObservableInt("level", 1));
        p.add(new ObservableLong("coins", 0L));
        p.add(new ObservableFloat("speed", 1.5f));
        p.add(new ObservableDouble("rating", 0.0));
        p.add(new ObservableBool("premium", false));
        p.add(new ObservableString("nickname", "newcomer"));
        p.add(new ObservableDateTime("lastSeen", Instant.EPOCH));
        p.add(new ObservableVector3("position", new Vector3(0f, 0f, 0f)));
        p.add(new ObservableList<>("inventory", ElementType.STRING));
        p.add(new ObservableList<>("scores", ElementType.INT));
        p.add(new ObservableList<>("timings", ElementType.DOUBLE));
        p.add(new ObservableList<>("flags", ElementType.BOOL));
        p.add(new ObservableList<>("ids", ElementType.LONG));
        p.add(new ObservableList<>("weights", ElementType.FLOAT));
        p.add(new ObservableDictionary<>("items", ElementType.STRING, ElementType.INT));
        p.add(new ObservableDictionary<>("notes", ElementType.INT, ElementType.STRING));
        p.add(new ObservableDictionary<>("ratios", ElementType.STRING, ElementType.DOUBLE));
        return p;
    }

    /** {@link #newProfile} with every property set from {@code seed}: the same seed gives the same values. */
    @SuppressWarnings("unchecked")
    public static ObservableServerProfile filled(String userId, long seed) {
        ObservableServerProfile p = newProfile(userId);
        SplittableRandom r = new SplittableRandom(seed);
        p.get("level", ObservableInt.class).set(r.nextInt());
        p.get("coins", ObservableLong.class).set(r.nextLong());
        p.get("speed", ObservableFloat.class).set(r.nextInt(1000) / 7f);
        p.get("rating", ObservableDouble.class).set(awkwardDouble(r));
        p.get("premium", ObservableBool.class).set(r.nextBoolean());
        p.get("nickname", ObservableString.class).set(awkwardString(r) + seed);
        p.get("lastSeen", ObservableDateTime.class).set(Instant.ofEpochMilli(r.nextLong(-62_000_000_000_000L,
                250_000_000_000_000L)));
        p.get("position", ObservableVector3.class).set(new Vector3(r.nextInt(-10000, 10000) / 8f,
                (float) r.nextDouble(-1e6, 1e6), Float.MIN_VALUE));
        ObservableList<String> inventory = p.get("inventory", ObservableList.class);
        ObservableList<Integer> scores = p.get("scores", ObservableList.class);
        ObservableList<Double> timings = p.get("timings", ObservableList.class);
        ObservableList<Boolean> flags = p.get("flags", ObservableList.class);
        ObservableList<Long> ids = p.get("ids", ObservableList.class);
        ObservableList<Float> weights = p.get("weights", ObservableList.class);
        ObservableDictionary<String, Integer> items = p.get("items", ObservableDictionary.class);
        ObservableDictionary<Integer, String> notes = p.get("notes", ObservableDictionary.class);
        ObservableDictionary<String, Double> ratios = p.get("ratios", ObservableDictionary.class);
        int n = r.nextInt(1, 8);
        for (int i = 0; i < n; i++) {
            inventory.add(awkwardString(r));
            scores.add(r.nextInt());
            timings.add(awkwardDouble(r));
            flags.add(r.nextBoolean());
            ids.add(r.nextLong());
            weights.add((float) r.nextDouble(-1000, 1000));
            items.put(awkwardString(r) + i, r.nextInt());
            notes.put(r.nextInt(), awkwardString(r));
            ratios.put("r" + i, awkwardDouble(r));
        }
        return p;
    }

    private static String awkwardString(SplittableRandom r) {
        String s = AWKWARD_STRINGS[r.nextInt(AWKWARD_STRINGS.length)];
        return s.length() > 100 ? s : s + AWKWARD_STRINGS[r.nextInt(AWKWARD_STRINGS.length)];
    }

    /**
     * The profiles of {@code prefix + i}, each holding one of the exact values above (and at index i of each array
     * that long) in its scalar, list and dictionary properties: every value the model holds that a store might
     * change.
     */
    @SuppressWarnings("unchecked")
    public static java.util.List<ObservableServerProfile> exactValueProfiles(String prefix) {
        int count = Math.max(Math.max(EXACT_DOUBLES.length, EXACT_FLOATS.length),
                Math.max(EXACT_LONGS.length, AWKWARD_STRINGS.length));
        java.util.List<ObservableServerProfile> profiles = new java.util.ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ObservableServerProfile p = newProfile(prefix + i);
            double d = EXACT_DOUBLES[i % EXACT_DOUBLES.length];
            float f = EXACT_FLOATS[i % EXACT_FLOATS.length];
            long l = EXACT_LONGS[i % EXACT_LONGS.length];
            String s = AWKWARD_STRINGS[i % AWKWARD_STRINGS.length];
            p.get("rating", ObservableDouble.class).set(d);
            p.get("speed", ObservableFloat.class).set(f);
            p.get("coins", ObservableLong.class).set(l);
            p.get("level", ObservableInt.class).set(i % 2 == 0 ? Integer.MIN_VALUE : Integer.MAX_VALUE);
            p.get("nickname", ObservableString.class).set(s);
            p.get("position", ObservableVector3.class).set(new Vector3(f, -f, Float.MIN_VALUE));
            p.get("lastSeen", ObservableDateTime.class).set(Instant.ofEpochMilli(i % 2 == 0 ? -62_000_000_000_000L
                    : 250_000_000_000_000L));
            ((ObservableList<Double>) p.get("timings", ObservableList.class)).add(d);
            ((ObservableList<Double>) p.get("timings", ObservableList.class)).add(-d);
            ((ObservableList<Float>) p.get("weights", ObservableList.class)).add(f);
            ((ObservableList<Long>) p.get("ids", ObservableList.class)).add(l);
            ((ObservableList<String>) p.get("inventory", ObservableList.class)).add(s);
            ((ObservableDictionary<String, Double>) p.get("ratios", ObservableDictionary.class)).put(s, d);
            ((ObservableDictionary<String, Integer>) p.get("items", ObservableDictionary.class)).put(s, i);
            ((ObservableDictionary<Integer, String>) p.get("notes", ObservableDictionary.class)).put(i, s);
            profiles.add(p);
        }
        return profiles;
    }

    /** Doubles a store must keep exactly, -0.0, NaN and the infinities included. */
    private static double awkwardDouble(SplittableRandom r) {
        switch (r.nextInt(10)) {
            case 6:
                return -0.0;
            case 7:
                return Double.NaN;
            case 8:
                return r.nextBoolean() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
            case 9:
                return 1e-300;
            case 0:
                return Double.MAX_VALUE;
            case 1:
                return Double.MIN_VALUE;
            case 2:
                return -1e-300;
            case 3:
                return 0.1 + 0.2;
            default:
                return r.nextDouble(-1e9, 1e9);
        }
    }

    /** Asserts that two profiles hold the same values: the same bytes and the same JSON. */
    public static void assertSameContent(ObservableProfile actual, ObservableProfile expected) {
        assertThat(actual.toJson()).isEqualTo(expected.toJson());
        assertThat(actual.toBytes()).isEqualTo(expected.toBytes());
    }
}
