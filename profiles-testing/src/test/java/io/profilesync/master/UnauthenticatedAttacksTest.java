package io.profilesync.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.profilesync.protocol.RefusalCode;
import io.profilesync.protocol.internal.Messages.Hello;
import io.profilesync.protocol.internal.Messages.Role;
import io.profilesync.protocol.internal.Messages.Welcome;
import io.profilesync.protocol.internal.Protocol;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Attacks by peers that never authenticate, against a real master on 127.0.0.1: frames whose claimed lengths would
 * have made KryoNet allocate gigabytes, frames naming classes, frames too large for a peer that has not said who it
 * is, and floods of connections. Each is held, and a well-behaved client and game server still get in.
 */
@Timeout(120)
class UnauthenticatedAttacksTest extends MasterTestSupport {
    private static final HexFormat HEX = HexFormat.of();

    MasterConfig.Builder config() {
        return new MasterServerTest().config();
    }

    MasterServer start(MasterConfig config) {
        master = MasterServer.start(config, MasterServerTest.SCHEMA, accessor);
        return master;
    }

    /** A client and a game server authenticate and are welcomed. */
    void wellBehavedPeersGetIn() throws Exception {
        wellBehavedPeersGetIn(master);
    }

    /** A client and a game server authenticate over KryoNet TCP to {@code master} and are welcomed. */
    static void wellBehavedPeersGetIn(MasterServer master) throws Exception {
        try (TestPeer client = TestPeer.connect(master.port()); TestPeer server = TestPeer.connect(master.port())) {
            client.send(new Hello(Protocol.VERSION, Role.CLIENT, 1, HmacTokens.mint(MasterServerTest.TOKEN_SECRET,
                    "player", Duration.ofMinutes(5)), ""));
            server.send(new Hello(Protocol.VERSION, Role.GAME_SERVER, 2, MasterServerTest.GAME_SERVER_SECRET, ""));
            assertThat(client.next(Welcome.class).userId()).isEqualTo("player");
            assertThat(server.next(Welcome.class)).isNotNull();
        }
        assertThat(master.failure()).isEmpty();
    }

    /** Writes {@code hex} on a fresh socket and tells whether the master closed it within 10 s. */
    boolean closedAfter(String hex) throws IOException {
        return HostileBytesTest.closedAfter(master.port(), HEX.parseHex(hex));
    }

    @Test
    void theTenByteFrameThatUsedToEndKryoNetsThreadClosesOnlyItsConnection() throws Exception {
        start(config().build());
        for (int i = 0; i < 50; i++) {
            // length 6, Kryo's String (id 1, written 3), a length of 2^32-1 characters
            assertThat(closedAfter("00000006" + "03ffffffff0f")).isTrue();
        }
        wellBehavedPeersGetIn();
    }

    @Test
    void classesByNameAndHugeClaimedStringsAreRefusedBeforeAnythingIsAllocated() throws Exception {
        start(config().build());
        List<String> frames = List.of(
                // a class by name whose name claims 134 M characters
                "00000006" + "0180808040",
                // a class by name with a short, real name
                "00000012" + "01" + "6a6176612e6c616e672e537472696e67",
                // Kryo's byte[] and int[] ids with huge counts
                "00000006" + "0cffffffff07",
                "00000006" + "0effffffff07",
                // Hello whose credential claims 2^30 bytes
                "00000011" + "6601020102030405060708808080800400",
                // Hello whose fingerprint claims more than the frame holds
                "0000000e" + "66010101020304050607080000ff7f");
        for (String frame : frames) {
            assertThat(closedAfter(frame)).as(frame).isTrue();
        }
        wellBehavedPeersGetIn();
    }

    @Test
    void aFrameOverTheUnauthenticatedLimitIsRefusedFromItsLengthAlone() throws Exception {
        start(config().unauthenticatedFrameLimit(4096).build());
        // Only the length prefix of a 4097-byte frame: the master closes without waiting for the bytes.
        assertThat(closedAfter("00001001")).isTrue();
        // 2 GiB, and a negative length.
        assertThat(closedAfter("7fffffff")).isTrue();
        assertThat(closedAfter("ffffffff")).isTrue();
        wellBehavedPeersGetIn();
    }

    /** A raw socket from {@code localAddress} that reads KryoNet's RegisterTCP, then waits. */
    static Socket idleConnection(String localAddress, int port) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(localAddress, 0));
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** Reads frames until the master closes; returns the refusal code of a Refused among them, or -1. */
    static int refusalThenClose(Socket socket) throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        int code = -1;
        try {
            while (true) {
                byte[] frame = in.readNBytes(in.readInt());
                if (frame.length > 1 && (frame[0] & 0xFF) == 102 + 2) {
                    code = frame[1];
                }
            }
        } catch (SocketTimeoutException e) {
            return -2;
        } catch (IOException e) {
            return code;
        }
    }

    @Test
    void aFloodOfConnectionsFromOneAddressIsHeldToItsLimitAndOthersStillGetIn() throws Exception {
        start(config().maxUnauthenticatedConnectionsPerAddress(8).maxUnauthenticatedConnections(16)
                .authenticationTimeout(Duration.ofSeconds(30)).build());
        List<Socket> flood = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                flood.add(idleConnection("127.0.0.2", master.port()));
            }
            await().until(() -> master.stats().clients() == 0 && waiting() == 8);
            for (int i = 0; i < 20; i++) {
                try (Socket extra = idleConnection("127.0.0.2", master.port())) {
                    assertThat(refusalThenClose(extra)).isEqualTo(RefusalCode.OVERLOADED.code);
                }
            }
            assertThat(waiting()).isEqualTo(8);
            // Peers from another address are not held by that address's flood.
            wellBehavedPeersGetIn();

            // Fill the overall limit from more addresses: the next connection, from anywhere, is refused.
            for (int i = 0; i < 8; i++) {
                flood.add(idleConnection("127.0.0.3", master.port()));
            }
            await().until(() -> waiting() == 16);
            try (Socket extra = idleConnection("127.0.0.4", master.port())) {
                assertThat(refusalThenClose(extra)).isEqualTo(RefusalCode.OVERLOADED.code);
            }
            // As the waiting ones leave, room comes back.
            for (Socket socket : flood) {
                socket.close();
            }
            await().until(() -> waiting() == 0);
            wellBehavedPeersGetIn();
        } finally {
            for (Socket socket : flood) {
                socket.close();
            }
        }
    }

    @Test
    void connectionsThatNeverSayHelloAreDroppedAfterTheAuthenticationTimeout() throws Exception {
        start(config().authenticationTimeout(Duration.ofMillis(300)).build());
        try (Socket idle = idleConnection("127.0.0.2", master.port())) {
            InputStream in = idle.getInputStream();
            long started = System.nanoTime();
            while (in.read() != -1) {
                // RegisterTCP, then the Refused (TIMEOUT), then the close
            }
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(9));
        }
        await().until(() -> waiting() == 0);
        wellBehavedPeersGetIn();
    }

    int waiting() {
        return master.waitingToAuthenticate();
    }
}
