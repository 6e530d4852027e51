package io.profilesync.master;

import static io.profilesync.master.MasterServerTest.SCHEMA;
import static io.profilesync.master.MasterServerTest.TOKEN_SECRET;
import static io.profilesync.master.MasterServerTest.delta;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.profilesync.core.ObservableProfile;
import io.profilesync.core.ObservableString;
import io.profilesync.protocol.internal.Messages.ClientPush;
import io.profilesync.protocol.internal.Messages.ClientUpdate;
import io.profilesync.protocol.internal.Messages.Hello;
import io.profilesync.protocol.internal.Messages.ProfileRequest;
import io.profilesync.protocol.internal.Messages.ProfileSnapshot;
import io.profilesync.protocol.internal.Messages.Refused;
import io.profilesync.protocol.internal.Messages.Role;
import io.profilesync.protocol.internal.Protocol;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The master's meters as Prometheus scrapes them (the body of GET /metrics is the registry's scrape): every
 * profilesync meter has a HELP text, and the labels answer who and why.
 */
@Timeout(60)
class MetricsTest extends MasterTestSupport {
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    TestPeer peer() throws Exception {
        TestPeer peer = TestPeer.connect(master.port());
        closeables.add(peer);
        return peer;
    }

    void refusedHello(Role role, String credential) throws Exception {
        TestPeer peer = peer();
        peer.send(new Hello(Protocol.VERSION, role, 9, credential, ""));
        peer.next(Refused.class);
        peer.awaitDisconnected();
    }

    @Test
    void everyMeterHasHelpAndTheLabelsSayWhoAndWhy() throws Exception {
        master = MasterServer.start(new MasterServerTest().config().meterRegistry(registry).build(), SCHEMA,
                accessor);
        refusedHello(Role.CLIENT, HmacTokens.mint("another-secret-of-at-least-32-characters!", "alice",
                Duration.ofMinutes(5)));
        refusedHello(Role.CLIENT, HmacTokens.mint(TOKEN_SECRET, "alice", Duration.ofMinutes(5),
                Clock.fixed(Instant.now().minus(Duration.ofHours(1)), ZoneOffset.UTC)));
        refusedHello(Role.GAME_SERVER, "wrong-secret-wrong-secret");

        TestPeer client = peer();
        client.send(new Hello(Protocol.VERSION, Role.CLIENT, 1, HmacTokens.mint(TOKEN_SECRET, "alice",
                Duration.ofMinutes(5)), ""));
        client.next(io.profilesync.protocol.internal.Messages.Welcome.class);
        client.send(new ProfileRequest());
        ObservableProfile mine = SCHEMA.clientSchema().newProfile();
        mine.fromBytes(client.next(ProfileSnapshot.class).profile());
        client.send(new ClientUpdate(1, delta(mine, p -> p.get("displayName", ObservableString.class).set("Alice"))));
        client.send(new ClientUpdate(2, delta(mine, p -> p.get("displayName", ObservableString.class)
                .set("a name far longer than sixteen characters"))));
        int refusals = 0;
        while (refusals == 0) {
            refusals += client.next(ClientPush.class).refusals().size();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.scrape().contains(
                "profilesync_save_latency_seconds_count{outcome=\"success\"}"));

        String scrape = registry.scrape();
        assertThat(scrape).contains(
                "profilesync_authentications_failed_total{reason=\"bad_signature\",role=\"client\"} 1.0",
                "profilesync_authentications_failed_total{reason=\"expired\",role=\"client\"} 1.0",
                "profilesync_authentications_failed_total{reason=\"wrong_secret\",role=\"game_server\"} 1.0",
                "profilesync_handshakes_refused_total{reason=\"authentication\"} 3.0",
                "profilesync_updates_accepted_total{writer=\"client\"} 1.0",
                "profilesync_updates_refused_total{reason=\"rejected\",writer=\"client\"} 1.0",
                "profilesync_messages_total{direction=\"in\",type=\"ClientUpdate\"} 2.0",
                "profilesync_messages_total{direction=\"out\",type=\"Welcome\"} 1.0",
                "profilesync_load_latency_seconds_count{outcome=\"success\"} 1",
                "profilesync_save_latency_seconds_bucket{outcome=\"success\",le=",
                "profilesync_build_info{commit=");
        assertThat(scrape).containsPattern("profilesync_load_latency_seconds_bucket\\{outcome=\"success\",le=\"");
        assertThat(scrape).containsPattern("profilesync_load_failures_total [0-9.]+");
        // A histogram per kind of holder, from the accepted change to its push (aggregatable across masters).
        assertThat(scrape).containsPattern("profilesync_push_latency_seconds_bucket\\{holder=\"client\",le=\"")
                .containsPattern("profilesync_push_latency_seconds_bucket\\{holder=\"game_server\",le=\"");

        // Every profilesync family says what it is.
        Matcher type = Pattern.compile("(?m)^# TYPE (profilesync_\\w+) (\\w+)$").matcher(scrape);
        List<String> families = new ArrayList<>();
        while (type.find()) {
            families.add(type.group(1));
        }
        assertThat(families).contains("profilesync_clients_connected", "profilesync_saves_total",
                "profilesync_save_failures_total", "profilesync_bytes_in_bytes_total", "profilesync_build_info",
                "profilesync_save_latency_seconds", "profilesync_load_latency_seconds",
                "profilesync_push_latency_seconds");
        for (String family : families) {
            Matcher help = Pattern.compile("(?m)^# HELP " + family + " (.*)$").matcher(scrape);
            assertThat(help.find()).as("HELP of " + family).isTrue();
            assertThat(help.group(1)).as("HELP of " + family).isNotBlank();
        }
    }
}
