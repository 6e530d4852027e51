package io.profilesync.master.transport;

/**
 * A token bucket: {@code ratePerSecond} tokens a second, at most {@code capacity} saved up; {@link #tryTake} takes
 * some if there are enough. The time comes in as nanoseconds (any monotonic origin), so tests drive it.
 * Not thread-safe: one owner thread.
 */
public final class TokenBucket {
    private final double ratePerNano;
    private final double capacity;
    private double tokens;
    private long lastNanos;

    /**
     * @param ratePerSecond tokens added per second, more than 0
     * @param capacity the most tokens held, at least 1; a full bucket at the start
     * @param nowNanos the time now
     */
    public TokenBucket(double ratePerSecond, double capacity, long nowNanos) {
        if (!(ratePerSecond > 0) || !(capacity >= 1)) {
            throw new IllegalArgumentException("a token bucket needs a rate above 0 and a capacity of at least 1, not "
                    + ratePerSecond + "/s and " + capacity);
        }
        this.ratePerNano = ratePerSecond / 1e9;
        this.capacity = capacity;
        this.tokens = capacity;
        this.lastNanos = nowNanos;
    }

    /** Takes {@code amount} tokens if there are that many now; otherwise takes none. */
    public boolean tryTake(double amount, long nowNanos) {
        long elapsed = nowNanos - lastNanos;
        if (elapsed > 0) {
            tokens = Math.min(capacity, tokens + elapsed * ratePerNano);
            lastNanos = nowNanos;
        }
        if (tokens < amount) {
            return false;
        }
        tokens -= amount;
        return true;
    }
}
