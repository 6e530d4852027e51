package io.profilesync.master;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryonet.Connection;
import com.esotericsoftware.kryonet.KryoNetException;
import io.profilesync.core.ApplyOptions;
import io.profilesync.core.ElementType;
import io.profilesync.core.ObservableDictionary;
import io.profilesync.core.ObservableInt;
import io.profilesync.core.ObservableList;
import io.profilesync.core.ObservableProfile;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.ObservableString;
import io.profilesync.core.ProfileFormatException;
import io.profilesync.core.PropertyView;
import io.profilesync.core.UpdateRejectedException;
import io.profilesync.populators.ProfileSchema;
import io.profilesync.populators.ProfileSchema.Writer;
import io.profilesync.protocol.ProtocolException;
import io.profilesync.protocol.RefusalCode;
import io.profilesync.protocol.internal.Messages.AcquireFailed;
import io.profilesync.protocol.internal.Messages.AcquireProfile;
import io.profilesync.protocol.internal.Messages.ClientPush;
import io.profilesync.protocol.internal.Messages.ClientUpdate;
import io.profilesync.protocol.internal.Messages.Flush;
import io.profilesync.protocol.internal.Messages.HandleDelta;
import io.profilesync.protocol.internal.Messages.Hello;
import io.profilesync.protocol.internal.Messages.ProfileAcquired;
import io.profilesync.protocol.internal.Messages.ProfileRequest;
import io.profilesync.protocol.internal.Messages.ProfileSnapshot;
import io.profilesync.protocol.internal.Messages.Refusal;
import io.profilesync.protocol.internal.Messages.Refused;
import io.profilesync.protocol.internal.Messages.ReleaseProfile;
import io.profilesync.protocol.internal.Messages.Role;
import io.profilesync.protocol.internal.Messages.ServerBatch;
import io.profilesync.protocol.internal.Messages.ServerTransaction;
import io.profilesync.protocol.internal.Messages.ServerPush;
import io.profilesync.protocol.internal.Messages.Welcome;
import io.profilesync.protocol.internal.Protocol;
import io.profilesync.protocol.internal.WireSerialization;
import io.profilesync.core.Vector3;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes everything a peer's bytes reach on the master (and a master's bytes on a peer): a stream of KryoNet frames
 * (4-byte length, body) read as KryoNet reads them through the master's {@link WireSerialization} (held to the
 * unauthenticated frame limit until a Welcome, as on the master), each message's deltas decoded, validated and
 * applied all or nothing to a server profile with the client view and validator (client updates) or every property
 * and the server validator (game-server batches), relayed into a holder's outbox, and pushes and snapshots applied to
 * replicas as the peers do.
 *
 * <p>A frame may be refused ({@link KryoNetException} from a bad length, an unknown class, or a reader that found the
 * bytes short or wrong: Kryo's underflow, {@link ProtocolException}); a delta may be refused
 * ({@link ProfileFormatException}, {@link UpdateRejectedException}). Anything else, an Error included, is a finding.
 *
 * <p>In the normal build the seeds under {@code src/test/resources/io/profilesync/master/PeerFrameFuzzTestInputs/}
 * run as regression tests, and the build's {@code fuzz} execution fuzzes for 30 s ({@code JAZZER_FUZZ=1}); how to
 * run it longer is in {@code docs/security.md}. Regenerate the valid seeds with {@code -Dfuzz.seeds.update=true}.
 */
public class PeerFrameFuzzTest {
    static final ProfileSchema SCHEMA = ProfileSchema.builder()
            .intProperty("level", 1).min(1).max(100).clientWritable()
            .longProperty("xp", 0L).min(0L)
            .floatProperty("speed", 1.5f).min(0).max(10)
            .doubleProperty("ratio", 0.25).max(1.0)
            .boolProperty("premium", false).clientWritable()
            .stringProperty("displayName", "newbie").maxLength(32).clientWritable()
            .datetimeProperty("createdAt", Instant.parse("2024-01-01T00:00:00Z"))
            .vector3Property("position", Vector3.ZERO, 0.01f).min(-300).max(300).clientWritable()
            .listProperty("items", ElementType.STRING).maxSize(16).maxLength(24).clientWritable()
            .dictProperty("counters", ElementType.STRING, ElementType.INT).maxSize(8).maxKeyLength(16)
            .clientWritable()
            .dictProperty("byId", ElementType.INT, ElementType.DOUBLE)
            .stringProperty("banReason", "").hiddenFromClients()
            .build();
    private static final PropertyView CLIENT_VIEW = SCHEMA.clientView();
    private static final ApplyOptions FROM_CLIENT = new ApplyOptions(CLIENT_VIEW, false,
            SCHEMA.validatorFor(Writer.CLIENT));
    private static final ApplyOptions FROM_GAME_SERVER = new ApplyOptions(PropertyView.ALL, false,
            SCHEMA.validatorFor(Writer.SERVER));
    /** The master's objectBufferSize default: KryoNet refuses a longer frame before reading it. */
    private static final int OBJECT_BUFFER_SIZE = 128 * 1024;
    private static final int UNAUTHENTICATED_FRAME_LIMIT = 4 * 1024;
    private static final Path SEEDS = Path.of("src/test/resources/io/profilesync/master/PeerFrameFuzzTestInputs",
            "decodeWhatAPeerSends");

    /** The fuzz target: one input is the bytes a peer writes on its connection. */
    @FuzzTest(maxDuration = "30s")
    void decodeWhatAPeerSends(byte[] input) {
        decodeStream(input);
    }

    /** The same target for Jazzer's standalone driver (the long run in {@code docs/security.md}). */
    public static void fuzzerTestOneInput(byte[] input) {
        decodeStream(input);
    }

    /** Reads frames from {@code stream} as KryoNet and the master would, until the bytes end or a frame is refused. */
    static void decodeStream(byte[] stream) {
        WireSerialization serialization = new WireSerialization(UNAUTHENTICATED_FRAME_LIMIT, (c, w) -> { });
        Connection connection = new Connection() { };
        // KryoNet's read buffer holds objectBufferSize; one as large as the input reads the same frames.
        ByteBuffer readBuffer = ByteBuffer.allocate(Math.min(OBJECT_BUFFER_SIZE, stream.length));
        Peer peer = new Peer();
        ByteBuffer in = ByteBuffer.wrap(stream);
        while (in.remaining() >= WireSerialization.LENGTH_BYTES) {
            readBuffer.clear();
            readBuffer.put(in.array(), in.position(), WireSerialization.LENGTH_BYTES).flip();
            in.position(in.position() + WireSerialization.LENGTH_BYTES);
            int length;
            try {
                length = serialization.readLength(readBuffer);
            } catch (KryoNetException e) {
                return; // over the unauthenticated limit: KryoNet closes the connection
            }
            if (length <= 0 || length > OBJECT_BUFFER_SIZE || length > in.remaining()) {
                return; // KryoNet's own checks, or the connection ends mid-frame
            }
            readBuffer.clear();
            readBuffer.put(in.array(), in.position(), length).flip();
            in.position(in.position() + length);
            Object message;
            try {
                message = serialization.read(connection, readBuffer);
            } catch (KryoNetException e) {
                requireExpected(e);
                return;
            }
            if (readBuffer.hasRemaining()) {
                return; // KryoNet: "Incorrect number of bytes used to deserialize object"
            }
            if (message instanceof Hello) {
                // The master would check the credential; let the rest of the stream be read as authenticated.
                serialization.write(connection, ByteBuffer.allocate(256), new Welcome("fuzz", "{}", 1));
            }
            peer.receive(message);
        }
    }

    /** Refusals a reader may give on bytes that do not form its message; anything else is a bug. */
    private static void requireExpected(KryoNetException e) {
        Throwable cause = e.getCause();
        if (cause == null || cause instanceof KryoException || cause instanceof ProtocolException) {
            return;
        }
        throw new AssertionError("a frame's reader failed with an unexpected " + cause, cause);
    }

    /** The master's and the peers' copies one stream decodes into. */
    private static final class Peer {
        // Copies of one template: cheaper per input than building each from the schema.
        private static final ObservableServerProfile SERVER_TEMPLATE = SCHEMA.newServerProfile("fuzz");
        private static final ObservableProfile TEMPLATE = SCHEMA.newProfile();

        final ObservableServerProfile mastersCopy = SERVER_TEMPLATE.copy();
        final ObservableServerProfile clientsOutbox = SERVER_TEMPLATE.copy();
        final ObservableProfile clientReplica = TEMPLATE.copy();
        final ObservableProfile serverReplica = TEMPLATE.copy();

        void receive(Object message) {
            if (message instanceof ClientUpdate update) {
                applyAsMaster(update.delta(), FROM_CLIENT);
            } else if (message instanceof ServerBatch batch) {
                for (HandleDelta entry : batch.entries()) {
                    applyAsMaster(entry.delta(), FROM_GAME_SERVER);
                }
            } else if (message instanceof ServerTransaction transaction) {
                try {
                    io.profilesync.core.Precondition.failures(
                            io.profilesync.core.Precondition.decode(transaction.preconditions()), mastersCopy);
                } catch (ProfileFormatException refused) {
                    return; // the master closes the connection
                }
                applyAsMaster(transaction.delta(), FROM_GAME_SERVER.atomic(true));
            } else if (message instanceof ClientPush push) {
                applyAsReplica(clientReplica, push.delta());
            } else if (message instanceof ServerPush push) {
                for (HandleDelta entry : push.entries()) {
                    applyAsReplica(serverReplica, entry.delta());
                }
            } else if (message instanceof ProfileSnapshot snapshot) {
                loadAsReplica(clientReplica, snapshot.profile());
            } else if (message instanceof ProfileAcquired acquired) {
                loadAsReplica(serverReplica, acquired.profile());
            }
        }

        /**
         * The master's apply path: decode, validate, apply; relay into a client's outbox (in the writer's view, as
         * ChangeRelay does) and on to the client.
         */
        private void applyAsMaster(byte[] delta, ApplyOptions options) {
            try {
                mastersCopy.applyUpdates(delta, options);
            } catch (ProfileFormatException | UpdateRejectedException refused) {
                return;
            }
            clientsOutbox.applyUpdates(delta, new ApplyOptions(options.view(), true, null));
            byte[] push = clientsOutbox.getUpdates(CLIENT_VIEW);
            clientsOutbox.clearUpdates();
            clientReplica.applyUpdates(push, ApplyOptions.REMOTE);
        }

        private static void applyAsReplica(ObservableProfile replica, byte[] delta) {
            try {
                replica.applyUpdates(delta, ApplyOptions.REMOTE);
            } catch (ProfileFormatException refused) {
                // a peer drops a master that sends this
            }
        }

        private static void loadAsReplica(ObservableProfile replica, byte[] profile) {
            try {
                replica.fromBytes(profile);
            } catch (ProfileFormatException refused) {
                // likewise
            }
        }
    }

    // ---------------------------------------------------------------- the seed corpus

    /** A frame as KryoNet writes it. */
    static byte[] frame(Object message) {
        ByteBuffer buffer = ByteBuffer.allocate(OBJECT_BUFFER_SIZE);
        buffer.position(WireSerialization.LENGTH_BYTES);
        new WireSerialization().write(null, buffer, message);
        int end = buffer.position();
        buffer.putInt(0, end - WireSerialization.LENGTH_BYTES);
        byte[] bytes = new byte[end];
        buffer.get(0, bytes);
        return bytes;
    }

    static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        ByteBuffer all = ByteBuffer.allocate(length);
        for (byte[] part : parts) {
            all.put(part);
        }
        return all.array();
    }

    private static byte[] deltaOf(Consumer<ObservableProfile> change) {
        ObservableProfile profile = SCHEMA.newProfile();
        change.accept(profile);
        return profile.getUpdates();
    }

    @SuppressWarnings("unchecked")
    private static <T> T property(ObservableProfile profile, String name) {
        return (T) profile.get(name);
    }

    /** Valid streams of every message, with deltas of every property type, and the known attacks. */
    static Map<String, byte[]> seeds() {
        byte[] hello = frame(new Hello(Protocol.VERSION, Role.CLIENT, 7, "token", ""));
        byte[] level = deltaOf(p -> p.get("level", ObservableInt.class).set(5));
        byte[] everything = deltaOf(p -> {
            PeerFrameFuzzTest.<ObservableInt>property(p, "level").set(50);
            PeerFrameFuzzTest.<ObservableString>property(p, "displayName").set("hero");
            PeerFrameFuzzTest.<ObservableList<String>>property(p, "items").add("sword");
            PeerFrameFuzzTest.<ObservableList<String>>property(p, "items").add("shield");
            PeerFrameFuzzTest.<ObservableList<String>>property(p, "items").remove(0);
            PeerFrameFuzzTest.<ObservableDictionary<String, Integer>>property(p, "counters").put("kills", 3);
            PeerFrameFuzzTest.<ObservableDictionary<String, Integer>>property(p, "counters").remove("deaths");
            PeerFrameFuzzTest.<ObservableDictionary<Integer, Double>>property(p, "byId").put(4, 0.5);
        });
        ObservableServerProfile full = SCHEMA.newServerProfile("u1");
        full.applyUpdates(everything, ApplyOptions.REMOTE);
        byte[] whole = full.toBytes();
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("hello-only", hello);
        seeds.put("client-update-int", concat(hello, frame(new ClientUpdate(1, level))));
        seeds.put("client-update-every-type", concat(hello, frame(new ProfileRequest()),
                frame(new ClientUpdate(2, everything))));
        seeds.put("server-batch", concat(frame(new Hello(Protocol.VERSION, Role.GAME_SERVER, 9, "secret", "")),
                frame(new AcquireProfile(1, "u1")), frame(new ServerBatch(1, List.of(new HandleDelta(1, everything),
                        new HandleDelta(2, level)))), frame(new ReleaseProfile(1))));
        seeds.put("server-transaction", concat(frame(new Hello(Protocol.VERSION, Role.GAME_SERVER, 9, "secret", "")),
                frame(new AcquireProfile(1, "u1")), frame(new ServerTransaction(1, 1, io.profilesync.core.Precondition
                        .encode(List.of(io.profilesync.core.Precondition.atLeast("level", 1),
                                io.profilesync.core.Precondition.doesNotContain("items", "sword"))), everything))));
        seeds.put("client-update-flush", concat(hello, frame(new ProfileRequest()), frame(new ClientUpdate(1, level)),
                frame(new Flush(1))));
        seeds.put("master-to-client", concat(frame(new Welcome("u1", SCHEMA.clientSchema().toJson(), 65536)),
                frame(new ProfileSnapshot(0, whole)), frame(new ClientPush(1, 1, level,
                        List.of(new Refusal(1, 0, "level", "150 is above 100"))))));
        seeds.put("master-to-server", concat(frame(new ProfileAcquired(1, 1, 0, whole)),
                frame(new ServerPush(-1, -1, List.of(new HandleDelta(1, everything)), List.of())),
                frame(new ServerPush(1, 0, List.of(), List.of())), frame(new AcquireFailed(2, "database down")),
                frame(new Refused(RefusalCode.OVERLOADED, "slow down"))));
        byte[] valid = seeds.get("client-update-every-type");
        seeds.put("truncated-in-length", java.util.Arrays.copyOf(valid, 2));
        seeds.put("truncated-in-frame", java.util.Arrays.copyOf(valid, valid.length - 3));
        seeds.put("truncated-in-hello", java.util.Arrays.copyOf(hello, hello.length - 4));
        seeds.put("attack-kryo-string-4g", hex("0000000603ffffffff0f"));
        seeds.put("attack-class-by-name", hex("000000060180808040"));
        seeds.put("attack-hello-credential-1g", hex("000000116601020102030405060708808080800400"));
        seeds.put("attack-batch-count", concat(hello, hex("000000077d01ffffffff07")));
        seeds.put("attack-oversized-before-hello", hex("00001001"));
        seeds.put("attack-long-dictionary-key", concat(hello, frame(new ClientUpdate(3, longKeyDelta()))));
        seeds.put("attack-unknown-class-ids", concat(hello, hex("000000020000"), hex("00000001 6f".replace(" ", ""))));
        seeds.put("attack-hidden-property", concat(hello, frame(new ClientUpdate(4,
                deltaOf(p -> p.get("banReason", ObservableString.class).set("x"))))));
        seeds.put("attack-out-of-range", concat(hello, frame(new ClientUpdate(5,
                deltaOf(p -> p.get("level", ObservableInt.class).set(1000))))));
        // One valid frame of every message on its own, after a Hello, and each of those cut in half.
        Map<String, Object> singles = new LinkedHashMap<>();
        singles.put("welcome", new Welcome("u1", "{\"properties\":[]}", 1024));
        singles.put("refused", new Refused(RefusalCode.AUTHENTICATION, "bad secret"));
        singles.put("profile-request", new ProfileRequest());
        singles.put("profile-snapshot", new ProfileSnapshot(7, whole));
        singles.put("client-update", new ClientUpdate(1, everything));
        singles.put("client-push", new ClientPush(1, 0, everything, List.of()));
        singles.put("acquire-profile", new AcquireProfile(1, "u1"));
        singles.put("profile-acquired", new ProfileAcquired(1, 3, 0, whole));
        singles.put("acquire-failed", new AcquireFailed(1, "database down"));
        singles.put("server-batch", new ServerBatch(1, List.of(new HandleDelta(1, everything))));
        singles.put("server-push", new ServerPush(1, 1, List.of(new HandleDelta(1, level)), List.of()));
        singles.put("release-profile", new ReleaseProfile(3));
        singles.put("server-transaction", new ServerTransaction(2, 1, io.profilesync.core.Precondition.encode(
                List.of(io.profilesync.core.Precondition.equalTo("level", 3))), level));
        singles.put("flush", new Flush(1));
        for (Map.Entry<String, Object> single : singles.entrySet()) {
            byte[] stream = concat(hello, frame(single.getValue()));
            seeds.put("single-" + single.getKey(), stream);
            seeds.put("half-" + single.getKey(), java.util.Arrays.copyOf(stream, hello.length
                    + (stream.length - hello.length) / 2));
        }
        return seeds;
    }

    private static byte[] longKeyDelta() {
        ObservableProfile writer = new ObservableProfile();
        for (var definition : SCHEMA.definitions()) {
            writer.add(definition.name().equals("counters")
                    ? new ObservableDictionary<>("counters", ElementType.STRING, ElementType.INT, Map.of(), 100_000)
                    : definition.newProperty());
        }
        PeerFrameFuzzTest.<ObservableDictionary<String, Integer>>property(writer, "counters").put("k".repeat(600), 1);
        return writer.getUpdates();
    }

    private static byte[] hex(String hex) {
        return java.util.HexFormat.of().parseHex(hex);
    }

    @Test
    void theCommittedCorpusHoldsEverySeedAndEveryOneDecodesWithoutAFinding() throws IOException {
        Map<String, byte[]> seeds = seeds();
        if (Boolean.getBoolean("fuzz.seeds.update")) {
            Files.createDirectories(SEEDS);
            for (Map.Entry<String, byte[]> seed : seeds.entrySet()) {
                Files.write(SEEDS.resolve(seed.getKey()), seed.getValue());
            }
        }
        for (Map.Entry<String, byte[]> seed : seeds.entrySet()) {
            assertThat(SEEDS.resolve(seed.getKey())).as("seed %s; write it with -Dfuzz.seeds.update=true",
                    seed.getKey()).hasBinaryContent(seed.getValue());
            decodeStream(seed.getValue());
        }
        try (Stream<Path> files = Files.list(SEEDS)) {
            assertThat(files.count()).isGreaterThanOrEqualTo(seeds.size());
        }
    }

    @Test
    void aValidClientUpdateReachesTheMastersCopyAndTheClientsReplica() {
        Peer peer = new Peer();
        byte[] delta = deltaOf(p -> p.get("level", ObservableInt.class).set(42));
        peer.receive(new ClientUpdate(1, delta));
        assertThat(peer.mastersCopy.get("level", ObservableInt.class).get()).isEqualTo(42);
        assertThat(peer.clientReplica.get("level", ObservableInt.class).get()).isEqualTo(42);
    }
}
