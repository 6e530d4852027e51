package io.profilesync.master;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.profilesync.protocol.internal.Messages.ProfileRequest;
import io.profilesync.protocol.internal.Messages.ProfileSnapshot;
import io.profilesync.testing.InMemoryProfilesDatabaseAccessor;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Raw bytes on a socket to 127.0.0.1: frames KryoNet cannot read, unregistered class ids, hostile lengths inside a
 * message. The master drops that peer and every other peer goes on.
 */
@Timeout(60)
class HostileBytesTest {
    final InMemoryProfilesDatabaseAccessor accessor = new InMemoryProfilesDatabaseAccessor();
    MasterServer master;

    @BeforeEach
    void start() {
        master = MasterServer.start(MasterConfig.builder().host("127.0.0.1").port(0)
                .tokenSecret(MasterServerTest.TOKEN_SECRET).gameServerSecret(MasterServerTest.GAME_SERVER_SECRET)
                .meterRegistry(new SimpleMeterRegistry()).build(), MasterServerTest.SCHEMA, accessor);
    }

    @AfterEach
    void stop() {
        master.close();
        accessor.close();
    }

    /** A KryoNet frame: a 4-byte big-endian length, then the bytes. */
    static byte[] frame(byte[] payload) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(payload.length);
        out.write(payload);
        return bytes.toByteArray();
    }

    static byte[] bytes(int... values) {
        byte[] result = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = (byte) values[i];
        }
        return result;
    }

    /** Writes the bytes and tells whether the master closed the connection within 10 s. */
    static boolean closedAfter(int port, byte[] data) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(data);
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            try {
                while (in.read() != -1) {
                    // KryoNet's own registration frame and a possible Refused; drain until the close.
                }
                return true;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true; // reset by the master
            }
        }
    }

    @Test
    void unreadableFramesAndHostileLengthsDisconnectOnlyThatPeer() throws Exception {
        TestPeer bystander = TestPeer.connect(master.port());
        bystander.send(new io.profilesync.protocol.internal.Messages.Hello(io.profilesync.protocol.internal.Protocol.VERSION,
                io.profilesync.protocol.internal.Messages.Role.CLIENT, 1, io.profilesync.master.HmacTokens.mint(
                        MasterServerTest.TOKEN_SECRET, "bystander", Duration.ofMinutes(5)), ""));
        bystander.next(io.profilesync.protocol.internal.Messages.Welcome.class);

        List<byte[]> attacks = List.of(
                // A length prefix larger than any object buffer.
                bytes(0x7F, 0xFF, 0xFF, 0xF0, 1, 2, 3),
                // A negative length.
                bytes(0xFF, 0xFF, 0xFF, 0xFF),
                // A class id nobody registered.
                frame(bytes(0x7E, 1, 2, 3)),
                // Hello (id 100, written as 102) whose credential claims 2 GiB.
                frame(bytes(102, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x07)),
                // ServerBatch (123 → 125) before any Hello, with a hostile entry count.
                frame(bytes(125, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0x07)),
                // Random garbage.
                frame(new java.util.Random(7).ints(64, 0, 256).collect(ByteArrayOutputStream::new,
                        ByteArrayOutputStream::write, (a, b) -> a.write(b.toByteArray(), 0, b.size())).toByteArray()));
        for (byte[] attack : attacks) {
            assertThat(closedAfter(master.port(), attack)).as("master closed the connection").isTrue();
        }

        // The well-behaved peer is unaffected.
        bystander.send(new ProfileRequest());
        assertThat(bystander.next(ProfileSnapshot.class).profile()).isNotEmpty();
        assertThat(bystander.isConnected()).isTrue();
        bystander.close();
    }
}
