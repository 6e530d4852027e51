package io.profilesync.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class UserIdsTest {
    @Test
    void theAlphabetAndTheLengthsAreAccepted() {
        for (String id : new String[] {"a", "alice@example.com", "steam:76561198000000000", "A-Z_0.9",
            "x".repeat(UserIds.MAX_LENGTH), "123e4567-e89b-12d3-a456-426614174000"}) {
            assertThat(UserIds.isValid(id)).as(id).isTrue();
            assertThat(UserIds.problem(id)).isNull();
            assertThat(UserIds.check(id)).isSameAs(id);
        }
    }

    @Test
    void eachRefusalNamesTheIdAndTheRule() {
        assertThat(UserIds.problem("")).isEqualTo("the user id is empty: a user id is 1 to 128 characters of ASCII "
                + "letters, digits and . _ - @ :");
        assertThat(UserIds.problem("x".repeat(129))).isEqualTo("user id '" + "x".repeat(40) + "…' is 129 characters "
                + "long: " + UserIds.RULE);
        assertThat(UserIds.problem("al ice")).isEqualTo("user id 'al ice' has a character outside the alphabet "
                + "(U+0020 at 3): " + UserIds.RULE);
        assertThat(UserIds.problem("zoë")).isEqualTo("user id 'zoë' has a character outside the alphabet ('ë' at 3): "
                + UserIds.RULE);
        assertThat(UserIds.problem("a/b")).contains("('/' at 2)");
        assertThat(UserIds.problem("a\nb")).isEqualTo("user id 'a\\u000Ab' has a character outside the alphabet "
                + "(U+000A at 2): " + UserIds.RULE);
        assertThat(UserIds.problem(null)).isEqualTo("no user id given: " + UserIds.RULE);
        assertThatThrownBy(() -> UserIds.check("a b")).isInstanceOf(InvalidUserIdException.class)
                .hasMessageStartingWith("user id 'a b'");
    }
}
