package io.profilesync.core;

/**
 * Told about each operation on an {@link ObservableList} ({@link ListChange}) or {@link ObservableDictionary}
 * ({@link DictionaryChange}). Called synchronously on the thread that made the change or applied the update, once per
 * operation, in order.
 *
 * @param <C> the change type
 */
@FunctionalInterface
public interface CollectionListener<C> {
    void onChange(C change);
}
