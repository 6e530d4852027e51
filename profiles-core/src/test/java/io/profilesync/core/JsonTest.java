package io.profilesync.core;

import static io.profilesync.core.Fixtures.of;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.spi.ILoggingEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    private static ObservableProfile jsonRoundTrip(ObservableProfile source, ObservableProfile target) {
        target.fromJson(source.toJson());
        Fixtures.assertSame(source, target);
        assertThat(target.hasUpdates()).as("fromJson marks nothing dirty").isFalse();
        return target;
    }

    @Test
    void everyTypeRoundTripsExactly() {
        ObservableProfile source = Fixtures.everyType();
        Fixtures.fillEveryType(source);
        jsonRoundTrip(source, Fixtures.everyType());
        assertThat(source.toJson()).startsWith("{\"gold\":-1234,\"xp\":9876543210,\"speed\":1.5,\"ratio\":-0.1,"
                + "\"vip\":true,\"nick\":\"Zoë \\\"the\\\" \\\\ 🐉\\r\\n\\t\",\"lastSeen\":\"2026-11-21T08:00:00.123Z\","
                + "\"pos\":{\"x\":1.25,\"y\":-2.5,\"z\":1.0E-7}");
        assertThat(source.toJson()).contains("\"floats\":[\"NaN\",-0.0]", "\"counts\":{\"a\":11,\"b\":2}",
                "\"names\":{\"-7\":\"minus seven\",\"42\":\"answer\"}", "\"weights\":{\"x\":0.5,\"y\":\"-Infinity\"}");
    }

    @Test
    void setFromJsonRecordsEveryChangedValueSoItsDeltaBringsAnotherCopyToTheSameValues() {
        ObservableProfile source = Fixtures.everyType();
        Fixtures.fillEveryType(source);
        ObservableProfile held = Fixtures.everyType();
        ObservableProfile replica = Fixtures.everyType();

        held.setFromJson(source.toJson());

        Fixtures.assertSame(source, held);
        assertThat(held.hasUpdates()).as("recorded, as set() would").isTrue();
        replica.applyUpdates(held.getUpdates());
        Fixtures.assertSame(source, replica);
        held.clearUpdates();
        held.setFromJson(source.toJson());
        assertThat(held.hasUpdates()).as("nothing changed: nothing recorded").isFalse();
    }

    @Test
    void stringsKeepEveryCharacter() {
        StringBuilder controls = new StringBuilder();
        for (char c = 0; c < 0x20; c++) {
            controls.append(c);
        }
        List<String> values = List.of("\r\n\t", "\"quoted\"", "back\\slash", "🐉🎮 emoji", controls.toString(),
                "\u007f\u0080\u2028\u2029\ufeff", "</script>", "", " leading and trailing ", "\u0000");
        for (String value : values) {
            ObservableProfile source = of(new ObservableString("s", value),
                    new ObservableList<>("l", ElementType.STRING, List.of(value)),
                    new ObservableDictionary<>("d", ElementType.STRING, ElementType.STRING, Map.of(value, value)));
            ObservableProfile target = jsonRoundTrip(source, of(new ObservableString("s"),
                    new ObservableList<>("l", ElementType.STRING),
                    new ObservableDictionary<>("d", ElementType.STRING, ElementType.STRING)));
            assertThat(target.get("s", ObservableString.class).get()).isEqualTo(value);
        }
    }

    @Test
    void floatingPointIsExactForRandomBitPatternsAndSpecialValues() {
        Random random = new Random(42);
        List<Double> doubles = new ArrayList<>(List.of(Double.NaN, Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY, -0d, 0d, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL,
                Math.nextDown(Double.MIN_NORMAL), Double.MAX_VALUE, 0.1, 1e23, 2e-323,
                Double.longBitsToDouble(0x7ff0000000000001L)));
        List<Float> floats = new ArrayList<>(List.of(Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
                -0f, 0f, Float.MIN_VALUE, Float.MIN_NORMAL, Math.nextDown(Float.MIN_NORMAL), Float.MAX_VALUE, 0.1f,
                1.0E-7f, 3.4028235E38f, Float.intBitsToFloat(0xffc00001)));
        for (int i = 0; i < 5000; i++) {
            doubles.add(Double.longBitsToDouble(random.nextLong()));
            floats.add(Float.intBitsToFloat(random.nextInt()));
        }
        ObservableProfile lists = of(new ObservableList<>("d", ElementType.DOUBLE, doubles),
                new ObservableList<>("f", ElementType.FLOAT, floats));
        jsonRoundTrip(lists, of(new ObservableList<>("d", ElementType.DOUBLE),
                new ObservableList<>("f", ElementType.FLOAT)));
        ObservableProfile source = of(new ObservableDouble("sd"), new ObservableFloat("sf"),
                new ObservableVector3("v"));
        ObservableProfile target = source.copy();
        for (int i = 0; i < floats.size(); i++) {
            source.get("sd", ObservableDouble.class).set(doubles.get(i));
            source.get("sf", ObservableFloat.class).set(floats.get(i));
            source.get("v", ObservableVector3.class).set(floats.get(i), -floats.get(i), floats.get(i) / 3);
            jsonRoundTrip(source, target);
            assertThat(Double.doubleToLongBits(target.get("sd", ObservableDouble.class).doubleValue()))
                    .isEqualTo(Double.doubleToLongBits(doubles.get(i)));
        }
    }

    @Test
    void instantsFarInThePastAndFutureRoundTrip() {
        ObservableDateTime when = new ObservableDateTime("when");
        ObservableProfile source = of(when);
        ObservableProfile target = source.copy();
        for (Instant instant : List.of(Instant.ofEpochMilli(Long.MIN_VALUE), Instant.ofEpochMilli(Long.MAX_VALUE),
                Instant.parse("-0001-01-01T00:00:00Z"), Instant.parse("+10000-01-01T00:00:00.001Z"),
                Instant.parse("1969-12-31T23:59:59.999Z"), Instant.EPOCH)) {
            when.set(instant);
            jsonRoundTrip(source, target);
            assertThat(target.get("when", ObservableDateTime.class).get()).isEqualTo(instant);
            Fixtures.ship(source, target);
        }
        target.fromJson("{\"when\":\"2026-01-31T12:00:00.123456789Z\"}");
        assertThat(target.get("when", ObservableDateTime.class).get())
                .isEqualTo(Instant.parse("2026-01-31T12:00:00.123Z"));
    }

    @Test
    void unknownNamesAreKeptAndWrittenBackAndMissingNamesKeepTheirValues() {
        ObservableProfile target = of(new ObservableInt("gold", 5), new ObservableString("nick", "keep"));
        try (CapturedLog log = new CapturedLog(ObservableProfile.class)) {
            target.fromJson("{\"gold\":7,\"removedLongAgo\":[1,2.50,-0.0,1e400,{\"a\":null}],\"coins\":120}");
            assertThat(log.events()).extracting(ILoggingEvent::getLevel)
                    .doesNotContain(ch.qos.logback.classic.Level.WARN);
        }
        String kept = "\"removedLongAgo\":[1,2.50,-0.0,1e400,{\"a\":null}],\"coins\":120";
        assertThat(target.toJson()).isEqualTo("{\"gold\":7,\"nick\":\"keep\"," + kept + "}");
        assertThat(target.keptProperties()).containsExactly(
                Map.entry("removedLongAgo", "[1,2.50,-0.0,1e400,{\"a\":null}]"), Map.entry("coins", "120"));
        target.fromJson("{ \"s\" : \"a \\\"quoted\\\" \\u0000 text\" , \"n\" : -0.0 }");
        assertThat(target.keptProperties()).containsExactly(Map.entry("s", "\"a \\\"quoted\\\" \\u0000 text\""),
                Map.entry("n", "-0.0"));
        assertThat(target.copy().toJson()).isEqualTo(target.toJson());

        target.fromJson("{\"gold\":8}"); // the stored document is the truth: nothing kept from before
        assertThat(target.keptProperties()).isEmpty();
    }

    @Test
    void anEvolutionRenamesConvertsAndDropsStoredValues() {
        ObservableProfile target = of(new ObservableLong("gold", 0L), new ObservableString("rank", ""),
                new ObservableInt("level", 1));
        target.setSchemaEvolution(new SchemaEvolution(Map.of("gold", List.of("coins")), Map.of("rank", "int"),
                java.util.Set.of("retired")));

        target.fromJson("{\"coins\":120,\"rank\":3,\"level\":2,\"retired\":true,\"other\":\"x\"}");

        assertThat(target.get("gold", ObservableLong.class).get()).isEqualTo(120L);
        assertThat(target.get("rank", ObservableString.class).get()).isEqualTo("3");
        assertThat(target.keptProperties()).containsExactly(Map.entry("other", "\"x\""));
        assertThat(target.toJson()).isEqualTo("{\"gold\":120,\"rank\":\"3\",\"level\":2,\"other\":\"x\"}");

        // A value under the new name wins over the old one, which is then kept.
        target.fromJson("{\"gold\":5,\"coins\":120}");
        assertThat(target.get("gold", ObservableLong.class).get()).isEqualTo(5L);
        assertThat(target.keptProperties()).containsOnlyKeys("coins");
    }

    @Test
    void appliedBatchesRoundTripThroughTheirJson() {
        AppliedBatches record = AppliedBatches.EMPTY
                .with("gs:eu-1#7", Long.MAX_VALUE, Instant.parse("2026-12-02T08:00:00.123456789Z"))
                .with("client:alice#2", 0, Instant.EPOCH);
        assertThat(AppliedBatches.fromJson(record.toJson())).isEqualTo(record);
        assertThat(record.toJson()).startsWith("{\"client:alice#2\":{\"seq\":0,");
        assertThat(AppliedBatches.fromJson(null)).isSameAs(AppliedBatches.EMPTY);
        assertThat(AppliedBatches.EMPTY.toJson()).isEqualTo("{}");
        assertThat(record.usedSince(Instant.parse("2026-01-01T00:00:00Z")).entries()).containsOnlyKeys("gs:eu-1#7");
        assertThatThrownBy(() -> AppliedBatches.fromJson("{\"w\":{\"seq\":-1,\"usedAt\":\"x\"}}"))
                .isInstanceOf(ProfileFormatException.class).hasMessageContaining("'w'");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"gold\":\"7\"}", "{\"gold\":7.5}", "{\"gold\":4294967296}", "{\"xp\":1.0}", "{\"xp\":1e30}",
        "{\"speed\":\"fast\"}", "{\"ratio\":true}", "{\"vip\":1}", "{\"nick\":5}", "{\"nick\":\"\\ud800\"}",
        "{\"lastSeen\":12}", "{\"lastSeen\":\"yesterday\"}", "{\"lastSeen\":\"+1000000000-01-01T00:00:00Z\"}",
        "{\"pos\":[1,2,3]}", "{\"pos\":{\"x\":1,\"y\":2}}", "{\"pos\":{\"x\":1,\"y\":2,\"z\":\"a\"}}",
        "{\"spawn\":{\"x\":1000,\"y\":0,\"z\":0}}", "{\"ints\":{}}", "{\"ints\":[1,\"2\"]}", "{\"ints\":[null]}",
        "{\"bools\":[0]}", "{\"strings\":[1]}", "{\"counts\":[]}", "{\"counts\":{\"a\":\"b\"}}",
        "{\"names\":{\"x\":\"not an int key\"}}", "{\"names\":{\"1\":2}}", "{\"flags\":{\"99999999999\":true}}",
        "{\"gold\":null}", "{\"speed\":1e39}", "{\"ratio\":1e400}", "{\"floats\":[-1e39]}",
        "{\"weights\":{\"k\":-1e999}}", "{\"pos\":{\"x\":0,\"y\":1e50,\"z\":0}}"})
    void wrongTypesAreRefusedNamingThePropertyAndChangeNothing(String json) {
        ObservableProfile target = Fixtures.everyType();
        Fixtures.fillEveryType(target);
        target.clearUpdates();
        byte[] before = target.toBytes();
        String name = json.substring(2, json.indexOf('"', 2));
        String validFirst = name.equals("gold") ? "{\"xp\":1," : "{\"gold\":999999,";
        assertThatThrownBy(() -> target.fromJson(validFirst + json.substring(1)))
                .isInstanceOf(ProfileFormatException.class).hasMessageContaining("'" + name);
        assertThatThrownBy(() -> target.fromJson(json)).isInstanceOf(ProfileFormatException.class)
                .hasMessageContaining("'" + name);
        assertThat(target.toBytes()).isEqualTo(before);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "null", "[]", "42", "\"text\"", "{", "{\"gold\":}", "{gold:1}"})
    void textThatIsNotAJsonObjectIsRefused(String json) {
        ObservableProfile target = of(new ObservableInt("gold", 3));
        assertThatThrownBy(() -> target.fromJson(json)).isInstanceOf(ProfileFormatException.class)
                .hasMessageContaining("profile JSON");
        assertThat(target.get("gold", ObservableInt.class).intValue()).isEqualTo(3);
    }
}
