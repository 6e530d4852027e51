package io.profilesync.protocol;

import java.time.Duration;
import java.util.Objects;

/**
 * How long a game server or client waits before each attempt to reconnect: {@code initialDelay}, doubling after
 * each failed attempt up to {@code maxDelay}, each delay spread by ± {@code jitter} (a fraction, 0 to 1) so peers
 * that lost the master together do not come back together. Immutable and thread-safe.
 *
 * @param initialDelay the delay before the first attempt after a drop (positive)
 * @param maxDelay the longest delay ({@code >= initialDelay})
 * @param jitter the random spread of each delay, 0 (none) to 1 (anything from 0 to twice the delay)
 */
public record ReconnectBackoff(Duration initialDelay, Duration maxDelay, double jitter) {
    /** 0.2 s doubling to 5 s, ± 20 %. */
    public static final ReconnectBackoff DEFAULT =
            new ReconnectBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2);

    public ReconnectBackoff {
        Objects.requireNonNull(initialDelay, "initialDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        if (initialDelay.isNegative() || initialDelay.isZero()) {
            throw new IllegalArgumentException("initialDelay must be positive, was " + initialDelay
                    + "; 200 ms is a sensible start");
        }
        if (maxDelay.compareTo(initialDelay) < 0) {
            throw new IllegalArgumentException("maxDelay " + maxDelay + " is shorter than initialDelay "
                    + initialDelay + "; make it at least as long");
        }
        if (!(jitter >= 0 && jitter <= 1)) {
            throw new IllegalArgumentException("jitter must be between 0 and 1, was " + jitter);
        }
    }

    /**
     * The delay before attempt {@code attempt} (0 for the first after a drop), {@code random} in [0, 1) spreading it.
     */
    public long delayMillis(int attempt, double random) {
        long base = initialDelay.toMillis();
        long max = maxDelay.toMillis();
        long delay = base;
        for (int i = 0; i < attempt && delay < max; i++) {
            delay *= 2;
        }
        delay = Math.min(delay, max);
        double spread = 1 + jitter * (2 * random - 1);
        return Math.max(1, Math.round(delay * spread));
    }
}
