package io.profilesync.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Thousands of random operation sequences on a profile of every type, with deltas shipped at random moments to a
 * replica directly and through a relay; after every shipment all copies are equal. A failure names the seed and the
 * step, so it can be replayed. The master's way of relaying rides along: a copy records each delta as it applies it,
 * and an outbox takes the change from that copy ({@link ObservableProfile#recordChangesOf}) without decoding it
 * again; what the outbox then sends is byte for byte what the relay sends.
 */
class RandomizedSyncTest {
    private static final int SEQUENCES = 3000;
    private static final ApplyOptions RELAY = ApplyOptions.REMOTE.recorded(true);

    @Test
    void replicasAndRelayedReplicasStayEqualToTheSource() {
        for (int seed = 0; seed < SEQUENCES; seed++) {
            runSequence(seed);
        }
    }

    private static void runSequence(long seed) {
        Random random = new Random(seed);
        RandomOps ops = new RandomOps(random);
        ObservableProfile source = Fixtures.everyType();
        ObservableProfile replica = source.copy();
        ObservableProfile relay = source.copy();
        ObservableProfile relayed = source.copy();
        ObservableProfile master = source.copy();
        ObservableProfile outbox = source.copy();
        ObservableProfile outboxReplica = source.copy();
        int steps = 5 + random.nextInt(60);
        for (int step = 0; step < steps; step++) {
            for (int i = random.nextInt(8); i >= 0; i--) {
                ops.change(source);
            }
            if (random.nextInt(3) > 0 || step == steps - 1) {
                String where = "seed " + seed + " step " + step;
                byte[] delta = source.getUpdates();
                source.clearUpdates();
                replica.applyUpdates(delta);
                relay.applyUpdates(delta, RELAY);
                master.applyUpdates(delta, RELAY);
                outbox.recordChangesOf(master);
                master.clearUpdates();
                assertEqual(source, master, where + " master");
                assertEqual(source, outbox, where + " outbox");
                assertThat(replica.hasUpdates()).as(where).isFalse();
                assertEqual(source, replica, where + " replica");
                assertEqual(source, relay, where + " relay");
                if (random.nextBoolean()) {
                    // The relay forwards increments as increments, the outbox as the master's values: the two
                    // deltas may differ in bytes, never in what they make of a copy.
                    byte[] relayedDelta = relay.getUpdates();
                    relayed.applyUpdates(relayedDelta);
                    relay.clearUpdates();
                    outboxReplica.applyUpdates(outbox.getUpdates());
                    outbox.clearUpdates();
                    assertEqual(source, relayed, where + " relayed replica");
                    assertEqual(source, outboxReplica, where + " outbox's replica");
                }
            }
        }
    }

    private static void assertEqual(ObservableProfile expected, ObservableProfile actual, String where) {
        if (!Arrays.equals(expected.toBytes(), actual.toBytes())) {
            assertThat(actual.toJson()).as(where).isEqualTo(expected.toJson());
            assertThat(Fixtures.hex(actual.toBytes())).as(where).isEqualTo(Fixtures.hex(expected.toBytes()));
        }
        assertThat(actual.toJson()).as(where).isEqualTo(expected.toJson());
    }
}
