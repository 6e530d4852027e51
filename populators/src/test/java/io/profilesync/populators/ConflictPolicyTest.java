package io.profilesync.populators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.profilesync.core.ApplyOptions;
import io.profilesync.core.ObservableDouble;
import io.profilesync.core.ObservableInt;
import io.profilesync.core.ObservableLong;
import io.profilesync.core.ObservableProfile;
import io.profilesync.core.ObservableString;
import io.profilesync.core.UpdateRejectedException;
import io.profilesync.core.UpdateValidator;
import org.junit.jupiter.api.Test;

/** {@code conflict}: read, written canonically, checked for the type, and enforced by the master's validator. */
class ConflictPolicyTest {
    private static final ProfileSchema SCHEMA = ProfileSchema.fromYaml("""
            properties:
              - {name: referrer, type: string, conflict: first}
              - {name: bestScore, type: int, conflict: max}
              - {name: bestTime, type: double, default: 999, conflict: min}
              - {name: coins, type: long, min: 0, conflict: counter}
              - {name: nick, type: string, conflict: last}
            """);

    @Test
    void everyPolicyIsReadAndWrittenCanonicallyAndTheDefaultKeepsTheFingerprint() {
        assertThat(SCHEMA.definition("referrer").conflict()).isEqualTo(ConflictPolicy.FIRST);
        assertThat(SCHEMA.definition("bestScore").conflict()).isEqualTo(ConflictPolicy.MAX);
        assertThat(SCHEMA.definition("bestTime").conflict()).isEqualTo(ConflictPolicy.MIN);
        assertThat(SCHEMA.definition("coins").conflict()).isEqualTo(ConflictPolicy.COUNTER);
        assertThat(SCHEMA.definition("nick").conflict()).isEqualTo(ConflictPolicy.LAST);
        assertThat(ProfileSchema.fromJson(SCHEMA.toJson())).isEqualTo(SCHEMA);
        assertThat(SCHEMA.toJson()).contains("\"conflict\":\"first\"").doesNotContain("\"last\"");
        ProfileSchema plain = ProfileSchema.fromYaml("properties: [{name: nick, type: string}]");
        ProfileSchema spelledOut = ProfileSchema.fromYaml("properties: [{name: nick, type: string, conflict: last}]");
        assertThat(spelledOut.fingerprint()).isEqualTo(plain.fingerprint());
        assertThat(ProfileSchema.builder().intProperty("bestScore", 0).conflict(ConflictPolicy.MAX).build()
                .definition("bestScore").toString()).contains("conflict max");
    }

    @Test
    void aBadValueOrATypeThePolicyDoesNotFitSaysWhatIsAllowed() {
        assertThatThrownBy(() -> ProfileSchema.fromYaml("properties: [{name: a, type: int, conflict: newest}]"))
                .isInstanceOf(SchemaException.class)
                .hasMessageContaining("properties[0] 'a': conflict must be 'last' (the default: the last change "
                        + "wins), 'first' (written once), 'max' (keeps the larger), 'min' (keeps the smaller) or "
                        + "'counter' (only add and subtract), not 'newest'");
        assertThatThrownBy(() -> ProfileSchema.fromYaml("properties: [{name: a, type: int, conflict: 1}]"))
                .hasMessageContaining("conflict must be the string 'last', 'first', 'max', 'min' or 'counter', not "
                        + "NUMBER 1");
        assertThatThrownBy(() -> ProfileSchema.fromYaml("properties: [{name: tag, type: string, conflict: max}]"))
                .hasMessageContaining("properties[0] 'tag': conflict: max applies only to int, long, float, double "
                        + "and datetime, not to string");
        assertThatThrownBy(() -> ProfileSchema.fromYaml("properties: [{name: t, type: datetime, conflict: counter}]"))
                .hasMessageContaining("conflict: counter applies only to int, long, float and double, not to "
                        + "datetime");
        assertThatThrownBy(() -> ProfileSchema.fromYaml("properties: [{name: a, type: int, conflit: max}]"))
                .hasMessageContaining("unknown key 'conflit' (did you mean 'conflict'?)");
    }

    /** Applies {@code writer}'s delta to {@code master} through the server validator; the refusal, or null. */
    private static String apply(ObservableProfile writer, ObservableProfile master) {
        UpdateValidator validator = SCHEMA.validatorFor(ProfileSchema.Writer.SERVER);
        try {
            master.applyUpdates(writer.getUpdates(), ApplyOptions.REMOTE.validatedBy(validator));
            return null;
        } catch (UpdateRejectedException e) {
            return e.reason();
        } finally {
            writer.clearUpdates();
        }
    }

    @Test
    void firstWriteKeepsTheFirstValueOnceChangedFromTheDefault() {
        ObservableProfile master = SCHEMA.newProfile();
        ObservableProfile a = SCHEMA.newProfile();
        ObservableProfile b = SCHEMA.newProfile();
        a.get("referrer", ObservableString.class).set("alice");
        b.get("referrer", ObservableString.class).set("bob");
        assertThat(apply(a, master)).isNull();
        assertThat(apply(b, master)).isEqualTo("property 'referrer' is written once (conflict: first) and already "
                + "holds \"alice\"; it keeps that value");
        assertThat(master.get("referrer", ObservableString.class).get()).isEqualTo("alice");
    }

    @Test
    void maxAndMinKeepTheLargerAndTheSmaller() {
        ObservableProfile master = SCHEMA.newProfile();
        ObservableProfile writer = SCHEMA.newProfile();
        writer.get("bestScore", ObservableInt.class).set(120);
        assertThat(apply(writer, master)).isNull();
        writer.get("bestScore", ObservableInt.class).set(90);
        assertThat(apply(writer, master)).isEqualTo("property 'bestScore' keeps the larger value (conflict: max): "
                + "90 is not above 120");
        writer.get("bestScore", ObservableInt.class).add(-200);
        assertThat(apply(writer, master)).as("an increment that lowers it too").contains("not above 120");
        assertThat(master.get("bestScore", ObservableInt.class).intValue()).isEqualTo(120);

        writer.get("bestTime", ObservableDouble.class).set(61.5);
        assertThat(apply(writer, master)).isNull();
        writer.get("bestTime", ObservableDouble.class).set(70.0);
        assertThat(apply(writer, master)).isEqualTo("property 'bestTime' keeps the smaller value (conflict: min): "
                + "70.0 is not below 61.5");
    }

    @Test
    void aCounterTakesIncrementsOnlyAndItsMinimumIsCheckedOnTheMastersResult() {
        ObservableProfile master = SCHEMA.newProfile();
        ObservableProfile writer = SCHEMA.newProfile();
        writer.get("coins", ObservableLong.class).set(50L);
        assertThat(apply(writer, master)).startsWith("property 'coins' is a counter (conflict: counter): change it "
                + "with add or subtract, not set");
        writer.get("coins", ObservableLong.class).add(50L);
        assertThat(apply(writer, master)).isNull();
        // Both writers think there are 50 coins (each saw the same state) and each spends 30.
        ObservableProfile other = master.copy();
        ObservableProfile same = master.copy();
        other.get("coins", ObservableLong.class).subtract(30L);
        same.get("coins", ObservableLong.class).subtract(30L);
        assertThat(apply(other, master)).isNull();
        assertThat(apply(same, master)).isEqualTo("coins -10 is below the minimum 0");
        assertThat(master.get("coins", ObservableLong.class).longValue()).isEqualTo(20L);
    }

    @Test
    void theMastersOwnTrustedChecksIgnoreThePolicy() {
        ObservableProfile master = SCHEMA.newProfile();
        master.get("coins", ObservableLong.class).set(7L);
        SCHEMA.validatorFor(ProfileSchema.Writer.SERVER).validate(master.get("coins"), 7L);
    }
}
