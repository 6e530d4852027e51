package io.profilesync.master.hooks;

import java.util.Objects;

/**
 * One property's change: its value before and after. Values are what {@code ObservableProperty.value()} returns: a
 * boxed number, boolean, string, {@code Instant} or {@code Vector3} for scalars, an unmodifiable {@code List} or
 * {@code Map} copy for collections. Immutable.
 */
public record PropertyChange(String property, Object oldValue, Object newValue) {
    public PropertyChange {
        Objects.requireNonNull(property, "property");
    }
}
