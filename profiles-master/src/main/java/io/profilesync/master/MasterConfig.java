package io.profilesync.master;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Every setting of a {@link MasterServer}, immutable; made with {@link #builder()}. Defaults follow MST where MST's
 * are sound; where they differ the setting says why. Each is documented in {@code docs/configuration.md}.
 * Thread-safe (immutable).
 */
public final class MasterConfig {
    private final String host;
    private final int port;
    private final int writeBufferSize;
    private final int objectBufferSize;
    private final int maxUpdateSize;
    private final Duration unloadProfileAfter;
    private final Duration saveProfileDebounce;
    private final Duration clientUpdateDebounce;
    private final Duration profileLoadTimeout;
    private final int profileLoadAttempts;
    private final Duration authenticationTimeout;
    private final int saveBatchSize;
    private final Duration saveRetryMaxDelay;
    private final Duration shutdownTimeout;
    private final Duration appliedBatchesRetention;
    private final List<String> gameServerSecrets;
    private final String tokenSecret;
    private final ClientAuthenticator clientAuthenticator;
    private final MeterRegistry meterRegistry;

    private MasterConfig(Builder b) {
        host = b.host;
        port = b.port;
        writeBufferSize = b.writeBufferSize;
        objectBufferSize = b.objectBufferSize;
        maxUpdateSize = b.maxUpdateSize;
        unloadProfileAfter = b.unloadProfileAfter;
        saveProfileDebounce = b.saveProfileDebounce;
        clientUpdateDebounce = b.clientUpdateDebounce;
        profileLoadTimeout = b.profileLoadTimeout;
        profileLoadAttempts = b.profileLoadAttempts;
        authenticationTimeout = b.authenticationTimeout;
        saveBatchSize = b.saveBatchSize;
        saveRetryMaxDelay = b.saveRetryMaxDelay;
        shutdownTimeout = b.shutdownTimeout;
        appliedBatchesRetention = b.appliedBatchesRetention;
        gameServerSecrets = List.copyOf(b.gameServerSecrets);
        tokenSecret = b.tokenSecret;
        clientAuthenticator = b.clientAuthenticator;
        meterRegistry = b.meterRegistry != null ? b.meterRegistry : new SimpleMeterRegistry();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The address to listen on; default 0.0.0.0 (every interface). */
    public String host() {
        return host;
    }

    /** The TCP port; 0 picks a free one ({@link MasterServer#port()} tells which). Default 5000. */
    public int port() {
        return port;
    }

    /** Bytes of each connection's write buffer; default 256 KiB. */
    public int writeBufferSize() {
        return writeBufferSize;
    }

    /** The largest message, in bytes, read or written; default 128 KiB. */
    public int objectBufferSize() {
        return objectBufferSize;
    }

    /** The largest delta accepted from a peer; default 64 KiB (MST: 1 MiB; see the builder). */
    public int maxUpdateSize() {
        return maxUpdateSize;
    }

    public Duration unloadProfileAfter() {
        return unloadProfileAfter;
    }

    public Duration saveProfileDebounce() {
        return saveProfileDebounce;
    }

    public Duration clientUpdateDebounce() {
        return clientUpdateDebounce;
    }

    public Duration profileLoadTimeout() {
        return profileLoadTimeout;
    }

    public int profileLoadAttempts() {
        return profileLoadAttempts;
    }

    public Duration authenticationTimeout() {
        return authenticationTimeout;
    }

    public int saveBatchSize() {
        return saveBatchSize;
    }

    public Duration saveRetryMaxDelay() {
        return saveRetryMaxDelay;
    }

    /**
     * How long a writer's entry stays in a profile's exactly-once record after that writer last changed the profile
     * (default 24 hours); older entries are dropped when the profile is next saved. It must exceed the longest time
     * a writer may hold a batch without its durable acknowledgement (a database outage, a writer offline), or a batch
     * sent again after that could apply twice.
     */
    public Duration appliedBatchesRetention() {
        return appliedBatchesRetention;
    }

    public Duration shutdownTimeout() {
        return shutdownTimeout;
    }

    public List<String> gameServerSecrets() {
        return gameServerSecrets;
    }

    /** The secret HMAC client tokens are signed with, or null. */
    public String tokenSecret() {
        return tokenSecret;
    }

    /** The authenticator of client tokens: the configured one, else HMAC tokens under {@link #tokenSecret()}. */
    public ClientAuthenticator clientAuthenticator() {
        if (clientAuthenticator != null) {
            return clientAuthenticator;
        }
        if (tokenSecret != null) {
            return HmacTokens.authenticator(tokenSecret);
        }
        return token -> java.util.concurrent.CompletableFuture.failedFuture(new AuthenticationException(
                "this master accepts no clients: it has neither a tokenSecret nor a client authenticator"));
    }

    public MeterRegistry meterRegistry() {
        return meterRegistry;
    }

    /** Makes a {@link MasterConfig}; every setter checks its argument and names it. Not thread-safe. */
    public static final class Builder {
        private String host = "0.0.0.0";
        private int port = 5000;
        private int writeBufferSize = 256 * 1024;
        private int objectBufferSize = 128 * 1024;
        private int maxUpdateSize = 64 * 1024;
        private Duration unloadProfileAfter = Duration.ofSeconds(20);
        private Duration saveProfileDebounce = Duration.ofSeconds(1);
        private Duration clientUpdateDebounce = Duration.ofSeconds(1);
        private Duration profileLoadTimeout = Duration.ofSeconds(10);
        private int profileLoadAttempts = 3;
        private Duration authenticationTimeout = Duration.ofSeconds(5);
        private int saveBatchSize = 1000;
        private Duration saveRetryMaxDelay = Duration.ofSeconds(30);
        private Duration shutdownTimeout = Duration.ofSeconds(30);
        private Duration appliedBatchesRetention = Duration.ofHours(24);
        private List<String> gameServerSecrets = List.of();
        private String tokenSecret;
        private ClientAuthenticator clientAuthenticator;
        private MeterRegistry meterRegistry;

        private Builder() {
        }

        public Builder host(String value) {
            host = Objects.requireNonNull(value, "host");
            if (value.isBlank()) {
                throw new IllegalArgumentException("host must not be blank; use 0.0.0.0 for every interface");
            }
            return this;
        }

        public Builder port(int value) {
            if (value < 0 || value > 65535) {
                throw new IllegalArgumentException("port must be 0..65535 (0 picks a free one), not " + value);
            }
            port = value;
            return this;
        }

        /** Per connection; KryoNet allocates it for every peer, so memory is about (write + object) × peers. */
        public Builder writeBufferSize(int value) {
            writeBufferSize = positive("writeBufferSize", value);
            return this;
        }

        public Builder objectBufferSize(int value) {
            objectBufferSize = positive("objectBufferSize", value);
            return this;
        }

        /**
         * MST accepts 1 MiB; the default here is 64 KiB because every connection holds an object buffer able to read
         * the largest message, and an update this large is almost always a bug. It must stay below objectBufferSize
         * so an oversized update can still be read, refused, and the stream go on.
         */
        public Builder maxUpdateSize(int value) {
            maxUpdateSize = positive("maxUpdateSize", value);
            return this;
        }

        public Builder unloadProfileAfter(Duration value) {
            unloadProfileAfter = nonNegative("unloadProfileAfter", value);
            return this;
        }

        public Builder saveProfileDebounce(Duration value) {
            saveProfileDebounce = nonNegative("saveProfileDebounce", value);
            return this;
        }

        public Builder clientUpdateDebounce(Duration value) {
            clientUpdateDebounce = nonNegative("clientUpdateDebounce", value);
            return this;
        }

        public Builder profileLoadTimeout(Duration value) {
            profileLoadTimeout = positive("profileLoadTimeout", value);
            return this;
        }

        public Builder profileLoadAttempts(int value) {
            profileLoadAttempts = positive("profileLoadAttempts", value);
            return this;
        }

        public Builder authenticationTimeout(Duration value) {
            authenticationTimeout = positive("authenticationTimeout", value);
            return this;
        }

        public Builder saveBatchSize(int value) {
            saveBatchSize = positive("saveBatchSize", value);
            return this;
        }

        public Builder saveRetryMaxDelay(Duration value) {
            saveRetryMaxDelay = positive("saveRetryMaxDelay", value);
            return this;
        }

        /** See {@link MasterConfig#appliedBatchesRetention()}; more than zero. */
        public Builder appliedBatchesRetention(Duration value) {
            appliedBatchesRetention = positive("appliedBatchesRetention", value);
            return this;
        }

        public Builder shutdownTimeout(Duration value) {
            shutdownTimeout = positive("shutdownTimeout", value);
            return this;
        }

        /** The secrets game servers may present (any of them, so secrets can be rotated); none: no game server. */
        public Builder gameServerSecrets(List<String> values) {
            Objects.requireNonNull(values, "gameServerSecrets");
            for (String secret : values) {
                if (secret == null || secret.length() < 16) {
                    throw new IllegalArgumentException("each of gameServerSecrets must be at least 16 characters; "
                            + "generate one with `openssl rand -base64 32`");
                }
            }
            gameServerSecrets = List.copyOf(values);
            return this;
        }

        public Builder gameServerSecret(String value) {
            return gameServerSecrets(List.of(value));
        }

        /** The secret client tokens are signed with ({@link HmacTokens}); at least 32 characters. */
        public Builder tokenSecret(String value) {
            if (value != null) {
                HmacTokens.checkSecret(value);
            }
            tokenSecret = value;
            return this;
        }

        /** Replaces the HMAC token check. */
        public Builder clientAuthenticator(ClientAuthenticator value) {
            clientAuthenticator = value;
            return this;
        }

        /** Where the master's metrics go; default a private in-memory registry. */
        public Builder meterRegistry(MeterRegistry value) {
            meterRegistry = value;
            return this;
        }

        /**
         * @throws IllegalArgumentException when settings contradict each other (named in the message)
         */
        public MasterConfig build() {
            if (maxUpdateSize >= objectBufferSize) {
                throw new IllegalArgumentException("maxUpdateSize (" + maxUpdateSize + ") must be smaller than "
                        + "objectBufferSize (" + objectBufferSize + ") so an oversized update can be read and refused; "
                        + "raise objectBufferSize or lower maxUpdateSize");
            }
            if (objectBufferSize > writeBufferSize) {
                throw new IllegalArgumentException("objectBufferSize (" + objectBufferSize + ") must not exceed "
                        + "writeBufferSize (" + writeBufferSize + "): the largest message must fit the write buffer");
            }
            return new MasterConfig(this);
        }

        private static int positive(String name, int value) {
            if (value <= 0) {
                throw new IllegalArgumentException(name + " must be positive, not " + value);
            }
            return value;
        }

        private static Duration positive(String name, Duration value) {
            Objects.requireNonNull(value, name);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, not " + value);
            }
            return value;
        }

        private static Duration nonNegative(String name, Duration value) {
            Objects.requireNonNull(value, name);
            if (value.isNegative()) {
                throw new IllegalArgumentException(name + " must not be negative, not " + value);
            }
            return value;
        }
    }
}
