package io.profilesync.core;

/**
 * A user id breaks the rule of {@link UserIds}: empty, longer than {@value UserIds#MAX_LENGTH} characters, or with a
 * character outside its alphabet. The message names the id and the rule.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public final class InvalidUserIdException extends ProfilesException {
    private static final long serialVersionUID = 1L;

    public InvalidUserIdException(String message) {
        super(message);
    }
}
