package io.profilesync.master.hooks;

import io.profilesync.core.ProfilesException;

/** A hook registered wrongly (a property the schema does not have, no trigger), named with the fix. Immutable. */
public final class HookRegistrationException extends ProfilesException {
    private static final long serialVersionUID = 1L;

    public HookRegistrationException(String message) {
        super(message);
    }
}
