package io.profilesync.populators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.profilesync.core.ElementType;
import io.profilesync.core.ObservableDictionary;
import io.profilesync.core.ObservableProfile;
import org.junit.jupiter.api.Test;

/** A schema's maxKeyLength reaches the dictionaries it makes, in code, in files and through the schema's JSON. */
class MaxKeyLengthTest {
    private static int maxKeyLengthOf(ProfileSchema schema, String property) {
        ObservableProfile profile = schema.newProfile();
        return ((ObservableDictionary<?, ?>) profile.get(property)).maxKeyLength();
    }

    @Test
    void dictionariesWithStringKeysTakeTheDefaultOrTheSchemasLimit() {
        ProfileSchema schema = ProfileSchema.builder()
                .dictProperty("tags", ElementType.STRING, ElementType.INT)
                .dictProperty("notes", ElementType.STRING, ElementType.STRING).maxKeyLength(32)
                .build();

        assertThat(maxKeyLengthOf(schema, "tags")).isEqualTo(ObservableDictionary.DEFAULT_MAX_KEY_LENGTH);
        assertThat(maxKeyLengthOf(schema, "notes")).isEqualTo(32);
        assertThat(maxKeyLengthOf(ProfileSchema.fromJson(schema.toJson()), "notes")).isEqualTo(32);
        assertThat(schema.clientView() != null).isTrue();
    }

    @Test
    void aSchemaFileSetsIt() {
        ProfileSchema schema = ProfileSchema.fromYaml("""
                properties:
                  - name: quests
                    type: dict<string, int>
                    maxKeyLength: 64
                """);

        assertThat(schema.definitions().get(0).maxKeyLength()).hasValue(64);
        assertThat(maxKeyLengthOf(schema, "quests")).isEqualTo(64);
    }

    @Test
    void theCanonicalJsonOfASchemaWithoutItIsUnchanged() {
        ProfileSchema schema = ProfileSchema.builder().dictProperty("tags", ElementType.STRING, ElementType.INT)
                .build();

        assertThat(schema.toJson()).doesNotContain("maxKeyLength");
    }

    @Test
    void itAppliesOnlyToDictionariesWithStringKeysAndMustBePositive() {
        assertThatThrownBy(() -> ProfileSchema.fromYaml("""
                properties:
                  - {name: byId, type: "dict<int, int>", maxKeyLength: 8}
                """)).isInstanceOf(SchemaException.class)
                .hasMessageContaining("'maxKeyLength' applies only to dicts with string keys");
        assertThatThrownBy(() -> ProfileSchema.fromYaml("""
                properties:
                  - {name: items, type: "list<string>", maxKeyLength: 8}
                """)).isInstanceOf(SchemaException.class).hasMessageContaining("maxKeyLength");
        assertThatThrownBy(() -> ProfileSchema.builder()
                .dictProperty("tags", ElementType.STRING, ElementType.INT).maxKeyLength(0).build())
                .isInstanceOf(SchemaException.class).hasMessageContaining("maxKeyLength must be at least 1, not 0");
    }
}
