package io.profilesync.populators;

import static org.assertj.core.api.Assertions.assertThat;

import io.profilesync.core.ObservableProfile;
import java.util.List;
import org.junit.jupiter.api.Test;

class DemoSchemaTest {
    @Test
    void demoSchemaIsMstsDemoProfile() {
        ProfileSchema demo = ProfileSchema.demo();

        assertThat(demo.definitions()).extracting(PropertyDefinition::name).containsExactly("displayName",
                "avatarUrl", "gold", "silver", "bronze", "level", "experience", "items");
        assertThat(demo.definitions()).allMatch(PropertyDefinition::clientVisible);
        assertThat(demo.definitions()).filteredOn(PropertyDefinition::clientWritable)
                .extracting(PropertyDefinition::name).containsExactly("displayName", "avatarUrl");
        assertThat(demo.definition("displayName").maxLength()).hasValue(32);
        assertThat(demo.definition("avatarUrl").maxLength()).hasValue(256);
        for (String coin : List.of("gold", "silver", "bronze", "experience")) {
            assertThat(demo.definition(coin).type()).isEqualTo(PropertyType.INT);
            assertThat(demo.definition(coin).min()).contains(0);
            assertThat(demo.definition(coin).max()).isEmpty();
            assertThat(demo.definition(coin).defaultValue()).isEqualTo(0);
        }
        PropertyDefinition level = demo.definition("level");
        assertThat(level.defaultValue()).isEqualTo(1);
        assertThat(level.min()).contains(1);
        assertThat(level.max()).contains(100);
        assertThat(demo.definition("items").type().name()).isEqualTo("list<string>");
        assertThat(demo.definition("items").maxSize()).hasValue(256);
        assertThat(ProfileSchema.demo()).isSameAs(demo);
    }

    @Test
    void demoProfileStartsAtTheDefaults() {
        ObservableProfile profile = ProfileSchema.demo().newProfile();
        assertThat(profile.toJson()).isEqualTo("{\"displayName\":\"\",\"avatarUrl\":\"\",\"gold\":0,\"silver\":0,"
                + "\"bronze\":0,\"level\":1,\"experience\":0,\"items\":[]}");
    }
}
