package io.profilesync.master.transport;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the master can still serve: the first failure that left it unable to (a thread it needs ended by an
 * {@link Error}) is kept and logged at ERROR, and {@code /health} reports it as DOWN. A master that cannot read its
 * sockets must say so rather than stay up deaf. Threading: thread-safe.
 */
public final class MasterHealth {
    private static final Logger LOG = LoggerFactory.getLogger(MasterHealth.class);

    private final AtomicReference<String> failure = new AtomicReference<>();

    /** Records that {@code what} failed with {@code error}; the first failure is the one reported. */
    public void fail(String what, Throwable error) {
        String reason = what + ": " + error;
        if (failure.compareAndSet(null, reason)) {
            LOG.error("The master can no longer serve: {}; restart it (it reports DOWN until then)", what, error);
        } else {
            LOG.error("Another failure after the first: {}", what, error);
        }
    }

    /** Why the master can no longer serve, or empty while it can. */
    public Optional<String> failure() {
        return Optional.ofNullable(failure.get());
    }
}
