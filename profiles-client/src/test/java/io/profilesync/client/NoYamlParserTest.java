package io.profilesync.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.profilesync.populators.ProfileSchema;
import io.profilesync.populators.SchemaException;
import org.junit.jupiter.api.Test;

/**
 * The client artifact does not bring a YAML parser (the enforcer's no-yaml-parser rule checks the dependency tree;
 * this checks the class path the client's own tests run with), and what it needs of the schema works without one.
 */
class NoYamlParserTest {
    @Test
    void theClassPathHasNoYamlParser() {
        assertThatThrownBy(() -> Class.forName("com.fasterxml.jackson.dataformat.yaml.YAMLFactory"))
                .isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> Class.forName("org.yaml.snakeyaml.Yaml")).isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void theDemoAndJsonSchemasLoadWithoutIt() {
        ProfileSchema demo = ProfileSchema.demo();
        assertThat(ProfileSchema.fromJson(demo.toJson()).fingerprint()).isEqualTo(demo.fingerprint());
    }

    @Test
    void aYamlSchemaSaysWhichDependencyToAdd() {
        assertThatThrownBy(() -> ProfileSchema.fromYaml("properties: []"))
                .isInstanceOf(SchemaException.class)
                .hasMessage("schema YAML is YAML, and the YAML parser is not on the class path: add the dependency "
                        + "com.fasterxml.jackson.dataformat:jackson-dataformat-yaml (the version of your "
                        + "jackson-databind), or write the schema as JSON (.json)");
    }
}
