package io.profilesync.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TypedGettersTest {
    final ObservableProfile profile = new ObservableProfile();

    TypedGettersTest() {
        profile.add(new ObservableList<>("items", ElementType.STRING));
        profile.add(new ObservableDictionary<>("stats", ElementType.STRING, ElementType.INT));
        profile.add(new ObservableInt("gold", 0));
    }

    @Test
    void typedGettersReturnTheCollectionWithItsTypes() {
        ObservableList<String> items = profile.getList("items", ElementType.STRING);
        items.add("sword");
        ObservableDictionary<String, Integer> stats = profile.getDictionary("stats", ElementType.STRING,
                ElementType.INT);
        stats.put("str", 5);
        assertThat(profile.get("items").value()).isEqualTo(java.util.List.of("sword"));
        assertThat(profile.get("stats").value()).isEqualTo(java.util.Map.of("str", 5));
    }

    @Test
    void wrongTypesAreRefusedNamingTheRealType() {
        assertThatThrownBy(() -> profile.getList("items", ElementType.INT))
                .isInstanceOf(PropertyNotFoundException.class).hasMessageContaining("list<string>")
                .hasMessageContaining("not a list<int>");
        assertThatThrownBy(() -> profile.getDictionary("stats", ElementType.INT, ElementType.INT))
                .isInstanceOf(PropertyNotFoundException.class).hasMessageContaining("dict<string,int>");
        assertThatThrownBy(() -> profile.getList("gold", ElementType.INT))
                .isInstanceOf(PropertyNotFoundException.class).hasMessageContaining("ObservableInt");
        assertThatThrownBy(() -> profile.getList("missing", ElementType.INT))
                .isInstanceOf(PropertyNotFoundException.class).hasMessageContaining("items");
    }
}
