package io.profilesync.core;

/**
 * Told when any property of a profile changes, after the property's own listeners. Called synchronously on the
 * thread that made the change or applied the update; for a delta, once per changed property after the whole delta
 * has been applied, so the profile is consistent when it is called.
 */
@FunctionalInterface
public interface ProfileListener {
    void onPropertyChanged(ObservableProperty<?> property);
}
