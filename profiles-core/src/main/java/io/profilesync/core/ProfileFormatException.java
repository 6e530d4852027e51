package io.profilesync.core;

/**
 * Bytes or JSON that cannot be decoded into a profile or a delta: truncated, corrupt, hostile, or made from another
 * schema. The message names the offset (or JSON property) and what was expected. When this is thrown, the target
 * profile has not been changed at all.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public class ProfileFormatException extends ProfilesException {
    private static final long serialVersionUID = 1L;

    public ProfileFormatException(String message) {
        super(message);
    }

    public ProfileFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
