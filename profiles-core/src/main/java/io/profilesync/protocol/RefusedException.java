package io.profilesync.protocol;

import io.profilesync.core.ProfilesException;
import io.profilesync.protocol.RefusalCode;

/**
 * The master refused this peer: wrong protocol version, failed authentication, another schema, a bad message, a
 * handshake that took too long, or the master shutting down. The message is the master's reason and says what to do.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public class RefusedException extends ProfilesException {
    private static final long serialVersionUID = 1L;
    private final RefusalCode code;

    public RefusedException(RefusalCode code, String reason) {
        super("the master refused this connection (" + code + "): " + reason);
        this.code = code;
    }

    public RefusalCode code() {
        return code;
    }
}
