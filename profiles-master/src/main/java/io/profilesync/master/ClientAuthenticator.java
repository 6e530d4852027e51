package io.profilesync.master;

import java.util.concurrent.CompletionStage;

/**
 * Checks the token a client presents and yields the id of the user it belongs to. The master ships
 * {@link HmacTokens#authenticator(String)}, which verifies tokens signed by a login service; implement this to check
 * tokens another way (a session store, a JWT library).
 *
 * <p>Threading: called on the master's profile thread, so it must return at once: do slow work asynchronously and
 * complete the stage later, on any thread.
 */
@FunctionalInterface
public interface ClientAuthenticator {
    /**
     * @return a stage completing with the user id, or failing with {@link AuthenticationException} saying why the
     *     token is refused (the client is told)
     */
    CompletionStage<String> authenticate(String token);
}
