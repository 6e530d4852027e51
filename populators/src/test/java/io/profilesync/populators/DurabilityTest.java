package io.profilesync.populators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@code durability: immediate}: read, written canonically, checked, and left out of fingerprints by default. */
class DurabilityTest {
    @Test
    void immediateIsReadFromYamlAndJsonAndListed() {
        ProfileSchema yaml = ProfileSchema.fromYaml("""
                properties:
                  - {name: gold, type: long, durability: immediate}
                  - {name: level, type: int, durability: debounced}
                  - {name: position, type: vector3}
                """);
        assertThat(yaml.definition("gold").durability()).isEqualTo(Durability.IMMEDIATE);
        assertThat(yaml.definition("level").durability()).isEqualTo(Durability.DEBOUNCED);
        assertThat(yaml.definition("position").durability()).isEqualTo(Durability.DEBOUNCED);
        assertThat(yaml.immediateProperties()).containsExactly("gold");
        assertThat(ProfileSchema.fromJson(yaml.toJson())).isEqualTo(yaml);
        assertThat(yaml.toJson()).contains("\"durability\":\"immediate\"").doesNotContain("debounced");
    }

    @Test
    void theDefaultKeepsTheFingerprintAndImmediateChangesIt() {
        ProfileSchema plain = ProfileSchema.fromYaml("properties: [{name: gold, type: long}]");
        ProfileSchema spelledOut = ProfileSchema.fromYaml("properties: [{name: gold, type: long, durability: "
                + "debounced}]");
        ProfileSchema immediate = ProfileSchema.fromYaml("properties: [{name: gold, type: long, durability: "
                + "immediate}]");
        assertThat(spelledOut.fingerprint()).isEqualTo(plain.fingerprint());
        assertThat(immediate.fingerprint()).isNotEqualTo(plain.fingerprint());
        assertThat(plain.toJson()).doesNotContain("durability");
    }

    @Test
    void theBuilderSaysTheSame() {
        ProfileSchema built = ProfileSchema.builder()
                .longProperty("gold", 0).min(0).savedImmediately()
                .intProperty("level", 1)
                .build();
        assertThat(built).isEqualTo(ProfileSchema.fromYaml("""
                properties:
                  - {name: gold, type: long, min: 0, durability: immediate}
                  - {name: level, type: int, default: 1}
                """));
        assertThat(built.definition("gold").toString()).contains("saved at once");
    }

    @Test
    void aBadValueSaysWhatIsAllowed() {
        assertThatThrownBy(() -> ProfileSchema.fromYaml("properties: [{name: gold, type: long, durability: now}]"))
                .isInstanceOf(SchemaException.class)
                .hasMessageContaining("properties[0] 'gold': durability must be 'immediate' (saved at once, for "
                        + "currency and purchases) or 'debounced' (the default: saved saveProfileDebounce after the "
                        + "first change), not 'now'");
        assertThatThrownBy(() -> ProfileSchema.fromYaml("properties: [{name: gold, type: long, durability: true}]"))
                .isInstanceOf(SchemaException.class)
                .hasMessageContaining("durability must be the string 'immediate' or 'debounced', not BOOLEAN true");
        assertThatThrownBy(() -> ProfileSchema.fromYaml("properties: [{name: gold, type: long, durabilty: x}]"))
                .hasMessageContaining("unknown key 'durabilty' (did you mean 'durability'?)");
    }
}
