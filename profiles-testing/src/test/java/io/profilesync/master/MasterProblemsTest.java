package io.profilesync.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.profilesync.core.ObservableInt;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** MasterServer.problems(), what /health reports beyond the database probe: the network thread, failing saves. */
@Timeout(60)
class MasterProblemsTest extends MasterTestSupport {
    MasterServer start() {
        master = MasterServer.start(new MasterServerTest().config().saveRetryMaxDelay(Duration.ofMillis(100)).build(),
                MasterServerTest.SCHEMA, accessor);
        return master;
    }

    @Test
    void aHealthyMasterHasNone() {
        assertThat(start().problems()).isEmpty();
    }

    @Test
    void aDeadNetworkThreadIsAProblem() throws Exception {
        start().stopNetworkThread();
        await().atMost(Duration.ofSeconds(10)).until(() -> !master.problems().isEmpty());
        assertThat(master.problems()).containsExactly("network: the network thread has stopped, so no peer is "
                + "served; restart the master");
    }

    @Test
    void savesThatKeepFailingAreAProblemUntilOneSucceeds() throws Exception {
        start();
        accessor.failNextSaves(5);
        master.editProfile("alice", p -> p.get("gold", ObservableInt.class).set(5)).get();
        await().atMost(Duration.ofSeconds(20)).until(() -> !master.problems().isEmpty());
        assertThat(master.problems()).singleElement().asString().startsWith("saves: the last ")
                .contains("save batches failed (").endsWith("); changes stay in memory until the database takes them");
        await().atMost(Duration.ofSeconds(30)).until(() -> master.problems().isEmpty());
        assertThat(accessor.row("alice")).isNotNull();
    }
}
