package io.profilesync.master.internal;

import io.profilesync.master.AuthenticationException;
import io.profilesync.master.ClientAuthenticator;
import io.profilesync.master.MasterConfig;
import io.profilesync.populators.ProfileSchema;
import io.profilesync.protocol.RefusalCode;
import io.profilesync.protocol.internal.EventLoop;
import io.profilesync.protocol.internal.Messages.Challenge;
import io.profilesync.protocol.internal.Messages.Hello;
import io.profilesync.protocol.internal.Messages.Proof;
import io.profilesync.protocol.internal.Messages.Role;
import io.profilesync.protocol.internal.Messages.Welcome;
import io.profilesync.protocol.internal.Protocol;
import io.profilesync.protocol.internal.SecretProofs;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handshake: a peer has {@code authenticationTimeout} to say a Hello the master accepts (same protocol version,
 * same schema if it names one, a game-server secret or a client token the authenticator accepts); then it is
 * welcomed with the schema (the client's view of it, for clients), or refused with the reason and closed.
 *
 * <p>Threading: the profile thread only. The authenticator's verdict comes back through the loop, as an input.
 */
final class Handshake {
    private static final Logger LOG = LoggerFactory.getLogger(Handshake.class);
    /**
     * Nonces for game servers' challenges. Their values never change what the core does (only whether a proof
     * matches), so a simulation replays a seed exactly all the same.
     */
    private static final SecureRandom RANDOM = new SecureRandom();

    private final MasterConfig config;
    private final EventLoop loop;
    private final Sessions sessions;
    private final MasterMetrics metrics;
    private final Consumer<Session> onReady;
    private final ClientAuthenticator authenticator;
    private final List<byte[]> gameServerSecrets = new ArrayList<>();
    private final String schemaJson;
    private final String clientSchemaJson;
    private final String schemaFingerprint;
    private final String clientSchemaFingerprint;

    /** {@code onReady} sets up the role's part of a session just before it is welcomed. */
    Handshake(MasterConfig config, ProfileSchema schema, EventLoop loop, Sessions sessions, MasterMetrics metrics,
            Consumer<Session> onReady) {
        this.config = config;
        this.loop = loop;
        this.sessions = sessions;
        this.metrics = metrics;
        this.onReady = onReady;
        this.authenticator = config.clientAuthenticator();
        for (String secret : config.gameServerSecrets()) {
            gameServerSecrets.add(secret.getBytes(StandardCharsets.UTF_8));
        }
        this.schemaJson = schema.toJson();
        this.clientSchemaJson = schema.clientSchema().toJson();
        this.schemaFingerprint = schema.fingerprint();
        this.clientSchemaFingerprint = schema.clientSchema().fingerprint();
    }

    /** A new connection: its clock to authenticate starts. */
    void onConnected(Session session) {
        session.authenticationTimeout = loop.schedule(config.authenticationTimeout().toNanos(), () -> {
            session.authenticationTimeout = null;
            if (session.open() && !session.ready()) {
                sessions.refuse(session, RefusalCode.TIMEOUT, "no valid Hello within "
                        + config.authenticationTimeout().toMillis() + " ms");
            }
        });
    }

    void onHello(Session session, Hello hello) {
        if (session.state != Session.State.AWAITING_HELLO) {
            sessions.violation(session, "sent Hello twice");
            return;
        }
        if (hello.protocolVersion() != Protocol.VERSION) {
            sessions.refuse(session, RefusalCode.PROTOCOL_VERSION, "this master speaks protocol version "
                    + Protocol.VERSION + " and the peer " + hello.protocolVersion()
                    + "; use profilesync releases that agree");
            return;
        }
        session.role = hello.role();
        session.instanceId = hello.instanceId();
        String expectedFingerprint = hello.role() == Role.CLIENT ? clientSchemaFingerprint : schemaFingerprint;
        if (!hello.schemaFingerprint().isEmpty() && !hello.schemaFingerprint().equals(expectedFingerprint)) {
            sessions.refuse(session, RefusalCode.SCHEMA_MISMATCH, "the peer's schema (fingerprint "
                    + hello.schemaFingerprint() + ") differs from the master's (" + expectedFingerprint
                    + "); drop the peer's own schema and use the one the master sends, or deploy the same schema "
                    + "file to both");
            return;
        }
        if (hello.role() == Role.GAME_SERVER && hello.credential().isEmpty()) {
            // Challenge-response: the secret never travels; the proof is bound to this connection's nonce.
            session.state = Session.State.AUTHENTICATING;
            session.nonce = new byte[SecretProofs.NONCE_LENGTH];
            RANDOM.nextBytes(session.nonce);
            session.schemaFingerprintOfHello = hello.schemaFingerprint();
            session.outbound.send(new Challenge(session.nonce.clone()));
            return;
        }
        if (hello.role() == Role.GAME_SERVER) {
            if (config.refusePlaintextSecrets()) {
                sessions.refuse(session, RefusalCode.AUTHENTICATION, "this master refuses game-server secrets sent "
                        + "in plaintext (secrets.refusePlaintextSecrets); use a profilesync game server that answers "
                        + "the master's challenge, which never sends the secret");
                return;
            }
            int secretIndex = secretIndex(hello.credential());
            if (secretIndex < 0) {
                metrics.authenticationFailed(Role.GAME_SERVER, gameServerSecrets.isEmpty() ? "no_secrets_configured"
                        : "wrong_secret");
                sessions.refuse(session, RefusalCode.AUTHENTICATION, gameServerSecrets.isEmpty()
                        ? "this master accepts no game servers: it has no gameServerSecrets configured"
                        : "wrong game-server secret: configure one of the master's gameServerSecrets");
                return;
            }
            // The exactly-once record is bound to who authenticated, not only to the instance id the peer chose.
            session.secretIndex = secretIndex;
            session.writerKey = "gs:" + secretIndex + ":" + Long.toUnsignedString(session.instanceId);
            welcome(session, "", schemaJson);
            return;
        }
        session.state = Session.State.AUTHENTICATING;
        CompletionStage<String> verdict;
        try {
            verdict = authenticator.authenticate(hello.credential());
        } catch (RuntimeException e) {
            verdict = CompletableFuture.failedFuture(e);
        }
        verdict.whenCompleteAsync((userId, error) -> onVerdict(session, userId, error), loop::execute);
    }

    /** A game server's answer to its Challenge. */
    void onProof(Session session, Proof proof) {
        if (session.state != Session.State.AUTHENTICATING || session.role != Role.GAME_SERVER
                || session.nonce == null) {
            sessions.violation(session, "sent a Proof it was not asked for");
            return;
        }
        byte[] nonce = session.nonce;
        session.nonce = null;
        int secretIndex = SecretProofs.indexOfMatch(config.gameServerSecrets(), proof.hmac(), nonce,
                session.instanceId, session.schemaFingerprintOfHello);
        if (secretIndex < 0) {
            sessions.refuse(session, RefusalCode.AUTHENTICATION, config.gameServerSecrets().isEmpty()
                    ? "this master accepts no game servers: it has no gameServerSecrets configured"
                    : "the proof matches none of the master's gameServerSecrets: configure one of them");
            return;
        }
        // The exactly-once record is bound to who authenticated, not only to the instance id the peer chose.
        session.secretIndex = secretIndex;
        session.writerKey = "gs:" + secretIndex + ":" + Long.toUnsignedString(session.instanceId);
        welcome(session, "", schemaJson);
    }

    private void onVerdict(Session session, String userId, Throwable error) {
        if (session.state != Session.State.AUTHENTICATING) {
            return; // gone, or timed out, meanwhile
        }
        if (error != null || userId == null || userId.isEmpty()) {
            Throwable cause = Causes.unwrap(error);
            String reason = cause instanceof AuthenticationException ? cause.getMessage()
                    : "the token could not be checked: " + (cause == null ? "no user id" : cause.getMessage());
            metrics.authenticationFailed(Role.CLIENT, cause instanceof AuthenticationException refusal
                    ? refusal.reason() : "error");
            sessions.refuse(session, RefusalCode.AUTHENTICATION, reason);
            return;
        }
        session.userId = userId;
        session.writerKey = "client:" + userId + ":" + Long.toUnsignedString(session.instanceId);
        welcome(session, userId, clientSchemaJson);
    }

    /** The index of the configured secret {@code credential} is, or -1; every secret is compared, in constant time. */
    private int secretIndex(String credential) {
        byte[] given = credential.getBytes(StandardCharsets.UTF_8);
        int index = -1;
        for (int i = 0; i < gameServerSecrets.size(); i++) {
            // Constant time: MessageDigest.isEqual does not stop at the first differing byte.
            boolean match = MessageDigest.isEqual(gameServerSecrets.get(i), given);
            index = match && index < 0 ? i : index;
        }
        return index;
    }

    private void welcome(Session session, String userId, String json) {
        session.state = Session.State.READY;
        if (session.authenticationTimeout != null) {
            session.authenticationTimeout.cancel();
            session.authenticationTimeout = null;
        }
        onReady.accept(session);
        metrics.peerReady(session.role);
        session.outbound.send(new Welcome(userId, json, config.maxUpdateSize()));
        LOG.info("{} authenticated", session);
    }
}
