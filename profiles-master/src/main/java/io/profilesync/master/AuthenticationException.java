package io.profilesync.master;

import io.profilesync.core.ProfilesException;

/**
 * A client token or game-server secret was refused; the message says why and is sent to the peer.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public class AuthenticationException extends ProfilesException {
    private static final long serialVersionUID = 1L;

    private final String reason;

    /** A refusal for the reason {@code rejected}. */
    public AuthenticationException(String message) {
        this(message, "rejected");
    }

    /**
     * @param reason why, as a short label for metrics ({@code profilesync_authentications_failed_total}):
     *     {@code missing}, {@code malformed}, {@code bad_signature}, {@code expired}, {@code invalid_user_id}...
     */
    public AuthenticationException(String message, String reason) {
        super(message);
        this.reason = reason;
    }

    /** Why, as a short label: missing, malformed, bad_signature, expired, invalid_user_id, rejected. */
    public String reason() {
        return reason;
    }
}
