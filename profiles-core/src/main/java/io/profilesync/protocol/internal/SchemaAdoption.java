package io.profilesync.protocol.internal;

import io.profilesync.protocol.RefusalCode;
import io.profilesync.protocol.RefusedException;
import java.util.function.Function;

/**
 * The peer core's room for the schema: each welcome carries the master's schema (a client's view of it for a
 * client), which the peer reads, checks against the fingerprint it was configured with (both roles), and keeps; a
 * schema that changes while copies are held cannot be followed (their bytes are laid out by the old one).
 *
 * <p>Threading: not thread-safe; used on the core's loop.
 *
 * @param <S> the schema type
 */
final class SchemaAdoption<S> {
    private final Function<String, S> read;
    private final Function<S, String> fingerprint;
    private final String expected;
    private final String peer;
    private S schema;
    private String json;

    /**
     * @param expected the configured fingerprint, or "" to take any schema
     * @param peer how messages name this peer ("this game server")
     */
    SchemaAdoption(Function<String, S> read, Function<S, String> fingerprint, String expected, String peer) {
        this.read = read;
        this.fingerprint = fingerprint;
        this.expected = expected;
        this.peer = peer;
    }

    /** The adopted schema, or null before the first welcome. */
    S schema() {
        return schema;
    }

    /**
     * Adopts the schema of {@code schemaJson}, offered while {@code heldCopies} copies are held.
     *
     * @return null when adopted (or unchanged), else why this peer must stop for good
     */
    RefusedException adopt(String schemaJson, int heldCopies) {
        if (schemaJson.equals(json)) {
            return null;
        }
        S offered;
        try {
            offered = read.apply(schemaJson);
        } catch (RuntimeException e) {
            return new RefusedException(RefusalCode.SCHEMA_MISMATCH, "the master's schema cannot be read: "
                    + e.getMessage());
        }
        String actual = fingerprint.apply(offered);
        if (!expected.isEmpty() && !expected.equals(actual)) {
            return new RefusedException(RefusalCode.SCHEMA_MISMATCH, "the master's schema has fingerprint " + actual
                    + " but " + peer + " was configured for " + expected + "; deploy the same schema on both, or "
                    + "drop schemaFingerprint from the config");
        }
        if (schema != null && heldCopies > 0) {
            return new RefusedException(RefusalCode.SCHEMA_MISMATCH, "the master came back with another schema while "
                    + peer + " held " + heldCopies + " profile(s); restart it so its profiles are built from the new "
                    + "schema");
        }
        schema = offered;
        json = schemaJson;
        return null;
    }
}
