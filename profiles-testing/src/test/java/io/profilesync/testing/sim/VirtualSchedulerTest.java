package io.profilesync.testing.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.profilesync.protocol.internal.EventLoop;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class VirtualSchedulerTest {
    private final VirtualScheduler scheduler = new VirtualScheduler();
    private final List<String> ran = new ArrayList<>();

    @Test
    void tasksRunByTimeThenByInsertionOrderAndTheClockJumps() {
        NodeLoop loop = new NodeLoop(scheduler, "n");
        loop.schedule(30, () -> ran.add("c@" + loop.nanoTime()));
        loop.schedule(10, () -> ran.add("a@" + loop.nanoTime()));
        loop.schedule(10, () -> ran.add("b@" + loop.nanoTime()));
        loop.execute(() -> {
            ran.add("now@" + loop.nanoTime());
            loop.execute(() -> ran.add("queued-behind@" + loop.nanoTime()));
        });
        scheduler.runUntil(100, 1000);
        assertThat(ran).containsExactly("now@0", "queued-behind@0", "a@10", "b@10", "c@30");
        assertThat(scheduler.nanoTime()).isEqualTo(100);
    }

    @Test
    void cancelledTasksAndTasksOfAKilledNodeDoNotRun() {
        NodeLoop survivor = new NodeLoop(scheduler, "survivor");
        NodeLoop victim = new NodeLoop(scheduler, "victim");
        EventLoop.Cancellable cancelled = survivor.schedule(5, () -> ran.add("cancelled"));
        survivor.schedule(5, () -> ran.add("kept"));
        victim.schedule(5, () -> ran.add("victim's timer"));
        cancelled.cancel();
        victim.kill();
        victim.execute(() -> ran.add("after death"));
        assertThat(scheduler.hasLiveTasks()).isTrue();
        scheduler.runUntil(10, 1000);
        assertThat(ran).containsExactly("kept");
        assertThat(scheduler.hasLiveTasks()).isFalse();
    }

    @Test
    void aBusyLoopStopsAtTheTaskBudget() {
        NodeLoop loop = new NodeLoop(scheduler, "n");
        Runnable[] again = new Runnable[1];
        again[0] = () -> loop.execute(again[0]);
        loop.execute(again[0]);
        assertThat(scheduler.runUntil(1_000, 500)).isTrue();
        assertThat(scheduler.tasksRun()).isEqualTo(500);
        assertThat(scheduler.nanoTime()).isZero();
    }
}
