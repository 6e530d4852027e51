package io.profilesync.core;

import static io.profilesync.core.Fixtures.of;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CollectionsTest {
    private static final ApplyOptions RELAY = ApplyOptions.REMOTE.recorded(true);

    static Stream<Arguments> listOps() {
        List<Arguments> cases = new ArrayList<>();
        for (List<String> start : List.of(List.<String>of(), List.of("a"), List.of("a", "b", "c"))) {
            cases.add(listOp(start, "add", l -> l.add("x")));
            cases.add(listOp(start, "insert at 0", l -> l.insert(0, "x")));
            cases.add(listOp(start, "insert at end", l -> l.insert(l.size(), "x")));
            cases.add(listOp(start, "clear", ObservableList::clear));
            cases.add(listOp(start, "replaceAll", l -> l.replaceAll(List.of("p", "q"))));
            cases.add(listOp(start, "clear then add", l -> {
                l.clear();
                l.add("y");
            }));
            cases.add(listOp(start, "inserts everywhere", l -> {
                for (int i = 0; i <= l.size(); i += 2) {
                    l.insert(i, "i" + i);
                }
            }));
            if (!start.isEmpty()) {
                cases.add(listOp(start, "set first", l -> l.set(0, "x")));
                cases.add(listOp(start, "set last", l -> l.set(l.size() - 1, "x")));
                cases.add(listOp(start, "insert in the middle", l -> l.insert(l.size() / 2, "x")));
                cases.add(listOp(start, "remove first", l -> l.remove(0)));
                cases.add(listOp(start, "remove last", l -> l.remove(l.size() - 1)));
                cases.add(listOp(start, "remove all one by one", l -> {
                    while (!l.isEmpty()) {
                        l.remove(l.size() / 2);
                    }
                }));
                cases.add(listOp(start, "add then remove it", l -> {
                    l.add("tmp");
                    l.remove(l.size() - 1);
                }));
            }
        }
        return cases.stream();
    }

    private static Arguments listOp(List<String> start, String name, Consumer<ObservableList<String>> op) {
        return Arguments.of(start + " " + name, start, op);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("listOps")
    void everyListOperationGivesTheSameListOnAReplica(String name, List<String> start,
            Consumer<ObservableList<String>> op) {
        ObservableList<String> list = new ObservableList<>("l", ElementType.STRING, start);
        ObservableProfile source = of(list);
        ObservableProfile replica = source.copy();
        ObservableProfile relayed = source.copy();
        ObservableProfile relay = source.copy();
        op.accept(list);
        List<String> expected = list.value();

        byte[] delta = source.getUpdates();
        source.clearUpdates();
        replica.applyUpdates(delta);
        assertThat(Fixtures.<String>list(replica, "l").value()).isEqualTo(expected);
        assertThat(replica.hasUpdates()).as("no echo").isFalse();

        relay.applyUpdates(delta, RELAY);
        relayed.applyUpdates(relay.getUpdates());
        assertThat(Fixtures.<String>list(relayed, "l").value()).isEqualTo(expected);
    }

    static Stream<Arguments> dictOps() {
        List<Arguments> cases = new ArrayList<>();
        for (Map<Integer, String> start : List.of(Map.<Integer, String>of(), Map.of(1, "one"),
                Map.of(1, "one", 2, "two", 3, "three"))) {
            cases.add(dictOp(start, "put new", d -> d.put(0, "zero")));
            cases.add(dictOp(start, "put overwrite", d -> d.put(1, "uno")));
            cases.add(dictOp(start, "remove", d -> d.remove(1)));
            cases.add(dictOp(start, "remove missing", d -> d.remove(99)));
            cases.add(dictOp(start, "clear", ObservableDictionary::clear));
            cases.add(dictOp(start, "replaceAll", d -> d.replaceAll(Map.of(5, "five", -5, "minus five"))));
            cases.add(dictOp(start, "put, remove, put again", d -> {
                d.put(7, "a");
                d.remove(7);
                d.remove(2);
                d.put(7, "b");
            }));
        }
        return cases.stream();
    }

    private static Arguments dictOp(Map<Integer, String> start, String name,
            Consumer<ObservableDictionary<Integer, String>> op) {
        return Arguments.of(start + " " + name, start, op);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dictOps")
    void everyDictionaryOperationGivesTheSameDictionaryOnAReplica(String name, Map<Integer, String> start,
            Consumer<ObservableDictionary<Integer, String>> op) {
        ObservableDictionary<Integer, String> dict = new ObservableDictionary<>("d", ElementType.INT,
                ElementType.STRING, start);
        ObservableProfile source = of(dict);
        ObservableProfile replica = source.copy();
        ObservableProfile relay = source.copy();
        ObservableProfile relayed = source.copy();
        op.accept(dict);

        byte[] delta = source.getUpdates();
        source.clearUpdates();
        replica.applyUpdates(delta);
        assertThat(Fixtures.<Integer, String>dict(replica, "d").value()).isEqualTo(dict.value());
        assertThat(replica.hasUpdates()).isFalse();
        relay.applyUpdates(delta, RELAY);
        relayed.applyUpdates(relay.getUpdates());
        assertThat(Fixtures.<Integer, String>dict(relayed, "d").value()).isEqualTo(dict.value());
    }

    @Test
    void insertStoresItsValueAndClearEmptiesTheReplica() {
        ObservableList<Integer> list = new ObservableList<>("l", ElementType.INT, List.of(1, 2, 3));
        ObservableProfile source = of(list);
        ObservableProfile replica = source.copy();
        list.insert(0, 10);
        list.insert(2, 20);
        list.insert(5, 30);
        Fixtures.ship(source, replica);
        assertThat(Fixtures.<Integer>list(replica, "l").value()).containsExactly(10, 1, 20, 2, 3, 30);
        list.clear();
        Fixtures.ship(source, replica);
        assertThat(Fixtures.<Integer>list(replica, "l").value()).isEmpty();
    }

    @Test
    void recordedOperationsAreCompactedWhenLongerThanTheCollectionAndNeverBecomeAReplace() {
        ObservableList<Integer> list = new ObservableList<>("l", ElementType.INT, List.of(1, 2));
        ObservableProfile source = of(list);
        ObservableProfile replica = source.copy();
        for (int i = 0; i < 6; i++) {
            list.set(0, i);
        }
        assertThat(list.recordedChanges()).hasSize(6);
        list.set(0, 6);
        assertThat(list.recordedChanges()).as("7 operations > size 2 + slack 4: the last set of index 0").hasSize(1);
        assertThat(list.recordedChanges().get(0).kind()).isEqualTo(ListChange.Kind.SET);
        byte[] delta = Fixtures.ship(source, replica);
        assertThat(Fixtures.hex(delta)).isEqualTo("01 00 01 00 00 0c");
        for (int i = 0; i < 1000; i++) {
            list.set(i % 2, i);
            assertThat(list.recordedChanges()).hasSizeLessThanOrEqualTo(list.size() + 4);
        }
        Fixtures.ship(source, replica);

        list.add(3);
        list.add(4);
        assertThat(list.recordedChanges()).extracting(ListChange::kind)
                .containsExactly(ListChange.Kind.ADD, ListChange.Kind.ADD);
        list.clear();
        assertThat(list.recordedChanges()).extracting(ListChange::kind).containsExactly(ListChange.Kind.CLEAR);

        ObservableDictionary<String, Integer> dict = new ObservableDictionary<>("d", ElementType.STRING,
                ElementType.INT);
        for (int i = 0; i < 6; i++) {
            dict.put("k", i);
        }
        assertThat(dict.recordedChanges()).as("a dictionary keeps the last operation of each key, never a replace")
                .singleElement().satisfies(change -> {
                    assertThat(change.kind()).isEqualTo(DictionaryChange.Kind.PUT);
                    assertThat(change.value()).isEqualTo(5);
                });
    }

    @Test
    void aBurstOfListEditsSaysOnlyWhatItsWriterDidAndKeepsAnotherWritersAppends() {
        ObservableList<String> list = new ObservableList<>("l", ElementType.STRING, List.of("a", "b"));
        ObservableProfile writer = of(list);
        ObservableProfile master = writer.copy();
        master.getList("l", ElementType.STRING).add("theirs"); // another writer's append, meanwhile
        writer.clearUpdates();
        for (int i = 0; i < 50; i++) {
            list.set(i % 2, "v" + i);
            list.add("tmp");
            list.remove(list.size() - 1); // added and removed at once: cancels
            list.insert(0, "x");
            list.set(0, "y");
            list.remove(0); // inserted, set and removed: cancels
        }
        list.add("mine");
        assertThat(list.recordedChanges()).extracting(ListChange::kind).doesNotContain(ListChange.Kind.REPLACE)
                .hasSizeLessThanOrEqualTo(list.size() + 4);
        master.applyUpdates(writer.getUpdates());
        assertThat(master.getList("l", ElementType.STRING).value()).containsExactly("v48", "v49", "theirs", "mine");
        // A pathological burst still bounds the record: then, and only then, a replace.
        for (int i = 0; i < 200; i++) {
            list.insert(0, "p");
            list.remove(1);
        }
        assertThat(list.recordedChanges()).hasSizeLessThanOrEqualTo(4 * list.size() + 64)
                .first().extracting(ListChange::kind).isEqualTo(ListChange.Kind.REPLACE);
    }

    @Test
    void aBurstOfPutsIntoASmallDictionaryNeverErasesTheKeysAnotherWriterPutMeanwhile() {
        ObservableDictionary<String, Integer> dict = new ObservableDictionary<>("d", ElementType.STRING,
                ElementType.INT);
        ObservableProfile writer = of(dict);
        ObservableProfile master = writer.copy();
        master.getDictionary("d", ElementType.STRING, ElementType.INT).put("theirs", 1); // another writer's, meanwhile
        writer.clearUpdates();
        for (int i = 0; i < 40; i++) {
            dict.put("mine" + i, i);
            dict.put("mine" + i, i + 1);
            dict.remove("gone" + i);
        }
        assertThat(dict.recordedChanges()).extracting(DictionaryChange::kind)
                .doesNotContain(DictionaryChange.Kind.REPLACE).hasSizeBetween(40, 80);
        master.applyUpdates(writer.getUpdates());
        Map<String, Integer> result = master.getDictionary("d", ElementType.STRING, ElementType.INT).value();
        assertThat(result).containsEntry("theirs", 1).hasSize(41).containsEntry("mine39", 40);
        // A clear still resets the record: the keys after it are what it holds.
        dict.clear();
        dict.put("a", 1);
        assertThat(dict.recordedChanges()).extracting(DictionaryChange::kind)
                .containsExactly(DictionaryChange.Kind.CLEAR, DictionaryChange.Kind.PUT);
    }

    @Test
    @org.junit.jupiter.api.Timeout(30) // a guard against quadratic work (minutes), not a measurement
    void removingManyKeysThatCannotMergeRecordsEachOnceInLinearWork() {
        ObservableDictionary<Integer, String> dict = new ObservableDictionary<>("d", ElementType.INT,
                ElementType.STRING);
        ObservableProfile profile = of(dict);
        for (int i = 0; i < 200_000; i++) {
            dict.put(i, "x");
        }
        profile.clearUpdates();
        for (int i = 0; i < 200_000; i++) {
            dict.remove(i); // nothing to merge while the dictionary shrinks: compacting at every step is quadratic
        }
        assertThat(dict.recordedChanges()).hasSize(200_000)
                .allSatisfy(change -> assertThat(change.kind()).isEqualTo(DictionaryChange.Kind.REMOVE));
    }

    /**
     * A relay applying a long delta with recordAsLocal on top of its own recorded operations used to collapse in
     * the middle of the delta into a REPLACE of the final content, then record the remaining operations after it:
     * its replicas applied those operations twice.
     */
    @Test
    void relayCollapsingInTheMiddleOfAnAppliedDeltaStillForwardsTheRightContent() {
        ObservableList<String> sourceList = new ObservableList<>("l", ElementType.STRING);
        ObservableProfile source = of(sourceList);
        ObservableProfile relay = source.copy();
        ObservableProfile replica = source.copy();
        ObservableList<String> relayList = Fixtures.list(relay, "l");
        relayList.add("x");
        relayList.add("y");
        relayList.add("z");
        source.fromBytes(relay.toBytes());

        sourceList.remove(0);
        sourceList.remove(0);
        sourceList.remove(0);
        sourceList.add("w");
        sourceList.add("v");
        relay.applyUpdates(source.getUpdates(), RELAY);
        replica.applyUpdates(relay.getUpdates());
        assertThat(Fixtures.<String>list(replica, "l").value()).containsExactly("w", "v");
    }

    @Test
    void remoteApplyRecordsNothingUnlessRecordAsLocal() {
        ObservableProfile source = Fixtures.everyType();
        ObservableProfile replica = source.copy();
        ObservableProfile relay = source.copy();
        Fixtures.fillEveryType(source);
        byte[] delta = source.getUpdates();
        replica.applyUpdates(delta);
        assertThat(replica.hasUpdates()).isFalse();
        assertThat(hex(replica.getUpdates())).isEqualTo("00");
        relay.applyUpdates(delta, RELAY);
        assertThat(relay.hasUpdates()).isTrue();
        ObservableProfile downstream = Fixtures.everyType();
        downstream.applyUpdates(relay.getUpdates());
        Fixtures.assertSame(source, downstream);
    }

    private static String hex(byte[] bytes) {
        return Fixtures.hex(bytes);
    }

    @Test
    void listenersSeeEachOperationInOrderThenTheProfileListener() {
        ObservableList<String> list = new ObservableList<>("l", ElementType.STRING, List.of("a", "b"));
        ObservableProfile source = of(list);
        ObservableProfile replica = source.copy();
        List<String> events = new ArrayList<>();
        ObservableList<String> replicaList = Fixtures.list(replica, "l");
        replicaList.addListener(c -> events.add(c.kind() + " " + c.index() + " " + c.value() + " " + c.previous()));
        replica.addListener(p -> events.add("profile " + p.name() + " " + Fixtures.<String>list(replica, "l").value()));
        list.set(1, "B");
        list.insert(0, "z");
        list.remove(1);
        list.clear();
        Fixtures.ship(source, replica);
        assertThat(events).containsExactly("CLEAR -1 null null", "profile l []");

        events.clear();
        list.add("n");
        list.insert(0, "m");
        list.set(1, "N");
        list.remove(0);
        Fixtures.ship(source, replica);
        assertThat(events).containsExactly("ADD 0 n null", "INSERT 0 m null", "SET 1 N n", "REMOVE 0 null m",
                "profile l [N]");
    }

    @Test
    void dictionaryListenersSeePreviousValues() {
        ObservableDictionary<String, Integer> dict = new ObservableDictionary<>("d", ElementType.STRING,
                ElementType.INT, Map.of("a", 1));
        List<DictionaryChange<String, Integer>> seen = new ArrayList<>();
        dict.addListener(seen::add);
        dict.put("a", 1);
        dict.put("a", 2);
        dict.remove("a");
        dict.remove("a");
        dict.clear();
        assertThat(seen).containsExactly(new DictionaryChange<>(DictionaryChange.Kind.PUT, "a", 2, 1, null),
                new DictionaryChange<>(DictionaryChange.Kind.REMOVE, "a", null, 2, null));
    }

    @Test
    void equalSetsAndEmptyClearsChangeNothing() {
        ObservableList<Double> list = new ObservableList<>("l", ElementType.DOUBLE, List.of(Double.NaN));
        ObservableDictionary<String, Double> dict = new ObservableDictionary<>("d", ElementType.STRING,
                ElementType.DOUBLE, Map.of("k", Double.NaN));
        ObservableProfile profile = of(list, dict);
        list.set(0, Double.NaN);
        list.replaceAll(List.of(Double.NaN));
        dict.put("k", Double.NaN);
        dict.replaceAll(Map.of("k", Double.NaN));
        list.remove(0);
        profile.clearUpdates();
        list.clear();
        assertThat(profile.hasUpdates()).isFalse();
        list.add(0d);
        list.set(0, -0d);
        assertThat(list.recordedChanges()).hasSize(2);
    }

    @Test
    void badArgumentsAreRefusedAndChangeNothing() {
        ObservableList<Integer> list = new ObservableList<>("l", ElementType.INT, List.of(1));
        assertThatThrownBy(() -> list.insert(2, 5)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> list.set(1, 5)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> list.remove(-1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> list.add(null)).isInstanceOf(NullPointerException.class);
        assertThat(list.isDirty()).isFalse();
        assertThatThrownBy(() -> new ObservableDictionary<>("d", ElementType.DOUBLE, ElementType.INT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("use string or int keys");
        ObservableDictionary<String, Integer> dict = new ObservableDictionary<>("d", ElementType.STRING,
                ElementType.INT);
        assertThatThrownBy(() -> dict.put("k", null)).isInstanceOf(NullPointerException.class);
        assertThat(dict.remove(null)).isNull();
        assertThat(dict.isDirty()).isFalse();
        assertThat(ElementType.named("bool")).isSameAs(ElementType.BOOL);
        assertThatThrownBy(() -> ElementType.named("byte")).hasMessageContaining("int, long, float");
    }
}
