package io.profilesync.protocol;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/** Test helper: runs code on a tier's profile executor and waits (10 s at most) for its result. */
public final class OnExecutor {
    private OnExecutor() {
    }

    public static <T> T call(Executor executor, Callable<T> call) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        executor.execute(() -> {
            try {
                result.complete(call.call());
            } catch (Exception e) {
                result.completeExceptionally(e);
            }
        });
        return result.get(10, TimeUnit.SECONDS);
    }
}
