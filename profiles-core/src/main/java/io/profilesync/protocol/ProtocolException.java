package io.profilesync.protocol;

import io.profilesync.core.ProfilesException;

/**
 * A peer broke the protocol: a message that cannot be read, too large, out of order, or sent before the
 * handshake. The master disconnects such a peer and logs this message.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public class ProtocolException extends ProfilesException {
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message);
    }
}
