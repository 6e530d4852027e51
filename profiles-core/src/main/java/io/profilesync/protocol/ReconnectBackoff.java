package io.profilesync.protocol;

import io.profilesync.protocol.internal.Backoff;
import java.time.Duration;

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
        backoff(initialDelay, maxDelay, jitter); // checks every value, with the fix in the message
    }

    /**
     * The delay before attempt {@code attempt} (0 for the first after a drop), {@code random} in [0, 1) spreading it.
     */
    public long delayMillis(int attempt, double random) {
        return backoff(initialDelay, maxDelay, jitter).delayMillis(attempt, random);
    }

    /** The one backoff type of profilesync ({@link Backoff}), doubling. */
    private static Backoff backoff(Duration initialDelay, Duration maxDelay, double jitter) {
        return new Backoff(initialDelay, maxDelay, 2, jitter);
    }
}
