package io.profilesync.protocol.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ExecutorEventLoopTest {
    @Test
    void itKnowsItsOwnThreadAndGoesOnAfterATaskThrows() throws Exception {
        ExecutorEventLoop loop = ExecutorEventLoop.singleThread("loop-under-test");
        try {
            assertThat(loop.inLoop()).as("the test thread").isFalse();
            loop.execute(() -> {
                throw new IllegalStateException("thrown on purpose by the test");
            });
            CompletableFuture<String> onLoop = new CompletableFuture<>();
            loop.schedule(1_000_000, () -> onLoop.complete(loop.inLoop() + " " + Thread.currentThread().getName()));
            assertThat(onLoop.get(10, TimeUnit.SECONDS)).isEqualTo("true loop-under-test");
        } finally {
            loop.executor().shutdownNow();
        }
    }

    @Test
    void aCancelledTimerNeverRuns() throws Exception {
        ExecutorEventLoop loop = ExecutorEventLoop.singleThread("loop-under-test");
        try {
            CompletableFuture<Boolean> ran = new CompletableFuture<>();
            EventLoop.Cancellable timer = loop.schedule(50_000_000, () -> ran.complete(true));
            timer.cancel();
            CompletableFuture<Boolean> later = new CompletableFuture<>();
            loop.schedule(100_000_000, () -> later.complete(ran.isDone()));
            assertThat(later.get(10, TimeUnit.SECONDS)).isFalse();
        } finally {
            loop.executor().shutdownNow();
        }
    }

    @Test
    void shuttingDownDropsTheTimersStillWaiting() throws Exception {
        ExecutorEventLoop loop = ExecutorEventLoop.singleThread("loop-under-test");
        AtomicBoolean ran = new AtomicBoolean();
        loop.schedule(TimeUnit.SECONDS.toNanos(3), () -> ran.set(true));

        loop.executor().shutdown();

        // A master's close shuts its loop down with unload and save timers pending: it must not wait for them.
        assertThat(loop.executor().awaitTermination(1, TimeUnit.SECONDS)).as("terminated at once").isTrue();
        assertThat(ran).isFalse();
    }
}
