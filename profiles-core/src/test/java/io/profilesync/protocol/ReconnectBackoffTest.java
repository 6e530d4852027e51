package io.profilesync.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReconnectBackoffTest {
    @Test
    void delaysDoubleUpToTheMaximum() {
        ReconnectBackoff backoff = new ReconnectBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0);

        assertThat(backoff.delayMillis(0, 0.5)).isEqualTo(200);
        assertThat(backoff.delayMillis(1, 0.5)).isEqualTo(400);
        assertThat(backoff.delayMillis(4, 0.5)).isEqualTo(3200);
        assertThat(backoff.delayMillis(5, 0.5)).isEqualTo(5000);
        assertThat(backoff.delayMillis(1000, 0.5)).isEqualTo(5000);
    }

    @Test
    void jitterSpreadsEachDelayBothWays() {
        ReconnectBackoff backoff = ReconnectBackoff.DEFAULT;

        assertThat(backoff.delayMillis(0, 0.0)).isEqualTo(160);
        assertThat(backoff.delayMillis(0, 0.5)).isEqualTo(200);
        assertThat(backoff.delayMillis(0, 0.999)).isBetween(239L, 240L);
    }

    @Test
    void badValuesAreRefusedWithTheFix() {
        assertThatThrownBy(() -> new ReconnectBackoff(Duration.ZERO, Duration.ofSeconds(1), 0))
                .hasMessageContaining("initialDelay").hasMessageContaining("200 ms");
        assertThatThrownBy(() -> new ReconnectBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 0))
                .hasMessageContaining("maxDelay");
        assertThatThrownBy(() -> new ReconnectBackoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 1.5))
                .hasMessageContaining("jitter");
    }
}
