package io.profilesync.gameserver;

import io.profilesync.protocol.PeerConfig;
import io.profilesync.protocol.internal.Checks;
import java.time.Duration;

/**
 * How a {@link ProfilesServer} reaches the master and behaves. Immutable and thread-safe; made with
 * {@link #builder()}, which checks every value as it is set. The shared options are described in {@link PeerConfig}.
 *
 * <pre>{@code
 * ProfilesServerConfig config = ProfilesServerConfig.builder()
 *         .host("master.internal").port(5000).secret(System.getenv("PROFILES_SECRET"))
 *         .build();
 * }</pre>
 */
public final class ProfilesServerConfig extends PeerConfig {
    /** The default write buffer: 1 MiB. */
    public static final int DEFAULT_WRITE_BUFFER_SIZE = 1 << 20;
    /** The default object buffer (the largest message): 256 KiB. */
    public static final int DEFAULT_OBJECT_BUFFER_SIZE = 256 << 10;

    static final String THREAD_NAME = "profilesync-gameserver";

    private final Duration acquireTimeout;

    private ProfilesServerConfig(Builder builder) {
        super(builder);
        this.acquireTimeout = builder.acquireTimeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The game-server secret the master checks (never logged). */
    public String secret() {
        return credential();
    }

    /** How long {@link ProfilesServer#fillProfileValues} waits for the master. */
    public Duration acquireTimeout() {
        return acquireTimeout;
    }

    /**
     * Builds a {@link ProfilesServerConfig}: {@link #port(int)} and {@link #secret(String)} are required. Defaults:
     * host 127.0.0.1, update interval 100 ms, acquire timeout 15 s, write buffer 1 MiB, object buffer 256 KiB, the
     * server's own daemon thread {@code profilesync-gameserver}. Not thread-safe.
     */
    public static final class Builder extends PeerConfig.Builder<Builder> {
        private Duration acquireTimeout = Duration.ofSeconds(15);

        private Builder() {
            super("secret", "set it with .secret(...) to the game-server secret the master is configured with",
                    DEFAULT_WRITE_BUFFER_SIZE, DEFAULT_OBJECT_BUFFER_SIZE);
        }

        /** The game-server secret the master is configured with (required). */
        public Builder secret(String secret) {
            return credential(secret);
        }

        /** How long {@link ProfilesServer#fillProfileValues} waits for the master; default 15 s. */
        public Builder acquireTimeout(Duration timeout) {
            this.acquireTimeout = Checks.positive("acquireTimeout", timeout,
                    "15 s leaves the master time to retry its database");
            return this;
        }

        /** @throws IllegalStateException when the port or the secret is missing (the message says how to set it) */
        public ProfilesServerConfig build() {
            return new ProfilesServerConfig(this);
        }
    }
}
