package io.profilesync.populators;

import java.util.Locale;

/**
 * When the master saves a change to a property ({@code durability} in the schema file): with the ordinary debounced
 * save, or at once. Immutable and thread-safe.
 */
public enum Durability {
    /**
     * The default: the profile is saved {@code saveProfileDebounce} after its first unsaved change, so a property set
     * often is written once per debounce.
     */
    DEBOUNCED,
    /**
     * A change to the property makes the profile's save due at once (for currency and purchases): it is committed
     * within the master's few milliseconds of coalescing, in one accessor batch with every other profile due then.
     */
    IMMEDIATE;

    /** The name in the schema file: {@code debounced} or {@code immediate}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The durability named {@code key} in a schema file.
     *
     * @throws IllegalArgumentException naming the bad value and the valid ones
     */
    public static Durability of(String key) {
        for (Durability durability : values()) {
            if (durability.key().equals(key)) {
                return durability;
            }
        }
        throw new IllegalArgumentException("durability must be 'immediate' (saved at once, for currency and "
                + "purchases) or 'debounced' (the default: saved saveProfileDebounce after the first change), not '"
                + key + "'");
    }
}
