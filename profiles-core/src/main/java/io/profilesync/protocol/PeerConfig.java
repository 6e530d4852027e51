package io.profilesync.protocol;

import io.profilesync.protocol.internal.Checks;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;

/**
 * What a game server's and a client's configs share: where the master is, the credential, the update interval, the
 * reconnection backoff, KryoNet's buffers and the profile executor. Immutable and thread-safe; made by the
 * subclasses' builders, which check every value as it is set (the message names the parameter, the bad value and
 * the fix).
 */
public abstract class PeerConfig {
    private final String host;
    private final int port;
    private final String credential;
    private final String schemaFingerprint;
    private final Duration updateInterval;
    private final ReconnectBackoff reconnectBackoff;
    private final Duration connectTimeout;
    private final Duration closeTimeout;
    private final int writeBufferSize;
    private final int objectBufferSize;
    private final Executor executor;
    private final URI webSocketUri;
    private final SSLContext sslContext;

    protected PeerConfig(Builder<?> builder) {
        if (builder.port < 0) {
            throw new IllegalStateException("port is required; set it with .port(...) to the master's TCP port");
        }
        if (builder.credential == null) {
            throw new IllegalStateException(builder.credentialName + " is required; " + builder.credentialFix);
        }
        this.host = builder.host;
        this.port = builder.port;
        this.credential = builder.credential;
        this.schemaFingerprint = builder.schemaFingerprint;
        this.updateInterval = builder.updateInterval;
        this.reconnectBackoff = builder.reconnectBackoff;
        this.connectTimeout = builder.connectTimeout;
        this.closeTimeout = builder.closeTimeout;
        this.writeBufferSize = builder.writeBufferSize;
        this.objectBufferSize = builder.objectBufferSize;
        this.executor = builder.executor;
        this.webSocketUri = builder.webSocketUri;
        this.sslContext = builder.sslContext;
    }

    /** The master's WebSocket endpoint when {@link Builder#url} named a {@code ws://} or {@code wss://} one. */
    public Optional<URI> webSocketUri() {
        return Optional.ofNullable(webSocketUri);
    }

    /** The TLS context for {@code wss://}, when one was given (else the JDK's default trust store is used). */
    public Optional<SSLContext> sslContext() {
        return Optional.ofNullable(sslContext);
    }

    /** The master's host name or address. */
    public String host() {
        return host;
    }

    /** The master's TCP port. */
    public int port() {
        return port;
    }

    /** What this peer proves itself with: a game server's shared secret, a client's token. Never logged. */
    public String credential() {
        return credential;
    }

    /** Empty, or the fingerprint of the schema this peer was built for; the master refuses another. */
    public String schemaFingerprint() {
        return schemaFingerprint;
    }

    /** How often local changes go to the master. */
    public Duration updateInterval() {
        return updateInterval;
    }

    public ReconnectBackoff reconnectBackoff() {
        return reconnectBackoff;
    }

    /** How long one connection attempt, and then the handshake, may take. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** How long {@code close()} waits for the master to acknowledge the last changes. */
    public Duration closeTimeout() {
        return closeTimeout;
    }

    public int writeBufferSize() {
        return writeBufferSize;
    }

    public int objectBufferSize() {
        return objectBufferSize;
    }

    /** The executor on which profiles are touched and listeners run, if one was given. */
    public Optional<Executor> executor() {
        return Optional.ofNullable(executor);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + (webSocketUri != null ? webSocketUri : host + ":" + port)
                + ", updateInterval=" + updateInterval
                + ", writeBufferSize=" + writeBufferSize + ", objectBufferSize=" + objectBufferSize + "]";
    }

    /**
     * The options every peer's builder has. Not thread-safe.
     *
     * @param <B> the concrete builder, returned by every setter
     */
    public abstract static class Builder<B extends Builder<B>> {
        private final String credentialName;
        private final String credentialFix;
        private String host = "127.0.0.1";
        private int port = -1;
        private String credential;
        private String schemaFingerprint = "";
        private Duration updateInterval = Duration.ofMillis(100);
        private ReconnectBackoff reconnectBackoff = ReconnectBackoff.DEFAULT;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration closeTimeout = Duration.ofSeconds(2);
        private int writeBufferSize;
        private int objectBufferSize;
        private Executor executor;
        private URI webSocketUri;
        private SSLContext sslContext;

        protected Builder(String credentialName, String credentialFix, int writeBufferSize, int objectBufferSize) {
            this.credentialName = credentialName;
            this.credentialFix = credentialFix;
            this.writeBufferSize = writeBufferSize;
            this.objectBufferSize = objectBufferSize;
        }

        @SuppressWarnings("unchecked")
        private B self() {
            return (B) this;
        }

        /** Sets the credential; the subclass names the setter ({@code secret}, {@code token}). */
        protected final B credential(String value) {
            this.credential = Checks.secret(credentialName, value, credentialFix);
            return self();
        }

        /**
         * Where the master is, and over what: {@code tcp://host:port} (KryoNet TCP, as {@link #host} and
         * {@link #port}), {@code ws://host:port/profilesync} or {@code wss://host:port/profilesync} (its WebSocket
         * endpoint; the port defaults to 80 and 443). Through a TLS-terminating proxy use its {@code wss://} URL.
         *
         * @throws IllegalArgumentException naming the URL and the forms allowed
         */
        public final B url(String value) {
            Objects.requireNonNull(value, "url");
            URI uri;
            try {
                uri = new URI(value);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("url '" + value + "' is not a URL: " + e.getMessage());
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
            if (uri.getHost() == null || !(scheme.equals("tcp") || scheme.equals("ws") || scheme.equals("wss"))) {
                throw new IllegalArgumentException("url '" + value + "' must be tcp://host:port, "
                        + "ws://host:port/path or wss://host:port/path");
            }
            int defaultPort = scheme.equals("ws") ? 80 : scheme.equals("wss") ? 443 : -1;
            int urlPort = uri.getPort() == -1 ? defaultPort : uri.getPort();
            if (urlPort == -1) {
                throw new IllegalArgumentException("url '" + value + "' needs the master's TCP port: tcp://host:5000");
            }
            this.host = Checks.host(uri.getHost());
            this.port = Checks.port(urlPort);
            this.webSocketUri = scheme.equals("tcp") ? null : uri;
            return self();
        }

        /** The TLS context for {@code wss://} (to trust a private certificate authority); default: the JDK's. */
        public final B sslContext(SSLContext value) {
            this.sslContext = Objects.requireNonNull(value, "sslContext");
            return self();
        }

        /** The master's host name or address; default {@code 127.0.0.1}. */
        public final B host(String value) {
            this.host = Checks.host(value);
            return self();
        }

        /** The master's TCP port (required). */
        public final B port(int value) {
            this.port = Checks.port(value);
            return self();
        }

        /** The fingerprint of the schema this peer expects ({@code ProfileSchema.fingerprint()}); optional. */
        public final B schemaFingerprint(String value) {
            this.schemaFingerprint = Objects.requireNonNull(value, "schemaFingerprint");
            return self();
        }

        /**
         * How often local changes go to the master; default 100 ms (MST's). Ticks keep a fixed rate: each is due one
         * interval after the last was due, and ticks the profile thread missed whole are skipped, not run in a burst.
         */
        public final B updateInterval(Duration value) {
            this.updateInterval = Checks.positive("updateInterval", value, "100 ms is MST's interval");
            return self();
        }

        /** The delays between reconnection attempts; default {@link ReconnectBackoff#DEFAULT}. */
        public final B reconnectBackoff(ReconnectBackoff value) {
            this.reconnectBackoff = Objects.requireNonNull(value, "reconnectBackoff");
            return self();
        }

        /** How long one connection attempt, and then the handshake, may take; default 5 s. */
        public final B connectTimeout(Duration value) {
            Checks.positive("connectTimeout", value, "5 s suits most networks");
            if (value.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("connectTimeout " + value + " is too long; use a few seconds");
            }
            this.connectTimeout = value;
            return self();
        }

        /** How long {@code close()} waits for the master to acknowledge the last changes; default 2 s. */
        public final B closeTimeout(Duration value) {
            this.closeTimeout = Checks.positive("closeTimeout", value, "2 s is usually enough for the last acks");
            return self();
        }

        /** KryoNet's write buffer, in bytes (at least 4096). Ticks wait while it is more than half full. */
        public final B writeBufferSize(int bytes) {
            this.writeBufferSize = Checks.bufferSize("writeBufferSize", bytes, 4096);
            return self();
        }

        /**
         * The largest message, in bytes (at least 2048). Keep it equal to the master's: a larger profile cannot be
         * received, and outgoing batches are split to stay 1 KiB below it (and below half the write buffer).
         */
        public final B objectBufferSize(int bytes) {
            this.objectBufferSize = Checks.bufferSize("objectBufferSize", bytes, 2048);
            return self();
        }

        /**
         * The executor on which profiles are changed, pushes applied and listeners called (a game loop's, for
         * instance); default: the peer's own daemon thread. It must run tasks one at a time, in order.
         */
        public final B executor(Executor value) {
            this.executor = Objects.requireNonNull(value, "executor");
            return self();
        }
    }
}
