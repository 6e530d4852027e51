package io.profilesync.master;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The master's WebSocket endpoint (off unless {@link MasterConfig.Builder#webSocket} gives one): where it listens,
 * its limits and TLS. Browsers, WebGL builds and clients in any language reach the master through it with the same
 * messages as over KryoNet TCP (docs/protocol.md, "WebSocket framing"). Immutable and thread-safe.
 *
 * @param host the interface to bind ({@code 127.0.0.1} by default: see docs/configuration.md)
 * @param port the port, 0 for any free one
 * @param path the path of the WebSocket upgrade, such as {@code /profilesync}
 * @param maxFrameSize the largest message (a frame's payload, or the fragments of one message together) accepted
 *     from a welcomed peer, in bytes, from {@value #MIN_FRAME_SIZE} to {@value #MAX_FRAME_SIZE}; larger ones close
 *     the connection (1009). It bounds what Netty's decoder and aggregator gather of one message; before its Welcome
 *     a peer is held to the master's {@code unauthenticatedFrameLimit} instead
 * @param writeBufferSize bytes queued towards one peer above which {@code trySend} answers false (back-pressure)
 * @param certificate a PEM certificate chain for TLS ({@code wss://}), or null for plain {@code ws://}
 * @param privateKey the PEM (PKCS#8) private key of {@code certificate}, or null
 * @param idleTimeout a peer silent this long is dropped; pings go out at a third of it so live peers never are
 * @param pages whether the browser demo page is served on {@code /}
 */
public record WebSocketConfig(String host, int port, String path, int maxFrameSize, int writeBufferSize,
        Path certificate, Path privateKey, Duration idleTimeout, boolean pages) {
    /** Loopback by default: a fresh master's WebSocket endpoint is reachable from this machine only. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** The default port, beside the KryoNet default of 5000. */
    public static final int DEFAULT_PORT = 5080;
    /** The smallest {@code maxFrameSize}: room for a Hello. */
    public static final int MIN_FRAME_SIZE = 256;
    /** The largest {@code maxFrameSize}, 1 GiB, as for every size setting. */
    public static final int MAX_FRAME_SIZE = 1 << 30;

    public WebSocketConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path must start with /, not " + path);
        }
        if (maxFrameSize < MIN_FRAME_SIZE || maxFrameSize > MAX_FRAME_SIZE) {
            throw new IllegalArgumentException("maxFrameSize must be from " + MIN_FRAME_SIZE + " bytes to 1 GiB ("
                    + MAX_FRAME_SIZE + "), not " + maxFrameSize + ": it bounds what is gathered of one message");
        }
        if (writeBufferSize < 1) {
            throw new IllegalArgumentException("writeBufferSize must be at least 1 byte, not " + writeBufferSize);
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idleTimeout must be more than 0, not " + idleTimeout);
        }
        if ((certificate == null) != (privateKey == null)) {
            throw new IllegalArgumentException("TLS needs both a certificate and a private key (PEM files), not one");
        }
    }

    /** Plain ws:// on {@code host:port} at {@code /profilesync}, with the master's default buffer sizes. */
    public static WebSocketConfig plain(String host, int port) {
        return new WebSocketConfig(host, port, "/profilesync", 128 * 1024, 256 * 1024, null, null,
                Duration.ofSeconds(30), true);
    }

    /** The same with TLS from these PEM files. */
    public WebSocketConfig withTls(Path certificateFile, Path privateKeyFile) {
        return new WebSocketConfig(host, port, path, maxFrameSize, writeBufferSize,
                Objects.requireNonNull(certificateFile, "certificateFile"),
                Objects.requireNonNull(privateKeyFile, "privateKeyFile"), idleTimeout, pages);
    }

    public boolean tls() {
        return certificate != null;
    }
}
