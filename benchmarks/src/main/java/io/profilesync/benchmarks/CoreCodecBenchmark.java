package io.profilesync.benchmarks;

import io.profilesync.core.ElementType;
import io.profilesync.core.ObservableBool;
import io.profilesync.core.ObservableDateTime;
import io.profilesync.core.ObservableDictionary;
import io.profilesync.core.ObservableDouble;
import io.profilesync.core.ObservableFloat;
import io.profilesync.core.ObservableInt;
import io.profilesync.core.ObservableList;
import io.profilesync.core.ObservableLong;
import io.profilesync.core.ObservableProfile;
import io.profilesync.core.ObservableString;
import io.profilesync.core.ObservableVector3;
import io.profilesync.core.Vector3;
import java.time.Instant;
import java.util.List;
import java.util.Map;
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
 * The core codec on a 20-property profile of mixed types: encoding the delta of 1 or 5 changed properties
 * ({@link ObservableProfile#getUpdates()}) and applying it to a replica
 * ({@link ObservableProfile#applyUpdates(byte[])}).
 * Run {@link #main} to print the bytes per delta. Threading: JMH runs each benchmark on one thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CoreCodecBenchmark {

    @Param({"1", "5"})
    public int changed;

    private ObservableProfile source;
    private ObservableProfile replica;
    private byte[] deltaA;
    private byte[] deltaB;
    private boolean flip;

    /** 20 properties: 5 int, 2 long, 2 float, double, 2 bool, 2 string, datetime, 2 vector3, 2 lists, dict. */
    public static ObservableProfile profile() {
        ObservableProfile p = new ObservableProfile();
        for (String name : List.of("gold", "gems", "level", "kills", "deaths")) {
            p.add(new ObservableInt(name, 10));
        }
        p.add(new ObservableLong("xp", 123_456L));
        p.add(new ObservableLong("playTimeMs", 9_000_000L));
        p.add(new ObservableFloat("speed", 1f));
        p.add(new ObservableFloat("health", 100f));
        p.add(new ObservableDouble("rating", 1500.5));
        p.add(new ObservableBool("vip", false));
        p.add(new ObservableBool("banned", false));
        p.add(new ObservableString("nick", "player"));
        p.add(new ObservableString("guild", "knights"));
        p.add(new ObservableDateTime("lastSeen", Instant.parse("2026-11-21T08:00:00Z")));
        p.add(new ObservableVector3("position", new Vector3(1, 2, 3), 0.01f));
        p.add(new ObservableVector3("velocity", Vector3.ZERO));
        p.add(new ObservableList<>("items", ElementType.INT, List.of(1, 2, 3, 4)));
        p.add(new ObservableList<>("titles", ElementType.STRING, List.of("rookie")));
        p.add(new ObservableDictionary<>("stats", ElementType.STRING, ElementType.INT, Map.of("str", 5, "agi", 7)));
        return p;
    }

    /** Changes the first {@code count} of: gold, position, health, xp, nick; {@code variant} picks the values. */
    public static void change(ObservableProfile p, int count, boolean variant) {
        int v = variant ? 1 : 2;
        p.get("gold", ObservableInt.class).set(40 + v);
        if (count >= 5) {
            p.get("position", ObservableVector3.class).set(100.25f * v, -20.5f, 3.75f);
            p.get("health", ObservableFloat.class).set(90f + v);
            p.get("xp", ObservableLong.class).set(200_000L + v);
            p.get("nick", ObservableString.class).set("player" + v);
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        source = profile();
        replica = profile();
        change(source, changed, true);
        deltaA = source.getUpdates();
        source.clearUpdates();
        change(source, changed, false);
        deltaB = source.getUpdates();
        System.out.println();
        System.out.println("# changed=" + changed + ": " + deltaA.length + " bytes per delta");
    }

    /** Encodes the pending delta (the changed properties stay dirty, so every call encodes the same work). */
    @Benchmark
    public byte[] encode() {
        return source.getUpdates();
    }

    /** Applies a delta that changes the replica (alternating two deltas so every apply changes values). */
    @Benchmark
    public Object apply() {
        flip = !flip;
        return replica.applyUpdates(flip ? deltaA : deltaB);
    }

    /** Prints the bytes per delta of 1 and 5 changed properties. */
    public static void main(String[] args) {
        for (int count : new int[] {1, 5}) {
            ObservableProfile p = profile();
            change(p, count, true);
            System.out.println(count + " changed: " + p.getUpdates().length + " bytes per delta; whole profile "
                    + p.toBytes().length + " bytes");
        }
    }
}
