package io.profilesync.core;

/**
 * The root of every exception profilesync throws on purpose. It is unchecked; each subclass is named after the
 * failure, and every message names the offending value and, where there is one, the fix.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public abstract class ProfilesException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    protected ProfilesException(String message) {
        super(message);
    }

    protected ProfilesException(String message, Throwable cause) {
        super(message, cause);
    }
}
