package io.profilesync.protocol.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryonet.Connection;
import com.esotericsoftware.kryonet.Listener;
import com.esotericsoftware.kryonet.Server;
import io.profilesync.core.ObservableInt;
import io.profilesync.core.ObservableProfile;
import io.profilesync.protocol.internal.Messages.AcquireFailed;
import io.profilesync.protocol.internal.Messages.AcquireProfile;
import io.profilesync.protocol.internal.Messages.ClientPush;
import io.profilesync.protocol.internal.Messages.ClientUpdate;
import io.profilesync.protocol.internal.Messages.HandleDelta;
import io.profilesync.protocol.internal.Messages.Hello;
import io.profilesync.protocol.internal.Messages.ProfileAcquired;
import io.profilesync.protocol.internal.Messages.ProfileRequest;
import io.profilesync.protocol.internal.Messages.ProfileSnapshot;
import io.profilesync.protocol.internal.Messages.Refusal;
import io.profilesync.protocol.ProtocolException;
import io.profilesync.protocol.RefusalCode;
import io.profilesync.protocol.internal.Messages.Refused;
import io.profilesync.protocol.internal.Messages.ReleaseProfile;
import io.profilesync.protocol.internal.Messages.Role;
import io.profilesync.protocol.internal.Messages.ServerBatch;
import io.profilesync.protocol.internal.Messages.ServerPush;
import io.profilesync.protocol.internal.Messages.Welcome;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every message round-trips through a Kryo with {@link Protocol#register}, byte for byte as the golden files under
 * {@code src/test/resources/golden-messages/} say (regenerate deliberately with {@code -Dgolden.update=true}); hostile
 * bytes give an exception, never an allocation the size of a forged length.
 */
class MessagesCodecTest {
    private static final HexFormat HEX = HexFormat.of();
    /** One changed int (index 0, value 5): count 1, index 0, zigzag varint 10. */
    private static final byte[] ONE_INT_DELTA = {1, 0, 10};

    private static Kryo kryo() {
        Kryo kryo = new Kryo();
        Protocol.register(kryo);
        return kryo;
    }

    private static byte[] write(Object message) {
        Output out = new Output(64, -1);
        kryo().writeClassAndObject(out, message);
        return out.toBytes();
    }

    private static Object read(byte[] bytes) {
        return kryo().readClassAndObject(new Input(bytes));
    }

    /** One sample of every message, by the name of its golden file. */
    static Map<String, Object> samples() {
        Map<String, Object> samples = new LinkedHashMap<>();
        samples.put("Hello", new Hello(Protocol.VERSION, Role.GAME_SERVER, 0x0102030405060708L, "s3cret", "ab12"));
        samples.put("Challenge", new Messages.Challenge(new byte[] {1, 2, 3, 4}));
        samples.put("Proof", new Messages.Proof(new byte[] {9, 9}));
        samples.put("Flush", new Messages.Flush(300));
        samples.put("Welcome", new Welcome("u1", "{\"properties\":[]}", 1 << 20));
        samples.put("Refused", new Refused(RefusalCode.AUTHENTICATION, "bad secret"));
        samples.put("ProfileRequest", new ProfileRequest());
        samples.put("ProfileSnapshot", new ProfileSnapshot(7, new byte[] {1, 2, 3, 4}));
        samples.put("ClientUpdate", new ClientUpdate(5, 3, 2, ONE_INT_DELTA));
        samples.put("ClientPush", new ClientPush(1, 1, ONE_INT_DELTA, List.of()));
        samples.put("ClientPushRefused", new ClientPush(2, 1, new byte[0],
                List.of(new Refusal(2, 0, "level", "150 is above 100"))));
        samples.put("AcquireProfile", new AcquireProfile(1, "u1"));
        samples.put("ProfileAcquired", new ProfileAcquired(1, 3, 0, new byte[] {9, 8, 7}));
        samples.put("AcquireFailed", new AcquireFailed(1, "database down"));
        samples.put("ServerBatch", new ServerBatch(1, List.of(new HandleDelta(1, 2, 0, ONE_INT_DELTA),
                new HandleDelta(2, ONE_INT_DELTA))));
        samples.put("ServerPush", new ServerPush(1, 1, List.of(new HandleDelta(1, ONE_INT_DELTA)), List.of()));
        samples.put("ServerPushContinued", new ServerPush(-1, -1, List.of(new HandleDelta(300, new byte[] {0})),
                List.of(new Refusal(4, 300, "", "unknown handle"))));
        samples.put("ReleaseProfile", new ReleaseProfile(3));
        samples.put("ServerTransaction", new Messages.ServerTransaction(4, 3, 6, 1,
                io.profilesync.core.Precondition.encode(List.of(io.profilesync.core.Precondition.atLeast("gold", 30))),
                ONE_INT_DELTA));
        return samples;
    }

    @Test
    void everyMessageRoundTripsAndMatchesItsGoldenFile() throws IOException {
        Path dir = Path.of("src", "test", "resources", "golden-messages");
        boolean update = Boolean.getBoolean("golden.update");
        for (Map.Entry<String, Object> sample : samples().entrySet()) {
            byte[] bytes = write(sample.getValue());
            Object back = read(bytes);
            assertThat(back).as(sample.getKey()).usingRecursiveComparison().isEqualTo(sample.getValue());
            Path golden = dir.resolve(sample.getKey() + ".hex");
            String hex = HEX.formatHex(bytes) + "\n";
            if (update) {
                Files.createDirectories(dir);
                Files.writeString(golden, hex);
            }
            assertThat(golden).as("golden file of %s; create it with -Dgolden.update=true", sample.getKey())
                    .exists();
            assertThat(Files.readString(golden)).as("bytes of %s", sample.getKey()).isEqualTo(hex);
        }
    }

    @Test
    void aServerBatchWithOneThreeByteDeltaTakesTenBytes() {
        byte[] bytes = write(new ServerBatch(1, List.of(new HandleDelta(1, 4, 0, ONE_INT_DELTA))));

        // class id 123+2, seq 1, 1 entry, handle 1, base push 4, overlay 0, delta length 3, the delta
        assertThat(bytes).containsExactly(125, 1, 1, 1, 4, 0, 3, 1, 0, 10);
    }

    @Test
    void anEntryWithoutABaseCarriesNoOverlay() {
        byte[] bytes = write(new ServerBatch(1, List.of(new HandleDelta(1, ONE_INT_DELTA))));

        // class id 123+2, seq 1, 1 entry, handle 1, base 0 (none), delta length 3, the delta
        assertThat(bytes).containsExactly(125, 1, 1, 1, 0, 3, 1, 0, 10);
    }

    @Test
    void aClientPushOfOneThreeByteDeltaTakesEightBytes() {
        byte[] bytes = write(new ClientPush(1, 1, ONE_INT_DELTA, List.of()));

        // class id 113+2, ackSeq 1, durableSeq 1, delta length 3, the delta, 0 refusals
        assertThat(bytes).containsExactly(115, 1, 1, 3, 1, 0, 10, 0);
    }

    @Test
    void theDeltaOfOneChangedIntTakesThreeBytes() {
        ObservableProfile profile = new ObservableProfile();
        profile.add(new ObservableInt("level", 1)).set(5);

        assertThat(profile.getUpdates()).containsExactly(ONE_INT_DELTA);
    }

    @Test
    void helloWritesTheInstanceIdAsKryosLittleEndianLong() {
        byte[] bytes = write(new Hello(1, Role.CLIENT, 0x0102030405060708L, "", ""));

        // class id 100+2, version 1, role 1, 8 bytes least significant first, two empty strings
        assertThat(bytes).containsExactly(102, 1, 1, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0);
    }

    @Test
    void serverPushContinuedTravelsAsZero() {
        byte[] bytes = write(new ServerPush(-1, -1, List.of(), List.of()));

        // class id 124+2, ackSeq -1 as 0, durableSeq -1 as 0, no entries, no refusals
        assertThat(bytes).containsExactly(126, 0, 0, 0, 0);
        assertThat(((ServerPush) read(bytes)).ackSeq()).isEqualTo(-1);
        assertThat(((ServerPush) read(bytes)).durableSeq()).isEqualTo(-1);
    }

    // ---------------------------------------------------------------- hostile bytes

    private static void assertRefused(String hex) {
        byte[] bytes = HEX.parseHex(hex);
        assertThatThrownBy(() -> read(bytes)).as(hex).isInstanceOfAny(ProtocolException.class, KryoException.class);
    }

    @Test
    void hostileLengthsAndCountsAreRefusedWithoutAllocatingThem() {
        // ServerBatch, seq 1, entry count 2^31-1
        assertRefused("7d01ffffffff07");
        // ServerPush, ack 0, durable 0, entry count 0, refusal count 2^28
        assertRefused("7e00000080808080");
        // ProfileSnapshot, lastApplied 0, profile length 2^31-16
        assertRefused("710001f0ffffff07");
        // ClientUpdate, seq 1, no base, delta length -1 (as a 5-byte varint)
        assertRefused("720100ffffffff0f");
        // Hello, version 1, role 2, instance id, credential length 2^30
        assertRefused("6601020102030405060708808080800400");
        // Hello with an unknown role
        assertRefused("660109010203040506070800 00".replace(" ", ""));
        // Refused, code 2, reason length 1000 with 3 bytes present
        assertRefused("6802e807616263");
        // a truncated ProfileAcquired
        assertRefused("7b0103");
        // an unregistered class id
        assertRefused("5a00");
        // a varint that never ends
        assertRefused("7dffffffffffffffffffffff");
    }

    @Test
    void aHostileCountThatFitsNoBytesNamesTheCount() {
        assertThatThrownBy(() -> read(HEX.parseHex("7d01ffffffff07"))).hasMessageContaining("2147483647");
    }

    // ---------------------------------------------------------------- KryoNet framing

    @Test
    @Timeout(20)
    void kryoNetFramesEachMessageWithAFourByteBigEndianLength() throws Exception {
        Server server = Protocol.newServer(16384, 2048);
        List<Object> received = new CopyOnWriteArrayList<>();
        server.addListener(new Listener() {
            @Override
            public void received(Connection connection, Object object) {
                if (object instanceof Messages.Message) {
                    received.add(object);
                }
            }
        });
        server.bind(new InetSocketAddress("127.0.0.1", 0), null);
        server.start();
        try (Socket socket = new Socket("127.0.0.1", port(server))) {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            // KryoNet's own RegisterTCP comes first: a frame like ours, with KryoNet's class id.
            byte[] register = in.readNBytes(in.readInt());
            assertThat(register).isNotEmpty();

            byte[] batch = write(new ServerBatch(1, List.of(new HandleDelta(1, ONE_INT_DELTA))));
            out.writeInt(batch.length);
            out.write(batch);
            out.flush();
            await().until(() -> !received.isEmpty());
            assertThat(received.get(0)).usingRecursiveComparison()
                    .isEqualTo(new ServerBatch(1, List.of(new HandleDelta(1, ONE_INT_DELTA))));

            server.getConnections()[0].sendTCP(new ClientPush(1, 1, ONE_INT_DELTA, List.of()));
            byte[] frame = nextFrameOf(in, 115);
            assertThat(frame).containsExactly(0, 0, 0, 8, 115, 1, 1, 3, 1, 0, 10, 0);
        } finally {
            server.stop();
            server.close();
        }
    }

    /** The next whole frame (length included) whose class id byte is {@code id}; skips KryoNet's keep-alives. */
    private static byte[] nextFrameOf(DataInputStream in, int id) throws IOException {
        while (true) {
            int length = in.readInt();
            byte[] body = in.readNBytes(length);
            if ((body[0] & 0xFF) == id) {
                byte[] frame = new byte[4 + length];
                frame[3] = (byte) length;
                frame[2] = (byte) (length >>> 8);
                System.arraycopy(body, 0, frame, 4, length);
                return frame;
            }
        }
    }

    static int port(Server server) throws ReflectiveOperationException {
        Field field = Server.class.getDeclaredField("serverChannel");
        field.setAccessible(true);
        return ((ServerSocketChannel) field.get(server)).socket().getLocalPort();
    }

    @Test
    void stringsAreUtf8WithAByteLength() {
        byte[] bytes = write(new AcquireProfile(1, "é"));

        assertThat(bytes).containsExactly(122, 1, 2, 0xC3 - 256, 0xA9 - 256);
        assertThat("é".getBytes(StandardCharsets.UTF_8)).hasSize(2);
    }
}
