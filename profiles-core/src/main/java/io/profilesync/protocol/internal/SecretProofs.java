package io.profilesync.protocol.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Game servers prove the shared secret without sending it (docs/protocol.md, "Handshake"): the proof is
 * HMAC-SHA256, keyed with the secret's UTF-8 bytes, over {@code "profilesync-proof-v2"}, a zero byte, the master's
 * nonce, the instance id (8 bytes little-endian) and the schema fingerprint the Hello named (UTF-8). The nonce is fresh
 * for each connection, so a captured Hello and Proof replayed on another connection prove nothing. Thread-safe
 * (stateless).
 */
public final class SecretProofs {
    /** Bytes of the master's nonce: 32 random bytes from a SecureRandom. */
    public static final int NONCE_LENGTH = 32;
    private static final byte[] LABEL = "profilesync-proof-v2\0".getBytes(StandardCharsets.UTF_8);

    private SecretProofs() {
    }

    /** The proof that the peer knows {@code secret}, for this challenge. */
    public static byte[] proof(String secret, byte[] nonce, long instanceId, String schemaFingerprint) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update(LABEL);
            mac.update(nonce);
            mac.update(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(instanceId).array());
            mac.update(schemaFingerprint.getBytes(StandardCharsets.UTF_8));
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    /** Whether {@code given} proves one of {@code secrets}; constant time in the proof's bytes. */
    public static boolean matchesAny(Iterable<String> secrets, byte[] given, byte[] nonce, long instanceId,
            String schemaFingerprint) {
        boolean match = false;
        for (String secret : secrets) {
            match |= MessageDigest.isEqual(proof(secret, nonce, instanceId, schemaFingerprint), given);
        }
        return match;
    }
}
