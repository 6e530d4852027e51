package io.profilesync.protocol;

/**
 * Why the master refuses a peer or a request.
 *
 * <p>Thread-safe: an enum.
 */
public enum RefusalCode {
    PROTOCOL_VERSION(1), AUTHENTICATION(2), SCHEMA_MISMATCH(3), BAD_MESSAGE(4), TIMEOUT(5), SHUTTING_DOWN(6),
    OVERLOADED(7);

    /** The number that travels on the wire. */
    public final int code;

    RefusalCode(int code) {
        this.code = code;
    }

    /** The value of a wire number; unknown numbers read as {@link #BAD_MESSAGE}. */
    public static RefusalCode of(int code) {
        for (RefusalCode value : values()) {
            if (value.code == code) {
                return value;
            }
        }
        return BAD_MESSAGE;
    }
}
