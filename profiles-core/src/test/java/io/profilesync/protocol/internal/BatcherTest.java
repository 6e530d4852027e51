package io.profilesync.protocol.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BatcherTest {
    private final AtomicLong seqs = new AtomicLong(1);
    private final List<String> sent = new ArrayList<>();

    private Batcher<String> batcher(int maxMessageSize) {
        return new Batcher<>(maxMessageSize, seqs::getAndIncrement, (seq, entries) -> sent.add(seq + ":" + entries));
    }

    @Test
    void entriesShareOneBatchWhileTheyFit() {
        Batcher<String> batcher = batcher(1000);
        batcher.add(100, seq -> "a" + seq);
        batcher.add(100, seq -> "b" + seq);
        batcher.finish();

        assertThat(sent).containsExactly("1:[a1, b1]");
    }

    @Test
    void aFullBatchIsSentAndTheNextTakesTheNextNumber() {
        Batcher<String> batcher = batcher(32 + 3 * (20 + 100));
        for (String name : List.of("a", "b", "c", "d", "e")) {
            batcher.add(100, seq -> name + seq);
        }
        batcher.finish();

        assertThat(sent).containsExactly("1:[a1, b1, c1]", "2:[d2, e2]");
    }

    @Test
    void nothingAddedSendsNothingAndTakesNoNumber() {
        batcher(1000).finish();

        assertThat(sent).isEmpty();
        assertThat(seqs.get()).isEqualTo(1);
    }

    @Test
    void fitsTellsWhetherADeltaCanTravelAtAll() {
        Batcher<String> batcher = batcher(1000);

        assertThat(batcher.fits(1000 - 52)).isTrue();
        assertThat(batcher.fits(1000 - 51)).isFalse();
    }
}
