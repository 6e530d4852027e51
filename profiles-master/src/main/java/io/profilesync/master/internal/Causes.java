package io.profilesync.master.internal;

import java.util.concurrent.CompletionException;

/** What failed, under the wrappers {@link java.util.concurrent.CompletableFuture} adds. Stateless. */
final class Causes {
    private Causes() {
    }

    /** The cause inside any {@link CompletionException}s; null stays null. */
    static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
