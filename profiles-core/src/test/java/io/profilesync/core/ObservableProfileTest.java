package io.profilesync.core;

import static io.profilesync.core.Fixtures.of;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ObservableProfileTest {

    @Test
    void duplicateNamesAreRefused() {
        ObservableProfile profile = of(new ObservableInt("gold"));
        assertThatThrownBy(() -> profile.add(new ObservableString("gold")))
                .isInstanceOf(DuplicatePropertyException.class)
                .isInstanceOf(ProfilesException.class)
                .hasMessageContaining("'gold' (int)").hasMessageContaining("rename one");
        assertThat(profile.size()).isOne();
        ObservableInt owned = profile.get("gold", ObservableInt.class);
        assertThatThrownBy(() -> new ObservableProfile().add(owned)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("add a copy()");
    }

    @Test
    void lookupErrorsNameWhatExists() {
        ObservableProfile profile = of(new ObservableInt("gold"), new ObservableString("nick"));
        assertThatThrownBy(() -> profile.get("gems")).isInstanceOf(PropertyNotFoundException.class)
                .hasMessageContaining("'gems'").hasMessageContaining("[gold, nick]");
        assertThatThrownBy(() -> profile.get("gems", ObservableInt.class))
                .isInstanceOf(PropertyNotFoundException.class).hasMessageContaining("[gold, nick]");
        assertThatThrownBy(() -> profile.get("nick", ObservableInt.class))
                .isInstanceOf(PropertyNotFoundException.class)
                .hasMessageContaining("'nick' is a ObservableString (string), not a ObservableInt");
        assertThat(profile.has("gold")).isTrue();
        assertThat(profile.indexOf(profile.get("nick"))).isOne();
        assertThat(profile.indexOf(new ObservableInt("nick"))).isEqualTo(-1);
        assertThat(profile).extracting(ObservableProperty::name).containsExactly("gold", "nick");
    }

    private static final Set<String> HIDDEN = Set.of("secret", "hiddenList");
    private static final PropertyView CLIENT_VIEW = p -> !HIDDEN.contains(p.name());

    private static ObservableProfile full() {
        return of(new ObservableInt("a"), new ObservableString("secret"), new ObservableInt("b"),
                new ObservableList<>("hiddenList", ElementType.INT), new ObservableList<>("items", ElementType.STRING));
    }

    private static ObservableProfile clientSide() {
        return of(new ObservableInt("a"), new ObservableInt("b"), new ObservableList<>("items", ElementType.STRING));
    }

    @Test
    void aProfileWithoutHiddenPropertiesReadsWhatAViewOfTheFullOneWrites() {
        ObservableProfile server = full();
        ObservableProfile client = clientSide();
        assertThat(server.fingerprint(CLIENT_VIEW)).isEqualTo(client.fingerprint());
        assertThat(server.fingerprint()).isNotEqualTo(client.fingerprint());

        server.get("a", ObservableInt.class).set(1);
        server.get("secret", ObservableString.class).set("password");
        server.get("b", ObservableInt.class).set(2);
        Fixtures.<Integer>list(server, "hiddenList").add(9);
        Fixtures.<String>list(server, "items").add("sword");
        client.fromBytes(server.toBytes(CLIENT_VIEW));
        assertThat(client.toJson()).isEqualTo("{\"a\":1,\"b\":2,\"items\":[\"sword\"]}");

        server.clearUpdates();
        server.get("b", ObservableInt.class).set(3);
        server.get("secret", ObservableString.class).set("other");
        byte[] delta = server.getUpdates(CLIENT_VIEW);
        assertThat(Fixtures.hex(delta)).as("b is rank 1 among the visible properties").isEqualTo("01 04 06");
        client.applyUpdates(delta);
        assertThat(client.get("b", ObservableInt.class).intValue()).isEqualTo(3);

        Fixtures.<String>list(client, "items").insert(0, "shield");
        server.applyUpdates(client.getUpdates(), ApplyOptions.REMOTE.withView(CLIENT_VIEW));
        assertThat(Fixtures.<String>list(server, "items").value()).containsExactly("shield", "sword");
        assertThat(server.get("secret", ObservableString.class).get()).isEqualTo("other");

        ObservableProfile serverCopy = full();
        serverCopy.fromBytes(client.toBytes(), CLIENT_VIEW);
        assertThat(serverCopy.get("secret", ObservableString.class).get()).as("outside the view: untouched")
                .isEmpty();
        assertThat(serverCopy.toBytes(CLIENT_VIEW)).isEqualTo(client.toBytes());
    }

    @Test
    void deltaIndicesBeyondTheViewAreRefused() {
        ObservableProfile server = full();
        ObservableProfile client = clientSide();
        Fixtures.<Integer>list(server, "hiddenList").add(1);
        byte[] fullDelta = server.getUpdates();
        assertThat(Fixtures.hex(fullDelta)).isEqualTo("01 0c 01 01 02");
        byte[] before = client.toBytes();
        assertThatThrownBy(() -> client.applyUpdates(fullDelta)).isInstanceOf(ProfileFormatException.class)
                .hasMessageContaining("at offset 1").hasMessageContaining("index 3 is unknown");
        assertThat(client.toBytes()).isEqualTo(before);
    }

    @Test
    void fingerprintMismatchIsRefused() {
        ObservableProfile source = of(new ObservableInt("gold", 5));
        for (ObservableProfile other : List.of(of(new ObservableLong("gold")), of(new ObservableInt("gems")),
                of(new ObservableVector3("gold", Vector3.ZERO, 0.1f)),
                of(new ObservableInt("gold"), new ObservableInt("gems")))) {
            byte[] before = other.toBytes();
            assertThatThrownBy(() -> other.fromBytes(source.toBytes())).isInstanceOf(ProfileFormatException.class)
                    .hasMessageContaining("at offset 1").hasMessageContaining("another schema");
            assertThat(other.toBytes()).isEqualTo(before);
        }
        byte[] bytes = source.toBytes();
        bytes[0] = 2;
        assertThatThrownBy(() -> of(new ObservableInt("gold")).fromBytes(bytes))
                .hasMessageContaining("expected format version 1 but found 2");
    }

    @Test
    void validatorRejectionLeavesTheProfileUnchanged() {
        ObservableProfile source = Fixtures.everyType();
        ObservableProfile target = source.copy();
        Fixtures.fillEveryType(source);
        byte[] before = target.toBytes();
        List<String> validated = new ArrayList<>();
        List<String> fired = new ArrayList<>();
        target.addListener(p -> fired.add(p.name()));
        UpdateValidator validator = (property, newValue) -> {
            validated.add(property.name());
            if (property.name().equals("counts")) {
                assertThat(newValue).isEqualTo(Map.of("a", 11, "b", 2));
                throw new UpdateRejectedException(property.name(), "clients may not write counts");
            }
        };
        assertThatThrownBy(() -> target.applyUpdates(source.getUpdates(),
                ApplyOptions.REMOTE.validatedBy(validator)))
                .isInstanceOf(UpdateRejectedException.class)
                .hasMessage("update of property 'counts' refused: clients may not write counts")
                .satisfies(e -> assertThat(((UpdateRejectedException) e).propertyName()).isEqualTo("counts"));
        assertThat(validated).contains("gold", "ints", "counts");
        assertThat(target.toBytes()).isEqualTo(before);
        assertThat(target.hasUpdates()).isFalse();
        assertThat(fired).isEmpty();

        List<ObservableProperty<?>> changed = target.applyUpdates(source.getUpdates(),
                ApplyOptions.REMOTE.validatedBy((p, v) -> { }));
        assertThat(changed).hasSize(source.size());
        Fixtures.assertSame(source, target);
    }

    @Test
    void validatorsCannotModifyTheDecodedCollections() {
        ObservableProfile source = Fixtures.everyType();
        ObservableProfile target = source.copy();
        Fixtures.fillEveryType(source);
        byte[] before = target.toBytes();
        UpdateValidator meddling = (property, newValue) -> {
            if (newValue instanceof List<?> list) {
                list.clear();
            } else if (newValue instanceof Map<?, ?> map) {
                map.clear();
            }
        };
        assertThatThrownBy(() -> target.applyUpdates(source.getUpdates(), ApplyOptions.REMOTE.validatedBy(meddling)))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(target.toBytes()).isEqualTo(before);
    }

    @Test
    void listenerExceptionsAreLoggedAndDoNotStopTheChange() {
        ObservableProfile profile = of(new ObservableInt("gold"), new ObservableList<>("l", ElementType.INT));
        ObservableInt gold = profile.get("gold", ObservableInt.class);
        ObservableProfile replica = profile.copy();
        List<String> told = new ArrayList<>();
        gold.addListener((old, now) -> {
            throw new IllegalStateException("listener bug");
        });
        gold.addListener((old, now) -> told.add("second " + now));
        Fixtures.<Integer>list(profile, "l").addListener(c -> {
            throw new IllegalStateException("collection listener bug");
        });
        profile.addListener(p -> {
            throw new IllegalStateException("profile listener bug");
        });
        profile.addListener(p -> told.add("profile " + p.name()));
        try (CapturedLog log = new CapturedLog(ObservableProfile.class)) {
            gold.set(7);
            Fixtures.<Integer>list(profile, "l").add(1);
            replica.get("gold", ObservableInt.class).addListener((o, n) -> {
                throw new IllegalStateException("replica listener bug");
            });
            replica.applyUpdates(profile.getUpdates());
            assertThat(replica.contentEquals(profile)).isTrue();
            assertThat(log.events()).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                    "A listener of property 'gold' threw; the change stands and other listeners were told",
                    "A listener of property 'gold' threw; the change stands and other listeners were told",
                    "A listener of property 'l' threw; the change stands and other listeners were told",
                    "A listener of property 'l' threw; the change stands and other listeners were told",
                    "A listener of property 'gold' threw; the change stands and other listeners were told");
            assertThat(log.events().get(0).getThrowableProxy().getMessage()).isEqualTo("listener bug");
        }
        assertThat(gold.intValue()).isEqualTo(7);
        assertThat(gold.isDirty()).isTrue();
        assertThat(told).containsExactly("second 7", "profile gold", "profile l");
    }

    @Test
    void applyUpdatesReturnsOnlyThePropertiesThatChanged() {
        ObservableProfile source = of(new ObservableInt("a"), new ObservableInt("b"));
        ObservableProfile replica = of(new ObservableInt("a", 1), new ObservableInt("b"));
        source.get("a", ObservableInt.class).set(1);
        source.get("b", ObservableInt.class).set(2);
        assertThat(replica.applyUpdates(source.getUpdates())).extracting(ObservableProperty::name)
                .containsExactly("b");
    }

    @Test
    void recordChangesOfTakesTheRecordedChangesFiresListenersOnceConsistentAndRefusesAnotherSchema() {
        ObservableProfile source = of(new ObservableInt("gold"), new ObservableString("name", "a"),
                new ObservableList<>("items", ElementType.STRING));
        ObservableProfile copy = source.copy();
        List<String> told = new ArrayList<>();
        copy.get("gold", ObservableInt.class).addListener((old, now) -> told.add("gold " + now + " items "
                + copy.getList("items", ElementType.STRING).size()));
        source.get("gold", ObservableInt.class).set(5);
        source.get("name", ObservableString.class).set("b");
        source.get("name", ObservableString.class).set("a"); // changed and changed back: dirty, same value
        source.getList("items", ElementType.STRING).add("sword");
        source.getList("items", ElementType.STRING).add("shield");
        source.getList("items", ElementType.STRING).remove(0);

        assertThat(copy.recordChangesOf(source)).extracting(ObservableProperty::name).containsExactly("gold", "items");
        assertThat(told).containsExactly("gold 5 items 1"); // after every property is in place
        assertThat(copy.toJson()).isEqualTo(source.toJson());
        assertThat(copy.get("name").isDirty()).isFalse();
        assertThat(source.hasUpdates()).isTrue(); // the source is left as it was
        // It sends the same operations the source recorded, and nothing for the name it already holds.
        assertThat(Fixtures.hex(copy.getUpdates())).isEqualTo(Fixtures.hex(goldAndItemsChangedAsInTheSource()));

        assertThatThrownBy(() -> copy.recordChangesOf(of(new ObservableInt("gold"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 properties into one with 3");
        ObservableProfile other = of(new ObservableInt("gold"), new ObservableInt("name"),
                new ObservableList<>("items", ElementType.STRING));
        other.get("name", ObservableInt.class).set(1);
        assertThatThrownBy(() -> copy.recordChangesOf(other)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("property 1 'name' (ObservableInt) into 'name' (ObservableString)");
    }

    /** The delta of the same gold and items changes as in the test above, made directly. */
    private static byte[] goldAndItemsChangedAsInTheSource() {
        ObservableProfile expected = of(new ObservableInt("gold"), new ObservableString("name", "a"),
                new ObservableList<>("items", ElementType.STRING));
        expected.get("gold", ObservableInt.class).set(5);
        expected.getList("items", ElementType.STRING).add("sword");
        expected.getList("items", ElementType.STRING).add("shield");
        expected.getList("items", ElementType.STRING).remove(0);
        return expected.getUpdates();
    }

    @Test
    void serverProfileCopiesUserAndVersion() {
        ObservableServerProfile profile = new ObservableServerProfile("u1", List.of(new ObservableInt("gold", 3)));
        profile.setStoredVersion(4);
        ObservableServerProfile copy = profile.copy();
        assertThat(copy.userId()).isEqualTo("u1");
        assertThat(copy.storedVersion()).isEqualTo(4);
        assertThat(copy.contentEquals(profile)).isTrue();
        assertThatThrownBy(() -> new ObservableServerProfile("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> profile.setStoredVersion(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
