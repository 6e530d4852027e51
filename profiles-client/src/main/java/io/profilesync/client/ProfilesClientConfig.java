package io.profilesync.client;

import io.profilesync.protocol.internal.Checks;
import java.time.Duration;
import io.profilesync.protocol.PeerConfig;

/**
 * How a {@link ProfilesClient} reaches the master and behaves. Immutable and thread-safe; made with
 * {@link #builder()}, which checks every value as it is set. The options are described in {@link PeerConfig}.
 *
 * <pre>{@code
 * ProfilesClientConfig config = ProfilesClientConfig.builder()
 *         .host("profiles.example.com").port(5000).token(loginToken)
 *         .executor(gameLoop::post)
 *         .build();
 * }</pre>
 */
public final class ProfilesClientConfig extends PeerConfig {
    /** The default write buffer: 64 KiB (a client sends small deltas). */
    public static final int DEFAULT_WRITE_BUFFER_SIZE = 64 << 10;
    /** The default object buffer (the largest message, such as the whole profile): 256 KiB. */
    public static final int DEFAULT_OBJECT_BUFFER_SIZE = 256 << 10;

    static final String THREAD_NAME = "profilesync-client";

    private final Duration fetchTimeout;

    private ProfilesClientConfig(Builder builder) {
        super(builder);
        this.fetchTimeout = builder.fetchTimeout;
    }

    /**
     * How long {@link ProfilesClient#fillInProfileValues()} waits for the master's answer before it fails with
     * {@code ProfileUnavailableException}; default 15 s (the master's own load timeout is 10 s).
     */
    public Duration fetchTimeout() {
        return fetchTimeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The token the master authenticates this player with (never logged). */
    public String token() {
        return credential();
    }

    /**
     * Builds a {@link ProfilesClientConfig}: {@link #port(int)} and {@link #token(String)} are required. Defaults:
     * host 127.0.0.1, update interval 100 ms, fetch timeout 15 s, write buffer 64 KiB, object buffer 256 KiB, the
     * client's own daemon thread {@code profilesync-client}. Not thread-safe.
     */
    public static final class Builder extends PeerConfig.Builder<Builder> {
        private Duration fetchTimeout = Duration.ofSeconds(15);

        private Builder() {
            super("token", "set it with .token(...) to the token the login service gave this player",
                    DEFAULT_WRITE_BUFFER_SIZE, DEFAULT_OBJECT_BUFFER_SIZE);
        }

        /** The token the login service gave this player (required). */
        public Builder token(String token) {
            return credential(token);
        }

        /** How long a profile fetch waits for the master (default 15 s). */
        public Builder fetchTimeout(Duration timeout) {
            this.fetchTimeout = Checks.positive("fetchTimeout", timeout,
                    "15 s leaves the master time to retry its database");
            return this;
        }

        /** @throws IllegalStateException when the port or the token is missing (the message says how to set it) */
        public ProfilesClientConfig build() {
            return new ProfilesClientConfig(this);
        }
    }
}
