package io.profilesync.master;

import io.profilesync.core.InvalidUserIdException;
import io.profilesync.core.UserIds;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Tokens a login service signs with a secret it shares with the master: {@code v1.<user>.<expiry>.<signature>},
 * where {@code user} is the base64url user id, {@code expiry} the expiry in epoch seconds, and {@code signature} the
 * base64url HMAC-SHA256 of {@code v1.<user>.<expiry>} under the secret. A login service mints them with
 * {@link #mint}; the master checks them with {@link #authenticator}. Thread-safe (stateless).
 */
public final class HmacTokens {
    /** The shortest secret accepted: 32 characters, about 190 bits when random. */
    public static final int MIN_SECRET_LENGTH = 32;
    private static final String VERSION = "v1";
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private HmacTokens() {
    }

    /** A token for {@code userId} valid for {@code ttl} from now. */
    public static String mint(String secret, String userId, Duration ttl) {
        return mint(secret, userId, ttl, Clock.systemUTC());
    }

    /**
     * A token for {@code userId} valid for {@code ttl} from the clock's now.
     *
     * @throws IllegalArgumentException when the secret is too short or the ttl not positive
     * @throws InvalidUserIdException when the user id breaks the rule of {@link UserIds}
     */
    public static String mint(String secret, String userId, Duration ttl, Clock clock) {
        checkSecret(secret);
        Objects.requireNonNull(userId, "userId");
        UserIds.check(userId);
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive, not " + ttl);
        }
        long expiry = clock.instant().plus(ttl).getEpochSecond();
        String payload = VERSION + "." + ENCODER.encodeToString(userId.getBytes(StandardCharsets.UTF_8)) + "." + expiry;
        return payload + "." + ENCODER.encodeToString(sign(secret, payload));
    }

    /** The authenticator the master uses for tokens signed with {@code secret}. */
    public static ClientAuthenticator authenticator(String secret) {
        return authenticator(secret, Clock.systemUTC());
    }

    public static ClientAuthenticator authenticator(String secret, Clock clock) {
        checkSecret(secret);
        Objects.requireNonNull(clock, "clock");
        return token -> {
            try {
                return CompletableFuture.completedFuture(verify(secret, token, clock));
            } catch (AuthenticationException e) {
                return CompletableFuture.failedFuture(e);
            }
        };
    }

    /**
     * The user id of a valid token.
     *
     * @throws AuthenticationException when the token is malformed, forged or expired (the message says which)
     */
    public static String verify(String secret, String token, Clock clock) {
        if (token == null || token.isEmpty()) {
            throw new AuthenticationException("no token given; log in to get one", "missing");
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 4 || !VERSION.equals(parts[0])) {
            throw new AuthenticationException("malformed token: expected v1.<user>.<expiry>.<signature>", "malformed");
        }
        String payload = parts[0] + "." + parts[1] + "." + parts[2];
        byte[] signature;
        long expiry;
        String userId;
        try {
            signature = DECODER.decode(parts[3]);
            expiry = Long.parseLong(parts[2]);
            userId = new String(DECODER.decode(parts[1]), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new AuthenticationException("malformed token: " + e.getMessage(), "malformed");
        }
        // Constant-time comparison: a forger learns nothing from how long the check takes.
        if (!MessageDigest.isEqual(sign(secret, payload), signature)) {
            throw new AuthenticationException("token signature does not match: it was forged, altered, or signed with "
                    + "another secret than the master's tokenSecret", "bad_signature");
        }
        Instant expiresAt = Instant.ofEpochSecond(expiry);
        if (!clock.instant().isBefore(expiresAt)) {
            throw new AuthenticationException("token expired at " + expiresAt + "; log in again for a new one",
                    "expired");
        }
        String problem = UserIds.problem(userId);
        if (problem != null) {
            // Signed, so minted by a login service that does not follow the rule: say so, and refuse it here rather
            // than accept a profile the database could not save.
            throw new AuthenticationException("the token's " + problem, "invalid_user_id");
        }
        return userId;
    }

    static void checkSecret(String secret) {
        if (secret == null || secret.length() < MIN_SECRET_LENGTH) {
            throw new IllegalArgumentException("token secret must be at least " + MIN_SECRET_LENGTH
                    + " characters long (" + (secret == null ? "none" : secret.length()) + " given); generate one with "
                    + "`openssl rand -base64 48`");
        }
    }

    private static byte[] sign(String secret, String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(payload.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is required of every Java platform", e);
        }
    }
}
