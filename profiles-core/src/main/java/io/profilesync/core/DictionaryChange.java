package io.profilesync.core;

import java.util.Map;

/**
 * One operation on an {@link ObservableDictionary}, as its listeners see it and as its delta carries it.
 *
 * @param kind what happened
 * @param key the key concerned (PUT, REMOVE), else null
 * @param value the new value (PUT), else null
 * @param previous the value replaced or removed (PUT of an existing key, REMOVE), else null
 * @param entries the whole new content for REPLACE (empty for CLEAR), else null
 * @param <K> the key type
 * @param <V> the value type
 *
 * <p>Immutable and thread-safe.
 */
public record DictionaryChange<K, V>(Kind kind, K key, V value, V previous, Map<K, V> entries) {

    /** The operations a dictionary records. */
    public enum Kind { PUT, REMOVE, CLEAR, REPLACE }
}
