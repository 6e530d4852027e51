package io.profilesync.master;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.profilesync.master.hooks.MasterPlugin;
import java.time.Duration;
import java.util.ArrayList;
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
    private final int unauthenticatedFrameLimit;
    private final int maxUnauthenticatedConnections;
    private final int maxUnauthenticatedConnectionsPerAddress;
    private final int clientRequestsPerSecond;
    private final int clientDecodeBytesPerSecond;
    private final int gameServerRequestsPerSecond;
    private final int gameServerDecodeBytesPerSecond;
    private final int maxQueuedBytesPerPeer;
    private final int saveBatchSize;
    private final Duration saveRetryMaxDelay;
    private final Duration shutdownTimeout;
    private final Duration appliedBatchesRetention;
    private final List<String> gameServerSecrets;
    private final String tokenSecret;
    private final ClientAuthenticator clientAuthenticator;
    private final MeterRegistry meterRegistry;
    private final WebSocketConfig webSocket;
    private final boolean refusePlaintextSecrets;
    private final List<MasterPlugin> plugins;
    private final Duration hookWarnAfter;

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
        unauthenticatedFrameLimit = b.unauthenticatedFrameLimit;
        maxUnauthenticatedConnections = b.maxUnauthenticatedConnections;
        maxUnauthenticatedConnectionsPerAddress = b.maxUnauthenticatedConnectionsPerAddress;
        clientRequestsPerSecond = b.clientRequestsPerSecond;
        clientDecodeBytesPerSecond = b.clientDecodeBytesPerSecond;
        gameServerRequestsPerSecond = b.gameServerRequestsPerSecond;
        gameServerDecodeBytesPerSecond = b.gameServerDecodeBytesPerSecond;
        maxQueuedBytesPerPeer = b.maxQueuedBytesPerPeer;
        saveBatchSize = b.saveBatchSize;
        saveRetryMaxDelay = b.saveRetryMaxDelay;
        shutdownTimeout = b.shutdownTimeout;
        appliedBatchesRetention = b.appliedBatchesRetention;
        gameServerSecrets = List.copyOf(b.gameServerSecrets);
        tokenSecret = b.tokenSecret;
        clientAuthenticator = b.clientAuthenticator;
        meterRegistry = b.meterRegistry != null ? b.meterRegistry : new SimpleMeterRegistry();
        webSocket = b.webSocket;
        refusePlaintextSecrets = b.refusePlaintextSecrets;
        plugins = List.copyOf(b.plugins);
        hookWarnAfter = b.hookWarnAfter;
    }

    /** The plugins that register game logic when the master starts, in order ({@link MasterPlugin}). */
    public List<MasterPlugin> plugins() {
        return plugins;
    }

    /**
     * A hook (listener, validator, reaction) that runs longer than this is logged and counted as slow (default
     * 50 ms): the profile thread waits for it, so every player waits.
     */
    public Duration hookWarnAfter() {
        return hookWarnAfter;
    }

    /**
     * Whether a game server that sends its secret in the Hello (not answering a challenge) is refused; profilesync's
     * own game servers never send it.
     */
    public boolean refusePlaintextSecrets() {
        return refusePlaintextSecrets;
    }

    /** The WebSocket endpoint, when it is on (off by default). */
    public java.util.Optional<WebSocketConfig> webSocket() {
        return java.util.Optional.ofNullable(webSocket);
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

    /**
     * The most bytes queued towards one connection; default 256 KiB. A client's connection holds a queue only while
     * its socket is behind (docs/master.md, Connection memory); a game server's keeps one this large once needed.
     */
    public int writeBufferSize() {
        return writeBufferSize;
    }

    /**
     * The largest message, in bytes, read or written; default 128 KiB. A client's connection holds a read buffer only
     * while a message is being read, as large as that message; a game server's keeps one this large once needed.
     */
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

    /**
     * The largest frame, in bytes, the master reads from a connection before it has authenticated; a larger length
     * prefix closes the connection before its bytes are read. Default 4 KiB (a Hello with a 2 KiB token fits).
     */
    public int unauthenticatedFrameLimit() {
        return unauthenticatedFrameLimit;
    }

    /**
     * How many connections may wait to authenticate at once; one more is refused (OVERLOADED) and closed at once.
     * Default 1,000: each holds what it sent (at most {@link #unauthenticatedFrameLimit()} being read) and what it
     * has not read of the master's answers, for up to {@link #authenticationTimeout()}.
     */
    public int maxUnauthenticatedConnections() {
        return maxUnauthenticatedConnections;
    }

    /**
     * How many connections from one IP address may wait to authenticate at once. Default 32 (players behind one
     * NAT connect at once rarely more than a few at a time; the wait lasts one handshake).
     */
    public int maxUnauthenticatedConnectionsPerAddress() {
        return maxUnauthenticatedConnectionsPerAddress;
    }

    /**
     * How many requests (updates, profile requests) one client may send a second, with bursts of twice that; one
     * more is refused with {@code OVERLOADED} and the client disconnected. Default 100 (a client batches its changes
     * and sends a few a second).
     */
    public int clientRequestsPerSecond() {
        return clientRequestsPerSecond;
    }

    /** Bytes of delta one client may send a second to be decoded, bursts of twice that; default 1 MiB. */
    public int clientDecodeBytesPerSecond() {
        return clientDecodeBytesPerSecond;
    }

    /** Requests (batches, acquires) one game server may send a second, bursts of twice that; default 10,000. */
    public int gameServerRequestsPerSecond() {
        return gameServerRequestsPerSecond;
    }

    /** Bytes of delta one game server may send a second, bursts of twice that; default 64 MiB. */
    public int gameServerDecodeBytesPerSecond() {
        return gameServerDecodeBytesPerSecond;
    }

    /**
     * Bytes of messages the master keeps for one peer that does not read them as fast as they come (beyond its
     * write buffer); past that the peer is disconnected. Default 8 MiB.
     */
    public int maxQueuedBytesPerPeer() {
        return maxQueuedBytesPerPeer;
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
        private int unauthenticatedFrameLimit = 4 * 1024;
        private int maxUnauthenticatedConnections = 1000;
        private int maxUnauthenticatedConnectionsPerAddress = 32;
        private int clientRequestsPerSecond = 100;
        private int clientDecodeBytesPerSecond = 1024 * 1024;
        private int gameServerRequestsPerSecond = 10_000;
        private int gameServerDecodeBytesPerSecond = 64 * 1024 * 1024;
        private int maxQueuedBytesPerPeer = 8 * 1024 * 1024;
        private int saveBatchSize = 1000;
        private Duration saveRetryMaxDelay = Duration.ofSeconds(30);
        private Duration shutdownTimeout = Duration.ofSeconds(30);
        private Duration appliedBatchesRetention = Duration.ofHours(24);
        private List<String> gameServerSecrets = List.of();
        private String tokenSecret;
        private ClientAuthenticator clientAuthenticator;
        private MeterRegistry meterRegistry;
        private WebSocketConfig webSocket;
        private boolean refusePlaintextSecrets;
        private final List<MasterPlugin> plugins = new ArrayList<>();
        private Duration hookWarnAfter = Duration.ofMillis(50);

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

        /**
         * Per connection: the most queued towards it. Allocated on demand for clients (none while idle), kept at
         * this size by game servers, so memory is about (write + object) × game servers.
         */
        public Builder writeBufferSize(int value) {
            writeBufferSize = positive("writeBufferSize", value);
            return this;
        }

        public Builder objectBufferSize(int value) {
            objectBufferSize = positive("objectBufferSize", value);
            return this;
        }

        /**
         * MST accepts 1 MiB; the default here is 64 KiB because every game server's connection holds an object buffer
         * able to read the largest message (a client's while it reads one), and an update this large is almost always
         * a bug. It must stay below objectBufferSize so an oversized update can still be read, refused, and the
         * stream go on.
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

        /**
         * Changes are pushed to a client at most this often (default 1 s; 0: at once, like game servers). The period
         * is steady: it counts from 10 ms (at most a quarter of it) after the change that opened it, so a game
         * server ticking at a divisor of it is heard just after each of its batches (docs/master.md, "Pushing").
         */
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

        /** See {@link MasterConfig#unauthenticatedFrameLimit()}; at least 256 bytes, at most objectBufferSize. */
        public Builder unauthenticatedFrameLimit(int value) {
            if (value < 256) {
                throw new IllegalArgumentException("unauthenticatedFrameLimit must be at least 256 bytes (a Hello "
                        + "must fit), not " + value);
            }
            unauthenticatedFrameLimit = value;
            return this;
        }

        /** See {@link MasterConfig#maxUnauthenticatedConnections()}. */
        public Builder maxUnauthenticatedConnections(int value) {
            maxUnauthenticatedConnections = positive("maxUnauthenticatedConnections", value);
            return this;
        }

        /** See {@link MasterConfig#maxUnauthenticatedConnectionsPerAddress()}. */
        public Builder maxUnauthenticatedConnectionsPerAddress(int value) {
            maxUnauthenticatedConnectionsPerAddress = positive("maxUnauthenticatedConnectionsPerAddress", value);
            return this;
        }

        /** See {@link MasterConfig#clientRequestsPerSecond()}. */
        public Builder clientRequestsPerSecond(int value) {
            clientRequestsPerSecond = positive("clientRequestsPerSecond", value);
            return this;
        }

        /** See {@link MasterConfig#clientDecodeBytesPerSecond()}; at least maxUpdateSize. */
        public Builder clientDecodeBytesPerSecond(int value) {
            clientDecodeBytesPerSecond = positive("clientDecodeBytesPerSecond", value);
            return this;
        }

        /** See {@link MasterConfig#gameServerRequestsPerSecond()}. */
        public Builder gameServerRequestsPerSecond(int value) {
            gameServerRequestsPerSecond = positive("gameServerRequestsPerSecond", value);
            return this;
        }

        /** See {@link MasterConfig#gameServerDecodeBytesPerSecond()}; at least maxUpdateSize. */
        public Builder gameServerDecodeBytesPerSecond(int value) {
            gameServerDecodeBytesPerSecond = positive("gameServerDecodeBytesPerSecond", value);
            return this;
        }

        /** See {@link MasterConfig#maxQueuedBytesPerPeer()}; at least objectBufferSize. */
        public Builder maxQueuedBytesPerPeer(int value) {
            maxQueuedBytesPerPeer = positive("maxQueuedBytesPerPeer", value);
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
        /** Refuse game servers that send their secret in plaintext instead of answering the challenge. */
        public Builder refusePlaintextSecrets(boolean value) {
            refusePlaintextSecrets = value;
            return this;
        }

        /** Also serve the protocol over WebSocket (browsers, WebGL builds, any language); off by default. */
        public Builder webSocket(WebSocketConfig value) {
            webSocket = Objects.requireNonNull(value, "webSocket");
            return this;
        }

        public Builder meterRegistry(MeterRegistry value) {
            meterRegistry = value;
            return this;
        }

        /** Adds a plugin whose {@link MasterPlugin#register} runs when the master starts, after those added before. */
        public Builder plugin(MasterPlugin value) {
            plugins.add(Objects.requireNonNull(value, "plugin"));
            return this;
        }

        /** See {@link MasterConfig#hookWarnAfter()}; more than zero. */
        public Builder hookWarnAfter(Duration value) {
            hookWarnAfter = positive("hookWarnAfter", value);
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
            if (unauthenticatedFrameLimit > objectBufferSize) {
                throw new IllegalArgumentException("unauthenticatedFrameLimit (" + unauthenticatedFrameLimit
                        + ") must not exceed objectBufferSize (" + objectBufferSize + "); lower it");
            }
            atLeastMaxUpdateSize("clientDecodeBytesPerSecond", clientDecodeBytesPerSecond);
            atLeastMaxUpdateSize("gameServerDecodeBytesPerSecond", gameServerDecodeBytesPerSecond);
            if (maxQueuedBytesPerPeer < objectBufferSize) {
                throw new IllegalArgumentException("maxQueuedBytesPerPeer (" + maxQueuedBytesPerPeer + ") must be at "
                        + "least objectBufferSize (" + objectBufferSize + "), or one whole profile could not wait; "
                        + "raise it");
            }
            if (maxUnauthenticatedConnectionsPerAddress > maxUnauthenticatedConnections) {
                throw new IllegalArgumentException("maxUnauthenticatedConnectionsPerAddress ("
                        + maxUnauthenticatedConnectionsPerAddress + ") must not exceed maxUnauthenticatedConnections ("
                        + maxUnauthenticatedConnections + "); lower the first or raise the second");
            }
            return new MasterConfig(this);
        }

        private void atLeastMaxUpdateSize(String name, int value) {
            if (value < maxUpdateSize) {
                throw new IllegalArgumentException(name + " (" + value + ") must be at least maxUpdateSize ("
                        + maxUpdateSize + "), or the largest update could never be taken; raise it");
            }
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
