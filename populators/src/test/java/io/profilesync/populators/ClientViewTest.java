package io.profilesync.populators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.profilesync.core.ApplyOptions;
import io.profilesync.core.ObservableInt;
import io.profilesync.core.ObservableList;
import io.profilesync.core.ObservableProfile;
import io.profilesync.core.ObservableString;
import io.profilesync.core.ObservableVector3;
import io.profilesync.core.ProfileFormatException;
import org.junit.jupiter.api.Test;

class ClientViewTest {
    private final ProfileSchema schema = SchemaBuilderTest.everyType();

    @Test
    void clientSchemaKeepsTheVisibleDefinitionsInOrder() {
        ProfileSchema client = schema.clientSchema();

        assertThat(client.definitions()).extracting(PropertyDefinition::name).containsExactly("level", "xp", "speed",
                "ratio", "premium", "displayName", "createdAt", "position", "heading", "items", "counters");
        assertThat(client.definitions()).isEqualTo(schema.definitions().subList(0, 11));
        assertThat(client.fingerprint()).isNotEqualTo(schema.fingerprint());
        assertThat(ProfileSchema.fromJson(client.toJson())).isEqualTo(client);
        assertThat(ProfileSchema.demo().clientSchema()).isSameAs(ProfileSchema.demo());
    }

    @Test
    void clientViewIncludesExactlyTheVisibleProperties() {
        ObservableProfile profile = schema.newProfile();

        assertThat(profile.properties()).filteredOn(p -> schema.clientView().includes(p))
                .extracting(p -> p.name())
                .containsExactlyElementsOf(schema.clientSchema().definitions().stream()
                        .map(PropertyDefinition::name).toList());
        assertThat(schema.clientView().includes(profile.get("banReason"))).isFalse();
    }

    @Test
    void aClientProfileReadsTheFullProfileThroughTheView() {
        ObservableProfile server = schema.newProfile();
        server.get("level", ObservableInt.class).set(42);
        server.get("displayName", ObservableString.class).set("Ana");
        server.get("banReason", ObservableString.class).set("cheating");
        server.get("position", ObservableVector3.class).set(1.5f, 2.25f, -3f);
        @SuppressWarnings("unchecked")
        ObservableList<String> items = server.get("items", ObservableList.class);
        items.add("bow");

        byte[] bytes = server.toBytes(schema.clientView());
        ObservableProfile client = schema.clientSchema().newProfile();
        client.fromBytes(bytes);

        assertThat(client.has("banReason")).isFalse();
        assertThat(client.get("level").value()).isEqualTo(42);
        assertThat(client.get("displayName").value()).isEqualTo("Ana");
        assertThat(client.get("items").value()).isEqualTo(java.util.List.of("sword", "shield", "bow"));
        // Everything the client holds equals the server's copy, property by property.
        for (var property : client) {
            assertThat(property.value()).as(property.name()).isEqualTo(server.get(property.name()).value());
        }
        // The hidden string is not in the bytes at all.
        assertThat(new String(bytes, java.nio.charset.StandardCharsets.UTF_8)).doesNotContain("cheating");
        assertThat(bytes.length).isLessThan(server.toBytes().length);
    }

    @Test
    void deltasThroughTheViewApplyToTheClientProfile() {
        ObservableProfile server = schema.newProfile();
        ObservableProfile client = schema.clientSchema().newProfile();
        server.get("banReason", ObservableString.class).set("spam");
        server.get("level", ObservableInt.class).set(3);

        client.applyUpdates(server.getUpdates(schema.clientView()));

        assertThat(client.get("level").value()).isEqualTo(3);
        // And a client's delta, numbered among the visible properties, applies to the full profile through the view.
        client.get("displayName", ObservableString.class).set("Bo");
        server.applyUpdates(client.getUpdates(), ApplyOptions.REMOTE.withView(schema.clientView()));
        assertThat(server.get("displayName").value()).isEqualTo("Bo");
    }

    @Test
    void theFullProfileBytesDoNotFitTheClientSchema() {
        byte[] full = schema.newProfile().toBytes();
        ObservableProfile client = schema.clientSchema().newProfile();

        assertThatThrownBy(() -> client.fromBytes(full)).isInstanceOf(ProfileFormatException.class)
                .hasMessageContaining("fingerprint");
    }
}
