package io.profilesync.populators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.profilesync.core.ApplyOptions;
import io.profilesync.core.ElementType;
import io.profilesync.core.ObservableInt;
import io.profilesync.core.ObservableList;
import io.profilesync.core.ObservableProfile;
import io.profilesync.core.ObservableString;
import io.profilesync.core.ObservableVector3;
import io.profilesync.core.PropertyNotFoundException;
import io.profilesync.core.UpdateRejectedException;
import io.profilesync.core.UpdateValidator;
import io.profilesync.core.Vector3;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ValidatorTest {
    private final ProfileSchema demo = ProfileSchema.demo();
    private final ObservableProfile profile = demo.newProfile();
    private final UpdateValidator client = demo.validatorFor(ProfileSchema.Writer.CLIENT);
    private final UpdateValidator server = demo.validatorFor(ProfileSchema.Writer.SERVER);

    private static UpdateRejectedException rejected(UpdateValidator validator, ObservableProfile profile,
            String name, Object value) {
        try {
            validator.validate(profile.get(name), value);
        } catch (UpdateRejectedException e) {
            assertThat(e.propertyName()).isEqualTo(name);
            assertThat(e).hasMessage("update of property '" + name + "' refused: " + e.reason());
            return e;
        }
        throw new AssertionError(name + " = " + value + " was accepted");
    }

    @Test
    void clientsWriteOnlyClientWritableProperties() {
        assertThatCode(() -> client.validate(profile.get("displayName"), "Ana")).doesNotThrowAnyException();
        assertThatCode(() -> client.validate(profile.get("avatarUrl"), "https://x/a.png")).doesNotThrowAnyException();

        assertThat(rejected(client, profile, "gold", 10).reason())
                .isEqualTo("property 'gold' is written by servers only");
        assertThat(rejected(client, profile, "level", 2).reason())
                .isEqualTo("property 'level' is written by servers only");
    }

    @Test
    void serversWriteAnyProperty() {
        assertThatCode(() -> server.validate(profile.get("gold"), 10)).doesNotThrowAnyException();
        assertThatCode(() -> server.validate(profile.get("level"), 100)).doesNotThrowAnyException();
        assertThatCode(() -> server.validate(profile.get("displayName"), "Ana")).doesNotThrowAnyException();
    }

    @Test
    void bothWritersKeepTheConstraints() {
        for (UpdateValidator validator : List.of(client, server)) {
            assertThat(rejected(validator, profile, "displayName", "x".repeat(33)).reason())
                    .isEqualTo("displayName is 33 characters long, above the maximum length 32");
        }
        assertThat(rejected(server, profile, "level", 150).reason()).isEqualTo("level 150 is above the maximum 100");
        assertThat(rejected(server, profile, "level", 0).reason()).isEqualTo("level 0 is below the minimum 1");
        assertThat(rejected(server, profile, "gold", -5).reason()).isEqualTo("gold -5 is below the minimum 0");
        assertThat(rejected(server, profile, "items", Collections.nCopies(257, "x")).reason())
                .isEqualTo("items has 257 elements, above the maximum size 256");
        assertThatCode(() -> server.validate(profile.get("items"), Collections.nCopies(256, "x")))
                .doesNotThrowAnyException();
        assertThatCode(() -> server.validate(profile.get("gold"), Integer.MAX_VALUE)).doesNotThrowAnyException();
    }

    @Test
    void floatsVectorsAndDictionaries() {
        ProfileSchema schema = ProfileSchema.builder()
                .floatProperty("speed", 0).min(0).max(10).clientWritable()
                .vector3Property("position", Vector3.ZERO, 0.01f).min(-100).max(100).clientWritable()
                .dictProperty("stats", ElementType.STRING, ElementType.INT).maxSize(2).clientWritable()
                .longProperty("xp", 0).max(1L << 40)
                .build();
        ObservableProfile p = schema.newProfile();
        UpdateValidator validator = schema.validatorFor(ProfileSchema.Writer.CLIENT);

        assertThatCode(() -> validator.validate(p.get("speed"), 10f)).doesNotThrowAnyException();
        assertThatCode(() -> validator.validate(p.get("speed"), -0f)).doesNotThrowAnyException();
        assertThat(rejected(validator, p, "speed", 10.5f).reason()).isEqualTo("speed 10.5 is above the maximum 10.0");
        assertThat(rejected(validator, p, "speed", Float.NaN).reason())
                .isEqualTo("speed NaN is not a number, so not within the minimum 0.0 and the maximum 10.0");
        assertThat(rejected(validator, p, "position", new Vector3(0f, -100.5f, 0f)).reason())
                .isEqualTo("position.y -100.5 is below the minimum -100.0");
        assertThat(rejected(validator, p, "stats", Map.of("a", 1, "b", 2, "c", 3)).reason())
                .isEqualTo("stats has 3 entries, above the maximum size 2");
        assertThat(rejected(schema.validatorFor(ProfileSchema.Writer.SERVER), p, "xp", (1L << 40) + 1).reason())
                .isEqualTo("xp 1099511627777 is above the maximum 1099511627776");
    }

    @Test
    void elementsOfListsAndValuesOfDictionaries() {
        ProfileSchema schema = ProfileSchema.builder()
                .listProperty("scores", ElementType.LONG).min(0L).max(100L)
                .listProperty("tags", ElementType.STRING).maxLength(3).maxSize(2)
                .dictProperty("stats", ElementType.STRING, ElementType.FLOAT).min(-1f).max(1f)
                .dictProperty("names", ElementType.INT, ElementType.STRING).maxLength(2)
                .build();
        ObservableProfile p = schema.newProfile();
        UpdateValidator validator = schema.validatorFor(ProfileSchema.Writer.SERVER);

        assertThatCode(() -> validator.validate(p.get("scores"), List.of(0L, 100L))).doesNotThrowAnyException();
        assertThat(rejected(validator, p, "scores", List.of(0L, 5L, -1L)).reason())
                .isEqualTo("scores[2] -1 is below the minimum 0");
        assertThat(rejected(validator, p, "tags", List.of("abcd")).reason())
                .isEqualTo("tags[0] is 4 characters long, above the maximum length 3");
        assertThat(rejected(validator, p, "tags", List.of("a", "b", "c")).reason())
                .isEqualTo("tags has 3 elements, above the maximum size 2");
        assertThat(rejected(validator, p, "stats", Map.of("luck", 1.5f)).reason())
                .isEqualTo("stats[\"luck\"] 1.5 is above the maximum 1.0");
        assertThat(rejected(validator, p, "names", Map.of(7, "abc")).reason())
                .isEqualTo("names[7] is 3 characters long, above the maximum length 2");
    }

    @Test
    void elementBoundsNeedNumbersAndMaxLengthNeedsStrings() {
        assertThatThrownBy(() -> ProfileSchema.builder().listProperty("tags", ElementType.STRING).min("a"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'min' of 'tags' applies only to lists and dicts of numbers, not to list<string>");
        assertThatThrownBy(() -> ProfileSchema.builder().listProperty("ids", ElementType.INT).maxLength(3).build())
                .isInstanceOf(SchemaException.class)
                .hasMessageContaining("properties[0] 'ids': 'maxLength' applies only to string and lists or dicts of "
                        + "strings");
    }

    @Test
    void hiddenPropertiesAreNamedAsSuch() {
        ProfileSchema schema = ProfileSchema.builder().stringProperty("banReason", "").hiddenFromClients().build();
        assertThat(rejected(schema.validatorFor(ProfileSchema.Writer.CLIENT), schema.newProfile(), "banReason", "x")
                .reason()).isEqualTo("property 'banReason' is hidden from clients and written by servers only");
    }

    @Test
    void propertiesOutsideTheSchemaOrOfAnotherTypeAreRefused() {
        ObservableProfile other = new ObservableProfile();
        other.add(new ObservableInt("gems", 0));
        other.add(new ObservableString("gold", "lots"));

        assertThat(rejected(server, other, "gems", 1).reason()).isEqualTo("property 'gems' is not in the schema");
        assertThat(rejected(server, other, "gold", "more").reason())
                .isEqualTo("property 'gold' is a string but the schema says int");
    }

    @Test
    void theMasterRefusesAWholeDeltaWhenOneChangeBreaksARule() {
        ObservableProfile gameServer = demo.newProfile();
        ObservableProfile master = demo.newProfile();
        gameServer.get("gold", ObservableInt.class).set(50);
        gameServer.get("level", ObservableInt.class).set(101);
        byte[] delta = gameServer.getUpdates();

        assertThatThrownBy(() -> master.applyUpdates(delta, ApplyOptions.REMOTE.validatedBy(server)))
                .isInstanceOf(UpdateRejectedException.class)
                .hasMessage("update of property 'level' refused: level 101 is above the maximum 100");
        assertThat(master.get("gold").value()).isEqualTo(0);

        gameServer.get("level", ObservableInt.class).set(100);
        master.applyUpdates(gameServer.getUpdates(), ApplyOptions.REMOTE.validatedBy(server));
        assertThat(master.get("gold").value()).isEqualTo(50);
        assertThat(master.get("level").value()).isEqualTo(100);
    }

    @Test
    void theMasterRefusesAClientWritingGold() {
        ObservableProfile clientCopy = demo.clientSchema().newProfile();
        ObservableProfile master = demo.newProfile();
        clientCopy.get("displayName", ObservableString.class).set("Ana");
        clientCopy.get("gold", ObservableInt.class).set(1_000_000);
        ApplyOptions fromClient = ApplyOptions.REMOTE.withView(demo.clientView()).validatedBy(client);

        assertThatThrownBy(() -> master.applyUpdates(clientCopy.getUpdates(), fromClient))
                .isInstanceOf(UpdateRejectedException.class)
                .hasMessage("update of property 'gold' refused: property 'gold' is written by servers only");
        assertThat(master.get("displayName").value()).isEqualTo("");
    }

    @Test
    void listConstraintsHoldForCollectionDeltas() {
        ProfileSchema schema = ProfileSchema.builder().listProperty("items", ElementType.INT).maxSize(2).build();
        ObservableProfile writer = schema.newProfile();
        ObservableProfile master = schema.newProfile();
        @SuppressWarnings("unchecked")
        ObservableList<Integer> items = writer.get("items", ObservableList.class);
        items.add(1);
        items.add(2);
        items.add(3);

        assertThatThrownBy(() -> master.applyUpdates(writer.getUpdates(),
                ApplyOptions.REMOTE.validatedBy(schema.validatorFor(ProfileSchema.Writer.SERVER))))
                .hasMessageEndingWith("items has 3 elements, above the maximum size 2");
    }

    @Test
    void checkConstraintsOfAWholeProfile() {
        ObservableProfile restored = demo.newProfile();
        assertThatCode(() -> demo.checkConstraints(restored)).doesNotThrowAnyException();

        restored.get("level", ObservableInt.class).set(0);
        assertThatThrownBy(() -> demo.checkConstraints(restored))
                .isInstanceOf(UpdateRejectedException.class)
                .hasMessage("update of property 'level' refused: level 0 is below the minimum 1");

        assertThatCode(() -> demo.checkConstraints(demo.newServerProfile("u1").copy())).doesNotThrowAnyException();
        ObservableProfile partial = new ObservableProfile();
        partial.add(new ObservableVector3("position"));
        assertThatThrownBy(() -> demo.checkConstraints(partial)).isInstanceOf(PropertyNotFoundException.class)
                .hasMessageContaining("displayName");
    }
}
