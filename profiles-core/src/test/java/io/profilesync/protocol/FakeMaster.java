package io.profilesync.protocol;

import com.esotericsoftware.kryonet.Connection;
import com.esotericsoftware.kryonet.FrameworkMessage;
import com.esotericsoftware.kryonet.Listener;
import com.esotericsoftware.kryonet.Server;
import io.profilesync.core.ApplyOptions;
import io.profilesync.protocol.internal.Protocol;
import io.profilesync.core.ObservableProfile;
import io.profilesync.core.ProfileFormatException;
import io.profilesync.core.PropertyView;
import io.profilesync.core.UpdateRejectedException;
import io.profilesync.core.UpdateValidator;
import io.profilesync.protocol.internal.Messages.AcquireFailed;
import io.profilesync.protocol.internal.Messages.AcquireProfile;
import io.profilesync.protocol.internal.Messages.ClientPush;
import io.profilesync.protocol.internal.Messages.ClientUpdate;
import io.profilesync.protocol.internal.Messages.HandleDelta;
import io.profilesync.protocol.internal.Messages;
import io.profilesync.protocol.internal.Messages.Hello;
import io.profilesync.protocol.internal.SecretProofs;
import io.profilesync.protocol.internal.Messages.ProfileAcquired;
import io.profilesync.protocol.internal.Messages.ProfileRequest;
import io.profilesync.protocol.internal.Messages.ProfileSnapshot;
import io.profilesync.protocol.internal.Messages.Refusal;
import io.profilesync.protocol.RefusalCode;
import io.profilesync.protocol.internal.Messages.Refused;
import io.profilesync.protocol.internal.Messages.ReleaseProfile;
import io.profilesync.protocol.internal.Messages.Role;
import io.profilesync.protocol.internal.Messages.ServerBatch;
import io.profilesync.protocol.internal.Messages.ServerPush;
import io.profilesync.protocol.internal.Messages.Welcome;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A scripted stand-in for the master, for the tiers' tests: a real KryoNet server on 127.0.0.1 and an ephemeral port,
 * holding real profiles as the master's state. It follows the protocol's semantics: it checks Hello, welcomes with the
 * schema, hands out profiles under handles, applies each (instanceId, seq) batch once (acking duplicates), validates
 * and applies deltas all or nothing, and pushes the accepted delta at once to every holder (the writer's push acks
 * its batch). Scripts make it refuse peers, fail or ignore fetches, and drop or silently apply batches.
 *
 * <p>Threading: every message is handled on KryoNet's update thread under this object's lock; the test thread reads
 * through the synchronized accessors.
 */
public final class FakeMaster implements AutoCloseable {
    /** What to do with incoming batches. */
    public enum BatchMode {
        /** Apply, push, ack. */
        NORMAL,
        /** Drop without applying nor answering (they stay unacknowledged at the sender). */
        IGNORE,
        /** Apply, but push and ack nothing (the ack is lost with the connection). */
        APPLY_SILENTLY
    }

    /** What a peer connection is. */
    private static final class Peer {
        Role role;
        long instanceId;
        String userId;
        final Map<Integer, String> handles = new HashMap<>();
    }

    private final Server server;
    private final String secret;
    private final Map<String, String> tokens;
    private final String schemaJson;
    private final String clientSchemaJson;
    private final String fingerprint;
    private final Supplier<ObservableProfile> factory;
    private final PropertyView clientView;
    private final UpdateValidator clientValidator;
    private final UpdateValidator serverValidator;
    private final int port;
    private final int maxUpdateSize;

    private final Map<String, ObservableProfile> profiles = new HashMap<>();
    private final Map<Long, Long> lastApplied = new HashMap<>();
    private final Map<Integer, Peer> peers = new HashMap<>();
    private final List<Object> received = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private final Set<String> failAcquire = new HashSet<>();
    private final Set<String> ignoreAcquire = new HashSet<>();
    private Refused refuseNext;
    private BatchMode batchMode = BatchMode.NORMAL;
    private int nextHandle = 1;
    private int welcomes;

    private FakeMaster(Builder b) throws IOException {
        this.secret = b.secret;
        this.tokens = Map.copyOf(b.tokens);
        this.schemaJson = b.schemaJson;
        this.clientSchemaJson = b.clientSchemaJson == null ? b.schemaJson : b.clientSchemaJson;
        this.fingerprint = b.fingerprint;
        this.factory = Objects.requireNonNull(b.factory, "factory");
        this.clientView = b.clientView;
        this.clientValidator = b.clientValidator;
        this.serverValidator = b.serverValidator;
        this.maxUpdateSize = b.maxUpdateSize;
        this.server = Protocol.newServer(1 << 20, 256 << 10);
        server.addListener(new Listener() {
            @Override
            public void received(Connection connection, Object object) {
                if (!(object instanceof FrameworkMessage)) {
                    handle(connection, object);
                }
            }

            @Override
            public void disconnected(Connection connection) {
                synchronized (FakeMaster.this) {
                    peers.remove(connection.getID());
                }
            }
        });
        server.bind(new InetSocketAddress("127.0.0.1", 0), null);
        server.start();
        this.port = boundPort(server);
    }

    private static int boundPort(Server server) {
        try {
            Field field = Server.class.getDeclaredField("serverChannel");
            field.setAccessible(true);
            return ((ServerSocketChannel) field.get(server)).socket().getLocalPort();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("KryoNet's Server no longer has a serverChannel field", e);
        }
    }

    public static Builder builder(String schemaJson, Supplier<ObservableProfile> factory) {
        return new Builder(schemaJson, factory);
    }

    public int port() {
        return port;
    }

    // ---------------------------------------------------------------- scripts

    public synchronized void refuseNextHello(RefusalCode code, String reason) {
        refuseNext = new Refused(code, reason);
    }

    /** Fetches of this user's profile (AcquireProfile, or the client's ProfileRequest) get AcquireFailed. */
    public synchronized void failAcquireOf(String userId) {
        failAcquire.add(userId);
    }

    public synchronized void stopFailingAcquireOf(String userId) {
        failAcquire.remove(userId);
    }

    public synchronized void ignoreAcquireOf(String userId) {
        ignoreAcquire.add(userId);
    }

    public synchronized void stopIgnoringAcquireOf(String userId) {
        ignoreAcquire.remove(userId);
    }

    public synchronized void batchMode(BatchMode mode) {
        batchMode = mode;
    }

    /** Closes every connection from the master's side (the peers see an unexpected disconnect). */
    public void dropConnections() {
        for (Connection connection : server.getConnections()) {
            connection.close();
        }
    }

    /** A change made on the master (as by an admin tool): applied, then pushed to every holder without an ack. */
    public synchronized void change(String userId, Consumer<ObservableProfile> change) {
        ObservableProfile profile = profile(userId);
        change.accept(profile);
        byte[] all = profile.getUpdates();
        byte[] client = clientView == null ? all : profile.getUpdates(clientView);
        profile.clearUpdates();
        pushToHolders(userId, all, client, null);
    }

    // ---------------------------------------------------------------- what happened

    /** The master's copy of the profile of {@code userId} (created at defaults when new). */
    public synchronized ObservableProfile profile(String userId) {
        return profiles.computeIfAbsent(userId, u -> factory.get());
    }

    /** A copy of the master's profile, for comparing from the test thread. */
    public synchronized byte[] profileBytes(String userId) {
        return profile(userId).toBytes();
    }

    public synchronized byte[] profileBytes(String userId, PropertyView view) {
        return profile(userId).toBytes(view);
    }

    /** Every message received, in order. */
    public synchronized List<Object> received() {
        return List.copyOf(received);
    }

    public synchronized <T> List<T> received(Class<T> type) {
        List<T> result = new ArrayList<>();
        for (Object message : received) {
            if (type.isInstance(message)) {
                result.add(type.cast(message));
            }
        }
        return result;
    }

    /** Protocol rules the peers broke (sequence gaps and the like); empty when all went by the book. */
    public synchronized List<String> violations() {
        return List.copyOf(violations);
    }

    public synchronized int welcomes() {
        return welcomes;
    }

    public synchronized int connections() {
        return peers.size();
    }

    public synchronized long lastAppliedSeq(long instanceId) {
        return lastApplied.getOrDefault(instanceId, 0L);
    }

    // ---------------------------------------------------------------- protocol

    private synchronized void handle(Connection connection, Object message) {
        received.add(message);
        Peer peer = peers.get(connection.getID());
        if (message instanceof Hello hello) {
            hello(connection, hello);
            return;
        }
        if (message instanceof Messages.Proof proof) {
            proof(connection, proof);
            return;
        }
        if (peer == null) {
            violations.add(message.getClass().getSimpleName() + " before Welcome");
            return;
        }
        if (message instanceof AcquireProfile m) {
            acquire(connection, peer, m);
        } else if (message instanceof ServerBatch m) {
            batch(connection, peer, m);
        } else if (message instanceof ReleaseProfile m) {
            if (peer.handles.remove(m.handle()) == null) {
                violations.add("ReleaseProfile of unknown handle " + m.handle());
            }
        } else if (message instanceof ProfileRequest && ignoreAcquire.contains(peer.userId)) {
            // Scripted: never answered, as a master that hangs.
        } else if (message instanceof ProfileRequest && failAcquire.contains(peer.userId)) {
            connection.sendTCP(new AcquireFailed(0, "database down (scripted)"));
        } else if (message instanceof ProfileRequest) {
            connection.sendTCP(new ProfileSnapshot(lastApplied.getOrDefault(peer.instanceId, 0L),
                    profile(peer.userId).toBytes(view())));
        } else if (message instanceof ClientUpdate m) {
            clientUpdate(connection, peer, m);
        } else if (message instanceof Messages.Flush) {
            // This master acknowledges every batch as durable at once: nothing is left to save.
        } else {
            violations.add("unexpected " + message.getClass().getSimpleName());
        }
    }

    private PropertyView view() {
        return clientView == null ? PropertyView.ALL : clientView;
    }

    private void hello(Connection connection, Hello hello) {
        Refused refusal = refuseNext;
        refuseNext = null;
        if (refusal == null && hello.protocolVersion() != Protocol.VERSION) {
            refusal = new Refused(RefusalCode.PROTOCOL_VERSION, "protocol " + hello.protocolVersion());
        }
        String userId = "";
        if (refusal == null && hello.role() == Role.GAME_SERVER && hello.credential().isEmpty()) {
            // Challenge-response, as the master: the game server proves the secret with an HMAC over a nonce.
            byte[] nonce = new byte[SecretProofs.NONCE_LENGTH];
            new java.security.SecureRandom().nextBytes(nonce);
            challenged.put(connection.getID(), new Challenged(hello, nonce));
            connection.sendTCP(new Messages.Challenge(nonce));
            return;
        }
        if (refusal == null && hello.role() == Role.GAME_SERVER && !hello.credential().equals(secret)) {
            refusal = new Refused(RefusalCode.AUTHENTICATION, "wrong game-server secret; set the master's secret");
        }
        if (refusal == null && hello.role() == Role.CLIENT) {
            userId = tokens.get(hello.credential());
            if (userId == null) {
                refusal = new Refused(RefusalCode.AUTHENTICATION, "unknown token; log in again");
            }
        }
        if (refusal == null && !hello.schemaFingerprint().isEmpty() && !hello.schemaFingerprint().equals(fingerprint)) {
            refusal = new Refused(RefusalCode.SCHEMA_MISMATCH, "schema fingerprint differs from the master's "
                    + fingerprint);
        }
        if (refusal != null) {
            connection.sendTCP(refusal);
            connection.close();
            return;
        }
        Peer peer = new Peer();
        peer.role = hello.role();
        peer.instanceId = hello.instanceId();
        peer.userId = userId;
        peers.put(connection.getID(), peer);
        welcomes++;
        connection.sendTCP(new Welcome(userId, hello.role() == Role.CLIENT ? clientSchemaJson : schemaJson,
                maxUpdateSize));
    }

    private record Challenged(Hello hello, byte[] nonce) {
    }

    private final Map<Integer, Challenged> challenged = new HashMap<>();

    private void proof(Connection connection, Messages.Proof proof) {
        Challenged c = challenged.remove(connection.getID());
        if (c == null) {
            violations.add("Proof without a Challenge");
            return;
        }
        boolean valid = SecretProofs.matchesAny(List.of(secret), proof.hmac(), c.nonce(), c.hello().instanceId(),
                c.hello().schemaFingerprint());
        Hello hello = c.hello();
        // Valid: as if the secret had been sent; invalid: a wrong one, refused as such.
        hello(connection, new Hello(hello.protocolVersion(), hello.role(), hello.instanceId(),
                valid ? secret : "\0wrong", hello.schemaFingerprint()));
    }

    private void acquire(Connection connection, Peer peer, AcquireProfile m) {
        if (ignoreAcquire.contains(m.userId())) {
            return;
        }
        if (failAcquire.contains(m.userId())) {
            connection.sendTCP(new AcquireFailed(m.requestId(), "database down (scripted)"));
            return;
        }
        int handle = nextHandle++;
        peer.handles.put(handle, m.userId());
        connection.sendTCP(new ProfileAcquired(m.requestId(), handle, lastApplied.getOrDefault(peer.instanceId, 0L),
                profile(m.userId()).toBytes()));
    }

    /** Whether {@code seq} is new for the instance (and records it), noting gaps. */
    private boolean firstTime(long instanceId, long seq) {
        long last = lastApplied.getOrDefault(instanceId, 0L);
        if (seq <= last) {
            return false;
        }
        if (seq != last + 1) {
            violations.add("instance " + instanceId + " sent seq " + seq + " after " + last);
        }
        lastApplied.put(instanceId, seq);
        return true;
    }

    private void batch(Connection connection, Peer peer, ServerBatch m) {
        if (batchMode == BatchMode.IGNORE) {
            return;
        }
        if (!firstTime(peer.instanceId, m.seq())) {
            long last = lastApplied.get(peer.instanceId);
            connection.sendTCP(new ServerPush(last, last, List.of(), List.of()));
            return;
        }
        List<HandleDelta> accepted = new ArrayList<>();
        List<Refusal> refusals = new ArrayList<>();
        for (HandleDelta entry : m.entries()) {
            String userId = peer.handles.get(entry.handle());
            if (userId == null) {
                refusals.add(new Refusal(m.seq(), entry.handle(), "", "unknown handle"));
                continue;
            }
            ObservableProfile profile = profile(userId);
            try {
                profile.applyUpdates(entry.delta(), ApplyOptions.REMOTE.recorded(true).validatedBy(serverValidator));
            } catch (UpdateRejectedException e) {
                refusals.add(new Refusal(m.seq(), entry.handle(), e.propertyName(), e.reason()));
                continue;
            } catch (ProfileFormatException e) {
                refusals.add(new Refusal(m.seq(), entry.handle(), "", e.getMessage()));
                continue;
            }
            byte[] all = profile.getUpdates();
            byte[] client = clientView == null ? all : profile.getUpdates(clientView);
            profile.clearUpdates();
            accepted.add(new HandleDelta(entry.handle(), all));
            if (batchMode == BatchMode.NORMAL) {
                pushToHolders(userId, all, client, connection);
            }
        }
        if (batchMode == BatchMode.NORMAL) {
            connection.sendTCP(new ServerPush(m.seq(), m.seq(), accepted, refusals));
        }
    }

    private void clientUpdate(Connection connection, Peer peer, ClientUpdate m) {
        if (batchMode == BatchMode.IGNORE) {
            return;
        }
        if (!firstTime(peer.instanceId, m.seq())) {
            long last = lastApplied.get(peer.instanceId);
            connection.sendTCP(new ClientPush(last, last, new byte[0], List.of()));
            return;
        }
        ObservableProfile profile = profile(peer.userId);
        List<Refusal> refusals = new ArrayList<>();
        byte[] all = new byte[0];
        byte[] client = new byte[0];
        try {
            profile.applyUpdates(m.delta(), ApplyOptions.REMOTE.withView(view()).recorded(true)
                    .validatedBy(clientValidator));
            all = profile.getUpdates();
            client = profile.getUpdates(view());
            profile.clearUpdates();
        } catch (UpdateRejectedException e) {
            refusals.add(new Refusal(m.seq(), 0, e.propertyName(), e.reason()));
        } catch (ProfileFormatException e) {
            refusals.add(new Refusal(m.seq(), 0, "", e.getMessage()));
        }
        if (batchMode == BatchMode.NORMAL) {
            connection.sendTCP(new ClientPush(m.seq(), m.seq(), client, refusals));
            if (all.length > 0) {
                pushToHolders(peer.userId, all, client, connection);
            }
        }
    }

    /** Pushes an accepted delta to every holder of the user except {@code writer}, without acknowledging anything. */
    private void pushToHolders(String userId, byte[] all, byte[] client, Connection writer) {
        for (Connection connection : server.getConnections()) {
            Peer peer = peers.get(connection.getID());
            if (peer == null || connection == writer) {
                continue;
            }
            if (peer.role == Role.CLIENT && peer.userId.equals(userId)) {
                connection.sendTCP(new ClientPush(lastApplied.getOrDefault(peer.instanceId, 0L),
                        lastApplied.getOrDefault(peer.instanceId, 0L), client, List.of()));
            } else if (peer.role == Role.GAME_SERVER) {
                for (Map.Entry<Integer, String> held : peer.handles.entrySet()) {
                    if (held.getValue().equals(userId)) {
                        connection.sendTCP(new ServerPush(-1, -1, List.of(new HandleDelta(held.getKey(), all)),
                                List.of()));
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop();
        server.close();
        try {
            Thread update = server.getUpdateThread();
            if (update != null) {
                update.join(1000);
            }
            server.dispose();
        } catch (IOException e) {
            // Closing a selector; nothing to do.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Configures a {@link FakeMaster}. */
    public static final class Builder {
        private final String schemaJson;
        private final Supplier<ObservableProfile> factory;
        private String clientSchemaJson;
        private String secret = "secret";
        private final Map<String, String> tokens = new HashMap<>();
        private String fingerprint = "";
        private PropertyView clientView;
        private UpdateValidator clientValidator;
        private UpdateValidator serverValidator;
        private int maxUpdateSize = 64 << 10;

        private Builder(String schemaJson, Supplier<ObservableProfile> factory) {
            this.schemaJson = schemaJson;
            this.factory = factory;
        }

        public Builder secret(String value) {
            secret = value;
            return this;
        }

        public Builder token(String token, String userId) {
            tokens.put(token, userId);
            return this;
        }

        public Builder fingerprint(String value) {
            fingerprint = value;
            return this;
        }

        public Builder clientSchema(String json, PropertyView view) {
            clientSchemaJson = json;
            clientView = view;
            return this;
        }

        public Builder clientValidator(UpdateValidator validator) {
            clientValidator = validator;
            return this;
        }

        public Builder serverValidator(UpdateValidator validator) {
            serverValidator = validator;
            return this;
        }

        /** What the Welcome announces; the fake itself accepts any size. Default 64 KiB, as the master's. */
        public Builder maxUpdateSize(int value) {
            maxUpdateSize = value;
            return this;
        }

        public FakeMaster start() throws IOException {
            return new FakeMaster(this);
        }
    }
}
