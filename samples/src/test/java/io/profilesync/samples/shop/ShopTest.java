package io.profilesync.samples.shop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The shop sample over loopback: every sale paid for, the unique sword sold once, nothing below 0. */
class ShopTest {
    @Test
    @Timeout(60)
    void everySaleIsPaidForTheSwordSellsOnceAndThePotionIsRefused() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        Shop.Outcome outcome = Shop.run(new PrintStream(printed, true, StandardCharsets.UTF_8));

        assertThat(outcome.sold()).extracting(Shop.Offer::item).containsExactlyInAnyOrder("sword", "shield", "helmet");
        assertThat(outcome.items()).containsExactlyInAnyOrder("sword", "shield", "helmet");
        assertThat(outcome.goldLeft()).isZero();
        assertThat(outcome.refused()).hasSize(2).anySatisfy(line -> assertThat(line).startsWith("tavern potion: ")
                .contains("gold >= 20 does not hold: 'gold' is 0"))
                .anySatisfy(line -> assertThat(line).contains("sword: ").contains("items does not contain \"sword\""));
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("player-1 has 0 gold");
    }
}
