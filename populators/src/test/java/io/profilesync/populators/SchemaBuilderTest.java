package io.profilesync.populators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.profilesync.core.ElementType;
import io.profilesync.core.ObservableDictionary;
import io.profilesync.core.ObservableInt;
import io.profilesync.core.ObservableList;
import io.profilesync.core.ObservableProfile;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.ObservableVector3;
import io.profilesync.core.PropertyNotFoundException;
import io.profilesync.core.Vector3;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SchemaBuilderTest {
    static final Instant BIRTH = Instant.parse("2026-01-31T12:00:00.123Z");

    /** One property of every type, with a default that is not the zero value. */
    static ProfileSchema everyType() {
        return ProfileSchema.builder()
                .intProperty("level", 1).min(1).max(100).clientWritable()
                .longProperty("xp", 5_000_000_000L).min(0L)
                .floatProperty("speed", 1.5f).min(0).max(10)
                .doubleProperty("ratio", 0.25).max(1.0)
                .boolProperty("premium", true)
                .stringProperty("displayName", "newbie").maxLength(32).clientWritable()
                .datetimeProperty("createdAt", BIRTH)
                .vector3Property("position", new Vector3(1.234f, -2f, 3f), 0.01f).min(-300).max(300)
                .vector3Property("heading", new Vector3(0.1f, 0.2f, 0.3f))
                .listProperty("items", ElementType.STRING, List.of("sword", "shield")).maxSize(64)
                .dictProperty("counters", ElementType.STRING, ElementType.INT, Map.of("b", 2, "a", 1)).maxSize(8)
                .stringProperty("banReason", "").hiddenFromClients()
                .build();
    }

    @Test
    void buildsEveryTypeWithItsOptions() {
        ProfileSchema schema = everyType();

        assertThat(schema.size()).isEqualTo(12);
        assertThat(schema.definitions()).extracting(PropertyDefinition::name).containsExactly("level", "xp", "speed",
                "ratio", "premium", "displayName", "createdAt", "position", "heading", "items", "counters",
                "banReason");
        assertThat(schema.definitions()).extracting(d -> d.type().name()).containsExactly("int", "long", "float",
                "double", "bool", "string", "datetime", "vector3", "vector3", "list<string>", "dict<string,int>",
                "string");

        PropertyDefinition level = schema.definition("level");
        assertThat(level.defaultValue()).isEqualTo(1);
        assertThat(level.min()).contains(1);
        assertThat(level.max()).contains(100);
        assertThat(level.clientWritable()).isTrue();
        assertThat(level.clientVisible()).isTrue();

        PropertyDefinition xp = schema.definition("xp");
        assertThat(xp.min()).contains(0L);
        assertThat(xp.max()).isEmpty();
        assertThat(xp.clientWritable()).isFalse();

        assertThat(schema.definition("speed").max()).contains(10f);
        assertThat(schema.definition("ratio").max()).contains(1.0);
        assertThat(schema.definition("displayName").maxLength()).hasValue(32);
        assertThat(schema.definition("items").maxSize()).hasValue(64);
        assertThat(schema.definition("items").maxLength()).isEmpty();

        PropertyDefinition position = schema.definition("position");
        assertThat(position.step()).isEqualTo(0.01f);
        assertThat(position.typeDescriptor()).isEqualTo("vector3/0.01");
        assertThat(position.min()).contains(-300f);
        assertThat(position.defaultValue()).isEqualTo(new Vector3(1.23f, -2f, 3f));
        assertThat(schema.definition("heading").step()).isZero();

        PropertyDefinition banReason = schema.definition("banReason");
        assertThat(banReason.clientVisible()).isFalse();
        assertThat(banReason.clientWritable()).isFalse();
    }

    @Test
    void newProfileHoldsEveryDefaultInOrder() {
        ObservableProfile profile = everyType().newProfile();

        assertThat(profile.properties()).extracting(p -> p.name()).containsExactly("level", "xp", "speed", "ratio",
                "premium", "displayName", "createdAt", "position", "heading", "items", "counters", "banReason");
        assertThat(profile.get("level", ObservableInt.class).intValue()).isEqualTo(1);
        assertThat(profile.get("xp").value()).isEqualTo(5_000_000_000L);
        assertThat(profile.get("speed").value()).isEqualTo(1.5f);
        assertThat(profile.get("ratio").value()).isEqualTo(0.25);
        assertThat(profile.get("premium").value()).isEqualTo(true);
        assertThat(profile.get("displayName").value()).isEqualTo("newbie");
        assertThat(profile.get("createdAt").value()).isEqualTo(BIRTH);
        assertThat(profile.get("position", ObservableVector3.class).get()).isEqualTo(new Vector3(1.23f, -2f, 3f));
        assertThat(profile.get("position", ObservableVector3.class).step()).isEqualTo(0.01f);
        assertThat(profile.get("heading").value()).isEqualTo(new Vector3(0.1f, 0.2f, 0.3f));
        assertThat(profile.getList("items", ElementType.STRING).value()).isEqualTo(List.of("sword", "shield"));
        assertThat(profile.getDictionary("counters", ElementType.STRING, ElementType.INT).value())
                .isEqualTo(Map.of("a", 1, "b", 2));
        assertThat(profile.get("banReason").value()).isEqualTo("");
        assertThat(profile.hasUpdates()).isFalse();
    }

    @Test
    void newProfilesAreIndependent() {
        ProfileSchema schema = everyType();
        ObservableProfile first = schema.newProfile();
        first.get("level", ObservableInt.class).set(7);

        assertThat(schema.newProfile().get("level").value()).isEqualTo(1);
        assertThat(schema.definition("level").defaultValue()).isEqualTo(1);
    }

    @Test
    void newServerProfileCarriesTheUser() {
        ObservableServerProfile profile = everyType().newServerProfile("user-42");

        assertThat(profile.userId()).isEqualTo("user-42");
        assertThat(profile.size()).isEqualTo(12);
        assertThat(profile.fingerprint()).isEqualTo(everyType().newProfile().fingerprint());
    }

    @Test
    void definitionOfAnUnknownNameListsTheNames() {
        assertThatThrownBy(() -> ProfileSchema.demo().definition("gems"))
                .isInstanceOf(PropertyNotFoundException.class)
                .hasMessageContaining("'gems'")
                .hasMessageContaining("[displayName, avatarUrl, gold, silver, bronze, level, experience, items]");
    }

    @Test
    void definitionsAreUnmodifiable() {
        ProfileSchema schema = everyType();
        assertThatThrownBy(() -> schema.definitions().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThat(schema.has("level")).isTrue();
        assertThat(schema.has("gems")).isFalse();
    }

    @Test
    void anEmptySchemaIsAllowed() {
        ProfileSchema empty = ProfileSchema.builder().build();
        assertThat(empty.size()).isZero();
        assertThat(empty.newProfile().size()).isZero();
    }

    @Test
    void buildReportsEveryProblemWithIndexAndName() {
        assertThatThrownBy(() -> ProfileSchema.builder()
                .intProperty("level", 150).min(1).max(100)
                .intProperty("gold", 0)
                .intProperty("gold", 0)
                .floatProperty("speed", 1f).min(5).max(2)
                .stringProperty("secret", "").clientWritable().hiddenFromClients()
                .stringProperty("name", "x").maxLength(-1)
                .vector3Property("position", new Vector3(500f, 0f, 0f), 0.01f)
                .build())
                .isInstanceOf(SchemaException.class)
                .hasMessageStartingWith("schema builder has 6 problems:")
                .hasMessageContaining("properties[0] 'level': default 150 is above the maximum 100")
                .hasMessageContaining("properties[2] 'gold': duplicate name 'gold', already used by properties[1]")
                .hasMessageContaining("properties[3] 'speed': min 5.0 is above max 2.0")
                .hasMessageContaining("properties[4] 'secret': clientWritable but not clientVisible")
                .hasMessageContaining("properties[5] 'name': maxLength must not be negative, not -1")
                .hasMessageContaining("properties[6] 'position': default Vector3[x=500.0, y=0.0, z=0.0] is not a "
                        + "valid vector3")
                .satisfies(e -> assertThat(((SchemaException) e).problems()).hasSize(6));
    }

    @Test
    void defaultsBelowTheMinimumAndTooLongAreRefused() {
        assertThatThrownBy(() -> ProfileSchema.builder().intProperty("gold", -1).min(0).build())
                .isInstanceOf(SchemaException.class)
                .hasMessage("schema builder: properties[0] 'gold': default -1 is below the minimum 0");
        assertThatThrownBy(() -> ProfileSchema.builder().stringProperty("name", "toolong").maxLength(3).build())
                .hasMessage("schema builder: properties[0] 'name': default is 7 characters long, above the maximum "
                        + "length 3");
        assertThatThrownBy(() -> ProfileSchema.builder()
                .listProperty("items", ElementType.INT, List.of(1, 2, 3)).maxSize(2).build())
                .hasMessage("schema builder: properties[0] 'items': default has 3 elements, above the maximum size 2");
        assertThatThrownBy(() -> ProfileSchema.builder()
                .vector3Property("position", new Vector3(0f, 0f, 9f)).max(5).build())
                .hasMessage("schema builder: properties[0] 'position': default.z 9.0 is above the maximum 5.0");
        assertThatThrownBy(() -> ProfileSchema.builder().vector3Property("position", Vector3.ZERO, -1f).build())
                .hasMessageContaining("step must be 0 (unquantized) or a positive number such as 0.01, not -1.0");
        assertThatThrownBy(() -> ProfileSchema.builder().doubleProperty("ratio", 0).max(Double.NaN).build())
                .hasMessageContaining("max must be a finite number, not NaN");
    }

    @Test
    void maxLengthCountsCharactersNotUtf16Units() {
        // Four emoji: eight UTF-16 units, four characters.
        String emoji = "\uD83D\uDE00\uD83D\uDE01\uD83D\uDE02\uD83D\uDE03";
        ProfileSchema schema = ProfileSchema.builder().stringProperty("mood", emoji).maxLength(4).build();
        assertThat(schema.definition("mood").defaultValue()).isEqualTo(emoji);
    }

    @Test
    void datetimeDefaultsAreKeptToTheMillisecond() {
        ProfileSchema schema = ProfileSchema.builder()
                .datetimeProperty("seen", Instant.parse("2026-01-31T12:00:00.123456789Z")).build();
        assertThat(schema.definition("seen").defaultValue()).isEqualTo(BIRTH);
    }

    @Test
    void nullArgumentsAreNamed() {
        assertThatThrownBy(() -> ProfileSchema.builder().intProperty(null, 0))
                .isInstanceOf(NullPointerException.class).hasMessage("name");
        assertThatThrownBy(() -> ProfileSchema.builder().stringProperty("s", null))
                .isInstanceOf(NullPointerException.class).hasMessage("defaultValue");
    }

    @Test
    void dictionaryKeysMustBeStringsOrInts() {
        assertThatThrownBy(() -> ProfileSchema.builder().dictProperty("d", ElementType.FLOAT, ElementType.INT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("use string or int keys");
    }
}
