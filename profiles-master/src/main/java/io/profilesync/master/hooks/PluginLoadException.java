package io.profilesync.master.hooks;

import io.profilesync.core.ProfilesException;

/**
 * A plugin jar that cannot be loaded (missing, unreadable, no plugin in it, its class failing), with the fix.
 * Immutable.
 */
public final class PluginLoadException extends ProfilesException {
    private static final long serialVersionUID = 1L;

    public PluginLoadException(String message) {
        super(message);
    }

    public PluginLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
