package io.profilesync.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.profilesync.core.ApplyOptions;
import io.profilesync.core.ElementType;
import io.profilesync.core.ObservableDictionary;
import io.profilesync.core.ObservableInt;
import io.profilesync.core.ObservableList;
import io.profilesync.core.ObservableProfile;
import io.profilesync.core.ObservableString;
import io.profilesync.core.ProfileFormatException;
import io.profilesync.core.UpdateRejectedException;
import io.profilesync.core.UpdateValidator;
import io.profilesync.protocol.internal.Replica;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The convergence model without sockets: holders with {@link Replica}s and a simulated master that orders their
 * batches, applies or refuses each all or nothing, and pushes the accepted delta to every holder (the writer's push
 * acknowledging its batch). Channels are FIFO per holder, as TCP is; everything else interleaves at random.
 */
class ReplicaTest {
    /** gold must stay within 0..1000, as a master's schema would say. */
    private static final UpdateValidator GOLD_AT_MOST_1000 = (property, value) -> {
        if (property.name().equals("gold") && ((Integer) value < 0 || (Integer) value > 1000)) {
            throw new UpdateRejectedException("gold", value + " is outside 0..1000");
        }
    };

    static ObservableProfile newProfile() {
        ObservableProfile profile = new ObservableProfile();
        profile.add(new ObservableInt("gold", 0));
        profile.add(new ObservableString("name", "newbie"));
        profile.add(new ObservableList<>("items", ElementType.STRING));
        profile.add(new ObservableDictionary<>("counters", ElementType.STRING, ElementType.INT));
        return profile;
    }

    /** A holder: its replica, the next batch number, and its two FIFO channels. */
    static final class Holder {
        final Replica replica;
        long nextSeq = 1;
        long lastApplied;
        final Deque<Object[]> toMaster = new ArrayDeque<>();
        final Deque<Object[]> fromMaster = new ArrayDeque<>();

        Holder(byte[] snapshot) {
            replica = new Replica(newProfile(), snapshot);
        }

        ObservableProfile visible() {
            return replica.visible();
        }

        void tick() {
            // Changes set apart (list edits by index made before the view changed) go first, each in its own batch.
            while (replica.nextQueued() != null) {
                long seq = nextSeq++;
                byte[] queued = replica.nextQueued().delta();
                replica.takeQueued(seq);
                toMaster.addLast(new Object[] {seq, queued});
            }
            long seq = nextSeq;
            byte[] delta = replica.takeChanges(seq);
            if (delta != null) {
                nextSeq++;
                toMaster.addLast(new Object[] {seq, delta});
            }
        }

        void deliverPush() {
            Object[] push = fromMaster.pollFirst();
            replica.onPush((byte[]) push[0], (Long) push[1]);
        }
    }

    /** The master: one profile, every batch applied once, all or nothing. */
    static final class Master {
        final ObservableProfile profile = newProfile();
        final List<Holder> holders = new ArrayList<>();
        int refused;

        /** {@code count} new holders, each loaded from the master's profile as it is now. */
        List<Holder> holders(int count) {
            List<Holder> added = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                added.add(new Holder(profile.toBytes()));
            }
            holders.addAll(added);
            return added;
        }

        void process(Holder writer) {
            Object[] batch = writer.toMaster.pollFirst();
            long seq = (Long) batch[0];
            byte[] accepted = null;
            try {
                profile.applyUpdates((byte[]) batch[1], ApplyOptions.REMOTE.recorded(true)
                        .validatedBy(GOLD_AT_MOST_1000));
                accepted = profile.getUpdates();
                profile.clearUpdates();
            } catch (UpdateRejectedException | ProfileFormatException e) {
                refused++;
            }
            writer.lastApplied = seq;
            for (Holder holder : holders) {
                holder.fromMaster.addLast(new Object[] {accepted, holder.lastApplied});
            }
        }
    }

    private static void randomChange(ObservableProfile profile, Random random) {
        @SuppressWarnings("unchecked")
        ObservableList<String> items = profile.get("items", ObservableList.class);
        @SuppressWarnings("unchecked")
        ObservableDictionary<String, Integer> counters = profile.get("counters", ObservableDictionary.class);
        switch (random.nextInt(8)) {
            case 0 -> profile.get("gold", ObservableInt.class).set(random.nextInt(1200));
            case 1 -> profile.get("name", ObservableString.class).set("n" + random.nextInt(50));
            case 2 -> items.add("i" + random.nextInt(100));
            case 3 -> {
                if (items.size() > 0) {
                    items.remove(random.nextInt(items.size()));
                }
            }
            case 4 -> items.insert(random.nextInt(items.size() + 1), "x" + random.nextInt(100));
            case 5 -> {
                if (items.size() > 0) {
                    items.set(random.nextInt(items.size()), "s" + random.nextInt(100));
                }
            }
            case 6 -> counters.put("k" + random.nextInt(5), random.nextInt(100));
            default -> counters.remove("k" + random.nextInt(5));
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
    void twoHoldersConvergeWithTheMasterWhateverTheInterleaving(long seed) {
        Random random = new Random(seed);
        Master master = new Master();
        List<Holder> both = master.holders(2);
        Holder a = both.get(0);
        Holder b = both.get(1);
        interleave(random, master, both, holder -> randomChange(holder.visible(), random));

        assertThat(a.visible().toBytes()).isEqualTo(master.profile.toBytes());
        assertThat(b.visible().toBytes()).isEqualTo(master.profile.toBytes());
        assertThat(a.replica.pendingBatches()).isZero();
        assertThat(b.replica.pendingBatches()).isZero();
    }

    /** 400 random steps of the holders (a change, a tick, the master taking a batch, a push arriving), then calm. */
    private static void interleave(Random random, Master master, List<Holder> holders,
            java.util.function.Consumer<Holder> change) {
        for (int step = 0; step < 400; step++) {
            Holder holder = holders.get(random.nextInt(holders.size()));
            switch (random.nextInt(4)) {
                case 0 -> change.accept(holder);
                case 1 -> holder.tick();
                case 2 -> {
                    if (!holder.toMaster.isEmpty()) {
                        master.process(holder);
                    }
                }
                default -> {
                    if (!holder.fromMaster.isEmpty()) {
                        holder.deliverPush();
                    }
                }
            }
        }
        quiesce(master, holders);
    }

    private static void quiesce(Master master, List<Holder> holders) {
        boolean busy = true;
        while (busy) {
            busy = false;
            for (Holder holder : holders) {
                holder.tick();
                while (!holder.toMaster.isEmpty()) {
                    master.process(holder);
                    busy = true;
                }
            }
            for (Holder holder : holders) {
                while (!holder.fromMaster.isEmpty()) {
                    holder.deliverPush();
                    busy = true;
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void concurrentIncrementsAllCountAndEveryCopyShowsThemOverTheMastersValue(long seed) {
        Random random = new Random(seed);
        Master master = new Master();
        List<Holder> both = master.holders(2);
        Holder a = both.get(0);
        Holder b = both.get(1);
        int[] added = {0};
        interleave(random, master, both, holder -> {
            int amount = 1 + random.nextInt(3);
            int before = holder.visible().get("gold", ObservableInt.class).intValue();
            assertThat(holder.visible().get("gold", ObservableInt.class).add(amount)).isTrue();
            assertThat(holder.visible().get("gold", ObservableInt.class).intValue()).as("optimistic")
                    .isEqualTo(before + amount);
            added[0] += amount;
        });
        assertThat(master.refused).isZero();
        assertThat(master.profile.get("gold", ObservableInt.class).intValue()).isEqualTo(added[0]);
        assertThat(a.visible().toBytes()).isEqualTo(master.profile.toBytes());
        assertThat(b.visible().toBytes()).isEqualTo(master.profile.toBytes());
    }

    @Test
    void anUnsentIncrementIsLaidOverTheMastersNewerValueAndStillTravelsAsAnIncrement() {
        ObservableProfile master = newProfile();
        master.get("gold", ObservableInt.class).set(100);
        Replica replica = new Replica(newProfile(), master.toBytes());
        master.clearUpdates();
        List<String> dropped = new ArrayList<>();
        replica.onDropped((property, reason) -> dropped.add(property + ": " + reason));
        replica.visible().get("gold", ObservableInt.class).add(5);
        assertThat(replica.visible().get("gold", ObservableInt.class).intValue()).isEqualTo(105);
        master.get("gold", ObservableInt.class).set(110); // another writer's +10 got there first
        replica.onPush(master.getUpdates(), 0);
        master.clearUpdates();
        assertThat(replica.visible().get("gold", ObservableInt.class).intValue()).isEqualTo(115);
        byte[] delta = replica.takeChanges(1);
        assertThat(delta).as("add 5 at index 0").containsExactly(0x01, 0x01, 0x0a);

        // A spend that fitted the stale value and does not fit the master's newer one is dropped and told.
        replica.onPush(null, 1);
        assertThat(replica.visible().get("gold", ObservableInt.class).intValue()).isEqualTo(110);
        replica.visible().get("gold", ObservableInt.class).subtract(100, 0);
        master.get("gold", ObservableInt.class).set(50);
        replica.onPush(master.getUpdates(), 1);
        assertThat(replica.visible().get("gold", ObservableInt.class).intValue()).isEqualTo(50);
        assertThat(replica.hasUnsentChanges()).isFalse();
        assertThat(dropped).singleElement().asString().startsWith("gold: your unsent change of 'gold' no longer "
                + "fits the master's newer value and was dropped ('gold' 50 + -100 = -50 is below 0");
    }

    @Test
    void anUnsentEditByIndexIsSetApartWithItsBaseBeforeThePushChangesTheView() {
        ObservableProfile master = newProfile();
        master.getList("items", ElementType.STRING).add("a");
        master.getList("items", ElementType.STRING).add("b");
        byte[] snapshot = master.toBytes();
        master.clearUpdates();
        Replica replica = new Replica(newProfile(), snapshot);
        replica.visible().getList("items", ElementType.STRING).remove(1);
        replica.visible().getDictionary("counters", ElementType.STRING, ElementType.INT).put("kills", 3);
        master.getList("items", ElementType.STRING).insert(0, "z");
        replica.onPush(master.getUpdates(), 0);
        // Made on push 1 (the snapshot), so the master reads index 1 as "b" there; laid over the new view meanwhile,
        // by identity, it still removes "b" (at index 2 now), as the master will.
        assertThat(replica.nextQueued()).isNotNull();
        assertThat(replica.nextQueued().base().push()).isEqualTo(1);
        assertThat(replica.pushes()).isEqualTo(2);
        assertThat(replica.visible().getList("items", ElementType.STRING).value()).containsExactly("z", "a");
        assertThat(replica.takeQueued(1)).as("nothing was laid over it").isZero();
        assertThat(replica.unsentChanges()).isNull();
    }

    @Test
    void changesSetApartAfterOthersAreLaidOverThemEvenWhenTheyAreDurableAndGoneByTheirTurn() {
        ObservableProfile master = newProfile();
        master.getList("items", ElementType.STRING).add("a");
        byte[] snapshot = master.toBytes();
        master.clearUpdates();
        Replica replica = new Replica(newProfile(), snapshot);
        replica.visible().getList("items", ElementType.STRING).insert(0, "x");
        replica.atomically(new byte[] {0}, () -> replica.visible().get("gold", ObservableInt.class).set(5));
        replica.visible().getList("items", ElementType.STRING).remove(1); // "a", made over "x" and the atomic change
        master.get("gold", ObservableInt.class).set(1);
        replica.onPush(master.getUpdates(), 0); // sets the remove apart: nothing was pending, two set apart before
        master.clearUpdates();
        assertThat(replica.takeQueued(1)).isZero();
        assertThat(replica.takeQueued(2)).isEqualTo(1);
        // Both applied and durable before the remove is numbered: it was still made over them.
        master.getList("items", ElementType.STRING).insert(0, "x");
        master.get("gold", ObservableInt.class).set(5);
        replica.onPush(master.getUpdates(), 2, 2);
        assertThat(replica.takeQueued(3)).as("made over batch 1 on").isEqualTo(2);
    }

    @Test
    void anElementTheCopyCreatedKeepsItsIdentityOnceAcknowledgedSoAPendingRemoveStillFindsIt() {
        ObservableProfile master = newProfile();
        master.getList("items", ElementType.STRING).add("a");
        byte[] snapshot = master.toBytes();
        master.clearUpdates();
        Replica replica = new Replica(newProfile(), snapshot);
        ObservableList<String> items = replica.visible().getList("items", ElementType.STRING);
        items.add("x");
        replica.takeChanges(1); // batch 1 creates "x"
        items.remove(1);
        replica.takeChanges(2); // batch 2 removes it, before batch 1 is acknowledged
        // The master applied batch 1, after another writer inserted "z"; batch 2 not yet.
        master.getList("items", ElementType.STRING).insert(0, "z");
        master.getList("items", ElementType.STRING).add("x");
        replica.onPush(master.getUpdates(), 1);
        assertThat(replica.visible().getList("items", ElementType.STRING).value()).containsExactly("z", "a");
    }

    @Test
    void anUnsentEditThatNoLongerFitsTheMastersStateIsSetApartForTheMasterAndLaidOverWhatFits() {
        ObservableProfile master = newProfile();
        master.getList("items", ElementType.STRING).add("a");
        master.getList("items", ElementType.STRING).add("b");
        byte[] snapshot = master.toBytes();
        master.clearUpdates();
        Replica replica = new Replica(newProfile(), snapshot);
        List<String> dropped = new ArrayList<>();
        replica.onDropped((property, reason) -> dropped.add(property + ": " + reason));
        // Unsent: an edit of items by index, and an entry of counters.
        replica.visible().getList("items", ElementType.STRING).remove(1);
        replica.visible().getDictionary("counters", ElementType.STRING, ElementType.INT).put("kills", 3);
        // Meanwhile the master cleared items: the unsent remove of index 1 no longer fits the new view. It is set
        // apart (the master decides, on the view it was made on); laid over the new view, only what fits shows.
        master.getList("items", ElementType.STRING).clear();
        replica.onPush(master.getUpdates(), 0);
        assertThat(replica.visible().getList("items", ElementType.STRING).value()).isEmpty();
        assertThat(dropped).as("the master tells what it drops").isEmpty();
        assertThat(replica.visible().getDictionary("counters", ElementType.STRING, ElementType.INT).value())
                .as("kept, and still to be sent").containsEntry("kills", 3);
        ObservableProfile sent = newProfile();
        sent.applyUpdates(replica.nextQueued().delta(), ApplyOptions.REMOTE.filteredBy((property, value) -> true));
        assertThat(sent.getDictionary("counters", ElementType.STRING, ElementType.INT).value()).containsEntry("kills", 3);
    }

    @Test
    void aRefusedBatchRevertsTheWritersCopy() {
        Master master = new Master();
        Holder writer = new Holder(master.profile.toBytes());
        master.holders.add(writer);
        ObservableInt gold = writer.visible().get("gold", ObservableInt.class);
        gold.set(300);
        writer.tick();
        master.process(writer);
        writer.deliverPush();
        List<Integer> seen = new ArrayList<>();
        gold.addListener((old, now) -> seen.add(now));

        gold.set(5000);
        writer.tick();
        assertThat(gold.intValue()).isEqualTo(5000);
        master.process(writer);
        writer.deliverPush();

        assertThat(master.refused).isEqualTo(1);
        assertThat(gold.intValue()).isEqualTo(300);
        assertThat(seen).containsExactly(5000, 300);
        assertThat(writer.replica.pendingBatches()).isZero();
    }

    @Test
    void aSnapshotAfterAReconnectStopsLayingOverTheBatchesItIncludesButKeepsThemUntilDurable() {
        Master master = new Master();
        Holder holder = new Holder(master.profile.toBytes());
        master.holders.add(holder);
        @SuppressWarnings("unchecked")
        ObservableList<String> items = holder.visible().get("items", ObservableList.class);
        for (String item : List.of("a", "b", "c")) {
            items.add(item);
            holder.tick();
        }
        // The master applies batches 1 and 2, then the connection drops: pushes and batch 3 are lost.
        master.process(holder);
        master.process(holder);
        holder.toMaster.clear();
        holder.fromMaster.clear();

        holder.replica.onSnapshot(master.profile.toBytes(), 2);

        // Batches 1 and 2 are in the snapshot (applied), not durable yet: kept to send again to the next master.
        assertThat(holder.replica.pendingBatches()).isEqualTo(3);
        assertThat(items.value()).containsExactly("a", "b", "c");
        List<Long> resent = new ArrayList<>();
        holder.replica.forEachUnacknowledged((seq, delta) -> {
            resent.add(seq);
            if (seq > 2) {
                holder.toMaster.addLast(new Object[] {seq, delta}); // this test's master skips what it applied
            }
        });
        assertThat(resent).containsExactly(1L, 2L, 3L);
        master.process(holder);
        holder.deliverPush();
        assertThat(holder.visible().toBytes()).isEqualTo(master.profile.toBytes());
        @SuppressWarnings("unchecked")
        ObservableList<String> masterItems = master.profile.get("items", ObservableList.class);
        assertThat(masterItems.value()).containsExactly("a", "b", "c");
    }

    @Test
    void anAppliedBatchLeavesTheOverlayButIsKeptUntilItsDurableAcknowledgement() {
        Master master = new Master();
        Holder holder = new Holder(master.profile.toBytes());
        master.holders.add(holder);
        @SuppressWarnings("unchecked")
        ObservableList<String> items = holder.visible().get("items", ObservableList.class);
        items.add("a");
        holder.tick();
        items.add("b");
        holder.tick();
        master.process(holder);
        master.process(holder);
        Object[] first = holder.fromMaster.pollFirst();
        Object[] second = holder.fromMaster.pollFirst();

        // Applied up to 2, durable up to 0: nothing is laid over twice, both are kept to send again.
        holder.replica.onPush((byte[]) first[0], 1, 0);
        holder.replica.onPush((byte[]) second[0], 2, 0);
        assertThat(items.value()).containsExactly("a", "b");
        assertThat(holder.replica.confirmed().toBytes()).isEqualTo(master.profile.toBytes());
        assertThat(holder.replica.pendingBatches()).isEqualTo(2);
        assertThat(holder.replica.settled()).isFalse();

        // Durable up to 1: batch 1 is forgotten, batch 2 still kept.
        holder.replica.onPush(null, 2, 1);
        List<Long> kept = new ArrayList<>();
        holder.replica.forEachUnacknowledged((seq, delta) -> kept.add(seq));
        assertThat(kept).containsExactly(2L);

        // A master restarted from an older database state hands back a snapshot holding only batch 1: batch 2 is laid
        // over again, so the visible copy does not go back while it is sent again.
        ObservableProfile older = newProfile();
        @SuppressWarnings("unchecked")
        ObservableList<String> olderItems = older.get("items", ObservableList.class);
        olderItems.add("a");
        holder.replica.onSnapshot(older.toBytes(), 1);
        assertThat(items.value()).containsExactly("a", "b");

        holder.replica.onPush(null, 2, 2);
        assertThat(holder.replica.settled()).isTrue();
    }

    @Test
    void aSnapshotShowsWhatChangedMeanwhileAndKeepsUnsentChanges() {
        Master master = new Master();
        Holder holder = new Holder(master.profile.toBytes());
        List<String> changed = new ArrayList<>();
        holder.visible().addListener(property -> changed.add(property.name()));
        master.profile.get("gold", ObservableInt.class).set(70);
        master.profile.clearUpdates();
        holder.visible().get("name", ObservableString.class).set("mine");

        holder.replica.onSnapshot(master.profile.toBytes(), 0);

        assertThat(holder.visible().get("gold", ObservableInt.class).intValue()).isEqualTo(70);
        assertThat(holder.visible().get("name", ObservableString.class).get()).isEqualTo("mine");
        assertThat(holder.visible().hasUpdates()).isTrue();
        assertThat(changed).contains("gold");
    }

    @Test
    void changesMadeAfterABatchWasTakenSurviveThePush() {
        Master master = new Master();
        Holder holder = new Holder(master.profile.toBytes());
        master.holders.add(holder);
        holder.visible().get("gold", ObservableInt.class).set(10);
        holder.tick();
        holder.visible().get("name", ObservableString.class).set("later");

        master.process(holder);
        holder.deliverPush();

        assertThat(holder.visible().get("gold", ObservableInt.class).intValue()).isEqualTo(10);
        assertThat(holder.visible().get("name", ObservableString.class).get()).isEqualTo("later");
        assertThat(holder.visible().hasUpdates()).isTrue();
        holder.tick();
        master.process(holder);
        holder.deliverPush();
        assertThat(holder.visible().toBytes()).isEqualTo(master.profile.toBytes());
    }

    @Test
    void aPushDoesNotMakeUnsentScalarChangesFlickerInListeners() {
        Master master = new Master();
        Holder holder = new Holder(master.profile.toBytes());
        Holder other = new Holder(master.profile.toBytes());
        master.holders.add(holder);
        master.holders.add(other);
        ObservableInt gold = holder.visible().get("gold", ObservableInt.class);
        gold.set(5);
        holder.tick();
        gold.set(6);
        List<String> seen = new ArrayList<>();
        gold.addListener((old, now) -> seen.add(old + "->" + now));
        other.visible().get("name", ObservableString.class).set("theirs");
        other.tick();

        master.process(other);
        holder.deliverPush();
        master.process(holder);
        holder.deliverPush();

        assertThat(seen).isEmpty();
        assertThat(gold.intValue()).isEqualTo(6);
        assertThat(holder.visible().get("name", ObservableString.class).get()).isEqualTo("theirs");
        assertThat(holder.visible().hasUpdates()).isTrue();
        quiesce(master, List.of(holder, other));
        assertThat(holder.visible().toBytes()).isEqualTo(master.profile.toBytes());
        assertThat(seen).isEmpty();
    }
}
