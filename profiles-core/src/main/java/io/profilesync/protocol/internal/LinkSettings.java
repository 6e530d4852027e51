package io.profilesync.protocol.internal;

import io.profilesync.protocol.internal.Messages.Role;
import io.profilesync.protocol.PeerConfig;
import io.profilesync.protocol.ReconnectBackoff;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * What a {@link Link} needs, taken from a tier's public config (which has checked every value). Immutable.
 *
 * @param executor the profile executor, or null for the link's own single daemon thread named {@code threadName}
 */
public record LinkSettings(String host, int port, Role role, String credential, String schemaFingerprint,
        Duration updateInterval, ReconnectBackoff backoff, Duration connectTimeout, int writeBufferSize,
        int objectBufferSize, Executor executor, String threadName) {
    /** Room kept free in every message for the frame and the message's own fields. */
    public static final int MESSAGE_HEADROOM = 1024;

    public LinkSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(credential, "credential");
        Objects.requireNonNull(schemaFingerprint, "schemaFingerprint");
        Objects.requireNonNull(updateInterval, "updateInterval");
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(threadName, "threadName");
    }

    /** The settings of {@code config} for a peer of {@code role}, whose own thread is named {@code threadName}. */
    public static LinkSettings of(PeerConfig config, Role role, String threadName) {
        return new LinkSettings(config.host(), config.port(), role, config.credential(), config.schemaFingerprint(),
                config.updateInterval(), config.reconnectBackoff(), config.connectTimeout(),
                config.writeBufferSize(), config.objectBufferSize(), config.executor().orElse(null), threadName);
    }

    /**
     * The largest message this peer sends: the object buffer (the master reads with one of the same default size)
     * or half the write buffer (a tick writes only while it is at most half full), whichever is smaller, less
     * {@link #MESSAGE_HEADROOM}.
     */
    public int maxMessageSize() {
        return Math.min(objectBufferSize, writeBufferSize / 2) - MESSAGE_HEADROOM;
    }
}
