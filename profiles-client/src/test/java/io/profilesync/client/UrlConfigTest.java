package io.profilesync.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** The url setting picks the transport by its scheme. */
class UrlConfigTest {
    @Test
    void wsAndWssNameTheWebSocketEndpointWithTheirDefaultPorts() {
        ProfilesClientConfig wss = ProfilesClientConfig.builder().token("t").url("wss://game.example/profilesync")
                .build();
        assertThat(wss.webSocketUri()).contains(URI.create("wss://game.example/profilesync"));
        assertThat(wss.host()).isEqualTo("game.example");
        assertThat(wss.port()).isEqualTo(443);
        assertThat(ProfilesClientConfig.builder().token("t").url("ws://10.0.0.1/p").build().port()).isEqualTo(80);
    }

    @Test
    void tcpIsKryoNet() {
        ProfilesClientConfig tcp = ProfilesClientConfig.builder().token("t").url("tcp://127.0.0.1:5000").build();
        assertThat(tcp.webSocketUri()).isEmpty();
        assertThat(tcp.port()).isEqualTo(5000);
    }

    @Test
    void otherSchemesAndMissingPortsAreRefusedNamingTheForms() {
        assertThatThrownBy(() -> ProfilesClientConfig.builder().url("http://x:1/"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("wss://host:port/path");
        assertThatThrownBy(() -> ProfilesClientConfig.builder().url("tcp://x"))
                .hasMessageContaining("needs the master's TCP port");
    }
}
