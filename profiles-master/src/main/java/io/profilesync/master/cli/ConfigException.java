package io.profilesync.master.cli;

import io.profilesync.core.ProfilesException;

/**
 * A setting of the master's configuration is wrong: unknown, of the wrong type, out of range, or in contradiction
 * with another. The message names the key (such as {@code server.port}) and what is allowed; the command line prints
 * it alone and exits with {@link ExitCodes#CONFIGURATION}.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public final class ConfigException extends ProfilesException {
    private static final long serialVersionUID = 1L;

    private final String key;

    public ConfigException(String key, String message) {
        super(key + ": " + message);
        this.key = key;
    }

    public ConfigException(String key, String message, Throwable cause) {
        super(key + ": " + message, cause);
        this.key = key;
    }

    /** The key at fault, such as {@code server.port}. */
    public String key() {
        return key;
    }
}
