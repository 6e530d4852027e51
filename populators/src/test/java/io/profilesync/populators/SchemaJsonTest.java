package io.profilesync.populators;

import static org.assertj.core.api.Assertions.assertThat;

import io.profilesync.core.ElementType;
import io.profilesync.core.Vector3;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class SchemaJsonTest {
    @Test
    void toJsonRoundTripsEveryType() {
        ProfileSchema schema = SchemaBuilderTest.everyType();
        ProfileSchema copy = ProfileSchema.fromJson(schema.toJson());

        assertThat(copy).isEqualTo(schema);
        assertThat(copy.definitions()).isEqualTo(schema.definitions());
        assertThat(copy.fingerprint()).isEqualTo(schema.fingerprint());
        assertThat(copy.toJson()).isEqualTo(schema.toJson());
    }

    @Test
    void awkwardValuesRoundTrip() {
        ProfileSchema schema = ProfileSchema.builder()
                .floatProperty("f", Float.MIN_VALUE).min(-Float.MAX_VALUE).max(Float.MAX_VALUE)
                .floatProperty("nan", Float.NaN)
                .doubleProperty("d", 0.1 + 0.2).min(-1e300)
                .longProperty("l", Long.MIN_VALUE).min(Long.MIN_VALUE).max(Long.MAX_VALUE)
                .stringProperty("s", "quote \" tab \t newline \n emoji \uD83D\uDE00").maxLength(100)
                .datetimeProperty("t", Instant.parse("1969-12-31T23:59:59.999Z"))
                .vector3Property("v", new Vector3(-0.0f, 1e-3f, 327.67f), 0.01f)
                .dictProperty("byId", ElementType.INT, ElementType.DOUBLE, Map.of(-5, 1.5, 3, Double.NaN))
                .listProperty("flags", ElementType.BOOL, List.of(true, false, true))
                .build();

        ProfileSchema copy = ProfileSchema.fromJson(schema.toJson());

        assertThat(copy).isEqualTo(schema);
        assertThat(copy.fingerprint()).isEqualTo(schema.fingerprint());
    }

    @Test
    void theCanonicalFormWritesEveryKeyInOrder() {
        ProfileSchema schema = ProfileSchema.builder()
                .intProperty("level", 1).min(1).max(100)
                .vector3Property("position", Vector3.ZERO, 0.01f)
                .build();

        assertThat(schema.toJson()).isEqualTo("{\"properties\":["
                + "{\"name\":\"level\",\"type\":\"int\",\"default\":1,\"min\":1,\"max\":100,"
                + "\"clientWritable\":false,\"clientVisible\":true},"
                + "{\"name\":\"position\",\"type\":\"vector3\",\"step\":0.01,"
                + "\"default\":{\"x\":0.0,\"y\":0.0,\"z\":0.0},\"clientWritable\":false,\"clientVisible\":true}]}");
        assertThat(schema.fingerprint()).hasSize(64).matches("[0-9a-f]{64}");
    }

    /** The demo schema's canonical JSON and fingerprint are committed: any change of format shows here. */
    @Test
    void demoSchemaMatchesTheGoldenFile() throws IOException {
        String golden;
        try (InputStream in = getClass().getResourceAsStream("/golden/demo-schema.json")) {
            golden = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
        assertThat(ProfileSchema.demo().toJson()).isEqualTo(golden);
        assertThat(ProfileSchema.demo().fingerprint())
                .isEqualTo("46efb38aad3f8e1eaa52f86f839319289bfcebefc76839681eb86b8dba18e070");
    }

    @Test
    void sameSchemaSameFingerprint() {
        assertThat(SchemaBuilderTest.everyType().fingerprint()).isEqualTo(SchemaBuilderTest.everyType().fingerprint());
        // How a default is spelled does not matter, only its value.
        assertThat(ProfileSchema.fromYaml("properties: [{name: s, type: float, default: 1}]").fingerprint())
                .isEqualTo(ProfileSchema.fromYaml("properties: [{name: s, type: float, default: 1.00}]")
                        .fingerprint());
        assertThat(ProfileSchema.fromYaml("properties: [{name: s, type: string}]"))
                .isEqualTo(ProfileSchema.fromYaml("properties: [{name: s, type: string, default: '', "
                        + "clientWritable: false, clientVisible: true}]"));
    }

    @Test
    void anyChangeGivesAnotherFingerprint() {
        String base = fingerprint(UnaryOperator.identity());
        List<UnaryOperator<String>> changes = List.of(
                yaml -> yaml.replace("default: 1,", "default: 2,"),
                yaml -> yaml.replace("min: 1,", "min: 0,"),
                yaml -> yaml.replace("max: 100", "max: 99"),
                yaml -> yaml.replace("maxLength: 32", "maxLength: 31"),
                yaml -> yaml.replace("maxSize: 64", "maxSize: 65"),
                yaml -> yaml.replace("step: 0.01", "step: 0.02"),
                yaml -> yaml.replace("clientWritable: true", "clientWritable: false"),
                yaml -> yaml.replace("clientVisible: false", "clientVisible: true"),
                yaml -> yaml.replace("name: level", "name: rank"),
                yaml -> yaml.replace("list<string>, default: [a]", "list<int>, default: [7]"),
                yaml -> yaml.replace("default: [a]", "default: [b]"));
        for (UnaryOperator<String> change : changes) {
            assertThat(fingerprint(change)).as(change.apply(YAML)).isNotEqualTo(base);
        }
        // Order matters too: properties travel by index.
        ProfileSchema ab = ProfileSchema.builder().intProperty("a", 0).intProperty("b", 0).build();
        ProfileSchema ba = ProfileSchema.builder().intProperty("b", 0).intProperty("a", 0).build();
        assertThat(ab.fingerprint()).isNotEqualTo(ba.fingerprint());
        assertThat(ab).isNotEqualTo(ba);
    }

    private static final String YAML = """
            properties:
              - {name: level, type: int, default: 1, min: 1, max: 100}
              - {name: displayName, type: string, maxLength: 32, clientWritable: true}
              - {name: items, type: list<string>, default: [a], maxSize: 64}
              - {name: position, type: vector3, step: 0.01}
              - {name: banReason, type: string, clientVisible: false}
            """;

    private static String fingerprint(UnaryOperator<String> change) {
        String yaml = change.apply(YAML);
        return ProfileSchema.fromYaml(yaml).fingerprint();
    }
}
