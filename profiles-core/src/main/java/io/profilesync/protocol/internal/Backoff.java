package io.profilesync.protocol.internal;

import java.time.Duration;
import java.util.Objects;

/**
 * How long to wait before the next attempt of something that failed: {@code initialDelay}, multiplied by
 * {@code multiplier} after each failed attempt up to {@code maxDelay}, each delay spread by ± {@code jitter} (a
 * fraction, 0 to 1). One type serves the master's load and save retries and the peers' reconnects
 * ({@link io.profilesync.protocol.ReconnectBackoff} is its public face for reconnects). Immutable and thread-safe.
 *
 * <p>The random number is passed in rather than drawn here, so protocol logic under simulation stays a function of
 * its seed; with {@code jitter} 0 it is not used at all.
 *
 * @param initialDelay the delay before the first retry (positive)
 * @param maxDelay the longest delay ({@code >= initialDelay})
 * @param multiplier how much longer each next delay is (2 doubles, 1 keeps it constant)
 * @param jitter the random spread of each delay, 0 (none) to 1 (anything from 0 to twice the delay)
 */
public record Backoff(Duration initialDelay, Duration maxDelay, int multiplier, double jitter) {
    public Backoff {
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
        if (multiplier < 1) {
            throw new IllegalArgumentException("multiplier must be 1 or more, was " + multiplier
                    + "; 2 doubles each delay");
        }
        if (!(jitter >= 0 && jitter <= 1)) {
            throw new IllegalArgumentException("jitter must be between 0 and 1, was " + jitter);
        }
    }

    /** A backoff without jitter: the same delays every time. */
    public static Backoff exponential(Duration initialDelay, Duration maxDelay, int multiplier) {
        return new Backoff(initialDelay, maxDelay, multiplier, 0);
    }

    /** The delay in nanoseconds before retry {@code attempt} (0 for the first), {@code random} in [0, 1). */
    public long delayNanos(int attempt, double random) {
        return delay(initialDelay.toNanos(), maxDelay.toNanos(), attempt, random);
    }

    /** As {@link #delayNanos}, in whole milliseconds (at least 1). */
    public long delayMillis(int attempt, double random) {
        return delay(initialDelay.toMillis(), maxDelay.toMillis(), attempt, random);
    }

    private long delay(long base, long max, int attempt, double random) {
        long delay = base;
        for (int i = 0; i < attempt && delay < max; i++) {
            delay = delay > max / multiplier ? max : delay * multiplier;
        }
        delay = Math.min(delay, max);
        if (jitter == 0) {
            return Math.max(1, delay);
        }
        double spread = 1 + jitter * (2 * random - 1);
        return Math.max(1, Math.round(delay * spread));
    }
}
