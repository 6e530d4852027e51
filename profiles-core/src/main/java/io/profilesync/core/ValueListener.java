package io.profilesync.core;

/**
 * Told when a scalar property's value changes. Called synchronously on the thread that set the value, or that
 * applied the update carrying it.
 *
 * @param <T> the property's value type
 */
@FunctionalInterface
public interface ValueListener<T> {
    void onValueChanged(T oldValue, T newValue);
}
