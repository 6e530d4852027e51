package io.profilesync.core;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The one rule for user ids, enforced wherever an id enters profilesync: a token is minted or verified, a game server
 * asks for a profile, a file is imported, a command names a user. A user id is {@value #MIN_LENGTH} to
 * {@value #MAX_LENGTH} characters, each an ASCII letter or digit or one of {@code . _ - @ :}.
 *
 * <p>Why this rule: every id the master accepts must also fit the database column ({@code user_id VARCHAR(128)}), or
 * its profile could never be saved; ASCII counts the same in characters and bytes on every database; and an id of
 * this alphabet can be written unescaped in logs, file names, URL paths (the admin API), JSON and shell commands. It
 * still holds e-mail addresses ({@code alice@example.com}), UUIDs and namespaced ids ({@code steam:76561198000000000}).
 *
 * <p>Threading: stateless, thread-safe.
 */
public final class UserIds {
    /** The shortest user id: one character. */
    public static final int MIN_LENGTH = 1;
    /** The longest user id, in characters (ASCII, so also in bytes). */
    public static final int MAX_LENGTH = 128;
    /** The rule, as messages and the documentation state it. */
    public static final String RULE = "a user id is " + MIN_LENGTH + " to " + MAX_LENGTH
            + " characters of ASCII letters, digits and . _ - @ :";

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._@:-]{" + MIN_LENGTH + "," + MAX_LENGTH + "}");
    /** How much of a refused id a message repeats. */
    private static final int SHOWN = 40;

    private UserIds() {
    }

    /** Whether {@code userId} follows the rule (false for null). */
    public static boolean isValid(String userId) {
        return userId != null && VALID.matcher(userId).matches();
    }

    /**
     * What is wrong with {@code userId}, naming it and the rule, or null when it is valid. For refusals sent to a
     * peer or shown to a user: {@code user id 'a b' has a character outside the alphabet (' ' at 2): a user id is...}.
     */
    public static String problem(String userId) {
        if (userId == null) {
            return "no user id given: " + RULE;
        }
        if (isValid(userId)) {
            return null;
        }
        if (userId.isEmpty()) {
            return "the user id is empty: " + RULE;
        }
        if (userId.length() > MAX_LENGTH) {
            return "user id " + shown(userId) + " is " + userId.length() + " characters long: " + RULE;
        }
        int bad = 0;
        while (VALID.matcher(userId.substring(bad, bad + 1)).matches()) {
            bad++;
        }
        int codePoint = userId.codePointAt(bad);
        String character = Character.isISOControl(codePoint) || Character.isWhitespace(codePoint)
                ? String.format("U+%04X", codePoint) : "'" + new String(Character.toChars(codePoint)) + "'";
        return "user id " + shown(userId) + " has a character outside the alphabet (" + character + " at "
                + (bad + 1) + "): " + RULE;
    }

    /**
     * {@code userId} itself when it is valid.
     *
     * @throws InvalidUserIdException naming the id and the rule when it is not
     */
    public static String check(String userId) {
        String problem = problem(userId);
        if (problem != null) {
            throw new InvalidUserIdException(problem);
        }
        return Objects.requireNonNull(userId);
    }

    private static String shown(String userId) {
        String start = userId.length() > SHOWN ? userId.substring(0, SHOWN) + "…" : userId;
        StringBuilder out = new StringBuilder("'");
        start.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04X", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.append('\'').toString();
    }
}
