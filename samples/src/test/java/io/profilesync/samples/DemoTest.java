package io.profilesync.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The demo's logic, briefly: the bots see the game server's awards and the game server sees the bots' renames. */
class DemoTest {

    @Test
    @Timeout(90)
    void changesFlowBothWays() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        Demo.Outcome outcome = Demo.run(3, Duration.ofMillis(200), new PrintStream(printed, true,
                StandardCharsets.UTF_8));

        assertThat(outcome.goldAwarded()).isEqualTo(Map.of("bot-1", 30, "bot-2", 60, "bot-3", 90));
        assertThat(outcome.goldSeenByBots()).isEqualTo(outcome.goldAwarded());
        assertThat(outcome.levelSeenByBots()).isEqualTo(Map.of("bot-1", 2, "bot-2", 2, "bot-3", 2));
        assertThat(outcome.namesSeenByGameServer())
                .isEqualTo(Map.of("bot-1", "Swift Fox", "bot-2", "Iron Owl", "bot-3", "Quiet Bear"));
        assertThat(printed.toString(StandardCharsets.UTF_8))
                .contains("bot-3        sees gold 60 -> 90", "game server  sees bot-2 rename: \"\" -> \"Iron Owl\"",
                        "every bot saw every award", "stopped with 0 unsaved profile(s); the database holds 3 "
                                + "profile(s)", "demo finished");
    }
}
