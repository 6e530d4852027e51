package io.profilesync.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The config's checks and defaults (the client against a real master is in profiles-testing's tier tests). */
class ProfilesClientConfigTest {
    @Test
    void theConfigNamesWhatIsMissingAndHowToFixIt() {
        assertThatThrownBy(() -> ProfilesClientConfig.builder().port(5000).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(".token(");
        assertThatThrownBy(() -> ProfilesClientConfig.builder().token(""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token");
        assertThatThrownBy(() -> ProfilesClientConfig.builder().host(" "))
                .hasMessageContaining("host");
        ProfilesClientConfig config = ProfilesClientConfig.builder().port(5000).token("t").build();
        assertThat(config.writeBufferSize()).isEqualTo(64 << 10);
        assertThat(config.objectBufferSize()).isEqualTo(256 << 10);
        assertThat(config.updateInterval()).isEqualTo(Duration.ofMillis(100));
    }
}
