package io.profilesync.populators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.profilesync.core.Vector3;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaFileTest {
    @TempDir
    Path dir;

    static final String EVERY_TYPE_YAML = """
            properties:
              - name: level
                type: int
                default: 1
                min: 1
                max: 100
                clientWritable: true
              - name: xp
                type: long
                default: 5000000000
                min: 0
              - name: speed
                type: float
                default: 1.5
                min: 0
                max: 10
              - name: ratio
                type: double
                default: 0.25
                max: 1.0
              - name: premium
                type: bool
                default: true
              - name: displayName
                type: string
                default: newbie
                maxLength: 32
                clientWritable: true
              - name: createdAt
                type: datetime
                default: "2026-01-31T12:00:00.123Z"
              - name: position
                type: vector3
                step: 0.01
                default: {x: 1.234, y: -2, z: 3}
                min: -300
                max: 300
              - name: heading
                type: vector3
                default: {x: 0.1, y: 0.2, z: 0.3}
              - name: items
                type: list<string>
                default: [sword, shield]
                maxSize: 64
              - name: counters
                type: dict<string, int>
                default: {b: 2, a: 1}
                maxSize: 8
              - name: banReason
                type: string
                clientVisible: false
            """;

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    @Test
    void yamlFileOfEveryTypeEqualsTheBuiltSchema() throws IOException {
        ProfileSchema loaded = ProfileSchema.load(write("every.yaml", EVERY_TYPE_YAML));

        assertThat(loaded.definitions()).isEqualTo(SchemaBuilderTest.everyType().definitions());
        assertThat(loaded).isEqualTo(SchemaBuilderTest.everyType());
        assertThat(loaded.fingerprint()).isEqualTo(SchemaBuilderTest.everyType().fingerprint());
        assertThat(ProfileSchema.load(write("every.yml", EVERY_TYPE_YAML))).isEqualTo(loaded);
        assertThat(ProfileSchema.fromYaml(EVERY_TYPE_YAML)).isEqualTo(loaded);
    }

    @Test
    void jsonFileLoadsToo() throws IOException {
        String json = """
                {"properties": [
                  {"name": "level", "type": "int", "default": 1, "min": 1, "max": 100},
                  {"name": "position", "type": "vector3", "step": 0.01},
                  {"name": "items", "type": "list<string>", "maxSize": 64}
                ]}
                """;
        ProfileSchema schema = ProfileSchema.load(write("schema.json", json));

        assertThat(schema.definitions()).extracting(PropertyDefinition::name)
                .containsExactly("level", "position", "items");
        assertThat(schema.definition("position").step()).isEqualTo(0.01f);
        assertThat(ProfileSchema.fromJson(json)).isEqualTo(schema);
    }

    @Test
    void omittedKeysTakeTheirDefaults() {
        ProfileSchema schema = ProfileSchema.fromYaml("""
                properties:
                  - {name: i, type: int}
                  - {name: l, type: long}
                  - {name: f, type: float}
                  - {name: d, type: double}
                  - {name: b, type: bool}
                  - {name: s, type: string}
                  - {name: t, type: datetime}
                  - {name: v, type: vector3}
                  - {name: list, type: list<int>}
                  - {name: dict, type: "dict<int,string>"}
                """);

        assertThat(schema.definitions()).extracting(PropertyDefinition::defaultValue).containsExactly(0, 0L, 0f, 0d,
                false, "", Instant.EPOCH, Vector3.ZERO, List.of(), Map.of());
        for (PropertyDefinition definition : schema.definitions()) {
            assertThat(definition.clientWritable()).isFalse();
            assertThat(definition.clientVisible()).isTrue();
            assertThat(definition.min()).isEmpty();
            assertThat(definition.max()).isEmpty();
            assertThat(definition.maxLength()).isEmpty();
            assertThat(definition.maxSize()).isEmpty();
            assertThat(definition.step()).isZero();
        }
    }

    @Test
    void theExampleOfTheBriefLoads() throws IOException {
        ProfileSchema schema = ProfileSchema.load(write("brief.yaml", """
                properties:
                  - name: level
                    type: int
                    default: 1
                    min: 1
                    max: 100
                  - name: position
                    type: vector3
                    step: 0.01
                  - name: items
                    type: list<string>
                    maxSize: 64
                  - name: displayName
                    type: string
                    default: ""
                    maxLength: 32
                    clientWritable: true
                  - name: banReason
                    type: string
                    clientVisible: false
                """));
        assertThat(schema.size()).isEqualTo(5);
        assertThat(schema.clientSchema().size()).isEqualTo(4);
    }

    // ---------------------------------------------------------------- errors

    private SchemaException loadFails(String fileName, String yaml) throws IOException {
        Path file = write(fileName, yaml);
        try {
            ProfileSchema.load(file);
        } catch (SchemaException e) {
            assertThat(e).hasMessageStartingWith("schema file '" + file + "'");
            return e;
        }
        throw new AssertionError(fileName + " loaded, but should not have");
    }

    @Test
    void unknownTypeListsTheValidOnes() throws IOException {
        assertThat(loadFails("bad-type.yaml", """
                properties:
                  - {name: gold, type: int}
                  - {name: level, type: integer}
                """)).hasMessageEndingWith("bad-type.yaml': properties[1] 'level': unknown type 'integer'; valid types "
                + "are int, long, float, double, bool, string, datetime, vector3, list<E>, dict<K,V> (E and V: int, "
                + "long, float, double, bool or string; K: string or int)");
        assertThat(loadFails("bad-dict.yaml", "properties: [{name: d, type: 'dict<float,int>'}]"))
                .hasMessageContaining("properties[0] 'd': unknown type 'dict<float,int>'; valid types are int");
        assertThat(loadFails("bad-list.yaml", "properties: [{name: l, type: 'list<vector3>'}]"))
                .hasMessageContaining("properties[0] 'l': unknown type 'list<vector3>'");
    }

    @Test
    void duplicateNameNamesBothEntries() throws IOException {
        assertThat(loadFails("dup.yaml", """
                properties:
                  - {name: gold, type: int}
                  - {name: silver, type: int}
                  - {name: gold, type: long}
                """)).hasMessageEndingWith("dup.yaml': properties[2] 'gold': duplicate name 'gold', already used by "
                + "properties[0]; property names must be unique");
    }

    @Test
    void defaultOutOfRange() throws IOException {
        assertThat(loadFails("range.yaml", """
                properties:
                  - {name: level, type: int, default: 150, min: 1, max: 100}
                """)).hasMessageEndingWith("properties[0] 'level': default 150 is above the maximum 100");
        assertThat(loadFails("range2.yaml", """
                properties:
                  - {name: speed, type: float, default: -0.5, min: 0}
                """)).hasMessageEndingWith("properties[0] 'speed': default -0.5 is below the minimum 0.0");
        assertThat(loadFails("range3.yaml", """
                properties:
                  - {name: name, type: string, default: abcdef, maxLength: 5}
                """)).hasMessageEndingWith("properties[0] 'name': default is 6 characters long, above the maximum "
                + "length 5");
        assertThat(loadFails("range4.yaml", """
                properties:
                  - {name: position, type: vector3, step: 0.01, default: {x: 0, y: 400, z: 0}}
                """)).hasMessageContaining("properties[0] 'position': default of type vector3: component 400.0 of "
                + "'position' is outside ±327.6");
    }

    @Test
    void defaultOfTheWrongType() throws IOException {
        assertThat(loadFails("wrong.yaml", """
                properties:
                  - {name: level, type: int, default: "one"}
                """)).hasMessageEndingWith("properties[0] 'level': default of type int: expected a 32-bit integer but "
                + "found STRING \"one\"");
        assertThat(loadFails("wrong2.yaml", """
                properties:
                  - {name: level, type: int, default: 1.5}
                """)).hasMessageContaining("properties[0] 'level': default of type int: expected a 32-bit integer");
        assertThat(loadFails("wrong3.yaml", """
                properties:
                  - {name: items, type: list<int>, default: [1, two]}
                """)).hasMessageContaining("properties[0] 'items': default of type list<int>: expected a 32-bit "
                + "integer but found STRING \"two\"");
        assertThat(loadFails("wrong4.yaml", """
                properties:
                  - {name: seen, type: datetime, default: yesterday}
                """)).hasMessageContaining("properties[0] 'seen': default of type datetime: expected an ISO-8601 "
                + "instant");
        assertThat(loadFails("wrong5.yaml", """
                properties:
                  - {name: position, type: vector3, default: [1, 2, 3]}
                """)).hasMessageContaining("properties[0] 'position': default of type vector3: expected an object");
    }

    @Test
    void minAboveMax() throws IOException {
        assertThat(loadFails("minmax.yaml", """
                properties:
                  - {name: level, type: int, min: 10, max: 1}
                """)).hasMessageEndingWith("properties[0] 'level': min 10 is above max 1");
    }

    @Test
    void unknownKeyIsATypo() throws IOException {
        assertThat(loadFails("typo.yaml", """
                properties:
                  - {name: level, type: int, mxa: 100}
                """)).hasMessageEndingWith("properties[0] 'level': unknown key 'mxa' (did you mean 'max'?); valid keys "
                + "are name, type, step, default, min, max, maxLength, maxSize, maxKeyLength, clientWritable, "
                + "clientVisible, durability, conflict, renamedFrom, convertFrom");
        assertThat(loadFails("typo2.yaml", """
                properties:
                  - {name: level, type: int, clientwriteable: true}
                """)).hasMessageContaining("unknown key 'clientwriteable' (did you mean 'clientWritable'?)");
        assertThat(loadFails("top.yaml", """
                properties: []
                version: 2
                """)).hasMessageEndingWith("top.yaml': unknown top-level key 'version'; a schema holds only "
                + "'properties' and 'dropped'");
    }

    @Test
    void clientWritableButNotVisible() throws IOException {
        assertThat(loadFails("perm.yaml", """
                properties:
                  - {name: note, type: string, clientWritable: true, clientVisible: false}
                """)).hasMessageEndingWith("properties[0] 'note': clientWritable but not clientVisible: a client "
                + "cannot write what it cannot see; make it clientVisible or drop clientWritable");
    }

    @Test
    void missingNameOrType() throws IOException {
        assertThat(loadFails("noname.yaml", """
                properties:
                  - {name: gold, type: int}
                  - {type: int}
                """)).hasMessageEndingWith("noname.yaml': properties[1]: missing 'name'");
        assertThat(loadFails("notype.yaml", """
                properties:
                  - {name: gold}
                """)).hasMessageEndingWith("properties[0] 'gold': missing 'type'; valid types are "
                + PropertyType.VALID_TYPES);
        assertThat(loadFails("blank.yaml", "properties: [{name: ' ', type: int}]"))
                .hasMessageEndingWith("properties[0] ' ': name must not be blank");
    }

    @Test
    void keysThatDoNotApplyToTheType() throws IOException {
        assertThat(loadFails("apply.yaml", """
                properties:
                  - {name: a, type: string, min: 0}
                  - {name: b, type: int, maxLength: 3}
                  - {name: c, type: string, maxSize: 3}
                  - {name: d, type: float, step: 0.1}
                  - {name: e, type: int, min: 0.5}
                  - {name: f, type: bool, clientVisible: "yes"}
                  - 42
                """))
                .hasMessageContaining("has 7 problems:")
                .hasMessageContaining("properties[0] 'a': 'min' applies only to int, long, float, double, vector3 "
                        + "(each component) and lists or dicts of those (each element or value), not to string")
                .hasMessageContaining("properties[1] 'b': 'maxLength' applies only to string and lists or dicts of "
                        + "strings (each element or value), not to int")
                .hasMessageContaining("properties[2] 'c': 'maxSize' applies only to list and dict types, not to string")
                .hasMessageContaining("properties[3] 'd': 'step' applies only to vector3, not to float")
                .hasMessageContaining("properties[4] 'e': min of an int must be a 32-bit integer, not 0.5")
                .hasMessageContaining("properties[5] 'f': clientVisible must be true or false, not STRING \"yes\"")
                .hasMessageContaining("properties[6]: an entry must be an object with at least name and type, not "
                        + "NUMBER 42");
    }

    @Test
    void elementConstraintsOfListsAndDictionaries() throws IOException {
        ProfileSchema schema = ProfileSchema.load(write("elements.yaml", """
                properties:
                  - {name: scores, type: list<int>, default: [0, 100], min: 0, max: 100, maxSize: 10}
                  - {name: tags, type: list<string>, default: [pvp], maxLength: 8}
                  - {name: weights, type: "dict<string,double>", default: {a: 0.5}, max: 1}
                """));
        assertThat(schema.definition("scores").min()).contains(0);
        assertThat(schema.definition("tags").maxLength()).hasValue(8);
        assertThat(schema.definition("weights").max()).contains(1.0);
        assertThat(ProfileSchema.fromJson(schema.toJson())).isEqualTo(schema);

        assertThat(loadFails("elements-bad.yaml", """
                properties:
                  - {name: scores, type: list<int>, default: [5, 101], max: 100}
                  - {name: tags, type: list<string>, default: [ok, "much too long"], maxLength: 8}
                  - {name: weights, type: "dict<int,float>", default: {"7": 2.5}, max: 1}
                  - {name: flags, type: list<bool>, min: 0}
                  - {name: names, type: list<int>, maxLength: 3}
                """))
                .hasMessageContaining("properties[0] 'scores': default[1] 101 is above the maximum 100")
                .hasMessageContaining("properties[1] 'tags': default[1] is 13 characters long, above the maximum "
                        + "length 8")
                .hasMessageContaining("properties[2] 'weights': default[7] 2.5 is above the maximum 1.0")
                .hasMessageContaining("properties[3] 'flags': 'min' applies only to int, long, float, double, "
                        + "vector3 (each component) and lists or dicts of those (each element or value), not to "
                        + "list<bool>")
                .hasMessageContaining("properties[4] 'names': 'maxLength' applies only to string and lists or "
                        + "dicts of strings (each element or value), not to list<int>");
    }

    @Test
    void everyProblemOfAFileIsInOneException() throws IOException {
        SchemaException e = loadFails("many.yaml", """
                properties:
                  - {name: level, type: int, default: 0, min: 1}
                  - {name: items, type: lst<string>}
                  - {name: level, type: int}
                """);
        assertThat(e.problems()).containsExactly(
                "properties[0] 'level': default 0 is below the minimum 1",
                "properties[1] 'items': unknown type 'lst<string>'; valid types are " + PropertyType.VALID_TYPES,
                "properties[2] 'level': duplicate name 'level', already used by properties[0]; property names must "
                        + "be unique");
        assertThat(e).hasMessageContaining("many.yaml' has 3 problems:\n  - properties[0] 'level'");
    }

    @Test
    void badDocuments() throws IOException {
        assertThat(loadFails("syntax.yaml", "properties: [ {name: a, type: int"))
                .hasMessageContaining("syntax.yaml' is not valid YAML:");
        assertThat(loadFails("syntax.json", "{\"properties\": [}"))
                .hasMessageContaining("syntax.json' is not valid JSON:").hasMessageContaining("line 1");
        assertThat(loadFails("twice.yaml", "properties: [{name: a, type: int, max: 1, max: 2}]"))
                .hasMessageContaining("twice.yaml' is not valid YAML: Duplicate field 'max'");
        assertThat(loadFails("twice.json", "{\"properties\": [{\"name\": \"a\", \"name\": \"b\"}]}"))
                .hasMessageContaining("twice.json' is not valid JSON: Duplicate field 'name'");
        assertThat(loadFails("empty.yaml", "")).hasMessageContaining("empty.yaml': a schema must be an object");
        assertThat(loadFails("list.yaml", "- {name: a, type: int}"))
                .hasMessageContaining("list.yaml': a schema must be an object with a 'properties' list, not ARRAY");
        assertThat(loadFails("noprops.yaml", "{}"))
                .hasMessageEndingWith("noprops.yaml': 'properties' must be a list of property entries, not missing");
    }

    @Test
    void fileNameMustTellTheFormat() throws IOException {
        Path file = write("schema.txt", "properties: []");
        assertThatThrownBy(() -> ProfileSchema.load(file))
                .isInstanceOf(SchemaException.class)
                .hasMessageContaining("schema.txt': the name must end in .json, .yaml or .yml");
    }

    @Test
    void missingFile() {
        Path file = dir.resolve("absent.yaml");
        assertThatThrownBy(() -> ProfileSchema.load(file))
                .isInstanceOf(SchemaException.class)
                .hasMessageContaining("schema file '" + file + "' cannot be read: java.nio.file.NoSuchFileException");
    }

    @Test
    void textSourcesAreNamedToo() {
        assertThatThrownBy(() -> ProfileSchema.fromJson("{\"properties\": [{\"name\": \"a\"}]}"))
                .hasMessageStartingWith("schema JSON: properties[0] 'a': missing 'type'");
        assertThatThrownBy(() -> ProfileSchema.fromYaml("properties: [{name: a}]"))
                .hasMessageStartingWith("schema YAML: properties[0] 'a': missing 'type'");
    }
}
