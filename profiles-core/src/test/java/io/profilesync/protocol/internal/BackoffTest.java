package io.profilesync.protocol.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void eachDelayIsTheLastTimesTheMultiplierUpToTheMaximum() {
        Backoff loads = Backoff.exponential(Duration.ofMillis(200), Duration.ofSeconds(10), 4);
        assertThat(loads.delayMillis(0, 0)).isEqualTo(200);
        assertThat(loads.delayMillis(1, 0)).isEqualTo(800);
        assertThat(loads.delayMillis(2, 0)).isEqualTo(3200);
        assertThat(loads.delayMillis(3, 0)).isEqualTo(10_000);
        assertThat(loads.delayNanos(1, 0)).isEqualTo(Duration.ofMillis(800).toNanos());
    }

    @Test
    void hugeAttemptsAndMaximaNeverOverflow() {
        Backoff backoff = Backoff.exponential(Duration.ofMillis(500), Duration.ofNanos(Long.MAX_VALUE), 2);
        assertThat(backoff.delayNanos(Integer.MAX_VALUE, 0)).isEqualTo(Long.MAX_VALUE);
        assertThat(backoff.delayNanos(40, 0)).isPositive();
    }

    @Test
    void withoutJitterTheRandomNumberIsIgnoredAndWithItTheDelaySpreadsBothWays() {
        Backoff steady = Backoff.exponential(Duration.ofMillis(500), Duration.ofSeconds(30), 2);
        assertThat(steady.delayMillis(2, 0.0)).isEqualTo(steady.delayMillis(2, 0.99)).isEqualTo(2000);
        Backoff spread = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5), 2, 0.2);
        assertThat(spread.delayMillis(0, 0.0)).isEqualTo(160);
        assertThat(spread.delayMillis(0, 0.5)).isEqualTo(200);
    }

    @Test
    void badValuesAreRefusedWithTheFix() {
        assertThatThrownBy(() -> Backoff.exponential(Duration.ofMillis(200), Duration.ofSeconds(1), 0))
                .hasMessageContaining("multiplier");
        assertThatThrownBy(() -> Backoff.exponential(Duration.ZERO, Duration.ofSeconds(1), 2))
                .hasMessageContaining("initialDelay");
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 2, -0.1))
                .hasMessageContaining("jitter");
    }
}
