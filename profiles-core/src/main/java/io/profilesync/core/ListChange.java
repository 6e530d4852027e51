package io.profilesync.core;

import java.util.List;

/**
 * One operation on an {@link ObservableList}, as its listeners see it and as its delta carries it.
 *
 * @param kind what happened
 * @param index the position concerned (SET, ADD, INSERT, REMOVE); -1 for CLEAR and REPLACE
 * @param value the new element (SET, ADD, INSERT), else null
 * @param previous the element replaced or removed (SET, REMOVE), else null
 * @param values the whole new content for REPLACE (empty for CLEAR), else null
 * @param <E> the element type
 *
 * <p>Immutable and thread-safe.
 */
public record ListChange<E>(Kind kind, int index, E value, E previous, List<E> values) {

    /** The operations a list records. */
    public enum Kind { SET, ADD, INSERT, REMOVE, CLEAR, REPLACE }
}
