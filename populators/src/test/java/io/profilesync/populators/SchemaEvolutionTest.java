package io.profilesync.populators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.profilesync.core.ObservableLong;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.ObservableString;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** renamedFrom, convertFrom and dropped in a schema file: read, checked, written canonically, applied on restore. */
class SchemaEvolutionTest {
    static final String EVOLVED = """
            properties:
              - {name: gold, type: long, renamedFrom: [coins, money], convertFrom: {type: int}}
              - {name: rank, type: string, default: "", convertFrom: {type: double}}
            dropped: [retired]
            """;

    @Test
    void theDeclarationsAreReadWrittenCanonicallyAndPartOfTheFingerprint() {
        ProfileSchema schema = ProfileSchema.fromYaml(EVOLVED);

        assertThat(schema.definition("gold").renamedFrom()).containsExactly("coins", "money");
        assertThat(schema.definition("gold").convertFrom()).contains(PropertyType.INT);
        assertThat(schema.dropped()).containsExactly("retired");
        assertThat(schema.evolution().renamedFrom()).isEqualTo(Map.of("gold", List.of("coins", "money")));
        assertThat(schema.evolution().convertFrom()).isEqualTo(Map.of("gold", "int", "rank", "double"));
        ProfileSchema again = ProfileSchema.fromJson(schema.toJson());
        assertThat(again).isEqualTo(schema);
        assertThat(again.fingerprint()).isEqualTo(schema.fingerprint());
        assertThat(schema.toJson()).contains("\"renamedFrom\":[\"coins\",\"money\"]", "\"convertFrom\":{\"type\":\"int\"}",
                "\"dropped\":[\"retired\"]");

        ProfileSchema plain = ProfileSchema.fromYaml("properties:\n  - {name: gold, type: long}\n");
        assertThat(plain.toJson()).doesNotContain("renamedFrom", "convertFrom", "dropped");
        assertThat(plain.fingerprint()).isNotEqualTo(schema.fingerprint());
    }

    @Test
    void profilesOfTheSchemaReadStoredValuesThroughIt() {
        ProfileSchema schema = ProfileSchema.fromYaml(EVOLVED);
        ObservableServerProfile p = schema.newServerProfile("alice");
        assertThat(p.schemaFingerprint()).isEqualTo(schema.fingerprint());

        p.fromJson("{\"money\":120,\"rank\":-0.0,\"retired\":true,\"kept\":[1]}");

        assertThat(p.get("gold", ObservableLong.class).get()).isEqualTo(120L);
        assertThat(p.get("rank", ObservableString.class).get()).isEqualTo("-0.0");
        assertThat(p.keptProperties()).containsOnlyKeys("kept");
        assertThat(p.copy().toJson()).isEqualTo(p.toJson());
    }

    @Test
    void unsupportedConversionsAndClashingNamesAreRefusedNamingTheProblem() {
        assertThatThrownBy(() -> ProfileSchema.fromYaml(
                "properties:\n  - {name: level, type: int, convertFrom: {type: string}}\n"))
                .isInstanceOf(SchemaException.class)
                .hasMessageContaining("convertFrom type string cannot become int")
                .hasMessageContaining("int to long, float, double or string");
        assertThatThrownBy(() -> ProfileSchema.fromYaml(
                "properties:\n  - {name: a, type: int, renamedFrom: [b]}\n  - {name: b, type: int}\n"))
                .isInstanceOf(SchemaException.class).hasMessageContaining("renamedFrom 'b'");
        assertThatThrownBy(() -> ProfileSchema.fromYaml(
                "properties:\n  - {name: a, type: int, renamedFrom: [old]}\n  - {name: c, type: int, "
                        + "renamedFrom: [old]}\n"))
                .isInstanceOf(SchemaException.class).hasMessageContaining("both renamedFrom 'old'");
        assertThatThrownBy(() -> ProfileSchema.fromYaml("properties:\n  - {name: a, type: int}\ndropped: [a]\n"))
                .isInstanceOf(SchemaException.class).hasMessageContaining("dropped names 'a'");
        assertThatThrownBy(() -> ProfileSchema.fromYaml("properties:\n  - {name: a, type: int}\ndropped: a\n"))
                .isInstanceOf(SchemaException.class).hasMessageContaining("'dropped' must be a list");
        assertThatThrownBy(() -> ProfileSchema.fromYaml(
                "properties:\n  - {name: a, type: int, convertFrom: int}\n"))
                .isInstanceOf(SchemaException.class).hasMessageContaining("convertFrom must be {type: TYPE}");
    }
}
