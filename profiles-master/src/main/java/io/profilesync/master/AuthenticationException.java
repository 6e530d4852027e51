package io.profilesync.master;

import io.profilesync.core.ProfilesException;

/**
 * A client token or game-server secret was refused; the message says why and is sent to the peer.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public class AuthenticationException extends ProfilesException {
    private static final long serialVersionUID = 1L;

    public AuthenticationException(String message) {
        super(message);
    }
}
