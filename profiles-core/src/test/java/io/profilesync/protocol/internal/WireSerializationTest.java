package io.profilesync.protocol.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryonet.Connection;
import com.esotericsoftware.kryonet.FrameworkMessage;
import com.esotericsoftware.kryonet.FrameworkMessage.DiscoverHost;
import com.esotericsoftware.kryonet.FrameworkMessage.KeepAlive;
import com.esotericsoftware.kryonet.FrameworkMessage.Ping;
import com.esotericsoftware.kryonet.FrameworkMessage.RegisterTCP;
import com.esotericsoftware.kryonet.FrameworkMessage.RegisterUDP;
import com.esotericsoftware.kryonet.KryoNetException;
import com.esotericsoftware.kryonet.KryoSerialization;
import io.profilesync.protocol.internal.Messages.Hello;
import io.profilesync.protocol.internal.Messages.Role;
import io.profilesync.protocol.internal.Messages.Welcome;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link WireSerialization} writes exactly what KryoNet's own {@code KryoSerialization} over a Kryo with
 * {@link Protocol#register} writes, reads it back, and refuses every frame that names a class it does not know or
 * claims more bytes than the frame holds, with a {@link KryoNetException} (what makes KryoNet close only that peer).
 */
class WireSerializationTest {
    private static final HexFormat HEX = HexFormat.of();

    private static KryoSerialization kryoNets() {
        KryoSerialization serialization = new KryoSerialization();
        Protocol.register(serialization.getKryo());
        return serialization;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        buffer.flip();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    private static byte[] written(com.esotericsoftware.kryonet.Serialization serialization, Object message) {
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        serialization.write(null, buffer, message);
        return bytes(buffer);
    }

    private static Object read(WireSerialization serialization, byte[] frame) {
        ByteBuffer buffer = ByteBuffer.wrap(frame);
        Object message = serialization.read(null, buffer);
        assertThat(buffer.remaining()).as("bytes left after reading %s", HEX.formatHex(frame)).isZero();
        return message;
    }

    static List<Object> frameworkMessages() {
        RegisterTCP tcp = new RegisterTCP();
        tcp.connectionID = 12345;
        RegisterUDP udp = new RegisterUDP();
        udp.connectionID = -7;
        Ping ping = new Ping();
        ping.id = 300;
        ping.isReply = true;
        return List.of(tcp, udp, new KeepAlive(), new DiscoverHost(), ping);
    }

    @Test
    void everyMessageIsWrittenByteForByteAsKryoNetsSerializationWritesItAndReadsBack() {
        KryoSerialization kryoNet = kryoNets();
        WireSerialization wire = new WireSerialization();
        List<Object> messages = new ArrayList<>(MessagesCodecTest.samples().values());
        messages.addAll(frameworkMessages());
        for (Object message : messages) {
            byte[] expected = written(kryoNet, message);
            assertThat(HEX.formatHex(written(wire, message))).as("bytes of %s", message)
                    .isEqualTo(HEX.formatHex(expected));
            assertThat(read(wire, expected)).as("read back %s", message).usingRecursiveComparison()
                    .isEqualTo(message);
        }
    }

    @Test
    void frameworkMessageIdsAreTheOnesKryoNetRegisters() {
        com.esotericsoftware.kryo.Kryo kryo = kryoNets().getKryo();
        Map<Class<?>, Integer> expected = Map.of(RegisterTCP.class, WireSerialization.REGISTER_TCP,
                RegisterUDP.class, WireSerialization.REGISTER_UDP, KeepAlive.class, WireSerialization.KEEP_ALIVE,
                DiscoverHost.class, WireSerialization.DISCOVER_HOST, Ping.class, WireSerialization.PING);
        expected.forEach((type, id) -> {
            Registration registration = kryo.getRegistration(type);
            assertThat(registration.getId()).as(type.getSimpleName()).isEqualTo(id);
        });
        assertThat(FrameworkMessage.class).isInterface();
    }

    private static void assertRefused(String hex, String because) {
        assertThatThrownBy(() -> new WireSerialization().read(null, ByteBuffer.wrap(HEX.parseHex(hex))))
                .as(hex).isInstanceOf(KryoNetException.class).hasMessageContaining(because);
    }

    @Test
    void framesNamingClassesItDoesNotKnowAreRefusedBeforeAnythingIsAllocated() {
        // Kryo's String (id 1, written 3) claiming 2^31 characters: the frame that took KryoNet's thread down.
        assertRefused("03ffffffff0f", "unknown class id 1");
        // A class by name (written 1) whose name claims 2 GiB.
        assertRefused("01ffffffff07", "class given by name");
        assertRefused("00", "null frame");
        // Kryo's other default ids, the ids between KryoNet's and ours, the gaps between ours (106 to 109, 114 to
        // 119) and above them.
        for (String id : List.of("02", "0a", "10", "65", "6c", "6f", "76", "8101", "ffffffff0f")) {
            assertRefused(id, "unknown class id");
        }
    }

    @Test
    void hostileLengthsInsideKnownMessagesAreRefusedWithTheirValue() {
        // Hello whose credential claims 2^30 bytes.
        assertRefused("6601020102030405060708808080800400", "1073741824");
        // ServerBatch with 2^31-1 entries.
        assertRefused("7d01ffffffff07", "2147483647");
        // ProfileSnapshot (push 1) whose profile claims 2^31-16 bytes.
        assertRefused("710001f0ffffff07", "2147483632");
        // A Hello cut short inside its instance id.
        assertRefused("66010201020304", "unreadable frame");
        // A varint that never ends.
        assertRefused("7dffffffffffffffffffffff", "unreadable frame");
        // An unknown role.
        assertRefused("66010901020304050607080000", "unknown role 9");
    }

    @Test
    void unadmittedConnectionsAreHeldToSmallFramesUntilTheirWelcomeIsWritten() {
        List<Connection> admitted = new ArrayList<>();
        WireSerialization wire = new WireSerialization(64, (c, welcome) -> admitted.add(c));
        Connection connection = new Connection() { };
        ByteBuffer readBuffer = ByteBuffer.allocate(1024);

        // Before any frame was read: a large length prefix is refused as soon as its four bytes are there.
        readBuffer.putInt(65).flip();
        assertThatThrownBy(() -> wire.readLength(readBuffer)).isInstanceOf(KryoNetException.class)
                .hasMessageContaining("65 bytes before authentication").hasMessageContaining("limit is 64");
        readBuffer.clear();
        readBuffer.putInt(64).flip();
        assertThat(wire.readLength(readBuffer)).isEqualTo(64);

        // The Hello is read through the same buffer, then the Welcome is written: full frames from then on.
        byte[] hello = written(wire, new Hello(Protocol.VERSION, Role.CLIENT, 1, "token", ""));
        readBuffer.clear();
        readBuffer.put(hello).flip();
        assertThat(wire.read(connection, readBuffer)).isInstanceOf(Hello.class);
        assertThat(wire.isAdmitted(connection)).isFalse();
        wire.write(connection, ByteBuffer.allocate(256), new Welcome("u1", "{}", 1024));
        assertThat(admitted).containsExactly(connection);
        assertThat(wire.isAdmitted(connection)).isTrue();
        readBuffer.clear();
        readBuffer.putInt(1000).flip();
        assertThat(wire.readLength(readBuffer)).isEqualTo(1000);

        // Another connection's buffer, equal in content, is still held: admission is by identity.
        ByteBuffer other = ByteBuffer.allocate(1024);
        other.putInt(1000).flip();
        assertThatThrownBy(() -> wire.readLength(other)).isInstanceOf(KryoNetException.class);

        wire.forget(connection);
        assertThat(wire.isAdmitted(connection)).isFalse();
    }

    @Test
    void anythingThatIsNotAProfilesyncMessageIsNotWritten() {
        assertThatThrownBy(() -> written(new WireSerialization(), "a string"))
                .isInstanceOf(KryoNetException.class).hasMessageContaining("java.lang.String");
    }
}
