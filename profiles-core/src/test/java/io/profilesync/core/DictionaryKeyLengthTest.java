package io.profilesync.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A dictionary's string keys are held to its maxKeyLength where a peer or a caller brings them (put, deltas), not
 * where they come from the dictionary's own past (initial entries, whole encodings of stored profiles).
 */
class DictionaryKeyLengthTest {
    private static ObservableProfile profileWith(int maxKeyLength) {
        ObservableProfile profile = new ObservableProfile();
        profile.add(new ObservableDictionary<>("tags", ElementType.STRING, ElementType.INT, Map.of(), maxKeyLength));
        return profile;
    }

    @SuppressWarnings("unchecked")
    private static ObservableDictionary<String, Integer> tags(ObservableProfile profile) {
        return (ObservableDictionary<String, Integer>) profile.get("tags");
    }

    @Test
    void theDefaultIs256Characters() {
        ObservableDictionary<String, Integer> dict = new ObservableDictionary<>("d", ElementType.STRING,
                ElementType.INT);
        assertThat(dict.maxKeyLength()).isEqualTo(ObservableDictionary.DEFAULT_MAX_KEY_LENGTH).isEqualTo(256);
        dict.put("k".repeat(256), 1);
        assertThatThrownBy(() -> dict.put("k".repeat(257), 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("257 characters").hasMessageContaining("maxKeyLength 256");
        assertThat(dict.size()).isEqualTo(1);
    }

    @Test
    void lengthIsCountedInCodePoints() {
        ObservableDictionary<String, Integer> dict = new ObservableDictionary<>("d", ElementType.STRING,
                ElementType.INT, Map.of(), 2);
        dict.put("\uD83D\uDE00\uD83D\uDE00", 1); // two emoji: four chars, two characters
        assertThatThrownBy(() -> dict.put("abc", 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aDeltaBringingALongerKeyIsRefusedWholeAndNothingIsApplied() {
        ObservableProfile writer = profileWith(100_000);
        ObservableProfile replica = profileWith(256);
        tags(writer).put("short", 1);
        tags(writer).put("x".repeat(60_000), 2);
        byte[] delta = writer.getUpdates();

        assertThatThrownBy(() -> replica.applyUpdates(delta)).isInstanceOf(ProfileFormatException.class)
                .hasMessageContaining("60000 characters").hasMessageContaining("maxKeyLength 256");
        assertThat(tags(replica).size()).isZero();
    }

    @Test
    void aReplaceBringingALongerKeyIsRefusedToo() {
        ObservableProfile writer = profileWith(100_000);
        ObservableProfile replica = profileWith(8);
        tags(writer).replaceAll(Map.of("a", 1, "long-long-key", 2));
        byte[] delta = writer.getUpdates();

        assertThatThrownBy(() -> replica.applyUpdates(delta)).isInstanceOf(ProfileFormatException.class)
                .hasMessageContaining("13 characters");
    }

    @Test
    void storedProfilesWithLongerKeysStillLoadAndTheKeysCanBeRemoved() {
        ObservableProfile old = profileWith(100_000);
        tags(old).put("x".repeat(300), 1);
        ObservableProfile loaded = profileWith(256);
        loaded.fromBytes(old.toBytes());
        assertThat(tags(loaded).size()).isEqualTo(1);

        ObservableProfile replica = loaded.copy();
        tags(loaded).remove("x".repeat(300));
        replica.applyUpdates(loaded.getUpdates());
        assertThat(tags(replica).size()).isZero();
    }

    @Test
    void copiesKeepTheLimit() {
        assertThat(((ObservableDictionary<?, ?>) profileWith(9).copy().get("tags")).maxKeyLength()).isEqualTo(9);
    }
}
