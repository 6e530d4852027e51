package io.profilesync.gameserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.ObservableString;
import io.profilesync.populators.ProfileSchema;
import io.profilesync.protocol.ConnectionState;
import io.profilesync.protocol.internal.Messages.AcquireProfile;
import io.profilesync.protocol.internal.Messages.Hello;
import io.profilesync.protocol.internal.Messages.ProfileAcquired;
import io.profilesync.protocol.internal.Messages.ServerBatch;
import io.profilesync.protocol.internal.Messages.ServerPush;
import io.profilesync.protocol.internal.Messages.Welcome;
import io.profilesync.protocol.OnExecutor;
import io.profilesync.protocol.internal.Protocol;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A master that stops reading: the game server must stop writing before KryoNet's write buffer overflows (which
 * would corrupt the stream), keep its changes, and send them, numbered without gaps, once the master reads again.
 * The "master" is a raw socket speaking the protocol by hand, so it can stop reading.
 */
@Timeout(60)
class BackPressureTest {
    private static final byte[] REGISTER_TCP = {0, 0, 0, 2, 0x0b, 2};
    private static final ProfileSchema SCHEMA = ProfileSchema.builder()
            .intProperty("gold", 0).min(0).max(1_000_000)
            .stringProperty("displayName", "newbie").clientWritable()
            .build();

    private ServerSocket listener;
    private Socket socket;
    private ProfilesServer server;

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
        if (socket != null) {
            socket.close();
        }
        if (listener != null) {
            listener.close();
        }
    }

    private static Kryo kryo() {
        Kryo kryo = new Kryo();
        Protocol.register(kryo);
        return kryo;
    }

    private static void writeFrame(DataOutputStream out, Object message) throws IOException {
        Output body = new Output(256, -1);
        kryo().writeClassAndObject(body, message);
        out.writeInt(body.position());
        out.write(body.getBuffer(), 0, body.position());
        out.flush();
    }

    /** The next protocol message; KryoNet's own frames (class ids below ours) are skipped. */
    private static Object readFrame(DataInputStream in) throws IOException {
        while (true) {
            byte[] body = in.readNBytes(in.readInt());
            if ((body[0] & 0xFF) >= Protocol.FIRST_ID + 2) {
                return kryo().readClassAndObject(new Input(body));
            }
        }
    }

    @Test
    void aMasterThatStopsReadingStopsTheTicksAndLosesNothing() throws Exception {
        listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        listener.setSoTimeout(10_000);
        server = ProfilesServer.connect(ProfilesServerConfig.builder().port(listener.getLocalPort()).secret("s")
                .updateInterval(Duration.ofMillis(5)).build());
        socket = listener.accept();
        socket.setSoTimeout(10_000);
        DataInputStream in = new DataInputStream(socket.getInputStream());
        DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        out.write(REGISTER_TCP);
        assertThat(readFrame(in)).isInstanceOf(Hello.class);
        writeFrame(out, new Welcome("", SCHEMA.toJson(), 1 << 20));
        server.connected().get(10, TimeUnit.SECONDS);
        var fetch = server.fillProfileValues("u1");
        AcquireProfile acquire = (AcquireProfile) readFrame(in);
        ObservableServerProfile mastersCopy = SCHEMA.newServerProfile("u1");
        writeFrame(out, new ProfileAcquired(acquire.requestId(), 1, 0, mastersCopy.toBytes()));
        ObservableServerProfile profile = fetch.get(10, TimeUnit.SECONDS);
        ObservableString name = profile.get("displayName", ObservableString.class);

        // The master reads nothing from now on. Each change is 200 KB; a tick takes it unless it holds back.
        int changes = 0;
        boolean heldBack = false;
        while (!heldBack && changes < 400) {
            int n = ++changes;
            OnExecutor.call(server.executor(), () -> {
                name.set(n + "x".repeat(200_000));
                return null;
            });
            try {
                await().atMost(Duration.ofSeconds(1)).until(() -> OnExecutor.call(server.executor(),
                        () -> !profile.hasUpdates()));
            } catch (ConditionTimeoutException e) {
                heldBack = true;
            }
        }
        assertThat(heldBack).as("ticks held back after %s changes of 200 KB", changes).isTrue();
        assertThat(server.state()).isEqualTo(ConnectionState.CONNECTED);

        // The master reads again, acknowledging as a master does (a game server holds back while 8 batches are
        // unacknowledged): every batch arrives, numbered 1, 2, 3... and the last value with them.
        List<Long> seqs = new CopyOnWriteArrayList<>();
        String last = changes + "x".repeat(200_000);
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            ServerBatch batch = (ServerBatch) readFrame(in);
            writeFrame(out, new ServerPush(batch.seq(), batch.seq(), List.of(), List.of()));
            seqs.add(batch.seq());
            mastersCopy.applyUpdates(batch.entries().get(0).delta());
            return mastersCopy.get("displayName", ObservableString.class).get().equals(last);
        });
        for (int i = 0; i < seqs.size(); i++) {
            assertThat(seqs.get(i)).isEqualTo(i + 1L);
        }
        assertThat(server.state()).isEqualTo(ConnectionState.CONNECTED);
    }
}
