package io.profilesync.master.hooks;

import java.util.Set;

/**
 * Where game logic registers with one master: listeners, validators and reactions. A {@link MasterPlugin} receives it
 * at start; {@code MasterServer.hooks()} returns it while the master runs. Registering takes effect for the next
 * change or event.
 *
 * <p>Threading: thread-safe; every registered hook is called on the profile thread.
 */
public interface MasterHooks {
    /** Adds {@code listener}; listeners are called in the order they were added. */
    void addListener(MasterListener listener);

    /** Removes {@code listener}; false when it was not added. */
    boolean removeListener(MasterListener listener);

    /**
     * Asks {@code validator} about every change of {@code property} that a client or game server sends.
     *
     * @throws HookRegistrationException when the schema has no such property (the message lists them)
     */
    void validate(String property, ChangeValidator validator);

    /** Asks {@code validator} about every change of every property that a client or game server sends. */
    void validateEveryProperty(ChangeValidator validator);

    /**
     * Runs {@code reaction} after each change that changed one of {@code triggers}.
     *
     * @throws HookRegistrationException when {@code triggers} is empty or names a property the schema does not have
     */
    void react(Set<String> triggers, Reaction reaction);
}
