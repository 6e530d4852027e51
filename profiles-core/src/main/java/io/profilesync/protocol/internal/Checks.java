package io.profilesync.protocol.internal;

import java.time.Duration;
import java.util.Objects;

/**
 * Argument checks for the tiers' config builders: each message names the parameter, the bad value and the fix.
 * Stateless; thread-safe.
 */
public final class Checks {
    private Checks() {
    }

    public static String host(String host) {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank; give the master's host name or address, "
                    + "such as \"127.0.0.1\"");
        }
        return host;
    }

    public static int port(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1 to 65535, was " + port
                    + "; give the master's TCP port");
        }
        return port;
    }

    public static String secret(String name, String value, String fix) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(name + " is required; " + fix);
        }
        return value;
    }

    public static Duration positive(String name, Duration value, String example) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + value + "; " + example);
        }
        return value;
    }

    public static int bufferSize(String name, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be at least " + min + " bytes, was " + value);
        }
        return value;
    }
}
