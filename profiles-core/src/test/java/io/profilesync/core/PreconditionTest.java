package io.profilesync.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Preconditions: what each checks, how they travel, and that hostile bytes are refused before allocating. */
class PreconditionTest {
    private static ObservableProfile profile() {
        ObservableProfile profile = new ObservableProfile();
        profile.add(new ObservableInt("gold", 40));
        profile.add(new ObservableLong("xp", Long.MAX_VALUE - 1));
        profile.add(new ObservableDouble("speed", 1.5));
        profile.add(new ObservableString("title", "knight"));
        profile.add(new ObservableBool("banned", false));
        profile.add(new ObservableList<>("items", ElementType.STRING, List.of("sword")));
        profile.add(new ObservableDictionary<>("quests", ElementType.STRING, ElementType.INT));
        profile.getDictionary("quests", ElementType.STRING, ElementType.INT).put("dragon", 1);
        return profile;
    }

    @Test
    void eachOperatorHoldsOrSaysWhyNot() {
        ObservableProfile p = profile();
        assertThat(Precondition.atLeast("gold", 40).whyNot(p)).isNull();
        assertThat(Precondition.atLeast("gold", 41).whyNot(p)).isEqualTo("precondition gold >= 41 does not hold: "
                + "'gold' is 40");
        assertThat(Precondition.atMost("speed", 1.5).whyNot(p)).isNull();
        assertThat(Precondition.atMost("speed", 1.25).whyNot(p)).contains("'speed' is 1.5");
        // Whole numbers compare exactly, where doubles would round both to the same value.
        assertThat(Precondition.atLeast("xp", Long.MAX_VALUE).whyNot(p)).isNotNull();
        assertThat(Precondition.equalTo("xp", Long.MAX_VALUE - 1).whyNot(p)).isNull();
        assertThat(Precondition.equalTo("gold", 40.0).whyNot(p)).isNull();
        assertThat(Precondition.equalTo("title", "knight").whyNot(p)).isNull();
        assertThat(Precondition.notEqualTo("banned", false).whyNot(p)).contains("'banned' is false");
        assertThat(Precondition.contains("items", "sword").whyNot(p)).isNull();
        assertThat(Precondition.doesNotContain("items", "sword").whyNot(p))
                .isEqualTo("precondition items does not contain \"sword\" does not hold: 'items' has \"sword\"");
        assertThat(Precondition.contains("items", "shield").whyNot(p)).endsWith("'items' has no \"shield\"");
        assertThat(Precondition.contains("quests", "dragon").whyNot(p)).as("a dictionary's keys").isNull();
    }

    @Test
    void aPreconditionThatDoesNotFitTheProfileNamesWhatWould() {
        ObservableProfile p = profile();
        assertThat(Precondition.atLeast("diamonds", 1).problem(p)).contains("'diamonds'")
                .contains("[gold, xp, speed, title, banned, items, quests]");
        assertThat(Precondition.atLeast("title", 1).problem(p)).contains("compare a number property with a number");
        assertThat(Precondition.equalTo("gold", "forty").problem(p)).contains("a value of its kind");
        assertThat(Precondition.contains("gold", 1).problem(p)).contains("list or a dictionary");
        assertThatThrownBy(() -> Precondition.checkAll(List.of(Precondition.atLeast("gold", 1),
                Precondition.atLeast("title", 1)), p)).isInstanceOf(InvalidPreconditionException.class)
                .hasMessageContaining("title >= 1");
        assertThatThrownBy(() -> Precondition.equalTo("gold", List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("number, a string or a bool");
        assertThat(Precondition.failures(List.of(Precondition.atLeast("gold", 100),
                Precondition.atLeast("diamonds", 1), Precondition.atMost("gold", 100)), p)).hasSize(2);
    }

    @Test
    void theyTravelAsDocumentedAndBack() {
        assertThat(HexFormat.of().formatHex(Precondition.encode(List.of(Precondition.atLeast("gold", 30)))))
                .as("docs/wire-format.md, Preconditions").isEqualTo("0104676f6c6400003c");
        List<Precondition> all = List.of(Precondition.atLeast("gold", -3), Precondition.atMost("speed", 2.5),
                Precondition.equalTo("title", "knight"), Precondition.notEqualTo("banned", true),
                Precondition.contains("items", "sword"), Precondition.doesNotContain("items", 7));
        assertThat(Precondition.decode(Precondition.encode(all))).isEqualTo(all);
        assertThat(Precondition.decode(Precondition.encode(List.of()))).isEmpty();
    }

    @Test
    void hostileBytesAreRefusedWithTheirOffsetBeforeAnythingIsAllocated() {
        HexFormat hex = HexFormat.of();
        assertThatThrownBy(() -> Precondition.decode(hex.parseHex("ffffffff07")))
                .isInstanceOf(ProfileFormatException.class).hasMessageContaining("2147483647");
        assertThatThrownBy(() -> Precondition.decode(hex.parseHex("41" + "00".repeat(65 * 4))))
                .isInstanceOf(ProfileFormatException.class).hasMessageContaining("exceeds the limit of 64");
        assertThatThrownBy(() -> Precondition.decode(hex.parseHex("0104676f6c64090000")))
                .isInstanceOf(ProfileFormatException.class).hasMessageContaining("operator 9 is unknown");
        assertThatThrownBy(() -> Precondition.decode(hex.parseHex("0104676f6c6400073c")))
                .isInstanceOf(ProfileFormatException.class).hasMessageContaining("value kind 7 is unknown");
        assertThatThrownBy(() -> Precondition.decode(hex.parseHex("0100000000")))
                .isInstanceOf(ProfileFormatException.class).hasMessageContaining("name, but it is empty");
        assertThatThrownBy(() -> Precondition.decode(hex.parseHex("0104676f6c6400003c00")))
                .isInstanceOf(ProfileFormatException.class).hasMessageContaining("1 bytes remain");
        assertThatThrownBy(() -> Precondition.decode(hex.parseHex("0104676f6cff0000")))
                .isInstanceOf(ProfileFormatException.class);
        assertThatThrownBy(() -> Precondition.encode(java.util.Collections.nCopies(65, Precondition.atLeast("g", 1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 64");
    }

    @Test
    void anAtomicDeltaAppliesWholeOrNotAtAll() {
        ObservableProfile writer = profile();
        writer.clearUpdates();
        writer.get("gold", ObservableInt.class).set(10);
        writer.getList("items", ElementType.STRING).add("shield");
        byte[] delta = writer.getUpdates();
        UpdateFilter noShields = (property, value) -> !property.name().equals("items");
        ObservableProfile master = profile();
        assertThat(master.applyUpdates(delta, ApplyOptions.REMOTE.filteredBy(noShields).atomic(true))).isEmpty();
        assertThat(master.get("gold", ObservableInt.class).intValue()).as("nothing applied").isEqualTo(40);
        assertThat(master.applyUpdates(delta, ApplyOptions.REMOTE.filteredBy(noShields)))
                .as("piecewise, the gold applies alone").hasSize(1);
        ObservableProfile other = profile();
        assertThat(other.applyUpdates(delta, ApplyOptions.REMOTE.filteredBy((property, value) -> true).atomic(true)))
                .hasSize(2);
    }
}
