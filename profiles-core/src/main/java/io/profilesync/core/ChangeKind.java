package io.profilesync.core;

/**
 * How a delta changes one property, as validators and filters see it ({@link UpdateValidator}, {@link UpdateFilter}).
 * Immutable and thread-safe.
 */
public enum ChangeKind {
    /** A new value replacing the current one: a {@code set} of a scalar, the operations of a list or dictionary. */
    VALUE,
    /**
     * An amount added to the current value, wherever that value stands when the change is applied: {@code add} or
     * {@code subtract} of a number. Concurrent increments all count.
     */
    INCREMENT
}
