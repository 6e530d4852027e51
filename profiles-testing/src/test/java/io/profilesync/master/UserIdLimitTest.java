package io.profilesync.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.profilesync.core.InvalidUserIdException;
import io.profilesync.core.UserIds;
import io.profilesync.protocol.RefusalCode;
import io.profilesync.protocol.internal.Messages.AcquireFailed;
import io.profilesync.protocol.internal.Messages.AcquireProfile;
import io.profilesync.protocol.internal.Messages.Hello;
import io.profilesync.protocol.internal.Messages.ProfileAcquired;
import io.profilesync.protocol.internal.Messages.Refused;
import io.profilesync.protocol.internal.Messages.Role;
import io.profilesync.protocol.internal.Messages.Welcome;
import io.profilesync.protocol.internal.Protocol;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The one user-id rule ({@link UserIds}) where ids enter the master: tokens and game servers' acquire requests. */
@Timeout(60)
class UserIdLimitTest extends MasterTestSupport {
    static final String TOKEN_SECRET = MasterServerTest.TOKEN_SECRET;
    static final String LONGEST = "a".repeat(UserIds.MAX_LENGTH);
    static final String TOO_LONG = "a".repeat(UserIds.MAX_LENGTH + 1);

    MasterServer start() {
        master = MasterServer.start(new MasterServerTest().config().build(), MasterServerTest.SCHEMA, accessor);
        return master;
    }

    TestPeer peer() throws Exception {
        TestPeer peer = TestPeer.connect(master.port());
        closeables.add(peer);
        return peer;
    }

    /** A correctly signed token for any user id, as a login service that ignores the rule would mint. */
    static String signedToken(String userId) throws Exception {
        Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
        String payload = "v1." + base64.encodeToString(userId.getBytes(StandardCharsets.UTF_8)) + "."
                + Instant.now().plus(Duration.ofMinutes(5)).getEpochSecond();
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(TOKEN_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return payload + "." + base64.encodeToString(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void mintingRefusesAnIdOutsideTheRule() {
        for (String bad : new String[] {"", TOO_LONG, "al ice", "zoë"}) {
            assertThatThrownBy(() -> HmacTokens.mint(TOKEN_SECRET, bad, Duration.ofMinutes(5)))
                    .isInstanceOf(InvalidUserIdException.class).hasMessage(UserIds.problem(bad));
        }
        String token = HmacTokens.mint(TOKEN_SECRET, LONGEST, Duration.ofMinutes(5));
        assertThat(HmacTokens.verify(TOKEN_SECRET, token, Clock.systemUTC())).isEqualTo(LONGEST);
    }

    @Test
    void verificationRefusesASignedTokenForAnIdOutsideTheRule() throws Exception {
        assertThat(HmacTokens.verify(TOKEN_SECRET, signedToken("bob"), Clock.systemUTC())).isEqualTo("bob");
        assertThatThrownBy(() -> HmacTokens.verify(TOKEN_SECRET, signedToken(TOO_LONG), Clock.systemUTC()))
                .isInstanceOf(AuthenticationException.class)
                .hasMessage("the token's user id '" + "a".repeat(40) + "…' is 129 characters long: " + UserIds.RULE);
        assertThatThrownBy(() -> HmacTokens.verify(TOKEN_SECRET, signedToken(""), Clock.systemUTC()))
                .isInstanceOf(AuthenticationException.class).hasMessageContaining("the user id is empty");

        start();
        TestPeer peer = peer();
        peer.send(new Hello(Protocol.VERSION, Role.CLIENT, 7, signedToken(TOO_LONG), ""));
        Refused refused = peer.next(Refused.class);
        assertThat(refused.code()).isEqualTo(RefusalCode.AUTHENTICATION);
        assertThat(refused.reason()).contains("129 characters long").contains(UserIds.RULE);
        peer.awaitDisconnected();
    }

    @Test
    void aGameServerAskingForAnIdOutsideTheRuleIsRefusedWithTheRule() throws Exception {
        start();
        TestPeer gameServer = peer();
        gameServer.send(new Hello(Protocol.VERSION, Role.GAME_SERVER, 1, MasterServerTest.GAME_SERVER_SECRET, ""));
        gameServer.next(Welcome.class);
        gameServer.send(new AcquireProfile(1, TOO_LONG));
        AcquireFailed failed = gameServer.next(AcquireFailed.class);
        assertThat(failed.requestId()).isEqualTo(1);
        assertThat(failed.reason()).isEqualTo(UserIds.problem(TOO_LONG));
        gameServer.send(new AcquireProfile(2, "eve\u0000"));
        assertThat(gameServer.next(AcquireFailed.class).reason()).contains("U+0000 at 4");
        gameServer.send(new AcquireProfile(3, LONGEST));
        assertThat(gameServer.next(ProfileAcquired.class).requestId()).isEqualTo(3);
    }
}
