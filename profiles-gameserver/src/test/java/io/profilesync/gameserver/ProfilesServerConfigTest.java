package io.profilesync.gameserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The config's checks and defaults (the game server against a real master is in profiles-testing's tier tests). */
class ProfilesServerConfigTest {
    @Test
    void theConfigNamesWhatIsMissingAndHowToFixIt() {
        assertThatThrownBy(() -> ProfilesServerConfig.builder().port(5000).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("secret").hasMessageContaining(
                        ".secret(");
        assertThatThrownBy(() -> ProfilesServerConfig.builder().secret("s").build())
                .hasMessageContaining("port");
        assertThatThrownBy(() -> ProfilesServerConfig.builder().port(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("port").hasMessageContaining("0");
        assertThatThrownBy(() -> ProfilesServerConfig.builder().updateInterval(Duration.ZERO))
                .hasMessageContaining("updateInterval");
        assertThatThrownBy(() -> ProfilesServerConfig.builder().objectBufferSize(100))
                .hasMessageContaining("objectBufferSize").hasMessageContaining("100");
        ProfilesServerConfig config = ProfilesServerConfig.builder().port(5000).secret("s").build();
        assertThat(config.acquireTimeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(config.writeBufferSize()).isEqualTo(1 << 20);
        assertThat(config.objectBufferSize()).isEqualTo(256 << 10);
        assertThat(config.toString()).doesNotContain("s]");
    }
}
