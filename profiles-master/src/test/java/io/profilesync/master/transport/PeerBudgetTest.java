package io.profilesync.master.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.profilesync.protocol.internal.Messages.ClientUpdate;
import io.profilesync.protocol.internal.Messages.HandleDelta;
import io.profilesync.protocol.internal.Messages.ProfileRequest;
import io.profilesync.protocol.internal.Messages.ReleaseProfile;
import io.profilesync.protocol.internal.Messages.ServerBatch;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Token buckets under virtual time: bursts of two seconds' worth, then the rate. */
class PeerBudgetTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void aBucketHoldsItsCapacityAndRefillsAtItsRate() {
        TokenBucket bucket = new TokenBucket(10, 20, 0);
        for (int i = 0; i < 20; i++) {
            assertThat(bucket.tryTake(1, 0)).isTrue();
        }
        assertThat(bucket.tryTake(1, 0)).isFalse();
        assertThat(bucket.tryTake(1, SECOND / 10)).isTrue();
        assertThat(bucket.tryTake(1, SECOND / 10)).isFalse();
        // A long silence refills only up to the capacity.
        for (int i = 0; i < 20; i++) {
            assertThat(bucket.tryTake(1, 100 * SECOND)).isTrue();
        }
        assertThat(bucket.tryTake(1, 100 * SECOND)).isFalse();
    }

    @Test
    void requestsAndDecodedBytesAreChargedSeparatelyAndReleasesAreFree() {
        PeerBudget budget = new PeerBudget(5, 1000, 0);
        for (int i = 0; i < 10; i++) {
            assertThat(budget.charge(new ProfileRequest(), 0)).isNull();
        }
        assertThat(budget.charge(new ProfileRequest(), 0)).contains("more than 5 requests a second");
        assertThat(budget.charge(new ReleaseProfile(1), 0)).isNull();

        PeerBudget bytes = new PeerBudget(1000, 1000, 0);
        assertThat(bytes.charge(new ServerBatch(1, List.of(new HandleDelta(1, new byte[1500]))), 0)).isNull();
        assertThat(bytes.charge(new ClientUpdate(2, new byte[600]), 0)).contains("more than 1000 bytes");
        assertThat(bytes.charge(new ClientUpdate(2, new byte[600]), SECOND)).isNull();
    }
}
