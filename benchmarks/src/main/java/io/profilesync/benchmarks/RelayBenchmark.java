package io.profilesync.benchmarks;

import io.profilesync.core.ApplyOptions;
import io.profilesync.core.ElementType;
import io.profilesync.core.ObservableInt;
import io.profilesync.core.ObservableList;
import io.profilesync.core.ObservableProfile;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What the master's profile thread pays to relay one accepted delta to the outboxes of {@code holders} holders, the
 * two ways it can be done, in the same run (issue 11, "decode a delta once"):
 * <ul>
 *   <li>{@link #decodePerHolder}: what the master did before f52e141. The master's copy applies the delta without
 *       recording it, then every holder's outbox decodes and applies the same bytes again, recording them.
 *   <li>{@link #decodeOnce}: what {@code ChangeRelay} does now. The master's copy applies the delta once, recording
 *       it, and every outbox replays what that copy recorded ({@link ObservableProfile#recordChangesOf}).
 * </ul>
 * Both end with every outbox cleared (as a push would leave it), so an operation is the whole relay of one delta.
 * Two deltas alternate so that every apply changes values. {@code delta}: {@code int} changes one int (3 bytes);
 * {@code listOps} sets 10,000 elements of a 20,000-int list one by one (about 64 KiB of list operations, the
 * heaviest delta a peer could send under the default {@code maxUpdateSize}).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar RelayBenchmark -f 1 -wi 3 -i 5 -w 1 -r 1}. Threading:
 * JMH runs each benchmark on one thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RelayBenchmark {
    private static final int LIST_SIZE = 20_000;
    private static final int LIST_SETS = 10_000;

    @Param({"1", "8"})
    public int holders;

    @Param({"int", "listOps"})
    public String delta;

    private ObservableProfile master;
    private final List<ObservableProfile> outboxes = new ArrayList<>();
    private byte[] deltaA;
    private byte[] deltaB;
    private boolean flip;

    static ObservableProfile profile() {
        ObservableProfile p = new ObservableProfile();
        p.add(new ObservableInt("gold", 0));
        p.add(new ObservableList<>("bag", ElementType.INT, Collections.nCopies(LIST_SIZE, 0)));
        return p;
    }

    private static byte[] deltaOf(String kind, int value) {
        ObservableProfile writer = profile();
        if (kind.equals("int")) {
            writer.get("gold", ObservableInt.class).set(value);
        } else {
            @SuppressWarnings("unchecked")
            ObservableList<Integer> bag = writer.get("bag", ObservableList.class);
            for (int i = 0; i < LIST_SETS; i++) {
                bag.set(2 * i, value + i);
            }
        }
        return writer.getUpdates();
    }

    @Setup(Level.Trial)
    public void setUp() {
        master = profile();
        outboxes.clear();
        for (int i = 0; i < holders; i++) {
            outboxes.add(profile());
        }
        deltaA = deltaOf(delta, 1_000_000);
        deltaB = deltaOf(delta, 2_000_000);
        System.out.println();
        System.out.println("# delta=" + delta + ": " + deltaA.length + " bytes");
    }

    private byte[] next() {
        flip = !flip;
        return flip ? deltaA : deltaB;
    }

    @Benchmark
    public int decodePerHolder() {
        byte[] bytes = next();
        int changed = master.applyUpdates(bytes, ApplyOptions.REMOTE).size();
        ApplyOptions record = ApplyOptions.REMOTE.recorded(true);
        for (ObservableProfile outbox : outboxes) {
            changed += outbox.applyUpdates(bytes, record).size();
            outbox.clearUpdates();
        }
        return changed;
    }

    @Benchmark
    public int decodeOnce() {
        byte[] bytes = next();
        int changed = master.applyUpdates(bytes, ApplyOptions.REMOTE.recorded(true)).size();
        for (ObservableProfile outbox : outboxes) {
            changed += outbox.recordChangesOf(master).size();
            outbox.clearUpdates();
        }
        master.clearUpdates();
        return changed;
    }
}
